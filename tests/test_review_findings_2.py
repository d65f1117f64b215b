"""Findings of the second review (session 8, left open then): each test failed on the code as it was.

- an invoicing user without "Billing: refunds" could give money back on a billing credit with a native
  outbound payment assigned to the credit note (the payment widget, js_assign_outstanding_line);
- scheduled (postdated) payments were dated and applied by the caller's "today", not the company's;
- the Accounting settings wrote purchase taxes or another company's taxes on the credit product.
"""
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ReviewCommon


@tagged("post_install", "-at_install")
class TestReviewFindings2(ReviewCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.billing_settlement_tz = "America/Montreal"

    def balance(self):
        self.client.invalidate_recordset()
        return self.client.billing_balance

    def credit(self, amount):
        return self.env["account.move"].browse(self.client.billing_create_credit(amount, "Goodwill", tax_ids=[]))

    def outbound_payment(self, user, amount):
        """A native outbound customer payment, as the Payments menu makes it, posted, not reconciled."""
        payment = self.env["account.payment"].with_user(user).create({
            "payment_type": "outbound", "partner_type": "customer", "partner_id": self.client.id,
            "amount": amount, "journal_id": self.bank_journal.id,
        })
        payment.action_post()
        return payment

    def receivable_line(self, move):
        return move.line_ids.filtered(lambda line: line.account_id == self.receivable)

    def assert_paid_out_refused(self, credit, calls):
        """Each call gives money back on ``credit`` as an invoicing user: refused, nothing matched."""
        partials = self.env["account.partial.reconcile"].search_count([])
        for name, call in calls:
            with self.subTest(path=name):
                try:
                    with self.env.cr.savepoint():
                        call()
                    self.fail("an invoicing user paid out a billing credit")
                except AccessError as error:
                    self.assertIn("Record a refund", str(error))
                    self.assertIn(credit.name, str(error))
                self.assertEqual(self.env["account.partial.reconcile"].search_count([]), partials)
                credit.invalidate_recordset()
                self.assertEqual(self.currency.compare_amounts(credit.amount_residual, 50.0), 0)

    # ---- money given back on a billing credit belongs to the refunds group ----------------------

    def test_invoicing_user_cannot_assign_an_outbound_payment_to_a_billing_credit(self):
        credit = self.credit(50.0)
        payment = self.outbound_payment(self.invoicing_user, 50.0)
        payment_line = self.receivable_line(payment.move_id)
        self.assert_paid_out_refused(credit, (
            ("payment widget", lambda: credit.with_user(self.invoicing_user).js_assign_outstanding_line(
                payment_line.id)),
            ("reconcile", lambda: (self.receivable_line(credit) + payment_line).with_user(
                self.invoicing_user).reconcile())))
        self.assertFalse(payment_line.reconciled)

    def test_invoicing_user_cannot_pay_out_a_billing_credit_another_way(self):
        """Review of 12:00: a partial made directly (RPC), or a journal entry debiting the client matched
        with the credit, is the same money given back."""
        credit = self.credit(50.0)
        credit_line = self.receivable_line(credit)
        payment_line = self.receivable_line(self.outbound_payment(self.invoicing_user, 50.0).move_id)
        entry = self.env["account.move"].with_user(self.invoicing_user).create({
            "move_type": "entry", "journal_id": self.company_data["default_journal_misc"].id,
            "line_ids": [
                Command.create({"account_id": self.receivable.id, "partner_id": self.client.id, "debit": 50.0}),
                Command.create({"account_id": self.bank_journal.default_account_id.id, "credit": 50.0}),
            ]})
        entry.action_post()
        entry_line = self.receivable_line(entry)
        self.assert_paid_out_refused(credit, (
            ("partial created directly", lambda: self.env["account.partial.reconcile"].with_user(
                self.invoicing_user).create({
                    "debit_move_id": payment_line.id, "credit_move_id": credit_line.id, "amount": 50.0,
                    "debit_amount_currency": 50.0, "credit_amount_currency": 50.0})),
            ("journal entry", lambda: (credit_line + entry_line).with_user(self.invoicing_user).reconcile())))

    def test_note_must_be_text(self):
        moves = self.count_moves()
        for note in (["x"], {"a": 1}, 5, 1.5):
            with self.subTest(note=note), self.assertRaisesRegex(UserError, "must be text"):
                self.client.billing_create_credit(5.0, note)
        self.assertEqual(self.count_moves(), moves)

    def test_running_balance_is_not_summed_in_groups(self):
        self.credit(10.0)
        self.credit(20.0)
        groups = self.env["account.billing.timeline"].read_group(
            [("partner_id", "=", self.client.id)], ["amount:sum", "running_balance"], ["kind"])
        self.assertEqual(len(groups), 1)
        self.assertNotIn("running_balance", groups[0])
        self.assertEqual(self.currency.compare_amounts(groups[0]["amount"], -30.0), 0)

    def test_refund_user_may_assign_an_outbound_payment_to_a_billing_credit(self):
        credit = self.credit(50.0)
        payment = self.outbound_payment(self.refund_user, 30.0)
        payment_line = self.receivable_line(payment.move_id)
        credit.with_user(self.refund_user).js_assign_outstanding_line(payment_line.id)
        credit.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(credit.amount_residual, 20.0), 0)
        self.assertTrue(payment_line.reconciled)
        self.assertEqual(self.currency.compare_amounts(self.balance(), -20.0), 0)

    def test_invoicing_user_still_applies_a_billing_credit_to_an_invoice(self):
        """Using credit on file on an invoice gives no money back: the invoicing user may do it."""
        credit = self.credit(50.0)
        invoice = self.invoice(100.0, taxes=self.env["account.tax"])
        invoice.with_user(self.invoicing_user).js_assign_outstanding_line(self.receivable_line(credit).id)
        credit.invalidate_recordset()
        invoice.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(credit.amount_residual, 0.0), 0)
        self.assertEqual(self.currency.compare_amounts(invoice.amount_residual, 50.0), 0)

    def test_ordinary_credit_note_is_not_the_modules_business(self):
        """A native credit note (not a billing credit) keeps Odoo's behaviour for every user."""
        note = self.init_invoice("out_refund", partner=self.client, amounts=[40.0], taxes=self.env["account.tax"],
                                 post=True)
        payment = self.outbound_payment(self.invoicing_user, 40.0)
        note.with_user(self.invoicing_user).js_assign_outstanding_line(self.receivable_line(payment.move_id).id)
        note.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(note.amount_residual, 0.0), 0)

    # ---- scheduled payments follow the company's day -------------------------------------------

    def test_postdated_payments_are_applied_on_the_companys_day_not_the_callers(self):
        with freeze_time("2024-02-01 15:00:00"):
            invoice = self.invoice(100.0)
            result = invoice.billing_make_payment(115.0, self.bank_journal.id, postdated_date="2024-02-15")
            payment = self.env["account.payment"].browse(result["payment_id"])
        Payment = self.env["account.payment"]
        # 01:00 UTC on the 15th: still the 14th in Montreal (the company), already the 15th in Tokyo.
        with freeze_time("2024-02-15 01:00:00"):
            for tz in ("Asia/Tokyo", "UTC"):
                with self.subTest(caller_tz=tz):
                    self.assertEqual(Payment.with_context(tz=tz).billing_apply_postdated(), 0)
                    self.assertEqual(payment.state, "draft")
            with self.assertRaisesRegex(UserError, "is applied automatically on that date"):
                payment.with_context(tz="Asia/Tokyo").action_post()
        # 05:00 UTC on the 15th: the 15th in Montreal, still the 14th in Pago Pago.
        with freeze_time("2024-02-15 05:00:00"):
            self.assertEqual(Payment.with_context(tz="Pacific/Pago_Pago").billing_apply_postdated(), 1)
            self.assertNotEqual(payment.state, "draft")
            invoice.invalidate_recordset()
            self.assertEqual(self.currency.compare_amounts(invoice.amount_residual, 0.0), 0)

    def test_postdated_date_is_checked_against_the_companys_day(self):
        invoice = self.invoice(100.0)
        with freeze_time("2024-02-15 01:00:00"):  # the 14th in Montreal, the 15th in Tokyo
            tokyo = invoice.with_context(tz="Asia/Tokyo")
            result = tokyo.billing_make_payment(10.0, self.bank_journal.id, postdated_date="2024-02-15")
            payment = self.env["account.payment"].browse(result["payment_id"])
            self.assertRecordValues(payment, [{"state": "draft", "billing_postdated": True}])
            with self.assertRaisesRegex(UserError, "dated after today"):
                invoice.with_context(tz="Pacific/Pago_Pago").billing_make_payment(
                    10.0, self.bank_journal.id, postdated_date="2024-02-14")

    # ---- settings: credit and fee taxes are this company's sales taxes --------------------------

    def test_settings_refuse_purchase_and_other_company_taxes(self):
        purchase = self.env["account.tax"].create({"name": "Purchase 15%", "amount": 15.0,
                                                   "type_tax_use": "purchase", "company_id": self.company.id})
        other = self.setup_other_company()["company"]
        foreign = self.env["account.tax"].create({"name": "Foreign sale 7%", "amount": 7.0,
                                                  "type_tax_use": "sale", "company_id": other.id})
        before = self.credit_product.taxes_id
        for field in ("billing_credit_tax_ids", "billing_penalty_tax_ids"):
            for tax, words in ((purchase, "sales taxes"), (foreign, "another company")):
                with self.subTest(field=field, tax=tax.name):
                    settings = self.env["res.config.settings"].with_company(self.company).create(
                        {field: [Command.set(tax.ids)]})
                    try:
                        with self.env.cr.savepoint():
                            settings.execute()
                        self.fail(f"{tax.name} was accepted as {field}")
                    except (UserError, ValidationError) as error:
                        self.assertIn(words, str(error))
                        self.assertIn(tax.name, str(error))
                    self.credit_product.invalidate_recordset()
                    self.assertEqual(self.credit_product.taxes_id, before)
        # This company's sales tax is still accepted.
        self.env["res.config.settings"].with_company(self.company).create(
            {"billing_credit_tax_ids": [Command.set(self.tax_gst.ids)]}).execute()
        self.credit_product.invalidate_recordset()
        self.assertIn(self.tax_gst, self.credit_product.taxes_id)
