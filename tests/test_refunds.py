from datetime import datetime

import pytz
from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import RedirectWarning
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import BillingCommon

TZ = "America/Toronto"


class RefundCase(BillingCommon):
    """The test company in a known time zone, the demo card provider and helpers for refunds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = TZ
        cls.company.billing_settlement_cutoff = 23.0 + 59.0 / 60.0
        cls.Payment = cls.env["account.payment"]
        # The demo card provider of payment_demo, for the test company, paid into the bank journal.
        base_provider = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.demo_provider = base_provider.copy({"company_id": cls.company.id, "name": "Demo card"})
        cls.demo_provider.write({"state": "test", "journal_id": cls.bank_journal.id})
        cls.demo_method = cls.env.ref("payment_demo.payment_method_demo")
        cls.demo_provider.payment_method_ids = [Command.set(cls.demo_method.ids)]
        cls.demo_method_line = cls.bank_journal.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.demo_provider)
        cls.invoicing_user = new_test_user(
            cls.env, login="billing_invoicing_only", company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            groups="base.group_user,account.group_account_invoice")

    # ---- helpers -------------------------------------------------------------

    def credit(self, amount, invoice_date=None):
        """A posted customer credit note of ``amount``, no tax."""
        return self.init_invoice("out_refund", partner=self.client, amounts=[amount], taxes=[],
                                 invoice_date=invoice_date or "2024-01-10", post=True)

    def cash_payment(self, amount, invoice_amount=None, journal=None):
        """A customer payment of ``amount`` paying an invoice of ``invoice_amount`` (no tax)."""
        invoice = self.invoice(invoice_amount or amount, taxes=[])
        return self.pay_invoice(invoice, amount=amount, journal=journal or self.cash_journal)

    def card_payment(self, amount, reference):
        """A payment made with the demo card provider, as Odoo creates it once the transaction is done."""
        invoice = self.invoice(amount, taxes=[])
        tx = self.env["payment.transaction"].sudo().create({
            "provider_id": self.demo_provider.id,
            "payment_method_id": self.demo_method.id,
            "reference": reference,
            "amount": amount,
            "currency_id": self.currency.id,
            "partner_id": self.client.id,
            "operation": "online_direct",
            "invoice_ids": [Command.set(invoice.ids)],
        })
        tx._set_done()
        tx._post_process()
        self.assertTrue(tx.payment_id)
        self.assertEqual(invoice.amount_residual, 0.0)
        return tx.payment_id

    def refund_from_client(self, amount, note="Client leaves the club", journal=None, **kwargs):
        payment_id = self.client.billing_refund(amount, (journal or self.bank_journal).id, note, **kwargs)
        return self.Payment.browse(payment_id)

    def refund_payment(self, payment, amount, note="Course cancelled"):
        return self.Payment.browse(payment.billing_refund(amount, note))

    def balance(self):
        self.client.invalidate_recordset()
        return self.client.billing_balance

    def snapshot(self):
        return (self.Payment.search_count([]), self.count_moves(), self.balance(),
                self.env["payment.transaction"].sudo().search_count([]))

    def assertNothingWritten(self, before):
        self.env.invalidate_all()
        self.assertEqual(self.snapshot(), before)

    def set_created(self, record, local_datetime):
        """Pretend ``record`` was created at ``local_datetime`` (company time zone)."""
        utc = pytz.timezone(TZ).localize(local_datetime).astimezone(pytz.utc).replace(tzinfo=None)
        self.env.flush_all()
        self.env.cr.execute(f"UPDATE {record._table} SET create_date = %s WHERE id = %s", [utc, record.id])
        record.invalidate_recordset()
        return utc

    def local(self, local_datetime):
        """A frozen clock value (naive UTC) for ``local_datetime`` in the company time zone."""
        return pytz.timezone(TZ).localize(local_datetime).astimezone(pytz.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestRefunds(RefundCase):

    # ---- R3: refund from the client --------------------------------------------

    def test_r3_refund_reconciles_oldest_credit_first(self):
        newer = self.credit(100.0, "2024-03-01")
        older = self.credit(40.0, "2024-02-01")
        self.assertAlmostEqual(self.balance(), -140.0)
        refund = self.refund_from_client(60.0)
        self.assertRecordValues(refund, [{
            "payment_type": "outbound", "partner_type": "customer", "partner_id": self.client.id,
            "amount": 60.0, "journal_id": self.bank_journal.id, "billing_refund_state": "pending",
            "billing_note": "Client leaves the club", "billing_source_payment_id": False,
        }])
        self.assertTrue(refund.payment_method_line_id.payment_method_id.code == "manual")
        self.assertEqual(refund.move_id.state, "posted")
        self.assertRecordValues(refund.move_id.line_ids.sorted("balance"), [
            {"account_id": refund.outstanding_account_id.id, "balance": -60.0, "reconciled": False},
            {"account_id": self.receivable.id, "balance": 60.0, "reconciled": True},
        ])
        # Oldest first: the older credit (40) is used up, then 20 of the newer one.
        self.assertAlmostEqual(older.amount_residual, 0.0)
        self.assertAlmostEqual(newer.amount_residual, 80.0)
        self.assertAlmostEqual(self.balance(), -80.0)
        self.assertAlmostEqual(self.client.billing_available_credit, 80.0)
        # Audit (§4) and timeline (§3) show it.
        self.env.flush_all()
        self.assertIn("Client leaves the club", refund.message_ids[:1].body)
        row = self.env["account.billing.timeline"].search([("payment_id", "=", refund.id)])
        self.assertRecordValues(row, [{"kind": "refund", "state": "pending", "amount": 60.0}])

    def test_r3_full_credit_and_idempotency(self):
        self.credit(100.0)
        first = self.refund_from_client(100.0, idempotency_key="rpc-1")
        again = self.refund_from_client(100.0, idempotency_key="rpc-1")
        self.assertEqual(first, again)
        self.assertEqual(self.Payment.search_count([("billing_refund_state", "!=", False)]), 1)
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_r3_cash_journal_and_contact(self):
        self.credit(30.0)
        contact = self.env["res.partner"].create({"name": "Mme Gagnon", "parent_id": self.client.id})
        refund = self.Payment.browse(contact.billing_refund(30.0, self.cash_journal.id, "Leaving"))
        self.assertEqual(refund.partner_id, self.client)
        self.assertEqual(refund.journal_id, self.cash_journal)
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_r3_refusals(self):
        other = self.setup_other_company()["default_journal_bank"]
        # Balance 0, then owing: create a credit first.
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "no credit to refund.*Create a credit first"):
            self.refund_from_client(10.0)
        self.assertNothingWritten(before)
        self.invoice(50.0, taxes=[])
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "no credit to refund.*Create a credit first"):
            self.refund_from_client(10.0)
        self.assertNothingWritten(before)
        # In credit by 50 (credit 100 - invoice 50).
        self.credit(100.0)
        before = self.snapshot()
        self.assertAlmostEqual(before[2], -50.0)
        cases = [
            ((50.01,), {}, "more than .* available credit"),
            ((0.0,), {}, "greater than 0"),
            ((-5.0,), {}, "greater than 0"),
            ((10.001,), {}, "more decimals"),
            (("ten",), {}, "must be a number"),
            ((10.0,), {"note": ""}, "A note is required"),
            ((10.0,), {"note": "   "}, "A note is required"),
            ((10.0,), {"note": "card 4111 1111 1111 1111"}, "full card number"),
            ((10.0,), {"payment_method_line_id": self.demo_method_line.id},
             "online payment provider.*refunded from the payment itself"),
            ((10.0,), {"journal": other}, "belongs to another company"),
            ((10.0,), {"journal": self.company_data["default_journal_sale"]}, "not a bank or cash journal"),
        ]
        for args, kwargs, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(UserError, message):
                    self.refund_from_client(*args, **kwargs)
                self.assertNothingWritten(before)

    # ---- R4: refund from a payment ---------------------------------------------

    def test_r4_partial_refunds_up_to_the_payment_then_one_cent_more(self):
        payment = self.cash_payment(100.0)
        self.assertAlmostEqual(self.balance(), 0.0)
        first = self.refund_payment(payment, 30.0)
        second = self.refund_payment(payment, 69.99)
        third = self.refund_payment(payment, 0.01)
        refunds = first + second + third
        self.assertRecordValues(refunds, [
            {"billing_source_payment_id": payment.id, "journal_id": self.cash_journal.id, "amount": amount,
             "payment_type": "outbound", "billing_refund_state": "pending"}
            for amount in (30.0, 69.99, 0.01)
        ])
        self.assertEqual(refunds.payment_method_line_id.payment_method_id.mapped("code"), ["manual"])
        self.assertEqual(payment.billing_refund_ids, refunds)
        self.assertAlmostEqual(payment.billing_refunded_amount, 100.0)
        self.assertAlmostEqual(payment.billing_refundable_amount, 0.0)
        # No open credit: the refunds stay open, the client now owes 100 (R4.3).
        for refund in refunds:
            receivable = self.receivable_lines(refund.move_id)
            self.assertRecordValues(receivable, [{"balance": refund.amount, "reconciled": False}])
        self.assertAlmostEqual(self.balance(), 100.0)
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "more than what is left to refund"):
            self.refund_payment(payment, 0.01)
        self.assertNothingWritten(before)

    def test_r4_refund_uses_the_open_credit(self):
        payment = self.cash_payment(150.0, invoice_amount=100.0)  # 50 overpaid: open credit
        self.assertAlmostEqual(self.balance(), -50.0)
        refund = self.refund_payment(payment, 80.0)
        pay_line = self.receivable_lines(payment.move_id)
        self.assertAlmostEqual(pay_line.amount_residual, 0.0)
        self.assertRecordValues(self.receivable_lines(refund.move_id), [
            {"balance": 80.0, "amount_residual": 30.0, "reconciled": False}])
        self.assertAlmostEqual(self.balance(), 30.0)

    def test_r4_wizard_shows_the_balance_after(self):
        payment = self.cash_payment(100.0)
        wizard = self.env["account.billing.refund.payment.wizard"].create({"payment_id": payment.id, "note": "Sick"})
        self.assertAlmostEqual(wizard.amount, 100.0)
        self.assertAlmostEqual(wizard.balance_after, 100.0)
        self.assertTrue(wizard.client_will_owe)
        wizard.amount = 40.0
        action = wizard.action_confirm()
        refund = self.Payment.browse(action["res_id"])
        self.assertEqual(refund.billing_source_payment_id, payment)
        self.assertAlmostEqual(payment.billing_refundable_amount, 60.0)
        # One Refund button on the payment form: the module's; Odoo's provider one is hidden.
        arch = etree.fromstring(self.env["account.payment"].get_views([(False, "form")])["views"]["form"]["arch"])
        self.assertEqual(len(arch.xpath("//button[@name='action_billing_refund_wizard']")), 1)
        for core_button in arch.xpath("//button[@name='action_refund_wizard']"):
            self.assertIn(core_button.get("invisible"), ("1", "True"))

    def test_r4_refusals(self):
        payment = self.cash_payment(100.0)
        refund = self.refund_payment(payment, 10.0)
        before = self.snapshot()
        cases = [
            (payment, 90.01, "Course cancelled", "more than what is left to refund"),
            (payment, 0.0, "Course cancelled", "greater than 0"),
            (payment, 5.0, "", "A note is required"),
            (refund, 5.0, "Again", "cannot be refunded"),
        ]
        for record, amount, note, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(UserError, message):
                    record.billing_refund(amount, note)
                self.assertNothingWritten(before)

    # ---- R5: cancel a refund ---------------------------------------------------

    def test_r5_cancelled_refund_frees_the_credit(self):
        credit = self.credit(100.0)
        refund = self.refund_from_client(60.0)
        self.assertAlmostEqual(credit.amount_residual, 40.0)
        self.assertTrue(refund.billing_refund_cancellable)
        self.assertTrue(refund.billing_cancel_refund(note="Client changed his mind"))
        self.assertRecordValues(refund, [{"billing_refund_state": "cancelled", "state": "canceled"}])
        self.assertEqual(refund.move_id.state, "cancel")
        self.assertFalse(refund.move_id.line_ids.matched_debit_ids | refund.move_id.line_ids.matched_credit_ids)
        self.assertAlmostEqual(credit.amount_residual, 100.0)
        self.assertAlmostEqual(self.balance(), -100.0)
        # The whole credit can be refunded again; cancelling twice is refused.
        self.refund_from_client(100.0)
        self.assertAlmostEqual(self.balance(), 0.0)
        with self.assertRaisesRegex(UserError, "already cancelled"):
            refund.billing_cancel_refund()

    def test_r5_cancelled_refund_frees_the_payment(self):
        payment = self.cash_payment(100.0)
        refund = self.refund_payment(payment, 100.0)
        self.assertAlmostEqual(payment.billing_refundable_amount, 0.0)
        refund.billing_cancel_refund()
        self.assertAlmostEqual(payment.billing_refunded_amount, 0.0)
        self.assertAlmostEqual(payment.billing_refundable_amount, 100.0)
        self.assertAlmostEqual(self.balance(), 0.0)
        self.refund_payment(payment, 100.0)
        self.assertAlmostEqual(self.balance(), 100.0)

    def test_r5_cancel_button_and_timeline(self):
        credit = self.credit(100.0)
        refund = self.refund_from_client(100.0)
        self.assertEqual(credit.payment_state, "paid")
        self.assertTrue(refund.action_billing_cancel_refund())
        self.assertEqual(refund.billing_refund_state, "cancelled")
        self.assertEqual(credit.payment_state, "not_paid")
        self.env.flush_all()
        row = self.env["account.billing.timeline"].search([("payment_id", "=", refund.id)])
        self.assertRecordValues(row, [{"kind": "refund", "state": "cancelled", "amount": 0.0}])
        self.assertIn("Refund cancellation", refund.message_ids[:1].body)

    def test_r5_cancel_after_settlement_refused(self):
        self.credit(100.0)
        refund = self.refund_from_client(25.0)
        self.assertGreaterEqual(self.Payment.billing_settle_refunds(), 1)
        self.assertEqual(refund.billing_refund_state, "settled")
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "can no longer be cancelled.*create an invoice"):
            refund.billing_cancel_refund()
        self.assertNothingWritten(before)
        self.assertEqual(refund.billing_refund_state, "settled")
        # The button offers the invoice (R2) prefilled with the amount.
        with self.assertRaises(RedirectWarning) as caught:
            refund.action_billing_cancel_refund()
        action = caught.exception.args[1]
        self.assertEqual(action["res_model"], "account.billing.credit.wizard")
        self.assertEqual(action["context"]["default_operation"], "charge")
        self.assertAlmostEqual(action["context"]["default_amount"], 25.0)
        wizard = self.env["account.billing.credit.wizard"].with_context(**action["context"]).create({})
        wizard.action_confirm()
        self.assertAlmostEqual(self.balance(), -50.0)  # -100 + 25 refunded + 25 charged

    def test_r5_cancel_the_day_after_refused_without_cron(self):
        self.credit(100.0)
        refund = self.refund_from_client(25.0)
        self.set_created(refund, datetime(2026, 3, 10, 14, 0))
        with freeze_time(self.local(datetime(2026, 3, 10, 23, 0))):
            self.assertTrue(refund.billing_refund_cancellable)
        # After the cut-off the same day, and the next morning: refused, though still pending.
        for moment in (datetime(2026, 3, 10, 23, 59, 30), datetime(2026, 3, 11, 8, 0)):
            with self.subTest(moment=moment), freeze_time(self.local(moment)):
                refund.invalidate_recordset(["billing_refund_cancellable"])
                self.assertFalse(refund.billing_refund_cancellable)
                before = self.snapshot()
                with self.assertRaisesRegex(UserError, "can no longer be cancelled"):
                    refund.billing_cancel_refund()
                self.assertNothingWritten(before)
                self.assertEqual(refund.billing_refund_state, "pending")
        # The same day before the cut-off, in the company time zone.
        with freeze_time(self.local(datetime(2026, 3, 10, 20, 30))):
            refund.billing_cancel_refund()
        self.assertEqual(refund.billing_refund_state, "cancelled")

    def test_r5_cutoff_setting(self):
        self.company.billing_settlement_cutoff = 18.0
        self.credit(5.0)
        refund = self.refund_from_client(5.0)
        self.set_created(refund, datetime(2026, 3, 10, 9, 0))
        with freeze_time(self.local(datetime(2026, 3, 10, 18, 1))):
            with self.assertRaisesRegex(UserError, "can no longer be cancelled"):
                refund.billing_cancel_refund()
        with freeze_time(self.local(datetime(2026, 3, 10, 17, 59))):
            refund.billing_cancel_refund()
        # The settlement follows the company's cut-off; no company moves the scheduled action.
        cron = self.env.ref("account_billing_operations.ir_cron_billing_settle_refunds")
        nextcall = cron.nextcall
        with freeze_time(self.local(datetime(2026, 3, 10, 12, 0))):
            self.company.billing_settlement_cutoff = 22.5
        self.assertEqual(cron.nextcall, nextcall)
        with self.assertRaises(ValidationError):
            self.company.billing_settlement_cutoff = 24.0

    # ---- Settlement and the card provider ----------------------------------------

    def test_settlement_sends_only_pending_card_refunds(self):
        card_1 = self.card_payment(100.0, "TEST-CARD-1")
        card_2 = self.card_payment(100.0, "TEST-CARD-2")
        card_3 = self.card_payment(50.0, "TEST-CARD-3")
        cash = self.cash_payment(20.0)
        refund_1 = self.refund_payment(card_1, 40.0)
        refund_2 = self.refund_payment(card_2, 100.0)
        refund_3 = self.refund_payment(card_3, 30.0)
        refund_cash = self.refund_payment(cash, 20.0)
        self.assertEqual(refund_1.journal_id, self.bank_journal)
        self.assertEqual(refund_1.payment_method_line_id, card_1.payment_method_line_id)
        self.assertEqual(refund_1.billing_source_payment_id, card_1)
        self.assertEqual(card_1.refunds_count, 1)
        Tx = self.env["payment.transaction"].sudo()
        sources = (card_1 | card_2 | card_3).payment_transaction_id
        # R5.1: nothing is sent before settlement.
        self.assertFalse(Tx.search([("source_transaction_id", "in", sources.ids)]))
        refund_3.billing_cancel_refund()
        self.assertAlmostEqual(card_3.amount_available_for_refund, 50.0)
        self.assertAlmostEqual(card_1.amount_available_for_refund, 60.0)

        self.assertEqual(self.Payment.billing_settle_refunds(), 3)

        sent = Tx.search([("source_transaction_id", "in", sources.ids)])
        self.assertRecordValues(sent.sorted("id"), [
            {"operation": "refund", "amount": -40.0, "state": "done", "payment_id": refund_1.id,
             "source_transaction_id": card_1.payment_transaction_id.id, "provider_id": self.demo_provider.id},
            {"operation": "refund", "amount": -100.0, "state": "done", "payment_id": refund_2.id,
             "source_transaction_id": card_2.payment_transaction_id.id, "provider_id": self.demo_provider.id},
        ])
        self.assertEqual((refund_1 | refund_2).payment_transaction_id, sent)
        # Odoo's own link, from the provider's refund transaction, says the same as the module's.
        self.assertEqual((refund_1 | refund_2).source_payment_id, card_1 | card_2)
        self.assertEqual((refund_1 | refund_2).billing_source_payment_id, card_1 | card_2)
        self.assertEqual((refund_1 | refund_2 | refund_cash).mapped("billing_refund_state"), ["settled"] * 3)
        self.assertEqual(refund_3.billing_refund_state, "cancelled")
        self.assertFalse(refund_3.payment_transaction_id)
        self.assertEqual(card_1.refunds_count, 1)
        # Odoo's post-processing of the refund transactions makes no second payment.
        count = self.Payment.search_count([])
        sent._post_process()
        self.assertEqual(self.Payment.search_count([]), count)
        # A second run has nothing left to settle or send.
        self.assertEqual(self.Payment.billing_settle_refunds(), 0)
        self.assertEqual(Tx.search_count([("source_transaction_id", "in", sources.ids)]), 2)

    def test_settlement_cron_settles_what_is_due(self):
        self.credit(20.0)
        refund = self.refund_from_client(10.0)
        yesterday = self.refund_from_client(10.0)
        self.set_created(refund, datetime(2026, 3, 11, 9, 0))
        self.set_created(yesterday, datetime(2026, 3, 10, 9, 0))
        cron = self.env.ref("account_billing_operations.ir_cron_billing_settle_refunds")
        self.assertEqual(cron.code.strip(), "model._billing_cron_settle_refunds()")
        with freeze_time(self.local(datetime(2026, 3, 11, 10, 0))):
            cron.sudo().method_direct_trigger()
        self.assertEqual((refund | yesterday).mapped("billing_refund_state"), ["pending", "settled"])
        self.assertIn("Refund settlement", self.client.message_ids[:1].body)

    # ---- Wizards --------------------------------------------------------------

    def test_record_a_refund_wizard(self):
        self.credit(75.0)
        action = self.client.action_billing_record_refund()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({"note": "Moving"})
        self.assertAlmostEqual(wizard.amount, 75.0)
        self.assertEqual(wizard.payment_method_line_id.code, "manual")
        self.assertFalse(wizard.available_method_line_ids.payment_provider_id)
        wizard.amount = 50.0
        wizard.action_confirm()
        self.assertAlmostEqual(self.balance(), -25.0)

    # ---- Access (§5) ----------------------------------------------------------

    def test_invoicing_user_cannot_refund_or_cancel(self):
        self.credit(100.0)
        payment = self.cash_payment(30.0)
        refund = self.refund_from_client(10.0)
        before = self.snapshot()
        client = self.client.with_user(self.invoicing_user)
        calls = [
            lambda: client.billing_refund(10.0, self.bank_journal.id, "No rights"),
            lambda: payment.with_user(self.invoicing_user).billing_refund(10.0, "No rights"),
            lambda: refund.with_user(self.invoicing_user).billing_cancel_refund(),
            lambda: self.Payment.with_user(self.invoicing_user).billing_settle_refunds(),
            lambda: self.env["account.billing.record.refund.wizard"].with_user(self.invoicing_user).create({
                "partner_id": self.client.id, "amount": 10.0, "journal_id": self.bank_journal.id,
                "note": "No rights"}),
        ]
        for call in calls:
            with self.assertRaises(AccessError):
                call()
            self.assertNothingWritten(before)
        self.assertEqual(refund.billing_refund_state, "pending")
        # Through the UI: the refund buttons are not in the views the invoicing user gets.
        for model, buttons in (("res.partner", ["action_billing_record_refund"]),
                               ("account.payment", ["action_billing_refund_wizard",
                                                    "action_billing_cancel_refund"])):
            views = self.env[model].with_user(self.invoicing_user).get_views([(False, "form")])
            for button in buttons:
                self.assertNotIn(button, views["views"]["form"]["arch"])
            views = self.env[model].get_views([(False, "form")])
            for button in buttons:
                self.assertIn(button, views["views"]["form"]["arch"])
