from odoo import api
from odoo import fields
from odoo import models


class AccountBillingCreditInput(models.AbstractModel):
    """The inputs of a credit or an invoice made from the client's Billing tab (docs/rules.md R1.1, R2.1),
    shared by Create a credit / Create an invoice and the bulk credit: the company, the amount, the note,
    Taxes included and the taxes (default: the credit product's), with the card-number guard."""

    _name = "account.billing.credit.input"
    _inherit = ["account.billing.card.guard"]
    _description = "Inputs of a billing credit or invoice"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True, currency_field="currency_id")
    note = fields.Text(required=True)
    taxes_included = fields.Boolean(string="Taxes included")
    tax_ids = fields.Many2many(
        "account.tax", string="Taxes", check_company=True,
        compute="_compute_tax_ids", store=True, readonly=False, precompute=True,
        domain="[('type_tax_use', '=', 'sale')]")

    @api.depends("company_id")
    def _compute_tax_ids(self):
        """R1.1: the taxes of the company's credit product."""
        for wizard in self:
            product = wizard.company_id._billing_credit_product()
            wizard.tax_ids = self.env["res.partner"].with_company(wizard.company_id)._billing_taxes(
                None, product) if product else False
