from odoo import api
from odoo import fields
from odoo import models


class AccountBillingRecordRefundWizard(models.TransientModel):
    """Record a refund from the client's Operations menu (R3): gives back available credit."""

    _name = "account.billing.record.refund.wizard"
    _inherit = ["account.billing.card.guard"]
    _description = "Record a refund of a client's credit"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Client", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    available_credit = fields.Monetary(compute="_compute_available_credit", currency_field="currency_id")
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
    # COMPUTES: each asks the model what the button will accept
    # -------------------------------------------------------------------------

    def _client(self):
        self.ensure_one()
        return self.partner_id.commercial_partner_id.with_company(self.company_id)

    @api.depends("partner_id", "company_id")
    def _compute_available_credit(self):
        for wizard in self:
            wizard.available_credit = wizard._client().billing_available_credit if wizard.partner_id else 0.0

    @api.depends("partner_id", "company_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard._client().billing_available_credit if wizard.partner_id else 0.0

    @api.depends("company_id")
    def _compute_journal_id(self):
        for wizard in self:
            partner = self.env["res.partner"].with_company(wizard.company_id)
            wizard.journal_id = partner._billing_default_refund_journal()

    @api.depends("journal_id")
    def _compute_available_method_line_ids(self):
        for wizard in self:
            wizard.available_method_line_ids = wizard.journal_id._origin._billing_offline_method_lines(
                "outbound") if wizard.journal_id else False

    @api.depends("journal_id")
    def _compute_payment_method_line_id(self):
        for wizard in self:
            # The offline method Record a refund proposes (R3.3): the journal's first, manual first.
            wizard.payment_method_line_id = wizard.journal_id._origin._billing_offline_method_lines(
                "outbound")[:1] if wizard.journal_id else False

    @api.depends("amount", "partner_id", "company_id")
    def _compute_balance_after(self):
        for wizard in self:
            wizard.balance_after_label = wizard.partner_id and \
                wizard._client()._billing_refund_preview(wizard.amount)["balance_after_label"]

    # -------------------------------------------------------------------------
    # BUSINESS
    # -------------------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        self.partner_id.with_company(self.company_id).billing_refund(
            self.amount, self.journal_id.id, self.note,
            payment_method_line_id=self.payment_method_line_id.id or None)
        return {"type": "ir.actions.act_window_close"}
