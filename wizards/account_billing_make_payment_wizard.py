from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class AccountBillingMakePaymentWizard(models.TransientModel):
    """Make a payment from a posted customer invoice (docs/rules.md R7): a thin form on billing_make_payment;
    what it shows comes from account.move._billing_payment_preview."""

    _name = "account.billing.make.payment.wizard"
    _inherit = ["account.billing.invoice.wizard"]
    _description = "Make a payment on a customer invoice"
    amount_due = fields.Monetary(related="invoice_id.amount_residual", string="Amount due")
    scheduled_amount = fields.Monetary(
        related="invoice_id.billing_scheduled_amount", string="Already scheduled",
        help="Postdated payments of this invoice waiting for their date: not deducted from the amount "
        "due yet, so they are left out of the amount proposed.")
    credit_available = fields.Monetary(
        string="Credit on file", compute="_compute_credit_available",
        help="The client's open credit items (credit notes, overpayments) that can be applied to this invoice.")
    use_credit = fields.Boolean(
        string="Use the credit on file", compute="_compute_use_credit", store=True, readonly=False,
        precompute=True,
        help="Apply the client's open credit to this invoice, oldest first, before paying the rest.")
    credit_to_apply = fields.Monetary(
        string="Credit applied", compute="_compute_credit_to_apply",
        help="The credit on file applied to this invoice, up to what the scheduled payments leave to pay.")
    amount = fields.Monetary(
        compute="_compute_amount", store=True, readonly=False, precompute=True,
        help="Paid with the payment mode below; when the credit on file is used, what is left to pay.")
    journal_id = fields.Many2one(
        "account.journal", string="Payment mode", check_company=True,
        compute="_compute_journal_id", store=True, readonly=False, precompute=True,
        domain="[('type', 'in', ('bank', 'cash'))]")
    available_payment_method_line_ids = fields.Many2many(
        "account.payment.method.line", compute="_compute_available_payment_method_line_ids")
    payment_method_line_id = fields.Many2one(
        "account.payment.method.line", string="Payment method",
        compute="_compute_payment_method_line_id", store=True, readonly=False, precompute=True,
        domain="[('id', 'in', available_payment_method_line_ids)]")
    payer_name = fields.Char(string="Payer name")
    payer_reference = fields.Char(
        string="Payer reference",
        help="Cheque number, bank, card type and last four digits, authorisation code. Never a full card number.")
    postdated = fields.Boolean()
    postdated_date = fields.Date(string="Payment date", help="A date after today: the payment is applied on that date.")
    amount_left = fields.Monetary(
        string="Left to pay after", compute="_compute_amount_left",
        help="What is left to pay once this payment, the credit applied and the scheduled payments are counted.")

    # -------------------------------------------------------------------------
    # COMPUTES
    # -------------------------------------------------------------------------

    def _preview(self, use_credit):
        """The figures of account.move._billing_payment_preview: the same code as the button."""
        invoice = self.invoice_id._origin
        return invoice._billing_payment_preview(use_credit=use_credit) if invoice else {
            "amount_due": 0.0, "scheduled": 0.0, "credit_available": 0.0, "credit_to_apply": 0.0, "amount": 0.0}

    @api.depends("invoice_id")
    def _compute_credit_available(self):
        for wizard in self:
            wizard.credit_available = wizard._preview(False)["credit_available"]

    @api.depends("invoice_id", "postdated")
    def _compute_use_credit(self):
        for wizard in self:
            wizard.use_credit = not wizard.postdated and bool(wizard._preview(True)["credit_to_apply"])

    @api.depends("invoice_id", "use_credit")
    def _compute_credit_to_apply(self):
        for wizard in self:
            wizard.credit_to_apply = wizard._preview(wizard.use_credit)["credit_to_apply"]

    @api.depends("invoice_id", "use_credit")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard._preview(wizard.use_credit)["amount"]

    @api.depends("amount_due", "scheduled_amount", "credit_to_apply", "amount")
    def _compute_amount_left(self):
        for wizard in self:
            currency = wizard.currency_id or self.env.company.currency_id
            wizard.amount_left = currency.round(
                wizard.amount_due - wizard.scheduled_amount - wizard.credit_to_apply - wizard.amount)

    @api.depends("invoice_id")
    def _compute_journal_id(self):
        for wizard in self:
            if wizard.journal_id or not wizard.invoice_id:
                continue
            wizard.journal_id = wizard.invoice_id._origin._billing_default_payment_journal()

    @api.depends("journal_id")
    def _compute_available_payment_method_line_ids(self):
        for wizard in self:
            wizard.available_payment_method_line_ids = wizard.journal_id._origin._billing_offline_method_lines(
                "inbound") if wizard.journal_id else False

    @api.depends("available_payment_method_line_ids")
    def _compute_payment_method_line_id(self):
        for wizard in self:
            lines = wizard.available_payment_method_line_ids._origin
            if wizard.payment_method_line_id._origin not in lines:
                # The offline method Make a payment proposes (R7.2), from the model.
                wizard.payment_method_line_id = lines and self.env["account.move"]._billing_payment_method_line(
                    wizard.journal_id._origin)

    # -------------------------------------------------------------------------
    # BUSINESS
    # -------------------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        if self.postdated and not self.postdated_date:
            raise UserError(self.env._("Enter the date of the postdated payment."))
        self.invoice_id.with_company(self.company_id).billing_make_payment(
            self.amount,
            self.journal_id.id,
            payment_method_line_id=self.payment_method_line_id.id or None,
            payer_name=self.payer_name or None,
            payer_reference=self.payer_reference or None,
            postdated_date=self.postdated_date if self.postdated else None,
            use_credit=self.use_credit,
        )
        return {"type": "ir.actions.act_window_close"}
