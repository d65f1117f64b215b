from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from . import billing_tools


class ResConfigSettings(models.TransientModel):
    """Accounting → Settings → Billing operations: the current company's values (SPEC §2)."""

    _inherit = "res.config.settings"

    billing_credit_product_id = fields.Many2one(
        related="company_id.billing_credit_product_id", readonly=False)
    billing_credit_tax_ids = fields.Many2many(
        "account.tax", "billing_settings_credit_tax_rel", string="Credit taxes",
        compute="_compute_billing_product_taxes", store=True, readonly=False,
        domain="[('type_tax_use', '=', 'sale'), ('company_id', 'parent_of', company_id)]",
        help="The sales taxes the credit product proposes in this company (Create a credit, Create an invoice).")
    billing_penalty_product_id = fields.Many2one(
        related="company_id.billing_penalty_product_id", readonly=False)
    billing_penalty_tax_ids = fields.Many2many(
        "account.tax", "billing_settings_penalty_tax_rel", string="Cancellation fee taxes",
        compute="_compute_billing_product_taxes", store=True, readonly=False,
        domain="[('type_tax_use', '=', 'sale'), ('company_id', 'parent_of', company_id)]",
        help="The sales taxes a penalty of Cancel/refund items keeps in this company (carved out of it).")
    billing_settlement_cutoff = fields.Float(
        related="company_id.billing_settlement_cutoff", readonly=False)
    billing_settlement_tz = fields.Selection(
        related="company_id.billing_settlement_tz", readonly=False)
    billing_settlement_tz_applied = fields.Char(
        string="Time zone applied", compute="_compute_billing_settlement_tz_applied")
    billing_refund_journal_id = fields.Many2one(
        related="company_id.billing_refund_journal_id", readonly=False)

    @api.depends("company_id", "billing_credit_product_id", "billing_penalty_product_id")
    def _compute_billing_product_taxes(self):
        for settings in self:
            settings.billing_credit_tax_ids = settings._billing_company_taxes(settings.billing_credit_product_id)
            settings.billing_penalty_tax_ids = settings._billing_company_taxes(settings.billing_penalty_product_id)

    def _billing_company_taxes(self, product):
        """The product's sales taxes of this company (a product shared by companies holds each one's)."""
        company = self.company_id
        return product.sudo().taxes_id.filtered(lambda tax: tax.company_id in company.parent_ids)

    @api.depends("company_id", "billing_settlement_tz")
    def _compute_billing_settlement_tz_applied(self):
        for settings in self:
            company = settings.company_id
            settings.billing_settlement_tz_applied = settings.billing_settlement_tz or company.partner_id.tz or "UTC"

    def _billing_check_taxes(self):
        """The domains of the two tax fields hold only in the form: over RPC (or an import), taxes of
        another company, purchase taxes or archived taxes are refused here, before anything is written."""
        company = self.company_id
        for taxes in (self.billing_credit_tax_ids, self.billing_penalty_tax_ids):
            billing_tools.check_company(self.env, taxes.sudo(), company, self.env._("The tax"))
            wrong = taxes.sudo().filtered(lambda tax: tax.type_tax_use != "sale" or not tax.active)
            if wrong:
                raise ValidationError(self.env._(
                    "%(taxes)s cannot be used for credits or cancellation fees: choose active sales taxes of "
                    "%(company)s.", taxes=", ".join(wrong.mapped("name")), company=company.name))

    def set_values(self):
        self._billing_check_taxes()
        result = super().set_values()
        for product, taxes in ((self.billing_credit_product_id, self.billing_credit_tax_ids),
                               (self.billing_penalty_product_id, self.billing_penalty_tax_ids)):
            if not product:
                continue
            current = self._billing_company_taxes(product)
            if current != taxes:
                # This company's taxes replaced, the other companies' kept.
                product.sudo().taxes_id = [Command.set(((product.sudo().taxes_id - current) | taxes).ids)]
        return result
