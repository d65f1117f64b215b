from odoo import api
from odoo import fields
from odoo import models


class AccountBillingInvoiceWizard(models.AbstractModel):
    """The header the invoice wizards share (Make a payment, Cancel/refund items): the posted customer
    invoice they were opened from, its company, currency and client, and the card-number guard."""

    _name = "account.billing.invoice.wizard"
    _inherit = ["account.billing.card.guard"]
    _description = "Billing wizard opened from a customer invoice"
    _check_company_auto = True

    invoice_id = fields.Many2one("account.move", required=True, readonly=True, check_company=True)
    company_id = fields.Many2one(related="invoice_id.company_id")
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    partner_id = fields.Many2one(related="invoice_id.commercial_partner_id", string="Client")

    @api.model
    def default_get(self, fields_list):
        """The invoice of the button (active_id), checked the way the public methods check it."""
        values = super().default_get(fields_list)
        context = self.env.context
        if "invoice_id" in fields_list and not values.get("invoice_id") \
                and context.get("active_model") == "account.move":
            values["invoice_id"] = (context.get("active_ids") or [context.get("active_id")])[0]
        if values.get("invoice_id"):
            self.env["account.move"].browse(values["invoice_id"])._billing_check_customer_invoice()
        return values
