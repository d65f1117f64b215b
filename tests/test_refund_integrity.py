"""R4.2 (the cap cannot be freed), R4.4 (currency), R7.4 + R4.2 (applied schedules), §4 (audit
notes without email) and the bad input of the payment API (docs/rules.md §6)."""
import contextlib

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_refunds import RefundCase


@tagged("post_install", "-at_install")
class TestRefundCap(RefundCase):
    """R4.2: the link of a refund to its payment and the refund's amount never change."""

    def assertCapHolds(self, payment, refunded=100.0):
        """``payment`` (100.00) has ``refunded`` refunded and not one cent more can be."""
        self.env.invalidate_all()
        self.assertAlmostEqual(payment.billing_refunded_amount, refunded)
        self.assertAlmostEqual(payment.billing_refundable_amount, 100.0 - refunded)
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "more than what is left to refund"):
            self.refund_payment(payment, 100.0 - refunded + 0.01)
        self.assertNothingWritten(before)
        live = self.Payment.search([("billing_source_payment_id", "=", payment.id),
                                    ("billing_refund_state", "in", ("pending", "settled"))])
        self.assertAlmostEqual(sum(live.mapped("amount")), refunded)

    def test_the_reported_bypass(self):
        """The review's case: clearing Odoo's link of a refund freed the cap (100.00 refunded twice)."""
        payment = self.cash_payment(100.0)
        self.refund_payment(payment, 100.0)
        refund = payment.billing_refund_ids
        # Refused or without effect: either way the cap below must hold.
        with contextlib.suppress(UserError), self.env.cr.savepoint():
            refund.write({"source_payment_id": False})
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "more than what is left to refund"):
            self.refund_payment(payment, 100.0)
        self.assertNothingWritten(before)

    def test_editing_the_link_or_the_amount_is_refused(self):
        payment = self.cash_payment(100.0)
        other = self.cash_payment(100.0)
        refund = self.refund_payment(payment, 100.0)
        self.assertRecordValues(refund, [{"billing_source_payment_id": payment.id, "amount": 100.0}])
        attempts = {
            "core link": {"source_payment_id": False},
            "core link to another payment": {"source_payment_id": other.id},
            "module link": {"billing_source_payment_id": False},
            "module link to another payment": {"billing_source_payment_id": other.id},
            "amount": {"amount": 1.0},
            "currency": {"currency_id": self.setup_other_currency("EUR").id},
            "partner": {"partner_id": self.partner_a.id},
            "payment type": {"payment_type": "inbound"},
            "refund state": {"billing_refund_state": "cancelled"},
            "no refund state": {"billing_refund_state": False},
        }
        for label, vals in attempts.items():
            for env_label, record in (("user", refund), ("sudo", refund.sudo())):
                with self.subTest(attempt=label, env=env_label):
                    if label == "core link":
                        # Odoo's link of an offline refund is empty: writing it empty changes nothing.
                        record.write(vals)
                    else:
                        with self.assertRaisesRegex(UserError, "cannot be changed"):
                            record.write(vals)
                    self.assertCapHolds(payment)
        # The computed cap fields are not writable either (or the write has no effect on the cap).
        for vals in ({"billing_refunded_amount": 0.0}, {"billing_refundable_amount": 100.0}):
            with self.subTest(vals=vals):
                # Refused or without effect: either way the cap below must hold.
                with contextlib.suppress(UserError, ValidationError, ValueError), self.env.cr.savepoint():
                    payment.write(vals)
                self.assertCapHolds(payment)
        # An ordinary payment cannot be turned into a refund of another one.
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            other.write({"billing_source_payment_id": payment.id, "billing_refund_state": "cancelled"})
        self.assertCapHolds(payment)

    def test_import_form_draft_and_delete_are_refused(self):
        payment = self.cash_payment(100.0)
        refund = self.refund_payment(payment, 100.0)
        for fields_, row, refused in (([".id", "amount"], [str(refund.id), "1.00"], True),
                                      ([".id", "billing_source_payment_id/.id"], [str(refund.id), ""], True),
                                      ([".id", "source_payment_id/.id"], [str(payment.id), str(refund.id)], False),
                                      ([".id", "billing_refund_state"], [str(refund.id), "cancelled"], True),
                                      (["amount", "billing_source_payment_id/.id", "billing_refund_state",
                                        "payment_type", "partner_id/.id", "journal_id/.id"],
                                       ["100.00", str(payment.id), "cancelled", "outbound", str(self.client.id),
                                        str(self.cash_journal.id)], True)):
            with self.subTest(fields=fields_), mute_logger("odoo.models", "odoo.sql_db"):
                result = self.Payment.load(fields_, [row])
                if refused:
                    self.assertFalse(result["ids"], result)
                    self.assertTrue(result["messages"], result)
            self.assertCapHolds(payment)
        # The form shows the posted refund read-only.
        with self.assertRaises(AssertionError):
            with Form(refund) as form:
                form.amount = 1.0
        self.assertCapHolds(payment)
        # Reset or cancel a pending refund, from the payment or from its journal entry: refused
        # (Cancel refund is the way, the same day before the cut-off).
        for call in (refund.action_draft, refund.action_cancel, refund.move_id.button_draft,
                     refund.move_id.button_cancel, refund.sudo().action_draft):
            with self.subTest(call=call.__name__):
                with self.assertRaisesRegex(UserError, "pending settlement: undo it with its Cancel refund"):
                    call()
                self.assertEqual(refund.move_id.state, "posted")
                self.assertCapHolds(payment)
        # Delete a pending refund: refused (Cancel refund is the way).
        with self.assertRaisesRegex(UserError, "cannot be deleted.*Cancel refund"):
            refund.unlink()
        self.assertCapHolds(payment)
        # Once settled: no reset to draft, no cancel, no deletion, whatever the path.
        self.assertEqual(self.Payment.billing_settle_refunds(), 1)
        for call in (refund.action_draft, refund.action_cancel, refund.unlink, refund.sudo().unlink,
                     refund.move_id.button_draft, refund.move_id.button_cancel):
            with self.subTest(call=call.__name__):
                with self.assertRaisesRegex(UserError, "settled|cannot be deleted"):
                    call()
                self.assertCapHolds(payment)
        self.assertIn(refund.state, ("in_process", "paid"))
        self.assertEqual(refund.billing_refund_state, "settled")
        self.assertEqual(refund.move_id.state, "posted")
        self.assertCapHolds(payment)

    def test_a_payment_is_never_refunded_more_than_its_amount(self):
        payment = self.cash_payment(100.0)
        self.refund_payment(payment, 60.0)
        second = self.refund_payment(payment, 40.0)
        for vals in ({"source_payment_id": False}, {"billing_source_payment_id": False}, {"amount": 0.01}):
            # Refused or without effect: either way the cap below must hold.
            with contextlib.suppress(UserError), self.env.cr.savepoint():
                second.sudo().write(vals)
        self.assertCapHolds(payment)
        # Cancelling a refund (the module's own way) frees its amount, once.
        second.billing_cancel_refund(note="Mistake")
        self.assertCapHolds(payment, refunded=60.0)
        third = self.refund_payment(payment, 40.0)
        self.assertCapHolds(payment)
        self.assertEqual(payment.billing_refund_count, 3)
        # Odoo's own refund count and button show the offline refunds too.
        self.assertEqual(payment.refunds_count, 3)
        action = payment.action_view_refunds()
        self.assertEqual(self.Payment.search(action["domain"]), payment.billing_refund_ids)
        self.assertIn(third, payment.billing_refund_ids)


    def test_card_payment_refunds_outside_the_module(self):
        """Odoo's own refund wizard is refused; a refund made at the provider counts in the cap."""
        card = self.card_payment(100.0, "TEST-CAP-CARD")
        before = self.snapshot()
        wizard = self.env["payment.refund.wizard"].with_context(
            active_model="account.payment", active_id=card.id).create({
                "payment_id": card.id, "amount_to_refund": 100.0})
        with self.assertRaisesRegex(UserError, "Refund button of the payment"):
            wizard.action_refund()
        self.assertNothingWritten(before)
        # A refund of 30.00 made at the provider (its notification creates Odoo's refund payment).
        refund_tx = card.payment_transaction_id._send_refund_request(amount_to_refund=30.0)
        refund_tx._post_process()
        self.assertEqual(refund_tx.state, "done")
        self.env.invalidate_all()
        self.assertAlmostEqual(card.billing_refunded_amount, 30.0)
        self.assertAlmostEqual(card.billing_refundable_amount, 70.0)
        self.assertAlmostEqual(card.amount_available_for_refund, 70.0)
        with self.assertRaisesRegex(UserError, "more than what is left to refund"):
            self.refund_payment(card, 70.01)
        self.refund_payment(card, 70.0)
        self.assertAlmostEqual(card.billing_refundable_amount, 0.0)
        self.assertEqual(card.refunds_count, 2)


@tagged("post_install", "-at_install")
class TestAppliedScheduledRefund(RefundCase):
    """R4.2, R6.4: a payment applied from a postdated schedule is an ordinary payment."""

    def test_refund_an_applied_scheduled_payment(self):
        with freeze_time("2026-02-01 15:00"):
            invoice = self.invoice(200.0, taxes=[])
            result = invoice.billing_make_payment(200.0, self.bank_journal.id, postdated_date="2026-02-15")
            payment = self.Payment.browse(result["payment_id"])
            self.assertEqual(payment.state, "draft")
            self.assertAlmostEqual(payment.billing_refundable_amount, 0.0)
            with self.assertRaisesRegex(UserError, "cannot be refunded"):
                payment.billing_refund(10.0, "Too early")
        with freeze_time("2026-02-15 15:00"):
            self.assertEqual(self.Payment.billing_apply_postdated(), 1)
            self.assertIn(payment.state, ("in_process", "paid"))
            self.assertEqual(invoice.payment_state in ("paid", "in_payment"), True)
            self.assertAlmostEqual(payment.billing_refundable_amount, 200.0)
            # The client's file says it was applied.
            self.assertIn("Scheduled payment applied", self.client.message_ids[:1].body)
            # R4 from the payment.
            refund = self.refund_payment(payment, 50.0)
            self.assertRecordValues(refund, [{"billing_source_payment_id": payment.id, "amount": 50.0,
                                              "billing_refund_state": "pending"}])
            self.assertRecordValues(refund.move_id.line_ids.sorted("balance"), [
                {"account_id": refund.outstanding_account_id.id, "balance": -50.0},
                {"account_id": self.receivable.id, "balance": 50.0},
            ])
            # R6.4 through the same payment (Cancel/refund items).
            line = invoice.invoice_line_ids
            cancel = invoice.billing_cancel_items([line.id], refund_amount=150.0, refund_payment_id=payment.id,
                                                  note="Course cancelled")
            second = self.Payment.browse(cancel["refund_payment_id"])
            self.assertRecordValues(second, [{"billing_source_payment_id": payment.id, "amount": 150.0}])
            self.assertAlmostEqual(payment.billing_refundable_amount, 0.0)
            self.assertAlmostEqual(self.balance(), 0.0)


@tagged("post_install", "-at_install")
class TestRefundCurrency(RefundCase):
    """R4.4: a refund is made in the currency of what it refunds; R3 stays in company currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 company currency = 2.0 EUR.
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])

    def eur_invoice(self, amount):
        return self.init_invoice("out_invoice", partner=self.client, amounts=[amount], taxes=[],
                                 currency=self.eur, invoice_date="2024-01-10", post=True)

    def test_r4_refund_in_the_payment_currency(self):
        invoice = self.eur_invoice(200.0)
        payment = self.pay_invoice(invoice, journal=self.cash_journal)
        self.assertRecordValues(payment, [{"currency_id": self.eur.id, "amount": 200.0}])
        self.assertAlmostEqual(self.balance(), 0.0)
        wizard = self.env["account.billing.refund.payment.wizard"].create({"payment_id": payment.id, "note": "Sick"})
        self.assertAlmostEqual(wizard.amount, 200.0)
        wizard.amount = 50.0
        # The balance is in company currency: 50.00 EUR is 25.00.
        self.assertAlmostEqual(wizard.balance_after, 25.0)
        refund = self.Payment.browse(wizard.action_confirm()["res_id"])
        self.assertRecordValues(refund, [{"currency_id": self.eur.id, "amount": 50.0,
                                          "billing_source_payment_id": payment.id}])
        self.assertRecordValues(refund.move_id.line_ids.sorted("balance"), [
            {"account_id": refund.outstanding_account_id.id, "amount_currency": -50.0, "balance": -25.0,
             "currency_id": self.eur.id},
            {"account_id": self.receivable.id, "amount_currency": 50.0, "balance": 25.0,
             "currency_id": self.eur.id},
        ])
        self.assertAlmostEqual(self.balance(), 25.0)
        # The cap is in EUR: 150.00 EUR left, not one cent more.
        self.assertAlmostEqual(payment.billing_refundable_amount, 150.0)
        with self.assertRaisesRegex(UserError, "more than what is left to refund"):
            self.refund_payment(payment, 150.01)
        self.refund_payment(payment, 150.0)
        self.assertAlmostEqual(self.balance(), 100.0)

    def test_r6_refund_in_the_invoice_currency_from_a_journal(self):
        invoice = self.eur_invoice(200.0)
        self.pay_invoice(invoice, journal=self.bank_journal)
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "more than what was paid on"):
            invoice.billing_cancel_items([invoice.invoice_line_ids.id], refund_amount=200.01,
                                         refund_journal_id=self.cash_journal.id, note="Moving")
        self.assertNothingWritten(before)
        result = invoice.billing_cancel_items([invoice.invoice_line_ids.id], refund_amount=200.0,
                                              refund_journal_id=self.cash_journal.id, note="Moving")
        refund = self.Payment.browse(result["refund_payment_id"])
        self.assertRecordValues(refund, [{"currency_id": self.eur.id, "amount": 200.0,
                                          "journal_id": self.cash_journal.id,
                                          "billing_source_payment_id": False}])
        self.assertRecordValues(refund.move_id.line_ids.sorted("balance"), [
            {"account_id": refund.outstanding_account_id.id, "amount_currency": -200.0, "balance": -100.0,
             "currency_id": self.eur.id, "reconciled": False},
            {"account_id": self.receivable.id, "amount_currency": 200.0, "balance": 100.0,
             "currency_id": self.eur.id, "reconciled": True},
        ])
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_r6_refund_through_a_payment_in_another_currency_is_refused(self):
        invoice = self.eur_invoice(200.0)
        # Paid in the company currency: 100.00 pays 200.00 EUR.
        payment = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({
                "journal_id": self.bank_journal.id, "currency_id": self.currency.id,
                "amount": 100.0})._create_payments()
        self.assertEqual(invoice.payment_state in ("paid", "in_payment"), True)
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "is in .* the invoice in EUR"):
            invoice.billing_cancel_items([invoice.invoice_line_ids.id], refund_amount=50.0,
                                         refund_payment_id=payment.id, note="Moving")
        self.assertNothingWritten(before)

    def test_r3_stays_in_company_currency(self):
        invoice = self.eur_invoice(200.0)
        self.pay_invoice(invoice, amount=300.0, journal=self.bank_journal)  # 100.00 EUR overpaid = 50.00
        self.assertAlmostEqual(self.balance(), -50.0)
        refund = self.refund_from_client(50.0)
        self.assertRecordValues(refund, [{"currency_id": self.currency.id, "amount": 50.0}])
        self.assertAlmostEqual(self.balance(), 0.0)


@tagged("post_install", "-at_install")
class TestRefundNotesAndInput(RefundCase):
    """§4: internal notes only (no email, a user without an email address can work); docs/rules.md §6 input."""

    def test_user_without_email_refunds_and_cancels(self):
        user = new_test_user(
            self.env, login="billing_no_email", email=False, company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
            groups="base.group_user,account.group_account_invoice,"
                   "account_billing_operations.group_billing_refund")
        self.assertFalse(user.email)
        self.credit(100.0)
        payment = self.cash_payment(50.0)
        mails = self.env["mail.mail"].sudo().search_count([])
        client = self.client.with_user(user)
        refund = self.Payment.browse(client.billing_refund(30.0, self.cash_journal.id, "Leaving"))
        refund.with_user(user).billing_cancel_refund(note="Stays")
        payment_refund = self.Payment.browse(payment.with_user(user).billing_refund(20.0, "Course cancelled"))
        payment_refund.with_user(user).billing_cancel_refund()
        self.assertEqual(self.env["mail.mail"].sudo().search_count([]), mails)
        note = self.env.ref("mail.mt_note")
        for record in (self.client, refund, payment):
            messages = record.message_ids.filtered(lambda m: m.author_id == user.partner_id)
            self.assertTrue(messages, record)
            self.assertEqual(messages.subtype_id, note)
            self.assertFalse(messages.notification_ids)

    def test_bad_input(self):
        payment = self.cash_payment(100.0)
        refund = self.refund_payment(payment, 10.0)
        two = payment | self.cash_payment(20.0)
        before = self.snapshot()
        cases = [
            (lambda: two.billing_refund(5.0, "Two"), "exactly one payment"),
            (lambda: self.Payment.billing_refund(5.0, "None"), "exactly one payment"),
            (lambda: payment.billing_refund("ten", "Text"), "must be a number"),
            (lambda: payment.billing_refund("5", "Text"), "must be a number"),
            (lambda: payment.billing_refund(float("nan"), "NaN"), "finite number"),
            (lambda: payment.billing_refund(float("inf"), "Inf"), "finite number"),
            (lambda: payment.billing_refund(True, "Bool"), "must be a number"),
            (lambda: payment.billing_refund(None, "None"), "must be a number"),
            (lambda: payment.billing_refund([5.0], "List"), "must be a number"),
            (lambda: payment.billing_refund(-5.0, "Negative"), "greater than 0"),
            (lambda: payment.billing_refund(5.001, "Decimals"), "more decimals"),
            (lambda: payment.billing_refund(90.01, "Above"), "more than what is left to refund"),
            (lambda: refund.billing_refund(1.0, "Refund of a refund"), "cannot be refunded"),
            ((refund | payment).billing_cancel_refund, "exactly one refund"),
            (self.Payment.billing_cancel_refund, "exactly one refund"),
            (payment.billing_cancel_refund, "not a refund"),
            (lambda: refund.billing_cancel_refund(note="card 4111 1111 1111 1111"), "full card number"),
        ]
        for call, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(UserError, message):
                    with self.env.cr.savepoint():
                        call()
                self.assertNothingWritten(before)
        # Wrong message words: no rule numbers, no menu path that does not exist.
        with self.assertRaises(UserError) as caught:
            payment.billing_refund(90.01, "Above")
        self.assertNotIn("(R3)", str(caught.exception))
        self.assertIn("Record a refund", str(caught.exception))

    def test_invoicing_user_is_refused_before_reading_the_amount(self):
        payment = self.cash_payment(100.0)
        with self.assertRaises(AccessError):
            payment.with_user(self.invoicing_user).billing_refund("ten", "No rights")


@tagged("post_install", "-at_install")
class TestRefundTrustedData(RefundCase):
    """The cap comes from what was booked, R6 refunds count per invoice, and a refund's state is
    changed only by Cancel refund: whatever an RPC client writes or puts in its context."""

    def assertRefundIntact(self, refund, refund_state):
        self.env.invalidate_all()
        self.assertIn(refund.state, ("in_process", "paid"))
        self.assertEqual(refund.billing_refund_state, refund_state)
        self.assertEqual(refund.move_id.state, "posted")

    # ---- the cap is what the payment's journal entry booked ------------------------------

    def test_editing_a_posted_payment_amount_does_not_raise_its_cap(self):
        payment = self.cash_payment(100.0)
        liquidity = payment._seek_for_lines()[0]
        # Odoo lets an invoicing user write the amount of a posted payment (its entry is not changed).
        # Refused or without effect: either way the cap below must hold.
        with contextlib.suppress(UserError), self.env.cr.savepoint():
            payment.with_user(self.invoicing_user).write({"amount": 1000.0})
        self.env.invalidate_all()
        self.assertRecordValues(liquidity, [{"debit": 100.0, "amount_currency": 100.0}])
        self.assertAlmostEqual(payment.billing_refundable_amount, 100.0)
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "more than what is left to refund"):
            self.refund_payment(payment, 100.01)
        self.assertNothingWritten(before)
        refund = self.refund_payment(payment, 100.0)
        self.assertRecordValues(refund, [{"amount": 100.0, "billing_refund_state": "pending"}])
        self.assertAlmostEqual(payment.billing_refundable_amount, 0.0)
        # Once refunded, the amount, currency and client of the payment are fixed.
        other = self.env["res.partner"].create({"name": "Other client"})
        for vals in ({"amount": 5000.0}, {"currency_id": self.setup_other_currency("EUR").id},
                     {"partner_id": other.id}):
            for record in (payment, payment.with_user(self.invoicing_user)):
                with self.subTest(vals=vals, user=record.env.user.login):
                    before = self.snapshot()
                    with self.assertRaisesRegex(UserError, "has refunds"):
                        record.write(vals)
                    self.assertNothingWritten(before)
                    self.assertRecordValues(payment, [{"partner_id": self.client.id, "currency_id": self.currency.id}])

    def test_card_payment_amount_available_for_refund_is_the_booked_amount(self):
        payment = self.card_payment(100.0, "TRUSTED-CARD-1")
        payment.write({"amount": 1000.0})
        self.env.invalidate_all()
        self.assertAlmostEqual(payment.amount_available_for_refund, 100.0)
        self.assertAlmostEqual(payment.billing_refundable_amount, 100.0)
        with self.assertRaisesRegex(UserError, "more than what is left to refund"):
            self.refund_payment(payment, 100.01)

    # ---- R6: the refunds of an invoice never exceed what was paid on it ----------------------

    def test_cancel_items_refunds_count_per_invoice(self):
        self.credit(1000.0)  # the client has other credit
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[100.0, 100.0, 100.0], taxes=[],
                                    invoice_date="2024-01-10", post=True)
        payment = self.pay_invoice(invoice, journal=self.bank_journal)
        first, second, third = invoice.invoice_line_ids
        result = invoice.billing_cancel_items([first.id], refund_amount=300.0,
                                              refund_journal_id=self.bank_journal.id, note="Moving")
        refund = self.Payment.browse(result["refund_payment_id"])
        # 300.00 paid, 300.00 refunded: not one cent more, from a journal or from the payment.
        for kwargs in ({"refund_journal_id": self.bank_journal.id}, {"refund_payment_id": payment.id}):
            with self.subTest(**kwargs):
                before = self.snapshot()
                with self.assertRaisesRegex(UserError, "already refunded"):
                    invoice.billing_cancel_items([second.id], refund_amount=0.01, note="Moving", **kwargs)
                self.assertNothingWritten(before)
                self.assertEqual(second.billing_cancelled_qty, 0.0)
        self.assertRecordValues(refund, [{"amount": 300.0, "billing_invoice_id": invoice.id,
                                          "billing_refund_state": "pending"}])
        # The link to the invoice is fixed like the refund's other fields.
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            refund.sudo().write({"billing_invoice_id": False})
        # A cancelled refund frees its amount; a refund through the payment counts too.
        refund.billing_cancel_refund()
        result = invoice.billing_cancel_items([second.id], refund_amount=250.0, refund_payment_id=payment.id,
                                              note="Moving")
        self.assertRecordValues(self.Payment.browse(result["refund_payment_id"]),
                                [{"amount": 250.0, "billing_invoice_id": invoice.id}])
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "already refunded"):
            invoice.billing_cancel_items([third.id], refund_amount=50.01,
                                         refund_journal_id=self.bank_journal.id, note="Moving")
        self.assertNothingWritten(before)
        result = invoice.billing_cancel_items([third.id], refund_amount=50.0,
                                              refund_journal_id=self.bank_journal.id, note="Moving")
        live = self.Payment.search([("billing_invoice_id", "=", invoice.id),
                                    ("billing_refund_state", "in", ("pending", "settled"))])
        self.assertAlmostEqual(sum(live.mapped("amount")), 300.0)

    # ---- a refund's state is changed by Cancel refund only ------------------------------

    def test_the_state_of_a_refund_is_not_written(self):
        payment = self.cash_payment(100.0)
        refund = self.refund_payment(payment, 60.0)
        for stage in ("pending", "settled"):
            if stage == "settled":
                self.assertEqual(self.Payment.billing_settle_refunds(), 1)
            for state in ("canceled", "draft", "rejected"):
                for record in (refund, refund.sudo()):
                    with self.subTest(stage=stage, state=state, su=record.env.su):
                        before = self.snapshot()
                        with self.assertRaisesRegex(UserError, "cannot be changed"):
                            record.write({"state": state})
                        self.assertNothingWritten(before)
                        self.assertRefundIntact(refund, stage)
                        self.assertAlmostEqual(payment.billing_refundable_amount, 40.0)

    def test_a_forged_context_does_not_cancel_a_refund(self):
        payment = self.cash_payment(100.0)
        refund = self.refund_payment(payment, 60.0)
        forged = refund.with_context(billing_cancelling_refund=True)
        for call in (forged.action_draft, forged.action_cancel, forged.move_id.button_draft,
                     forged.move_id.button_cancel, lambda: forged.write({"state": "canceled"})):
            with self.subTest(call=getattr(call, "__name__", "write")):
                before = self.snapshot()
                with self.assertRaises(UserError):
                    with self.env.cr.savepoint():
                        call()
                self.assertNothingWritten(before)
                self.assertRefundIntact(refund, "pending")
        # Cancel refund still works, and frees the amount.
        refund.billing_cancel_refund()
        self.env.invalidate_all()
        self.assertRecordValues(refund, [{"state": "canceled", "billing_refund_state": "cancelled"}])
        self.assertEqual(refund.move_id.state, "cancel")
        self.assertAlmostEqual(payment.billing_refundable_amount, 100.0)
        # A cancelled refund is not posted again.
        with self.assertRaises(UserError):
            with self.env.cr.savepoint():
                refund.write({"state": "in_process"})
        self.assertEqual(refund.billing_refund_state, "cancelled")
