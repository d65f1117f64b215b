import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from . import billing_tools

_logger = logging.getLogger(__name__)


class AccountPayment(models.Model):
    _inherit = "account.payment"

    billing_note = fields.Text(string="Billing note", copy=False)
    billing_payer_name = fields.Char(string="Payer name", copy=False)
    billing_payer_reference = fields.Char(
        string="Payer reference", copy=False,
        help="Cheque number, bank, card type and last four digits, authorisation code. "
        "Never a full card number.")
    billing_postdated = fields.Boolean(
        string="Postdated", copy=False, index="btree_not_null",
        help="Scheduled payment: it is applied to its invoice on its date by a scheduled action.")
    billing_invoice_id = fields.Many2one(
        "account.move", string="Invoice paid", copy=False, index="btree_not_null", check_company=True,
        help="The invoice this payment was made from (Make a payment).")
    billing_refund_state = fields.Selection(
        selection=[
            ("pending", "Pending settlement"),
            ("settled", "Settled"),
            ("cancelled", "Cancelled"),
        ],
        string="Refund state", copy=False, index="btree_not_null", tracking=True,
        help="Refunds only: pending settlement until the day's settlement cut-off, then settled; "
        "a pending refund can be cancelled.")

    # -------------------------------------------------------------------------
    # R7: payer information, scheduled (postdated) payments
    # -------------------------------------------------------------------------

    @api.constrains("billing_payer_name", "billing_payer_reference", "billing_note")
    def _check_billing_no_card_number(self):
        for payment in self:
            if billing_tools.contains_card_number(payment.billing_payer_name) \
                    or billing_tools.contains_card_number(payment.billing_payer_reference) \
                    or billing_tools.contains_card_number(payment.billing_note):
                raise ValidationError(_(
                    "A full card number cannot be recorded. Keep only the card type and its last four "
                    "digits (and the authorisation code)."))

    def _billing_scheduled(self):
        """The scheduled payments of ``self``: postdated and not applied yet."""
        return self.filtered(lambda pay: pay.billing_postdated and pay.state == "draft")

    def action_post(self):
        """R7.4: a scheduled payment is applied on its date, not before (by the scheduled action)."""
        today = fields.Date.context_today(self)
        early = self.filtered(lambda pay: pay.billing_postdated and pay.state == "draft" and pay.date > today)
        if early:
            raise UserError(_(
                "%(payments)s is scheduled for %(date)s and is applied automatically on that date. To apply it "
                "now, cancel the scheduled payment and make the payment again without a date.",
                payments=", ".join(early.mapped("display_name")), date=format_date(self.env, early[0].date)))
        return super().action_post()

    def _billing_ensure_outstanding_account(self):
        """A payment method line without an account would leave the payment without a journal entry
        (nothing to reconcile with the invoice): use the company's outstanding receipts account."""
        for payment in self.filtered(lambda pay: not pay.outstanding_account_id):
            payment.outstanding_account_id = payment._get_outstanding_account(payment.payment_type)

    def _billing_post_and_reconcile(self):
        """Post the payments and reconcile them with their invoice, as Register Payment does."""
        self._billing_ensure_outstanding_account()
        self.action_post()
        domain = [
            ("parent_state", "=", "posted"),
            ("account_type", "in", self._get_valid_payment_account_types()),
            ("reconciled", "=", False),
        ]
        for payment in self:
            invoice = payment.billing_invoice_id
            payment_lines = payment.move_id.line_ids.filtered_domain(domain)
            invoice_lines = invoice.line_ids.filtered_domain(domain) if invoice.state == "posted" \
                else self.env["account.move.line"]
            for account in payment_lines.account_id:
                (payment_lines + invoice_lines).filtered_domain([("account_id", "=", account.id)]).reconcile()
            if invoice:
                invoice.matched_payment_ids |= payment

    def billing_cancel_scheduled(self, note=None):
        """R7.4: cancel a scheduled payment before it is applied; returns True."""
        for payment in self:
            if not payment.billing_postdated or payment.state != "draft":
                raise UserError(_(
                    "%(payment)s is not a scheduled payment waiting for its date: it cannot be cancelled "
                    "here. To give money back, refund the payment.", payment=payment.display_name))
            billing_tools.check_company(self.env, payment, self.env.company, _("The payment"))
            billing_tools.check_no_card_number(self.env, note)
        for payment in self:
            billing_tools.lock_rows(payment)
            payment.action_cancel()
            client = payment.partner_id.commercial_partner_id
            body = self.env._("Scheduled payment %(payment)s of %(amount)s due on %(date)s cancelled.",
                              payment=payment.display_name,
                              amount=format_amount(self.env, payment.amount, payment.currency_id),
                              date=format_date(self.env, payment.date))
            payment.message_post(body=body)
            client._billing_post_audit(payment.billing_invoice_id, self.env._("Scheduled payment cancellation"),
                                       payment.amount, note, body)
        return True

    def action_billing_cancel_scheduled(self):
        self.billing_cancel_scheduled()
        return True

    @api.model
    def billing_apply_postdated(self):
        """R7.4 (scheduled action): post the scheduled payments whose date has come (today or
        earlier) and reconcile them with their invoice. Returns how many were applied."""
        today = fields.Date.context_today(self)
        due = self.search([("billing_postdated", "=", True), ("state", "=", "draft"),
                           ("date", "<=", today)], order="date, id")
        applied = 0
        for scheduled in due:
            payment = scheduled.with_company(scheduled.company_id)
            try:
                with self.env.cr.savepoint():
                    billing_tools.lock_rows(payment)
                    payment._billing_post_and_reconcile()
                    payment.message_post(body=self.env._(
                        "Scheduled payment applied on its date (%(date)s).", date=format_date(self.env, payment.date)))
                    applied += 1
            except UserError as error:
                _logger.warning("Scheduled payment %s not applied: %s", payment.id, error)
        return applied
