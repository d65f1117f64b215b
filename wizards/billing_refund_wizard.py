from odoo import api
from odoo import fields
from odoo import models


class BillingRefundWizard(models.TransientModel):
    """Record a refund from the client's Operations menu (R3): gives back available credit."""

    _name = "billing.refund.wizard"
    _inherit = ["account.billing.card.guard"]
    _description = "Record a refund of a client's credit"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Client", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    available_credit = fields.Monetary(related="partner_id.billing_available_credit",
                                       currency_field="currency_id")
    amount = fields.Monetary(
        required=True, currency_field="currency_id",
        compute="_compute_amount", store=True, readonly=False, precompute=True)
    journal_id = fields.Many2one(
        "account.journal", required=True, check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        compute="_compute_journal_id", store=True, readonly=False, precompute=True)
    available_method_line_ids = fields.Many2many(
        "account.payment.method.line", compute="_compute_available_method_line_ids")
    payment_method_line_id = fields.Many2one(
        "account.payment.method.line", string="Payment method", required=True,
        domain="[('id', 'in', available_method_line_ids)]",
        compute="_compute_payment_method_line_id", store=True, readonly=False, precompute=True)
    note = fields.Text(required=True)
    balance_after_label = fields.Char(string="Balance after the refund", compute="_compute_balance_after")

    # -------------------------------------------------------------------------
    # COMPUTES
    # -------------------------------------------------------------------------

    @api.depends("partner_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.partner_id.billing_available_credit

    @api.depends("company_id")
    def _compute_journal_id(self):
        for wizard in self:
            wizard.journal_id = self.env["account.journal"].search([
                *self.env["account.journal"]._check_company_domain(wizard.company_id),
                ("type", "in", ("bank", "cash")),
            ], order="type, sequence, id", limit=1)

    @api.depends("journal_id")
    def _compute_available_method_line_ids(self):
        for wizard in self:
            wizard.available_method_line_ids = wizard.journal_id._get_available_payment_method_lines(
                "outbound").filtered(lambda line: not line.payment_provider_id)

    @api.depends("journal_id")
    def _compute_payment_method_line_id(self):
        for wizard in self:
            lines = wizard.journal_id._get_available_payment_method_lines("outbound").filtered(
                lambda line: not line.payment_provider_id)
            wizard.payment_method_line_id = lines.filtered(lambda line: line.code == "manual")[:1] or lines[:1]

    @api.depends("amount", "partner_id")
    def _compute_balance_after(self):
        for wizard in self:
            currency = wizard.currency_id or self.env.company.currency_id
            balance = currency.round(wizard.partner_id.billing_balance + (wizard.amount or 0.0))
            wizard.balance_after_label = wizard.partner_id._billing_format_balance(balance, currency)

    # -------------------------------------------------------------------------
    # BUSINESS
    # -------------------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        self.partner_id.with_company(self.company_id).billing_refund(
            self.amount, self.journal_id.id, self.note,
            payment_method_line_id=self.payment_method_line_id.id)
        return {"type": "ir.actions.act_window_close"}
