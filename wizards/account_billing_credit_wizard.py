from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class AccountBillingCreditWizard(models.TransientModel):
    """Create a credit (R1) or an invoice / charge (R2) from the client's Operations menu."""

    _name = "account.billing.credit.wizard"
    _inherit = ["account.billing.credit.input"]
    _description = "Create a credit or an invoice for a client"

    operation = fields.Selection(
        selection=[("credit", "Create a credit"), ("charge", "Create an invoice")],
        required=True, default="credit")
    partner_id = fields.Many2one("res.partner", string="Client", required=True, readonly=True)
    reversed_credit_id = fields.Many2one(
        "account.move", string="Reverses the credit", check_company=True,
        domain="[('move_type', '=', 'out_refund'), ('state', '=', 'posted'), "
               "('commercial_partner_id', '=', partner_id)]",
        help="Reverse an erroneous credit: the invoice is reconciled with it while it is open.")
    amount_untaxed = fields.Monetary(string="Untaxed", compute="_compute_totals", currency_field="currency_id")
    amount_tax = fields.Monetary(string="Tax", compute="_compute_totals", currency_field="currency_id")
    amount_total = fields.Monetary(string="Total", compute="_compute_totals", currency_field="currency_id")
    balance_after_label = fields.Char(compute="_compute_totals", string="Balance after the operation")
    preview_error = fields.Char(compute="_compute_totals", help="Why the button would refuse these values.")

    # -------------------------------------------------------------------------
    # COMPUTES
    # -------------------------------------------------------------------------

    @api.depends("company_id", "partner_id")
    def _compute_tax_ids(self):
        """R1.1: the credit product's taxes, mapped by the client's fiscal position."""
        for wizard in self:
            client = wizard.partner_id.commercial_partner_id.with_company(wizard.company_id)
            wizard.tax_ids = client._billing_taxes(None, wizard.company_id._billing_credit_product()) \
                if client else False

    @api.depends("amount", "taxes_included", "tax_ids", "operation", "partner_id", "company_id")
    def _compute_totals(self):
        """The model's own preview: what the button will book (docs/rules.md §6)."""
        for wizard in self:
            client = wizard.partner_id.commercial_partner_id.with_company(wizard.company_id)
            currency = wizard.currency_id or self.env.company.currency_id
            amount = currency.round(wizard.amount or 0.0)
            empty = {"amount_untaxed": 0.0, "amount_tax": 0.0, "amount_total": 0.0, "balance_after_label": False,
                     "preview_error": False}
            if not client or currency.compare_amounts(amount, 0.0) <= 0:
                wizard.update(empty)
                continue
            try:
                preview = client._billing_manual_move_preview(
                    amount, wizard.taxes_included, wizard.tax_ids._origin, wizard.operation)
            except UserError as error:
                wizard.update({**empty, "preview_error": str(error)})
                continue
            wizard.update({"preview_error": False, **{name: preview[name] for name in (
                "amount_untaxed", "amount_tax", "amount_total", "balance_after_label")}})

    # -------------------------------------------------------------------------
    # BUSINESS
    # -------------------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        if self.operation == "credit":
            move_id = partner.billing_create_credit(
                self.amount, self.note, taxes_included=self.taxes_included, tax_ids=self.tax_ids.ids)
        else:
            move_id = partner.billing_create_charge(
                self.amount, self.note, taxes_included=self.taxes_included, tax_ids=self.tax_ids.ids,
                reversed_credit_id=self.reversed_credit_id.id or None)
        if self.env.context.get("billing_open_document"):
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": move_id,
                "view_mode": "form",
                "name": self.env._("Billing document"),
            }
        return {"type": "ir.actions.act_window_close"}
