import logging

from markupsafe import Markup

import odoo.modules.module
from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import RedirectWarning
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import create_index
from odoo.tools import format_amount
from odoo.tools import format_date
from odoo.tools import split_every

from . import billing_tools

_logger = logging.getLogger(__name__)

# R4.1: the refunds that count against their payment's cap (a cancelled one does not).
COUNTED_REFUND_STATES = ("pending", "settled")
# R4.2: what makes a payment a refund; only the module sets it, when it makes the refund.
REFUND_MARK_FIELDS = ("billing_source_payment_id", "billing_refund_state")
# R4.2: what the cap is computed from; fixed on a refund once it is made (UI, ORM, RPC, import).
REFUND_FROZEN_FIELDS = (*REFUND_MARK_FIELDS, "source_payment_id", "amount", "currency_id", "partner_id",
                        "payment_type", "partner_type", "company_id", "billing_invoice_id")
# What a refund's cap is about: fixed on a payment once it has refunds that count.
REFUNDED_PAYMENT_FIXED_FIELDS = ("amount", "currency_id", "partner_id")
# The payment states a refund may take outside Cancel refund: posting it and reconciling it.
REFUND_POSTED_STATES = ("in_process", "paid")
# R7: what ties a payment to Make a payment; only the module sets it, when it makes the payment.
MAKE_PAYMENT_FIELDS = ("billing_postdated", "billing_invoice_id")
# R7.4: what a scheduled payment is about: fixed until it is applied (cancel it and schedule again).
SCHEDULED_FIXED_FIELDS = ("amount", "currency_id", "partner_id", "date", "journal_id")
# The flag (billing_tools.internal) of the module's own code that makes or schedules a payment.
MAKE_PAYMENT_FLAG = "billing_make_payment"
# Scheduled actions: the most records one run handles; it reports what is left (ir.cron progress) and
# triggers itself again, as Odoo's own crons do, so a long backlog never holds one transaction.
CRON_BATCH = 1000
# Scheduled payments posted together (one savepoint; a refusal retries them one at a time).
POSTDATED_CHUNK = 100
# Offline refunds settled together, one commit per chunk (R5.5: card refunds are committed one by one).
SETTLE_CHUNK = 500
# Cancel the scheduled payment: its note, handed to action_cancel (which writes the audit notes).
SCHEDULED_FLAG = "billing_cancel_scheduled"
SCHEDULED_NOTE = "billing_cancel_scheduled_note"


class _SettleOneByOne(Exception):
    """A chunk of refunds to settle holds one that another worker has locked: settle them one by one."""


class AccountPayment(models.Model):
    _name = "account.payment"
    _inherit = ["account.payment", "account.billing.card.guard"]

    def _auto_init(self):
        """Speed (docs/rules.md §7): the scheduled (postdated) payments of a client (Billing tab, timeline) and
        of a date (the scheduled action) through a small partial index."""
        result = super()._auto_init()
        create_index(self.env.cr, "account_payment_billing_scheduled_idx", self._table,
                     ["partner_id", "date"], where="billing_postdated AND state = 'draft'")
        return result

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

    # R4.2: the module's own link, set when the refund is made and never changed. Odoo's
    # source_payment_id stays as core defines it (the provider's refund transaction).
    billing_source_payment_id = fields.Many2one(
        "account.payment", string="Refund of", readonly=True, copy=False, index="btree_not_null",
        ondelete="restrict", check_company=True,
        help="The payment this refund gives money back on. Set when the refund is made; it never changes.")
    billing_refund_ids = fields.One2many(
        "account.payment", "billing_source_payment_id", string="Refunds", readonly=True)
    billing_refund_count = fields.Integer(string="Number of refunds", compute="_compute_billing_refund_count")
    billing_refunded_amount = fields.Monetary(
        string="Refunded", compute="_compute_billing_refunded_amount",
        currency_field="currency_id",
        help="Sum of the refunds of this payment that are not cancelled.")
    billing_refundable_amount = fields.Monetary(
        string="Left to refund", compute="_compute_billing_refundable_amount",
        currency_field="currency_id")
    billing_refund_cancellable = fields.Boolean(
        string="Can be cancelled", compute="_compute_billing_refund_cancellable",
        help="A pending refund can be cancelled the day it was made, before the settlement cut-off.")

    # -------------------------------------------------------------------------
    # COMPUTES
    # -------------------------------------------------------------------------

    def _billing_refunded_amounts(self, provider_states=None):
        """{payment id: sum of its refunds that count}, read from the database: the refunds' link,
        amount and state are data nobody can change once the refund is made (R4.1, R4.2). A refund
        made at the provider counts once it is not cancelled or failed (or, with ``provider_states``,
        once in one of those states)."""
        ids = [payment_id for payment_id in self._origin.ids if payment_id]
        if not ids:
            return {}
        Payment = self.env["account.payment"].sudo()
        Payment.flush_model(["billing_source_payment_id", "billing_refund_state", "amount"])
        groups = Payment._read_group(
            [("billing_source_payment_id", "in", ids), ("billing_refund_state", "in", COUNTED_REFUND_STATES)],
            ["billing_source_payment_id"], ["amount:sum"])
        amounts = {payment.id: amount for payment, amount in groups}
        # A refund made at the provider (its dashboard, a notification), not by the module, counts
        # too: its refund transaction says so (the payment's currency is the transaction's).
        txs = Payment.browse(ids).payment_transaction_id
        if txs:
            state_domain = [("state", "in", provider_states)] if provider_states \
                else [("state", "not in", ("cancel", "error"))]
            refund_txs = self.env["payment.transaction"].sudo().search([
                ("source_transaction_id", "in", txs.ids), ("operation", "=", "refund"), *state_domain])
            for refund_tx in refund_txs.filtered(lambda tx: not tx.payment_id.billing_refund_state):
                source = refund_tx.source_transaction_id.payment_id
                if source.id in ids:
                    amounts[source.id] = amounts.get(source.id, 0.0) + abs(refund_tx.amount)
        return amounts

    @api.depends("billing_refund_ids.amount", "billing_refund_ids.billing_refund_state")
    def _compute_billing_refunded_amount(self):
        amounts = self._billing_refunded_amounts()
        for payment in self:
            payment.billing_refunded_amount = amounts.get(payment._origin.id, 0.0)

    @api.depends("billing_refund_ids")
    def _compute_billing_refund_count(self):
        ids = [payment_id for payment_id in self._origin.ids if payment_id]
        groups = dict(self.env["account.payment"].sudo()._read_group(
            [("billing_source_payment_id", "in", ids)], ["billing_source_payment_id"], ["__count"])) if ids else {}
        counts = {payment.id: count for payment, count in groups.items()}
        for payment in self:
            payment.billing_refund_count = counts.get(payment._origin.id, 0)

    @api.depends("move_id.state", "move_id.line_ids.amount_currency", "state", "payment_type",
                 "billing_refund_state", "billing_refunded_amount")
    def _compute_billing_refundable_amount(self):
        for payment in self:
            if payment._billing_is_refundable_payment():
                payment.billing_refundable_amount = max(
                    0.0, payment.currency_id.round(payment._billing_booked_amount() - payment.billing_refunded_amount))
            else:
                payment.billing_refundable_amount = 0.0

    @api.depends("billing_refund_state", "state")
    def _compute_billing_refund_cancellable(self):
        for payment in self:
            payment.billing_refund_cancellable = payment._billing_refund_cancel_refusal() is None

    @api.depends("billing_refundable_amount")
    def _compute_amount_available_for_refund(self):
        """Odoo's own refund amount of a card payment also deducts the module's refunds (R4.1): what
        its journal entry booked minus the module's refunds that are not cancelled and, as Odoo
        counts them, the provider's refunds that are done (the module's own cap, billing_refundable_amount,
        also deducts those still pending at the provider)."""
        res = super()._compute_amount_available_for_refund()
        payments = self.filtered(lambda pay: pay.payment_transaction_id
                                 and pay._billing_provider_refund_support() in ("partial", "full_only"))
        refunded = payments._billing_refunded_amounts(provider_states=("done",))
        for payment in payments:
            left = payment.currency_id.round(payment._billing_booked_amount() - refunded.get(payment._origin.id, 0.0))
            payment.amount_available_for_refund = max(0.0, min(payment.amount_available_for_refund, left))
        return res

    def _compute_refunds_count(self):
        """Odoo counts the provider's refunds only: the offline refunds of the module count too."""
        res = super()._compute_refunds_count()
        for payment in self.filtered("billing_refund_ids"):
            payment.refunds_count = len(payment._billing_all_refunds())
        return res

    def _billing_all_refunds(self):
        """The refunds of this payment: the module's and Odoo's own provider refunds."""
        self.ensure_one()
        core = self.search([("source_payment_id", "=", self.id), ("payment_transaction_id.operation", "=", "refund")])
        return core | self.billing_refund_ids

    # -------------------------------------------------------------------------
    # R4.2: A REFUND IS FIXED ONCE MADE
    # -------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        """R4.2 / R7: refunds and Make a payment's payments are made by the module's buttons only, never
        created or imported directly (their links and marks would bypass the caps)."""
        if any(vals.get(name) for vals in vals_list for name in REFUND_MARK_FIELDS):
            raise UserError(self.env._(
                "A refund is made with the Refund button of a payment or with Record a refund on the "
                "client's Billing tab; it cannot be created directly or imported."))
        if not billing_tools.is_internal(self.env, MAKE_PAYMENT_FLAG) and any(
                vals.get(name) for vals in vals_list for name in MAKE_PAYMENT_FIELDS):
            raise UserError(self.env._(
                "A scheduled payment, or a payment linked to its invoice, is made with the Make a payment "
                "button of the invoice; it cannot be created directly or imported."))
        return super().create(vals_list)

    def write(self, vals):
        """R4.2 / R5 / R7: a refund's link, amount and state, and Make a payment's marks, change only
        through the module's own code; each check filters to the module's payments first."""
        self._billing_check_frozen(vals)
        self._billing_check_make_payment_write(vals)
        self._billing_check_refund_state_write(vals)
        self._billing_check_refunded_payment(vals)
        return super().write(vals)

    def _billing_booked_amount(self):
        """R4.1: what this payment's posted journal entry booked on its bank or cash account, in the
        payment's currency; 0 without a posted entry in that currency. The base of the refund cap:
        the payment's own amount field can be edited once posted, its posted entry cannot."""
        self.ensure_one()
        if not self.move_id or self.move_id.state != "posted":
            return 0.0
        liquidity, _counterpart, _writeoff = self._seek_for_lines()
        if not liquidity or liquidity.currency_id != self.currency_id:
            return 0.0
        sign = -1.0 if self.payment_type == "outbound" else 1.0
        return max(0.0, self.currency_id.round(sign * sum(liquidity.mapped("amount_currency"))))

    def _billing_check_refund_cap(self, amount):
        """R4.1: ``amount`` (in the payment's currency) is at most what the payment's journal entry
        booked minus its refunds that count; returns what is already refunded. Called by Refund and,
        before anything is written, by Cancel/refund items."""
        self.ensure_one()
        currency = self.currency_id
        refunded = self._billing_refunded_amounts().get(self.id, 0.0)
        cap = currency.round(self._billing_booked_amount() - refunded)
        if currency.compare_amounts(amount, cap) > 0:
            raise UserError(self.env._(
                "%(amount)s is more than what is left to refund on %(payment)s: %(cap)s (the amount its "
                "journal entry booked minus its refunds that are not cancelled). To give back more, use "
                "Record a refund on the client's Billing tab for the rest.",
                amount=format_amount(self.env, amount, currency), payment=self.display_name,
                cap=format_amount(self.env, max(cap, 0.0), currency)))
        return refunded

    def _billing_check_frozen(self, vals):
        """R4.2: the link, amount, currency, client, type and state of a refund never change, and an
        ordinary payment never becomes a refund; for everyone, superuser included."""
        names = [name for name in REFUND_FROZEN_FIELDS if name in vals]
        if not names:
            return
        for payment in self:
            is_refund = bool(payment.billing_refund_state or payment.billing_source_payment_id)
            for name in names:
                if (is_refund or name in REFUND_MARK_FIELDS) and payment._billing_changes(name, vals[name]):
                    if not is_refund:
                        raise UserError(self.env._(
                            "%(payment)s cannot be changed into a refund: refunds are made with the Refund "
                            "button of a payment or with Record a refund on the client's Billing tab.",
                            payment=payment.display_name))
                    raise UserError(self.env._(
                        "The refund %(refund)s cannot be changed (%(field)s): its payment, amount, currency, "
                        "client and state are fixed when it is made. To undo it, use its Cancel refund "
                        "button; for another amount, cancel it and make a new refund.",
                        refund=payment.display_name, field=payment._fields[name].string))

    def _billing_check_make_payment_write(self, vals):
        """R7: the invoice and the schedule of a payment are set by Make a payment only; the amount,
        currency, client, date and journal of a scheduled payment are fixed until it is applied."""
        if billing_tools.is_internal(self.env, MAKE_PAYMENT_FLAG):
            return
        for payment in self:
            if any(payment._billing_changes(name, vals[name]) for name in MAKE_PAYMENT_FIELDS if name in vals):
                raise UserError(self.env._(
                    "%(payment)s cannot be scheduled or linked to an invoice by hand: use the Make a payment "
                    "button of the invoice.", payment=payment.display_name))
        names = [name for name in SCHEDULED_FIXED_FIELDS if name in vals]
        if not names:
            return
        for payment in self._billing_scheduled_payments():
            changed = [name for name in names if payment._billing_changes(name, vals[name])]
            if changed:
                raise UserError(self.env._(
                    "The scheduled payment %(payment)s cannot be changed (%(field)s): cancel it with its "
                    "Cancel the scheduled payment button and make the payment again with the Make a payment button of "
                    "the invoice.", payment=payment.display_name, field=payment._fields[changed[0]].string))

    def _billing_check_refund_state_write(self, vals):
        """R5: a refund is posted (and reconciled) like any payment, but reset, cancelled or rejected
        only by its Cancel refund button; a cancelled refund stays cancelled. The flag is the
        module's own (``billing_tools.internal``): a client's context cannot carry it."""
        if "state" not in vals or billing_tools.is_internal(self.env, "billing_cancelling_refund"):
            return
        for payment in self:
            if not (payment.billing_refund_state or payment.billing_source_payment_id):
                continue
            if payment.state == vals["state"]:
                continue
            if vals["state"] in REFUND_POSTED_STATES and payment.billing_refund_state in COUNTED_REFUND_STATES:
                continue
            raise UserError(self.env._(
                "The refund %(refund)s cannot be changed (%(field)s): its payment, amount, currency, client "
                "and state are fixed when it is made. To undo it, use its Cancel refund button while it is "
                "pending settlement; once settled, create an invoice for the client with its Create an "
                "invoice button.", refund=payment.display_name, field=payment._fields["state"].string))

    def _billing_check_refunded_payment(self, vals):
        """R4.1: the amount, currency and client of a payment that has refunds that count are fixed:
        the refunds were made against them."""
        names = [name for name in REFUNDED_PAYMENT_FIXED_FIELDS if name in vals]
        if not names:
            return
        payments = self.filtered(lambda pay: pay.payment_type == "inbound" and not pay.billing_refund_state
                                 and any(pay._billing_changes(name, vals[name]) for name in names))
        refunded = payments._billing_refunded_amounts()
        for payment in payments:
            if not payment.currency_id.is_zero(refunded.get(payment.id, 0.0)):
                raise UserError(self.env._(
                    "%(payment)s has refunds: its amount, currency and client can no longer be changed. "
                    "To correct it, cancel its pending refunds with their Cancel refund button first, or "
                    "record the difference as a new payment or a refund on the client's Billing tab.",
                    payment=payment.display_name))

    def _billing_link_refund_invoice(self, invoice):
        """R6.4: the invoice a refund of Cancel/refund items was made for, set right after the module
        made the refund (in the same transaction, under the invoice's lock) and fixed from then on."""
        self.ensure_one()
        if not self.billing_refund_state or self.billing_invoice_id:
            raise UserError(self.env._("%(payment)s is not a new refund: it cannot be linked to an invoice.",
                                       payment=self.display_name))
        return super().write({"billing_invoice_id": invoice.id})

    @api.model
    def _billing_invoice_refunded_amounts(self, invoices):
        """R6.4: {invoice id: sum of the refunds made for it by Cancel/refund items that count}, in
        the invoice's currency (those refunds are made in it), read from the database."""
        if not invoices:
            return {}
        Payment = self.env["account.payment"].sudo()
        Payment.flush_model(["billing_invoice_id", "billing_refund_state", "amount"])
        groups = Payment._read_group(
            [("billing_invoice_id", "in", invoices.ids), ("billing_refund_state", "in", COUNTED_REFUND_STATES)],
            ["billing_invoice_id"], ["amount:sum"])
        return {invoice.id: amount for invoice, amount in groups}

    def _billing_changes(self, name, value):
        """Whether writing ``value`` in the field ``name`` would change it."""
        self.ensure_one()
        field = self._fields[name]
        new = field.convert_to_record(field.convert_to_cache(value, self), self)
        if field.type == "monetary":
            return self.currency_id.compare_amounts(new or 0.0, self[name] or 0.0) != 0
        return new != self[name]

    def unlink(self):
        """R5: a refund is never deleted (Cancel refund undoes it). Checked before Odoo resets and
        deletes the journal entry (account.payment.unlink). R7.4 / §4: a scheduled payment deleted
        instead of cancelled leaves the same internal note on the client."""
        self._billing_check_refunds_deletable()
        self._billing_scheduled_payments()._billing_audit_scheduled_end(deleted=True)
        return super().unlink()

    def _billing_audit_scheduled_end(self, note=None, deleted=False):
        """§4, R7.4: the internal notes of the scheduled payments of ``self`` cancelled (Cancel the
        scheduled payment, or Odoo's own Cancel button) or deleted: on the client and on the invoice they
        were made from, and on the payment itself when it stays."""
        for payment in self:
            values = {"payment": payment.display_name, "date": format_date(self.env, payment.date),
                      "amount": format_amount(self.env, payment.amount, payment.currency_id)}
            if deleted:
                operation = self.env._("Scheduled payment deletion")
                body = self.env._("Scheduled payment %(payment)s of %(amount)s due on %(date)s deleted.", **values)
            else:
                operation = self.env._("Scheduled payment cancellation")
                body = self.env._("Scheduled payment %(payment)s of %(amount)s due on %(date)s cancelled.", **values)
                payment._message_log(body=body)
            payment.partner_id.commercial_partner_id._billing_post_audit(  # in company currency, as it says
                payment.billing_invoice_id, operation, payment._billing_company_amount(), note, body)

    def _billing_check_refunds_deletable(self):
        refunds = self.filtered(lambda pay: pay.billing_refund_state in COUNTED_REFUND_STATES)
        if refunds:
            raise UserError(self.env._(
                "The refund %(refunds)s cannot be deleted: use its Cancel refund button while it is pending "
                "settlement.", refunds=", ".join(refunds.mapped("display_name"))))

    def action_draft(self):
        """R5: a refund is reset only by its Cancel refund button. R7.1 / R7.4: a cancelled scheduled payment
        stays cancelled (reset, it would be scheduled again beyond the amount due, without a note)."""
        self._billing_check_refund_reset()
        cancelled = self.filtered(lambda pay: pay.billing_postdated and pay.state == "canceled")
        if cancelled:
            raise UserError(self.env._(
                "%(payments)s is a cancelled scheduled payment and cannot be reset to draft. To schedule the "
                "payment again, use Make a payment on the invoice with a postdated date.",
                payments=", ".join(cancelled.mapped("display_name"))))
        return super().action_draft()

    def action_cancel(self):
        """R5: a refund is cancelled only by its Cancel refund button. R7.4 / §4: a scheduled payment
        cancelled with Odoo's own Cancel button leaves the note of Cancel the scheduled payment."""
        self._billing_check_refund_reset()
        scheduled = self._billing_scheduled_payments()
        result = super().action_cancel()
        scheduled.filtered(lambda pay: pay.state == "canceled")._billing_audit_scheduled_end(
            note=self.env.context.get(SCHEDULED_NOTE) if billing_tools.is_internal(self.env, SCHEDULED_FLAG) else None)
        return result

    def _billing_check_refund_reset(self):
        """R5: a refund is reset or cancelled only by its Cancel refund button (the same day, before
        the cut-off); never once settled. Also called by its journal entry's Reset/Cancel buttons."""
        refunds = self.filtered(lambda pay: pay.billing_refund_state in COUNTED_REFUND_STATES)
        settled = refunds.filtered(lambda pay: pay.billing_refund_state == "settled")
        if settled:
            raise UserError(self.env._(
                "The refund %(refunds)s is settled: the money has left, so it cannot be reset or cancelled. "
                "To take the amount back, create an invoice for the client with the Create an invoice "
                "button of the refund.", refunds=", ".join(settled.mapped("display_name"))))
        if refunds and not billing_tools.is_internal(self.env, "billing_cancelling_refund"):
            raise UserError(self.env._(
                "The refund %(refunds)s is pending settlement: undo it with its Cancel refund button, which "
                "frees the credit or the payment it used.", refunds=", ".join(refunds.mapped("display_name"))))

    def _billing_write_refund_state(self, state):
        """The refund state is written by the module's settle and cancel methods only (R4.2, R5)."""
        return super().write({"billing_refund_state": state})

    # -------------------------------------------------------------------------
    # HELPERS
    # -------------------------------------------------------------------------

    def _billing_refund_counts(self):
        """A refund counts against its payment's cap unless the module cancelled it (R4.1)."""
        self.ensure_one()
        return self.billing_refund_state in COUNTED_REFUND_STATES

    def _billing_is_refundable_payment(self):
        """A confirmed customer payment, not a refund. A payment applied from a postdated schedule is
        an ordinary payment (R4.2); a scheduled one not applied yet is still a draft."""
        self.ensure_one()
        return (self.payment_type == "inbound" and self.partner_type == "customer"
                and self.state in ("in_process", "paid") and not self.billing_refund_state
                and bool(self.partner_id))

    def _billing_company_amount(self):
        """The payment's amount in company currency, as its journal entry booked it (Odoo's stored
        ``amount_company_currency_signed``, its bank or cash line: the module's payments and refunds
        have no write-off, so the client's receivable holds the same amount)."""
        self.ensure_one()
        if self.move_id:
            return abs(self.amount_company_currency_signed)
        return self.currency_id._convert(self.amount, self.company_id.currency_id, self.company_id,
                                         self.date or self.company_id._billing_today())

    def _billing_refund_balance_after(self, amount):
        """R4.3 preview: the client's balance (company currency) once ``amount`` (in this payment's
        currency) is refunded today, as the refund will book it."""
        self.ensure_one()
        company = self.company_id
        client = self.partner_id.commercial_partner_id.with_company(company)
        currency = company.currency_id
        in_company = self.currency_id._convert(amount or 0.0, currency, company, company._billing_today())
        return currency.round(client.billing_balance + in_company)

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
    def _billing_outbound_method_line(self, journal):
        """The offline outbound method a refund from ``journal`` uses, manual first (R3.3, R4.2)."""
        line = journal._billing_offline_method_lines("outbound")[:1]
        if not line:
            raise UserError(self.env._(
                "The journal %(journal)s has no offline outbound payment method: add one (for "
                "example Manual) in its Outgoing Payments tab.", journal=journal.display_name))
        return line

    @api.model
    def _billing_create_refund(self, client, amount, journal, method_line, note, source=None, currency=None):
        """A posted outbound customer payment of ``amount`` (the refund), pending settlement, in the
        currency of what it refunds: ``source``'s (R4), ``currency`` (R6) or the company's (R3).
        The only place a refund is created (the guard of ``create`` is for everyone else)."""
        company = journal.company_id
        currency = source.currency_id if source else (currency or company.currency_id)
        if journal.currency_id and journal.currency_id != currency:
            raise UserError(self.env._(
                "The journal %(journal)s pays in %(journal_currency)s and the refund is in %(currency)s: choose "
                "a journal in %(currency)s or without a currency.", journal=journal.display_name,
                journal_currency=journal.currency_id.name, currency=currency.name))
        payment = super(AccountPayment, self.with_company(company)).create({
            "payment_type": "outbound",
            "partner_type": "customer",
            "partner_id": client.id,
            "amount": amount,
            "currency_id": currency.id,
            "journal_id": journal.id,
            "payment_method_line_id": method_line.id,
            "date": company._billing_today(),
            "memo": note[:64],
            "billing_note": note,
            "billing_refund_state": "pending",
            "billing_source_payment_id": source.id if source else False,
        })
        payment._billing_ensure_outstanding_account()
        payment.action_post()
        if not payment.move_id:
            raise UserError(self.env._("The refund could not be booked: check the accounts of the journal "
                                       "%(journal)s.", journal=journal.display_name))
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
        if self.billing_refund_state == "pending" and not self._billing_settlement_due():
            return None
        return self.env._(
            "The refund %(refund)s has been settled (or its day's settlement cut-off has passed): it "
            "can no longer be cancelled. To take the %(amount)s back, create an invoice for the client "
            "with the Create an invoice button (on the refund, or in the Operations menu of the client's "
            "Billing tab) for this amount.",
            refund=self.display_name, amount=format_amount(self.env, self.amount, self.currency_id))

    def _billing_settlement_due(self):
        """R5.4: the settlement cut-off of the day the refund was made has passed, in its company's
        time zone. Until then it can be cancelled; from then on it is settled at the next run."""
        self.ensure_one()
        company = self.company_id
        made = company._billing_local_datetime(self.create_date or fields.Datetime.now())
        now = company._billing_local_datetime(fields.Datetime.now())
        return now >= company._billing_cutoff_local(made.date())

    def _billing_send_refund_to_provider(self):
        """At settlement: the provider's refund transaction, linked to this refund payment."""
        self.ensure_one()
        tx_sudo = self.billing_source_payment_id.payment_transaction_id.sudo()
        if not tx_sudo or self.payment_transaction_id:
            return
        if tx_sudo.state != "done":
            raise UserError(self.env._("The card payment %(payment)s is not confirmed by its provider: it "
                                       "cannot be refunded.", payment=self.billing_source_payment_id.display_name))
        refund_tx = tx_sudo.with_context(billing_refund_payment_id=self.id)._send_refund_request(
            amount_to_refund=self.amount)
        self.payment_transaction_id = refund_tx

    # -------------------------------------------------------------------------
    # PUBLIC API (docs/rules.md §6)
    # -------------------------------------------------------------------------

    def billing_refund(self, amount, note, idempotency_key=None):
        """R4: refund this customer payment; returns the refund payment's id. The inputs are checked
        (``_billing_refund_inputs``), then the refund is made under the payment's lock
        (``_billing_make_refund``)."""
        billing_tools.check_single(self, self.env._("payment"))
        billing_tools.check_refund_access(self.env)
        amount, note, support = self._billing_refund_inputs(amount, note)
        client = self.partner_id._billing_client()
        return self.env["account.billing.idempotency"]._run(
            client, "account.payment.billing_refund", idempotency_key,
            lambda: self._billing_make_refund(client, amount, note, support), [self.id, amount, note])

    def _billing_refund_inputs(self, amount, note):
        """R4's inputs checked before anything is written: (amount, note, the provider's refund support)."""
        self.ensure_one()
        billing_tools.check_company(self.env, self, self.env.company, self.env._("The payment"))
        if not self._billing_is_refundable_payment():
            raise UserError(self.env._(
                "%(payment)s cannot be refunded: only a confirmed customer payment (not a refund, not "
                "a scheduled payment waiting for its date) can be.", payment=self.display_name))
        # R4.4: the refund is in the payment's currency, and so is its cap.
        amount = billing_tools.to_amount(self.env, amount, self.currency_id, self.env._("The refund amount"))
        note = billing_tools.check_note(self.env, note, self.env._("a refund"))
        support = self._billing_provider_refund_support()
        if support == "none":
            raise UserError(self.env._(
                "%(payment)s was made through a payment provider that cannot refund it: give the money "
                "back with Record a refund on the client's Billing tab instead.", payment=self.display_name))
        if self.payment_transaction_id and self.payment_transaction_id.sudo().state != "done":
            raise UserError(self.env._("The card payment %(payment)s is not confirmed by its provider: it "
                                       "cannot be refunded.", payment=self.display_name))
        return amount, note, support

    def _billing_make_refund(self, client, amount, note, support):
        """R4 booked under the lock of the payment and of the client's open credit: the cap read again,
        the refund created and reconciled (this payment's items first), the audit notes."""
        self.ensure_one()
        currency = self.currency_id
        # In the savepoint of billing_refund (idempotency._run), which a refused lock rolls back.
        billing_tools.lock_rows(self, self.env._(
            "Another user is refunding the payment %(payment)s right now. Try again in a moment.",
            payment=self.display_name), savepoint=False)
        credit_lines = client._billing_open_credit_lines()
        billing_tools.lock_rows(credit_lines, savepoint=False)
        # Re-read what the cap depends on, now that nobody else can change it.
        self.invalidate_recordset(["state", "amount", "move_id"])
        refunded = self._billing_check_refund_cap(amount)
        booked = self._billing_booked_amount()
        if support == "full_only" and (not currency.is_zero(refunded) or currency.compare_amounts(amount, booked)):
            raise UserError(self.env._(
                "The payment provider of %(payment)s refunds only the full amount (%(amount)s) in one go.",
                payment=self.display_name, amount=format_amount(self.env, booked, currency)))
        # A card payment is refunded with its own journal and method, as Odoo's provider refunds are; the
        # provider's refund transaction is made at settlement (R5.1).
        method_line = self.payment_method_line_id if self.payment_transaction_id else \
            self._billing_outbound_method_line(self.journal_id)
        refund = self._billing_create_refund(client, amount, self.journal_id, method_line, note, source=self)
        own_lines = self._billing_receivable_lines()
        refund._billing_reconcile_with_credit(own_lines + (credit_lines - own_lines))
        refunded_text = format_amount(self.env, amount, currency)
        client._billing_post_audit(refund, self.env._("Refund"), refund._billing_company_amount(), note,
                                   self.env._("Refund of %(amount)s of the payment %(payment)s.",
                                              amount=refunded_text, payment=self.display_name),
                                   more=[(self, self.env._("Refunded %(amount)s by %(refund)s.",
                                                           amount=refunded_text, refund=refund.display_name))])
        billing_tools.crash_point("payment_refund")
        return refund.id

    def billing_cancel_refund(self, note=None):
        """R5: cancel this refund while it is pending, the day it was made, before the cut-off."""
        billing_tools.check_single(self, self.env._("refund"))
        billing_tools.check_refund_access(self.env)
        refund = self
        billing_tools.check_company(self.env, refund, self.env.company, self.env._("The refund"))
        billing_tools.check_no_card_number(self.env, note)
        note = str(note).strip() if note else None
        billing_tools.lock_rows(refund, self.env._(
            "The refund %(refund)s is being settled or cancelled right now. Try again in a moment.",
            refund=refund.display_name))
        refund.invalidate_recordset(["billing_refund_state", "state"])
        refusal = refund._billing_refund_cancel_refusal()
        if refusal:
            raise UserError(refusal)
        # Unreconciling rewrites every line reconciled with the refund (the credit's line and the other
        # refunds of that credit): lock them first, so that a concurrent cancellation or refund of the
        # same credit gets a clear error instead of a deadlock or a serialization failure.
        billing_tools.lock_rows(refund.move_id.line_ids._all_reconciled_lines())
        # Unreconcile and cancel: the credit or the payment's refundable amount is free again. The
        # journal entry is kept, cancelled (Odoo's action_cancel would delete it once in draft).
        cancelling = billing_tools.internal(refund, "billing_cancelling_refund")
        cancelling.action_draft()
        if refund.move_id:
            cancelling.move_id.button_cancel()  # also sets the payment cancelled
        else:
            cancelling.action_cancel()
        refund._billing_write_refund_state("cancelled")
        client = refund.partner_id.commercial_partner_id
        source = refund.billing_source_payment_id
        client._billing_post_audit(refund, self.env._("Refund cancellation"), refund._billing_company_amount(), note,
                                   more=[(source, self.env._("The refund %(refund)s was cancelled.",
                                                             refund=refund.display_name))] if source else None)
        billing_tools.crash_point("cancel_refund")
        return True

    @api.model
    def billing_settle_refunds(self):
        """R5.4: settle every refund pending at the time of the call; card refunds are sent to the
        provider then, each committed on its own; offline ones are committed chunk by chunk (R5.5,
        ``_billing_settle``). Returns the number of refunds settled."""
        billing_tools.check_refund_access(self.env)
        return self.search([("billing_refund_state", "=", "pending")], order="id")._billing_settle()

    @api.model
    def _billing_cron_settle_refunds(self):
        """The scheduled action (it runs often): per company, the pending refunds whose day's
        settlement cut-off has passed in that company's time zone (R5.4), CRON_BATCH at most per run,
        committed as ``_billing_settle`` does; the rest is left for the next run, triggered at once."""
        refunds = self.sudo().search([("billing_refund_state", "=", "pending")], order="id")
        due = refunds.filtered(lambda refund: refund._billing_settlement_due())
        batch = due[:CRON_BATCH]
        settled = batch._billing_settle()
        self._billing_cron_progress(len(batch), len(due) - len(batch), "ir_cron_billing_settle_refunds")
        return settled

    @api.model
    def _billing_cron_progress(self, done, remaining, cron_xmlid):
        """Tell the cron worker what is left (Odoo 18's progress API: it runs the action again at
        once) and trigger the action again for what a worker's run leaves."""
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if remaining:
            cron = self.env.ref(f"account_billing_operations.{cron_xmlid}", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()

    def _billing_settle(self):
        """R5.5: settle the refunds of ``self``; returns how many were settled. A card refund is settled
        on its own: locked, sent to its provider, marked settled and committed before the next one is
        sent (``_billing_settle_one``). Offline refunds (cash, cheque, transfer: no money leaves through
        a provider) are settled SETTLE_CHUNK at a time, each chunk committed (``_billing_settle_chunk``):
        a run cut short leaves the refunds of its last chunk pending, and the next run settles them. A
        refund another worker holds (being cancelled right now) is left pending, quietly, for the next
        run. A refund that fails, for any exception, is logged on it and on the client and stays pending;
        the others go on. A settled refund is never sent again."""
        self.fetch(["billing_source_payment_id"])
        sources = self.billing_source_payment_id
        sources.fetch(["payment_transaction_id"])
        card_sources = sources.filtered("payment_transaction_id")
        cards = self.filtered(lambda refund: refund.billing_source_payment_id in card_sources)
        settled = 0
        for company, offline in (self - cards).grouped("company_id").items():
            for chunk_ids in split_every(SETTLE_CHUNK, offline.ids):
                settled += self.browse(chunk_ids).with_company(company)._billing_settle_chunk()
        for refund_id in cards.ids:
            settled += self.browse(refund_id)._billing_settle_one()
        return settled

    def _billing_settle_chunk(self):
        """Settle the offline refunds of ``self`` (one company) in one transaction, committed: locked,
        marked settled, one note on each refund and one on each client. When one of them is held by
        another worker or fails, the chunk is settled refund by refund instead."""
        try:
            with self.env.cr.savepoint():
                if not billing_tools.try_lock_rows(self):
                    raise _SettleOneByOne()
                self.invalidate_recordset(["billing_refund_state", "state", "payment_transaction_id"])
                due = self.filtered(lambda refund: refund.billing_refund_state == "pending"
                                    and refund.state != "canceled")
                due._billing_mark_settled()
                for _refund in due:
                    billing_tools.crash_point("settle")
        except Exception as error:  # any failure: refund by refund, each one logged on its own
            if not isinstance(error, _SettleOneByOne):
                _logger.info("Settling refunds %s one at a time: %s", self.ids, error)
            return sum(self.browse(refund_id)._billing_settle_one() for refund_id in self.ids)
        self._billing_commit()
        return len(due)

    def _billing_settle_one(self):
        """Settle this refund on its own and commit (R5.5); 1 when settled, else 0."""
        refund = self.with_company(self.company_id)
        try:
            with self.env.cr.savepoint():
                if not billing_tools.try_lock_rows(refund):  # being cancelled right now: not a failure
                    _logger.info("Refund %s left pending for the next run: another worker holds it", refund.id)
                    return 0
                refund.invalidate_recordset(["billing_refund_state", "state", "payment_transaction_id"])
                if refund.billing_refund_state != "pending" or refund.state == "canceled":
                    return 0
                refund._billing_send_refund_to_provider()
                refund._billing_mark_settled()
                billing_tools.crash_point("settle")
        except Exception as error:  # any failure leaves this refund pending (R5.5)
            _logger.warning("Refund %s not settled, left pending: %s", refund.id, error, exc_info=True)
            refund._billing_log_settlement_failure(error)
            self._billing_commit()
            return 0
        self._billing_commit()
        return 1

    def _billing_mark_settled(self):
        """Mark the refunds of ``self`` (one company) settled, with the audit of docs/rules.md §4: one
        internal note on each refund (who, when, amount, what settlement means for it) and one on each
        client listing its refunds settled, written in one batch. The state's own tracking line would
        repeat the refund's note: it is left out."""
        if not self:
            return
        self.with_context(mail_notrack=True)._billing_write_refund_state("settled")
        env = self.env
        Partner = env["res.partner"]
        currency = env.company.currency_id
        author = env.user.partner_id.id
        when = Partner._billing_audit_when()
        amounts = {refund.id: abs(refund.amount_company_currency_signed) for refund in self}
        bodies = {refund.id: Markup("<p>%s</p>") % Partner._billing_audit_text(
            env._("Refund settlement"), amounts[refund.id], None, refund._billing_settlement_text(), when)
            for refund in self}
        self._message_log_batch(bodies, author_id=author)
        client_bodies = {}
        for client, refunds in self.grouped(lambda refund: refund.partner_id.commercial_partner_id).items():
            total = sum(amounts[refund.id] for refund in refunds)
            client_bodies[client.id] = Markup("<p>%s</p>") % env._(
                "%(operation)s of %(amount)s by %(user)s on %(when)s: %(count)s refund(s) settled, which can "
                "no longer be cancelled: %(refunds)s.",
                operation=env._("Refund settlement"), amount=format_amount(env, total, currency),
                user=env.user.name, when=when, count=len(refunds), refunds=", ".join(
                    f"{refund.display_name} ({format_amount(env, amounts[refund.id], currency)})"
                    for refund in refunds))
        env["res.partner"].browse(client_bodies)._message_log_batch(client_bodies, author_id=author)

    def _billing_settlement_text(self):
        self.ensure_one()
        if self.payment_transaction_id:
            return self.env._("Sent to the payment provider (transaction %(reference)s).",
                              reference=self.payment_transaction_id.sudo().reference)
        return self.env._("The refund is settled and can no longer be cancelled.")

    def _billing_log_settlement_failure(self, error):
        """An internal note on the refund and on the client; never a reason to stop the run."""
        self.ensure_one()
        reason = str(error.args[0]) if isinstance(error, UserError) and error.args else repr(error)
        try:
            with self.env.cr.savepoint():
                self.partner_id.commercial_partner_id._billing_post_audit(
                    self, self.env._("Refund settlement failure"), self._billing_company_amount(), None,
                    self.env._("The refund %(refund)s could not be settled (%(reason)s): it stays pending "
                               "and the next settlement run tries again.",
                               refund=self.display_name, reason=reason))
        except Exception:  # logging must not stop the run
            _logger.exception("Could not log the settlement failure of refund %s", self.id)

    def _billing_commit(self):
        """R5.5: what is settled is committed before the next refund is sent. A test's own
        transaction is never committed (it is rolled back at its end); a test working on real
        committed cursors asks for the commit with ``billing_tools.internal(records, "billing_settle_commit")``."""
        if not odoo.modules.module.current_test or billing_tools.is_internal(self.env, "billing_settle_commit"):
            # R5.5 requires it: a refund sent to the provider is recorded before the next is sent.
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # -------------------------------------------------------------------------
    # ACTIONS
    # -------------------------------------------------------------------------

    def action_billing_refund_wizard(self):
        """The payment's Refund button (R4), for card and offline payments alike. Odoo's own provider
        Refund button is hidden (views/account_payment_views.xml): its wizard would bypass the cap,
        the note and the settlement, and payment.transaction.action_refund refuses it anyway."""
        self.ensure_one()
        return billing_tools.wizard_action(
            "account.billing.refund.payment.wizard", self.env._("Refund"), {"default_payment_id": self.id})

    def action_billing_cancel_refund(self):
        """Cancel refund button: after settlement, offer to charge the client instead (R5.3)."""
        self.ensure_one()
        billing_tools.check_refund_access(self.env)
        refusal = self._billing_refund_cancel_refusal()
        if refusal and self.billing_refund_state in ("pending", "settled"):
            raise RedirectWarning(refusal, self.action_billing_charge_refund(), self.env._("Create an invoice"))
        self.billing_cancel_refund()
        return True

    def action_billing_charge_refund(self):
        """Create an invoice (R2) prefilled with the refund's amount, tax included."""
        self.ensure_one()
        action = self.partner_id.commercial_partner_id._billing_client_wizard_action(
            "account.billing.credit.wizard", self.env._("Create an invoice"), {"default_operation": "charge"})
        action["context"].update({
            "default_amount": self.amount,
            "default_taxes_included": True,
            "default_note": self.env._("Charge back the refund %(refund)s, which can no longer be cancelled.",
                              refund=self.display_name),
        })
        return action

    def action_billing_open_refunds(self):
        self.ensure_one()
        return self._billing_all_refunds()._get_records_action(
            name=self.env._("Refunds of %(payment)s", payment=self.display_name))

    def action_view_refunds(self):
        """Odoo's Refunds button lists the module's offline refunds too (the same as its count)."""
        action = super().action_view_refunds()
        if not self.billing_refund_ids:
            return action
        refunds = self._billing_all_refunds()
        action.pop("res_id", None)
        action.pop("domain", None)
        if len(refunds) == 1:
            action.update(res_id=refunds.id, view_mode="form")
        else:
            action.update(view_mode="list,form", domain=[("id", "in", refunds.ids)])
        return action
    # -------------------------------------------------------------------------
    # R7: payer information, scheduled (postdated) payments
    # -------------------------------------------------------------------------

    def _billing_scheduled_payments(self):
        """The scheduled payments of ``self``: postdated and not applied yet."""
        return self.filtered(lambda pay: pay.billing_postdated and pay.state == "draft")

    def action_post(self):
        """R7.4: a scheduled payment is applied on its date, not before (by the scheduled action)."""
        early = self.filtered(lambda pay: pay.billing_postdated and pay.state == "draft"
                              and pay.date > pay.company_id._billing_today())
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
        for payment in self.filtered("billing_invoice_id"):
            invoice = payment.billing_invoice_id
            if payment.partner_id.commercial_partner_id != invoice.commercial_partner_id:
                raise UserError(self.env._(
                    "%(payment)s is from %(client)s and cannot pay %(invoice)s of %(other)s: cancel it and make "
                    "the payment with the Make a payment button of that client's invoice.",
                    payment=payment.display_name, client=payment.partner_id.commercial_partner_id.display_name,
                    invoice=invoice.display_name, other=invoice.commercial_partner_id.display_name))
        self._billing_ensure_outstanding_account()
        self.action_post()
        domain = [
            ("parent_state", "=", "posted"),
            ("account_type", "in", self._get_valid_payment_account_types()),
            ("reconciled", "=", False),
        ]
        # One reconciliation plan for all of them (Odoo's _reconcile_plan, as reconcile() uses it): the
        # payments of an invoice with that invoice's open items, account by account.
        Line = self.env["account.move.line"]
        plan, links = [], []
        for invoice, payments in self.grouped("billing_invoice_id").items():
            payment_lines = payments.move_id.line_ids.filtered_domain(domain)
            invoice_lines = invoice.line_ids.filtered_domain(domain) if invoice.state == "posted" else Line
            for account in payment_lines.account_id:
                plan.append((payment_lines + invoice_lines).filtered_domain([("account_id", "=", account.id)]))
            if invoice:
                links.append((invoice, [Command.link(payment_id) for payment_id in payments.ids]))
        if plan:
            Line._reconcile_plan(plan)
        if links:
            # Each invoice's Payments button lists them, as Register Payment's matched_payment_ids += payment
            # does: the links of all the invoices written at once by the field, as write() writes them
            # (account.move.write would re-synchronise each invoice's journal items for a mere link).
            self.env["account.move"]._fields["matched_payment_ids"].write_batch(links)

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
            # action_cancel writes the notes (§4), with this note.
            billing_tools.internal(payment, SCHEDULED_FLAG).with_context(**{SCHEDULED_NOTE: note}).action_cancel()
        return True

    def action_billing_cancel_scheduled(self):
        self.billing_cancel_scheduled()
        return True

    @api.model
    def billing_apply_postdated(self):
        """R7.4 (scheduled action): post the scheduled payments whose date has come (today or
        earlier) and reconcile them with their invoice. Returns how many were applied."""
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._(
                "Only invoicing users can apply the scheduled payments; they are applied every day by a "
                "scheduled action."))
        domain = self._billing_postdated_due_domain()
        # The scheduled action runs as superuser (OdooBot); over RPC these context keys are only words a
        # client sent: they must not cut the call into committed batches nor write a cron's progress.
        in_cron = self.env.su and bool(self.env.context.get("cron_id") or self.env.context.get("ir_cron_progress_id"))
        # The scheduled action handles CRON_BATCH payments per run and triggers itself for the rest;
        # called by hand (RPC, a button), every due payment is applied.
        due = self.search(domain, order="date, id", limit=CRON_BATCH if in_cron else None)
        applied = 0
        for chunk_ids in split_every(POSTDATED_CHUNK, due.ids):
            chunk = self.browse(chunk_ids)
            try:
                with self.env.cr.savepoint():
                    applied += chunk._billing_apply_scheduled()
            except UserError:  # one of them is refused: one at a time, the others go on
                for payment_id in chunk_ids:
                    try:
                        with self.env.cr.savepoint():
                            applied += self.browse(payment_id)._billing_apply_scheduled()
                    except UserError as error:
                        _logger.warning("Scheduled payment %s not applied: %s", payment_id, error)
            if in_cron:  # what is applied stays applied if the run is cut short; the next run resumes
                self._billing_commit()
        if in_cron:
            remaining = self.search_count(domain) if len(due) == CRON_BATCH else 0
            self._billing_cron_progress(len(due), remaining, "ir_cron_billing_apply_postdated")
        return applied

    @api.model
    def _billing_postdated_due_domain(self):
        """The scheduled payments whose date has come in their own company's time zone (R7.4), not
        in the caller's: a payment is applied on its company's day wherever the cron or user is."""
        scheduled = [("billing_postdated", "=", True), ("state", "=", "draft")]
        companies = self.env["res.company"].browse(
            company.id for [company] in self._read_group(scheduled, ["company_id"]))
        return expression.AND([scheduled, expression.OR([
            [("company_id", "=", company.id), ("date", "<=", company._billing_today())] for company in companies
        ] or [expression.FALSE_DOMAIN])])

    def _billing_apply_scheduled(self):
        """Post the scheduled payments of ``self`` (locked) and reconcile them with their invoices,
        company by company, with the audit notes. Returns how many were applied."""
        billing_tools.lock_rows(self)
        self.invalidate_recordset(["state"])
        scheduled = self.filtered(lambda pay: pay.billing_postdated and pay.state == "draft")
        for company, company_payments in scheduled.grouped("company_id").items():
            # In bulk, as Odoo's imports do: no tracking lines nor followers on the journal entries and
            # items made here; each payment and client gets the audit note of docs/rules.md §4 instead.
            payments = company_payments.with_company(company).with_context(tracking_disable=True)
            payments._billing_post_and_reconcile()
            payments._billing_log_applied()
            for _payment in payments:
                billing_tools.crash_point("postdated")
        return len(scheduled)

    def _billing_log_applied(self):
        """docs/rules.md §4 for the scheduled payments of ``self`` (one company), applied: one internal note
        on each payment (who, when, amount, the invoice, its note) and one on each client listing its
        payments applied, written in one batch."""
        env = self.env
        Partner = env["res.partner"]
        author = env.user.partner_id.id
        when = Partner._billing_audit_when()
        operation = env._("Scheduled payment applied")
        bodies, lines = {}, {}
        for payment in self:
            applied = env._(
                "Scheduled payment %(payment)s of %(amount)s applied to %(invoice)s on its date (%(date)s).",
                payment=payment.display_name, amount=format_amount(env, payment.amount, payment.currency_id),
                invoice=payment.billing_invoice_id.display_name or "-", date=format_date(env, payment.date))
            bodies[payment.id] = Markup("<p>%s</p>") % Partner._billing_audit_text(
                operation, payment._billing_company_amount(), payment.billing_note, applied, when)
            lines.setdefault(payment.partner_id.commercial_partner_id.id, []).append(applied)
        self._message_log_batch(bodies, author_id=author)
        client_bodies = {
            client_id: Markup("<p>%s</p>") % env._(
                "%(operation)s by %(user)s on %(when)s: %(payments)s", operation=operation, user=env.user.name,
                when=when, payments=" ".join(applied))
            for client_id, applied in lines.items()
        }
        env["res.partner"].browse(client_bodies)._message_log_batch(client_bodies, author_id=author)
