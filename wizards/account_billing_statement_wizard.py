from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError


class AccountBillingStatementWizard(models.TransientModel):
    """Print the client statement for a period, for one client or a selection (docs/rules.md §3), or email it
    from one client with Odoo's mail composer."""

    _name = "account.billing.statement.wizard"
    _inherit = ["account.billing.clients.wizard"]
    _description = "Client statement for a period"

    partner_count = fields.Integer(compute="_compute_partner_count")
    date_from = fields.Date(string="From", help="Empty: from the client's first document.")
    date_to = fields.Date(string="To", help="Empty: up to the last document.")

    @api.model
    def _billing_selected_clients(self, partners):
        """A statement is a client's, the commercial entity's (a contact's is its company's)."""
        return partners.commercial_partner_id

    @api.depends("partner_ids")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = len(wizard.partner_ids)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to and wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._(
                    "The statement's From date (%(start)s) is after its To date (%(end)s): swap them or "
                    "clear one.", start=wizard.date_from, end=wizard.date_to))

    def _data(self):
        return {"date_from": fields.Date.to_string(self.date_from) if self.date_from else False,
                "date_to": fields.Date.to_string(self.date_to) if self.date_to else False}

    def action_print(self):
        self.ensure_one()
        clients = self.partner_ids.commercial_partner_id
        return clients._billing_statement_report().report_action(clients, data=self._data())

    def action_send(self):
        self.ensure_one()
        clients = self.partner_ids.commercial_partner_id
        if len(clients) != 1:
            raise UserError(self.env._(
                "A statement is emailed to one client at a time: select one client, or print the statements "
                "of the %(count)s clients selected.", count=len(clients)))
        return clients.action_billing_send_statement(self.date_from, self.date_to)
