from odoo import api
from odoo import fields
from odoo import models


class AccountBillingRefundPaymentWizard(models.TransientModel):
    """Refund a customer payment (R4): to the card through its provider, else in cash / cheque."""

    _name = "account.billing.refund.payment.wizard"
    _inherit = ["account.billing.card.guard"]
    _description = "Refund a customer payment"
    _check_company_auto = True

    payment_id = fields.Many2one("account.payment", required=True, readonly=True)
    company_id = fields.Many2one(related="payment_id.company_id")
    currency_id = fields.Many2one(related="payment_id.currency_id")
    partner_id = fields.Many2one(related="payment_id.partner_id", string="Client")
    payment_amount = fields.Monetary(related="payment_id.amount", string="Payment amount")
    refundable_amount = fields.Monetary(related="payment_id.billing_refundable_amount",
                                        string="Left to refund")
    through_provider = fields.Boolean(compute="_compute_through_provider")
    amount = fields.Monetary(
        required=True, currency_field="currency_id",
        compute="_compute_amount", store=True, readonly=False, precompute=True)
    note = fields.Text(required=True)
    company_currency_id = fields.Many2one(related="payment_id.company_id.currency_id", string="Company currency")
    balance_after = fields.Monetary(compute="_compute_balance_after", currency_field="company_currency_id")
    balance_after_label = fields.Char(string="Balance after the refund", compute="_compute_balance_after")
    client_will_owe = fields.Boolean(compute="_compute_balance_after")

    # -------------------------------------------------------------------------
    # COMPUTES
    # -------------------------------------------------------------------------

    @api.depends("payment_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.payment_id.billing_refundable_amount

    @api.depends("payment_id")
    def _compute_through_provider(self):
        for wizard in self:
            wizard.through_provider = bool(wizard.payment_id.payment_transaction_id)

    @api.depends("amount", "payment_id")
    def _compute_balance_after(self):
        """R4.3: the balance (company currency) once the refund is booked, as the model computes it."""
        for wizard in self:
            payment = wizard.payment_id
            currency = payment.company_id.currency_id or self.env.company.currency_id
            if not payment:
                wizard.update({"balance_after": 0.0, "balance_after_label": False, "client_will_owe": False})
                continue
            balance = payment._billing_refund_balance_after(wizard.amount or 0.0)
            client = payment.partner_id.commercial_partner_id
            wizard.balance_after = balance
            wizard.balance_after_label = client._billing_format_balance(balance, currency)
            wizard.client_will_owe = currency.compare_amounts(balance, 0.0) > 0

    # -------------------------------------------------------------------------
    # BUSINESS
    # -------------------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        refund_id = self.payment_id.with_company(self.company_id).billing_refund(self.amount, self.note)
        return self.env["account.payment"].browse(refund_id)._get_records_action()
