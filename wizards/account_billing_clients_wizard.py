from odoo import Command
from odoo import api
from odoo import fields
from odoo import models


class AccountBillingClientsWizard(models.AbstractModel):
    """A wizard opened from the client list on the selected clients (bulk credit, statement)."""

    _name = "account.billing.clients.wizard"
    _description = "Billing wizard opened on a selection of clients"

    partner_ids = fields.Many2many("res.partner", string="Clients", required=True)

    @api.model
    def default_get(self, fields_list):
        """The clients of the list's selection (active_ids)."""
        values = super().default_get(fields_list)
        context = self.env.context
        if "partner_ids" in fields_list and not values.get("partner_ids") \
                and context.get("active_model") == "res.partner" and context.get("active_ids"):
            clients = self._billing_selected_clients(self.env["res.partner"].browse(context["active_ids"]))
            values["partner_ids"] = [Command.set(clients.ids)]
        return values

    @api.model
    def _billing_selected_clients(self, partners):
        """The clients the wizard starts with, from the selected ``partners``."""
        return partners
