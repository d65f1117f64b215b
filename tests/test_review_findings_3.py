"""Findings of the third review (an auditor's, on main): each test failed on the code as it was.

- a billing document of one client matched with a receivable item of another client broke "balance =
  timeline = ledger" (docs/rules.md §1, §7);
- credits, charges, payments and cancellations were dated by the caller's time zone, not the company's day;
- an amount like 1e20 was refused as having "more decimals than the currency allows";
- deleting a scheduled (postdated) payment left no audit note on the client.
"""
import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import format_date

from .common import ReviewCommon


@tagged("post_install", "-at_install")
class TestReviewFindings3(ReviewCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.billing_settlement_tz = "America/Montreal"

    # ---- helpers -------------------------------------------------------------

    def balance(self, client=None):
        client = client or self.client
        client.invalidate_recordset()
        return client.billing_balance

    def timeline_total(self, client=None):
        rows = self.env["account.billing.timeline"].search([("partner_id", "=", (client or self.client).id)])
        return sum(rows.mapped("amount"))

    def assert_books_agree(self, *clients):
        for client in clients:
            with self.subTest(client=client.name):
                balance = self.balance(client)
                self.assertEqual(self.currency.compare_amounts(balance, self.ledger(client)), 0)
                self.assertEqual(self.currency.compare_amounts(balance, self.timeline_total(client)), 0)

    def receivable_line(self, move):
        return move.line_ids.filtered(lambda line: line.account_id == self.receivable)

    def credit(self, amount, client=None):
        return self.env["account.move"].browse(
            (client or self.client).billing_create_credit(amount, "Goodwill", tax_ids=[]))

    def charge(self, amount, client=None):
        return self.env["account.move"].browse(
            (client or self.client).billing_create_charge(amount, "Late fee", tax_ids=[]))

    def native(self, move_type, partner, amount):
        return self.init_invoice(move_type, partner=partner, amounts=[amount], taxes=self.env["account.tax"],
                                 post=True, invoice_date="2024-01-10")

    # ---- 1. a client's billing documents are matched with that client's items only --------------

    def assert_matching_refused(self, lines, calls):
        """Each call matches ``lines`` across two clients: refused, nothing matched, residuals unchanged."""
        partials = self.env["account.partial.reconcile"].search_count([])
        residuals = [line.amount_residual for line in lines]
        for name, call in calls:
            with self.subTest(path=name):
                with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
                    call()
                message = str(caught.exception)
                self.assertIn("another client", message)
                self.assertIn("Create a credit", message)
                self.assertIn("Create an invoice", message)
                self.assertEqual(self.env["account.partial.reconcile"].search_count([]), partials)
                lines.invalidate_recordset()
                self.assertEqual([line.amount_residual for line in lines], residuals)
                self.assertFalse(any(lines.mapped("reconciled")))
        self.assert_books_agree(self.client, self.other)

    def test_billing_credit_cannot_pay_another_clients_invoice(self):
        credit_line = self.receivable_line(self.credit(50.0))
        invoice = self.native("out_invoice", self.other, 80.0)
        invoice_line = self.receivable_line(invoice)
        user = self.invoicing_user
        self.assert_matching_refused(credit_line + invoice_line, (
            ("reconcile()", lambda: (credit_line + invoice_line).with_user(user).reconcile()),
            ("outstanding-credit widget", lambda: invoice.with_user(user).js_assign_outstanding_line(credit_line.id)),
            ("partial created over the ORM", lambda: self.env["account.partial.reconcile"].with_user(user).create({
                "debit_move_id": invoice_line.id, "credit_move_id": credit_line.id, "amount": 50.0,
                "debit_amount_currency": 50.0, "credit_amount_currency": 50.0})),
        ))

    def test_billing_charge_cannot_take_another_clients_credit_note(self):
        charge_line = self.receivable_line(self.charge(30.0))
        note_line = self.receivable_line(self.native("out_refund", self.other, 30.0))
        self.assert_matching_refused(charge_line + note_line, (
            ("reconcile()", lambda: (charge_line + note_line).with_user(self.invoicing_user).reconcile()),
            ("partial created over the ORM", lambda: self.env["account.partial.reconcile"].create({
                "debit_move_id": charge_line.id, "credit_move_id": note_line.id, "amount": 30.0,
                "debit_amount_currency": 30.0, "credit_amount_currency": 30.0})),
        ))

    def test_make_a_payment_cannot_pay_another_clients_invoice(self):
        """A payment made with Make a payment, reset and left open, is still the module's document."""
        own = self.native("out_invoice", self.client, 100.0)
        payment = self.env["account.payment"].browse(own.billing_make_payment(40.0, self.bank_journal.id)["payment_id"])
        payment_line = self.receivable_line(payment.move_id)
        payment_line.remove_move_reconcile()
        foreign_line = self.receivable_line(self.native("out_invoice", self.other, 40.0))
        self.assert_matching_refused(payment_line + foreign_line, (
            ("reconcile()", lambda: (payment_line + foreign_line).with_user(self.invoicing_user).reconcile()),
        ))

    def test_billing_credit_may_pay_an_invoice_of_a_contact_of_the_same_company(self):
        contact = self.env["res.partner"].create({"name": "Marie Gagnon", "parent_id": self.client.id})
        credit = self.credit(50.0)
        invoice = self.native("out_invoice", contact, 80.0)
        invoice.with_user(self.invoicing_user).js_assign_outstanding_line(self.receivable_line(credit).id)
        credit.invalidate_recordset()
        invoice.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(credit.amount_residual, 0.0), 0)
        self.assertEqual(self.currency.compare_amounts(invoice.amount_residual, 30.0), 0)
        self.assertEqual(self.currency.compare_amounts(self.balance(), 30.0), 0)
        self.assert_books_agree(self.client)

    def test_native_documents_of_two_clients_still_reconcile(self):
        """Not the module's documents: Odoo's behaviour, whoever the partners are."""
        invoice = self.native("out_invoice", self.client, 60.0)
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.other.id,
            "amount": 60.0, "journal_id": self.bank_journal.id})
        payment.action_post()
        note = self.native("out_refund", self.other, 20.0)
        invoice.js_assign_outstanding_line(self.receivable_line(note).id)
        (self.receivable_line(invoice) + self.receivable_line(payment.move_id)).reconcile()
        invoice.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(invoice.amount_residual, 0.0), 0)
        self.assertRecordValues(self.receivable_line(payment.move_id), [{"balance": -60.0, "amount_residual": -20.0}])

    # ---- 2. every billing document is dated by the company's day ---------------------------------

    # 03:00 UTC on 5 March 2024: the 4th in Montreal (the company), the 5th in Tokyo and Kiritimati.
    AHEAD = "2024-03-05 03:00:00"
    # 08:00 UTC on 5 March 2024: the 5th in Montreal, still the 4th in Pago Pago.
    BEHIND = "2024-03-05 08:00:00"
    CALLERS = ((AHEAD, "Asia/Tokyo", datetime.date(2024, 3, 4)),
               (AHEAD, "Pacific/Kiritimati", datetime.date(2024, 3, 4)),
               (BEHIND, "Pacific/Pago_Pago", datetime.date(2024, 3, 5)))

    def test_credit_and_charge_are_dated_by_the_companys_day(self):
        for moment, tz, day in self.CALLERS:
            with self.subTest(caller_tz=tz), freeze_time(moment):
                client = self.client.with_context(tz=tz)
                credit = self.credit(10.0, client)
                charge = self.charge(10.0, client)
                self.assertRecordValues(credit + charge, [{"date": day, "invoice_date": day}] * 2)
                self.assertEqual(set((credit + charge).line_ids.mapped("date")), {day})

    def test_payment_and_refund_are_dated_by_the_companys_day(self):
        self.env.user.groups_id += self.env.ref("account_billing_operations.group_billing_refund")
        invoice = self.native("out_invoice", self.client, 500.0)
        for moment, tz, day in self.CALLERS:
            with self.subTest(caller_tz=tz), freeze_time(moment):
                result = invoice.with_context(tz=tz).billing_make_payment(20.0, self.bank_journal.id)
                payment = self.env["account.payment"].browse(result["payment_id"])
                self.assertRecordValues(payment, [{"date": day}])
                self.assertRecordValues(payment.move_id, [{"date": day}])
                self.credit(5.0, self.other)
                refund = self.env["account.payment"].browse(
                    self.other.with_context(tz=tz).billing_refund(5.0, self.bank_journal.id, "Back"))
                self.assertRecordValues(refund.move_id, [{"date": day}])

    def test_cancellation_is_dated_by_the_companys_day(self):
        for moment, tz, day in self.CALLERS:
            with self.subTest(caller_tz=tz), freeze_time(moment):
                invoice = self.native("out_invoice", self.client, 50.0)
                result = invoice.with_context(tz=tz).billing_cancel_items(invoice.invoice_line_ids.ids, note="Sick")
                note = self.env["account.move"].browse(result["credit_note_id"])
                self.assertRecordValues(note, [{"date": day, "invoice_date": day, "state": "posted"}])

    def test_statement_is_printed_on_the_companys_day(self):
        for moment, tz, day in self.CALLERS:
            with self.subTest(caller_tz=tz), freeze_time(moment):
                client = self.client.with_context(tz=tz)
                [statement] = client._billing_statement_data()
                self.assertEqual(statement["printed_label"], format_date(client.env, day))
        # 03:00 UTC on 1 March: still 29 February in Montreal, so the period starts on 1 January.
        with freeze_time("2024-03-01 03:00:00"):
            period = self.env["res.partner"].with_context(tz="Asia/Tokyo")._billing_statement_default_period()
            self.assertEqual(period["date_from"], datetime.date(2024, 1, 1))

    # ---- 3. an amount too large to be one is refused as such --------------------------------------

    def test_huge_amounts_are_refused_as_too_large(self):
        self.env.user.groups_id += self.env.ref("account_billing_operations.group_billing_refund")
        invoice = self.native("out_invoice", self.client, 100.0)
        self.credit(30.0, self.other)
        paid = self.native("out_invoice", self.client, 10.0)
        payment = self.env["account.payment"].browse(
            paid.billing_make_payment(10.0, self.bank_journal.id)["payment_id"])
        line = invoice.invoice_line_ids.id
        bank = self.bank_journal.id
        calls = {
            "billing_create_credit": lambda amount: self.client.billing_create_credit(amount, "x"),
            "billing_create_charge": lambda amount: self.client.billing_create_charge(amount, "x"),
            "res.partner.billing_refund": lambda amount: self.other.billing_refund(amount, bank, "x"),
            "billing_make_payment": lambda amount: invoice.billing_make_payment(amount, bank),
            "billing_cancel_items penalty": lambda amount: invoice.billing_cancel_items(
                [line], penalty_type="amount", penalty_value=amount),
            "billing_cancel_items refund": lambda amount: invoice.billing_cancel_items([line], refund_amount=amount),
            "billing_cancel_items quantity": lambda amount: invoice.billing_cancel_items([[line, amount]]),
            "account.payment.billing_refund": lambda amount: payment.billing_refund(amount, "x"),
        }
        counts = lambda: (self.count_moves(), self.env["account.payment"].search_count([]),  # noqa: E731
                          self.env["account.partial.reconcile"].search_count([]))
        before, balance = counts(), self.balance()
        for name, call in calls.items():
            huge = (1e20, 1e300, 1e16, -1e20) if "quantity" in name else (1e20, 1e300, 1e16, 12345678901234.0)
            for amount in huge:
                with self.subTest(method=name, amount=amount):
                    with self.assertRaises(UserError) as caught:
                        call(amount)
                    message = str(caught.exception)
                    self.assertNotIn("decimals", message)
                    self.assertIn("too large", message)
                    self.assertIn("extra zeros", message)
            for amount in (float("nan"), float("inf")):
                with self.subTest(method=name, amount=amount), self.assertRaises(UserError) as caught:
                    call(amount)
                self.assertIn("must be a finite number", str(caught.exception))
                self.assertIn("for example 25.00", str(caught.exception))
        self.assertEqual(counts(), before)
        self.assertEqual(self.currency.compare_amounts(self.balance(), balance), 0)

    def test_large_but_plausible_amounts_still_work(self):
        move = self.credit(1234567890.12)
        self.assertRecordValues(move, [{"amount_total": 1234567890.12}])

    # ---- 4. deleting a scheduled payment leaves an audit note --------------------------------------

    def test_deleting_a_scheduled_payment_leaves_a_note_on_the_client(self):
        invoice = self.native("out_invoice", self.client, 100.0)
        with freeze_time("2024-03-05 15:00:00"):
            result = invoice.billing_make_payment(60.0, self.bank_journal.id, postdated_date="2024-03-20")
        payment = self.env["account.payment"].browse(result["payment_id"])
        self.assertRecordValues(payment, [{"state": "draft", "billing_postdated": True}])
        notes = self.client.message_ids
        payment.with_user(self.invoicing_user).unlink()
        self.assertFalse(payment.exists())
        new = self.client.message_ids - notes
        self.assertEqual(len(new), 1, "one internal note on the client")
        self.assertRecordValues(new, [{"message_type": "notification",
                                       "author_id": self.invoicing_user.partner_id.id}])
        self.assertTrue(new.subtype_id.internal or not new.subtype_id)
        self.assertIn("Scheduled payment deletion", new.body)
        self.assertIn("deleted", new.body)
        self.assertIn("03/20/2024", new.body)
        self.assertIn(invoice.name, new.body)
        self.assertIn(self.invoicing_user.name, new.body)
        invoice.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(invoice.billing_scheduled_amount, 0.0), 0)
        self.assertIn("Scheduled payment deletion", invoice.message_ids[:1].body)

    def test_deleting_an_ordinary_draft_payment_leaves_no_note(self):
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.client.id,
            "amount": 10.0, "journal_id": self.bank_journal.id})
        notes = self.client.message_ids
        payment.unlink()
        self.assertEqual(self.client.message_ids, notes)
