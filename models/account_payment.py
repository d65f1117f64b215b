import logging

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import RedirectWarning
from odoo.exceptions import UserError
from odoo.tools import format_amount
from odoo.tools import format_date

from . import billing_tools

_logger = logging.getLogger(__name__)

REFUND_GROUP = "account_billing_operations.group_billing_refund"


class AccountPayment(models.Model):
    _name = "account.payment"
    _inherit = ["account.payment", "account.billing.card.guard"]

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

    # R4.2: offline refunds are linked to their payment too, not only the provider's refunds.
    source_payment_id = fields.Many2one(
        related=False, compute="_compute_source_payment_id", store=True, readonly=False, copy=False)
    billing_refund_ids = fields.One2many(
        "account.payment", "source_payment_id", string="Refunds", readonly=True)
    billing_refunded_amount = fields.Monetary(
        string="Refunded", compute="_compute_billing_refunded_amount", store=True,
        currency_field="currency_id",
        help="Sum of the refunds of this payment that are not cancelled (R4.1).")
    billing_refundable_amount = fields.Monetary(
        string="Left to refund", compute="_compute_billing_refundable_amount",
        currency_field="currency_id")
    billing_refund_cancellable = fields.Boolean(
        string="Can be cancelled", compute="_compute_billing_refund_cancellable",
        help="A pending refund can be cancelled the day it was made, before the settlement cut-off.")

    # -------------------------------------------------------------------------
    # COMPUTES
    # -------------------------------------------------------------------------

    @api.depends("payment_transaction_id.source_transaction_id.payment_id")
    def _compute_source_payment_id(self):
        """The provider's refund transaction tells the source payment; without a transaction the
        value written when the refund was made is kept."""
        for payment in self.filtered("payment_transaction_id"):
            payment.source_payment_id = payment.payment_transaction_id.source_transaction_id.payment_id

    @api.depends("billing_refund_ids.amount", "billing_refund_ids.state",
                 "billing_refund_ids.billing_refund_state")
    def _compute_billing_refunded_amount(self):
        for payment in self:
            refunds = payment.billing_refund_ids.filtered(lambda r: r._billing_refund_counts())
            payment.billing_refunded_amount = sum(refunds.mapped("amount"))

    @api.depends("amount", "billing_refunded_amount")
    def _compute_billing_refundable_amount(self):
        for payment in self:
            if payment._billing_is_refundable_payment():
                payment.billing_refundable_amount = max(
                    0.0, payment.currency_id.round(payment.amount - payment.billing_refunded_amount))
            else:
                payment.billing_refundable_amount = 0.0

    @api.depends("billing_refund_state", "state")
    def _compute_billing_refund_cancellable(self):
        for payment in self:
            payment.billing_refund_cancellable = payment._billing_refund_cancel_refusal() is None

    @api.depends("billing_refunded_amount")
    def _compute_amount_available_for_refund(self):
        """Odoo's own refund amount, minus the refunds not cancelled (cancelled ones free it)."""
        res = super()._compute_amount_available_for_refund()
        for payment in self:
            if payment._billing_provider_refund_support() in ("partial", "full_only"):
                payment.amount_available_for_refund = max(
                    0.0, payment.amount - payment.billing_refunded_amount)
        return res

    # -------------------------------------------------------------------------
    # HELPERS
    # -------------------------------------------------------------------------

    def _billing_refund_counts(self):
        """A refund counts against its payment's cap unless it is cancelled."""
        self.ensure_one()
        return self.billing_refund_state != "cancelled" and self.state != "canceled"

    def _billing_is_refundable_payment(self):
        self.ensure_one()
        return (self.payment_type == "inbound" and self.partner_type == "customer"
                and self.state in ("in_process", "paid") and not self.billing_refund_state
                and not self.billing_postdated and bool(self.partner_id))

    def _billing_provider_refund_support(self):
        """'none', 'full_only' or 'partial', as Odoo's refund wizard computes it; '' without provider."""
        self.ensure_one()
        tx_sudo = self.payment_transaction_id.sudo()
        if not tx_sudo:
            return ""
        method = tx_sudo.payment_method_id.primary_payment_method_id or tx_sudo.payment_method_id
        supports = {tx_sudo.provider_id.support_refund or "none", method.support_refund or "none"}
        if "none" in supports or tx_sudo.operation == "refund":
            return "none"
        return "full_only" if "full_only" in supports else "partial"

    @api.model
    def _billing_check_refund_access(self):
        """SPEC §5: refunds (R3, R4, R5) belong to the group "Billing: refunds"."""
        if self.env.su or self.env.user.has_group(REFUND_GROUP):
            return
        raise AccessError(self.env._(
            "Only the users of the group \"Billing: refunds\" can record, cancel or settle refunds. "
            "Ask an accounting manager to do it or to give you that access."))

    @api.model
    def _billing_outbound_method_line(self, journal):
        """An offline outbound method of ``journal``, manual first."""
        lines = journal._get_available_payment_method_lines("outbound").filtered(
            lambda line: not line.payment_provider_id)
        line = lines.filtered(lambda line: line.code == "manual")[:1] or lines[:1]
        if not line:
            raise UserError(self.env._(
                "The journal %(journal)s has no offline outbound payment method: add one (for "
                "example Manual) in its Outgoing Payments tab.", journal=journal.display_name))
        return line

    @api.model
    def _billing_create_refund(self, client, amount, journal, method_line, note, source=None):
        """A posted outbound customer payment of ``amount`` (the refund), pending settlement."""
        company = journal.company_id
        payment = self.with_company(company).create({
            "payment_type": "outbound",
            "partner_type": "customer",
            "partner_id": client.id,
            "amount": amount,
            "currency_id": (source.currency_id if source else company.currency_id).id,
            "journal_id": journal.id,
            "payment_method_line_id": method_line.id,
            "date": company._billing_today(),
            "memo": note[:64],
            "billing_note": note,
            "billing_refund_state": "pending",
            "source_payment_id": source.id if source else False,
        })
        payment._billing_ensure_outstanding_account()
        payment.action_post()
        if not payment.move_id:
            raise UserError(self.env._("The refund could not be booked: check the accounts of the journal %(journal)s.",
                              journal=journal.display_name))
        return payment

    def _billing_receivable_lines(self):
        self.ensure_one()
        return self.move_id._billing_receivable_lines()

    def _billing_reconcile_with_credit(self, credit_lines):
        """R3.4: apply the refund to ``credit_lines`` in their order until it is used up."""
        self.ensure_one()
        refund_line = self._billing_receivable_lines()
        for credit_line in credit_lines:
            if refund_line.reconciled or refund_line.currency_id.is_zero(refund_line.amount_residual_currency):
                break
            if credit_line.reconciled or credit_line.account_id != refund_line.account_id:
                continue
            (refund_line + credit_line).reconcile()

    def _billing_refund_cancel_refusal(self):
        """None when the refund can be cancelled now (R5.1), else the reason, as a message."""
        self.ensure_one()
        if not self.billing_refund_state:
            return self.env._("%(payment)s is not a refund.", payment=self.display_name)
        if self.billing_refund_state == "cancelled" or self.state == "canceled":
            return self.env._("The refund %(refund)s is already cancelled.", refund=self.display_name)
        company = self.company_id
        if self.billing_refund_state == "pending" and self.create_date:
            now = company._billing_local_datetime(fields.Datetime.now())
            created = company._billing_local_datetime(self.create_date)
            if created.date() == now.date() and now < company._billing_cutoff_local(now.date()):
                return None
        return self.env._(
            "The refund %(refund)s has been settled (or its day's settlement cut-off has passed): it "
            "can no longer be cancelled. To take the %(amount)s back, create an invoice for the client "
            "(Operations > Create an invoice) with this amount.",
            refund=self.display_name, amount=format_amount(self.env, self.amount, self.currency_id))

    def _billing_send_refund_to_provider(self):
        """At settlement: the provider's refund transaction, linked to this refund payment."""
        self.ensure_one()
        tx_sudo = self.source_payment_id.payment_transaction_id.sudo()
        if not tx_sudo or self.payment_transaction_id:
            return
        if tx_sudo.state != "done":
            raise UserError(self.env._("The card payment %(payment)s is not confirmed by its provider: it "
                              "cannot be refunded.", payment=self.source_payment_id.display_name))
        refund_tx = tx_sudo.with_context(billing_refund_payment_id=self.id)._send_refund_request(
            amount_to_refund=self.amount)
        self.payment_transaction_id = refund_tx

    # -------------------------------------------------------------------------
    # PUBLIC API (SPEC §6)
    # -------------------------------------------------------------------------

    def billing_refund(self, amount, note, idempotency_key=None):
        """R4: refund this customer payment; returns the refund payment's id."""
        self.ensure_one()
        self._billing_check_refund_access()
        payment = self
        billing_tools.check_company(self.env, payment, self.env.company, self.env._("The payment"))
        if not payment._billing_is_refundable_payment():
            raise UserError(self.env._(
                "%(payment)s cannot be refunded: only a confirmed customer payment (not a refund, not "
                "a scheduled payment) can be.", payment=payment.display_name))
        currency = payment.currency_id
        amount = billing_tools.check_amount(self.env, amount, currency)
        note = billing_tools.check_note(self.env, note, self.env._("a refund"))
        client = payment.partner_id._billing_client()
        support = payment._billing_provider_refund_support()
        if support == "none":
            raise UserError(self.env._(
                "%(payment)s was made through a payment provider that cannot refund it: give the money "
                "back with Record a refund on the client instead.", payment=payment.display_name))
        if payment.payment_transaction_id and payment.payment_transaction_id.sudo().state != "done":
            raise UserError(self.env._("The card payment %(payment)s is not confirmed by its provider: it "
                              "cannot be refunded.", payment=payment.display_name))

        def create():
            billing_tools.lock_rows(payment, self.env._(
                "Another user is refunding the payment %(payment)s right now. Try again in a moment.",
                payment=payment.display_name))
            credit_lines = client._billing_open_credit_lines()
            billing_tools.lock_rows(credit_lines)
            # Re-read what the cap depends on, now that nobody else can change it.
            payment.invalidate_recordset(["billing_refunded_amount", "state", "amount"])
            cap = currency.round(payment.amount - payment.billing_refunded_amount)
            if currency.compare_amounts(amount, cap) > 0:
                raise UserError(self.env._(
                    "%(amount)s is more than what is left to refund on %(payment)s: %(cap)s (its amount "
                    "minus its refunds that are not cancelled). To give back more, record a refund on "
                    "the client (R3) for the rest.",
                    amount=format_amount(self.env, amount, currency), payment=payment.display_name,
                    cap=format_amount(self.env, max(cap, 0.0), currency)))
            if support == "full_only" and (payment.billing_refunded_amount
                                           or currency.compare_amounts(amount, payment.amount)):
                raise UserError(self.env._(
                    "The payment provider of %(payment)s refunds only the full amount (%(amount)s) in "
                    "one go.", payment=payment.display_name,
                    amount=format_amount(self.env, payment.amount, currency)))
            if payment.payment_transaction_id:
                # Same journal and method as the card payment, as Odoo's provider refunds do; the
                # provider's refund transaction is made at settlement (R5.1).
                method_line = payment.payment_method_line_id
            else:
                method_line = self._billing_outbound_method_line(payment.journal_id)
            refund = self._billing_create_refund(
                client, amount, payment.journal_id, method_line, note, source=payment)
            own_lines = payment._billing_receivable_lines()
            refund._billing_reconcile_with_credit(own_lines + (credit_lines - own_lines))
            client._billing_post_audit(refund, self.env._("Refund"), amount, note, self.env._(
                "Refund of the payment %(payment)s.", payment=payment.display_name))
            payment.message_post(body=self.env._("Refunded %(amount)s by %(refund)s.",
                                                 amount=format_amount(self.env, amount, currency),
                                                 refund=refund.display_name))
            return refund.id
        return self.env["account.billing.idempotency"]._run(client, "account.payment.billing_refund", idempotency_key, create, [payment.id, amount, note])  # noqa: E501

    def billing_cancel_refund(self, note=None):
        """R5: cancel this refund while it is pending, the day it was made, before the cut-off."""
        self.ensure_one()
        self._billing_check_refund_access()
        refund = self
        billing_tools.check_company(self.env, refund, self.env.company, self.env._("The refund"))
        if note:
            billing_tools.check_no_card_number(self.env, note)
        billing_tools.lock_rows(refund, self.env._(
            "The refund %(refund)s is being settled or cancelled right now. Try again in a moment.",
            refund=refund.display_name))
        refund.invalidate_recordset(["billing_refund_state", "state"])
        refusal = refund._billing_refund_cancel_refusal()
        if refusal:
            raise UserError(refusal)
        # Unreconcile and cancel: the credit or the payment's refundable amount is free again. The
        # journal entry is kept, cancelled (Odoo's action_cancel would delete it once in draft).
        refund.action_draft()
        if refund.move_id:
            refund.move_id.button_cancel()  # also sets the payment cancelled
        else:
            refund.action_cancel()
        refund.billing_refund_state = "cancelled"
        client = refund.partner_id.commercial_partner_id
        client._billing_post_audit(refund, self.env._("Refund cancellation"), refund.amount, note)
        if refund.source_payment_id:
            refund.source_payment_id.message_post(body=self.env._(
                "The refund %(refund)s was cancelled.", refund=refund.display_name))
        return True

    @api.model
    def billing_settle_refunds(self):
        """R5.4: settle every refund pending now; card refunds are sent to the provider then.
        Returns the number of refunds settled."""
        self._billing_check_refund_access()
        refunds = self.search([("billing_refund_state", "=", "pending")], order="id")
        settled = 0
        for refund in refunds:
            try:
                with self.env.cr.savepoint():
                    billing_tools.lock_rows(refund)
                    refund.invalidate_recordset(["billing_refund_state", "state"])
                    if refund.billing_refund_state != "pending" or refund.state == "canceled":
                        continue
                    refund._billing_send_refund_to_provider()
                    refund.billing_refund_state = "settled"
            except UserError as error:
                # Left pending: the next run settles it; the others go on.
                _logger.warning("Refund %s not settled: %s", refund.id, error)
                continue
            settled += 1
        return settled

    # -------------------------------------------------------------------------
    # ACTIONS
    # -------------------------------------------------------------------------

    def action_refund_wizard(self):
        """Odoo's Refund button opens ours: one path, one cap, settlement at the cut-off."""
        return self.action_billing_refund_wizard()

    def action_billing_refund_wizard(self):
        self.ensure_one()
        return billing_tools.wizard_action(
            "billing.payment.refund.wizard", self.env._("Refund"), {"default_payment_id": self.id})

    def action_billing_cancel_refund(self):
        """Cancel refund button: after settlement, offer to charge the client instead (R5.3)."""
        self.ensure_one()
        self._billing_check_refund_access()
        refusal = self._billing_refund_cancel_refusal()
        if refusal and self.billing_refund_state in ("pending", "settled"):
            raise RedirectWarning(refusal, self.action_billing_charge_refund(), self.env._("Create an invoice"))
        self.billing_cancel_refund()
        return True

    def action_billing_charge_refund(self):
        """Create an invoice (R2) prefilled with the refund's amount, tax included."""
        self.ensure_one()
        action = self.partner_id.commercial_partner_id._billing_wizard_action(
            "billing.credit.wizard", self.env._("Create an invoice"), {"default_operation": "charge"})
        action["context"].update({
            "default_amount": self.amount,
            "default_taxes_included": True,
            "default_note": self.env._("Charge back the refund %(refund)s, which can no longer be cancelled.",
                              refund=self.display_name),
        })
        return action

    def action_billing_open_refunds(self):
        self.ensure_one()
        return self.billing_refund_ids._get_records_action(name=self.env._("Refunds of %(payment)s",
                                                                  payment=self.display_name))
    # -------------------------------------------------------------------------
    # R7: payer information, scheduled (postdated) payments
    # -------------------------------------------------------------------------

    def _billing_scheduled(self):
        """The scheduled payments of ``self``: postdated and not applied yet."""
        return self.filtered(lambda pay: pay.billing_postdated and pay.state == "draft")

    def action_post(self):
        """R7.4: a scheduled payment is applied on its date, not before (by the scheduled action)."""
        today = fields.Date.context_today(self)
        early = self.filtered(lambda pay: pay.billing_postdated and pay.state == "draft" and pay.date > today)
        if early:
            raise UserError(self.env._(
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
                raise UserError(self.env._(
                    "%(payment)s is not a scheduled payment waiting for its date: it cannot be cancelled "
                    "here. To give money back, refund the payment.", payment=payment.display_name))
            billing_tools.check_company(self.env, payment, self.env.company, self.env._("The payment"))
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
