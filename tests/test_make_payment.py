from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import BillingCommon

CARD = "4111 1111 1111 1111"


@tagged("post_install", "-at_install")
class TestMakePayment(BillingCommon):
    """R7: Make a payment from a posted customer invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outstanding = cls.env["account.payment"]._get_outstanding_account("inbound")

    # ---- helpers -------------------------------------------------------------

    def pay(self, invoice, amount, journal=None, **kwargs):
        result = invoice.billing_make_payment(amount, (journal or self.bank_journal).id, **kwargs)
        return result, self.env["account.payment"].browse(result["payment_id"])

    def credit(self, amount, note="Credit on file"):
        return self.env["account.move"].browse(self.client.billing_create_credit(amount, note, tax_ids=[]))

    def count_payments(self):
        return self.env["account.payment"].search_count([])

    def assert_refused(self, message, invoice, amount, journal=None, **kwargs):
        """Every refusal: the message, and nothing written (documents, payments, balances)."""
        moves, payments = self.count_moves(), self.count_payments()
        residual, balance = invoice.amount_residual, self.balance()
        messages = self.env["mail.message"].search_count([])
        with self.assertRaises(UserError) as caught:
            invoice.billing_make_payment(amount, (journal or self.bank_journal).id, **kwargs)
        self.assertRegex(str(caught.exception), message)
        self.assertEqual(self.count_moves(), moves)
        self.assertEqual(self.count_payments(), payments)
        self.assertEqual(self.env["mail.message"].search_count([]), messages)
        invoice.invalidate_recordset()
        self.client.invalidate_recordset()
        self.assertEqual(invoice.currency_id.compare_amounts(invoice.amount_residual, residual), 0)
        self.assertEqual(self.currency.compare_amounts(self.balance(), balance), 0)

    def balance(self):
        self.client.invalidate_recordset()
        return self.client.billing_balance

    def payment_lines(self, payment):
        return payment.move_id.line_ids.sorted("balance")

    # ---- R7.1 / R7.2 -----------------------------------------------------------

    def test_full_payment(self):
        invoice = self.invoice(100.0)
        result, payment = self.pay(invoice, 115.0, payer_name="Marie Gagnon",
                                   payer_reference="Cheque 0042, Desjardins")
        self.assertEqual(result["credit_applied"], 0.0)
        self.assertIn(payment.state, ("in_process", "paid"))
        self.assertRecordValues(payment, [{
            "amount": 115.0, "payment_type": "inbound", "partner_type": "customer",
            "partner_id": self.client.id, "journal_id": self.bank_journal.id,
            "billing_payer_name": "Marie Gagnon", "billing_payer_reference": "Cheque 0042, Desjardins",
            "billing_postdated": False, "billing_invoice_id": invoice.id,
        }])
        self.assertTrue(payment.move_id, "the payment has a journal entry")
        self.assertRecordValues(self.payment_lines(payment), [
            {"account_id": self.receivable.id, "balance": -115.0, "reconciled": True},
            {"account_id": payment.outstanding_account_id.id, "balance": 115.0, "reconciled": False},
        ])
        self.assertRecordValues(self.receivable_lines(invoice), [{"balance": 115.0, "reconciled": True}])
        self.assertRecordValues(invoice, [{"amount_residual": 0.0}])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertIn(payment, invoice.matched_payment_ids)
        self.assertAlmostEqual(self.balance(), 0.0)
        bodies = " ".join((invoice.message_ids + self.client.message_ids).mapped("body"))
        self.assertIn("Payment of", bodies)
        self.assertIn(self.env.user.name, bodies)

    def test_default_payment_method_and_outstanding_account(self):
        """A method line without an account still gives the payment a journal entry."""
        invoice = self.invoice(100.0)
        method = self.bank_journal.inbound_payment_method_line_ids[:1]
        method.payment_account_id = False
        _result, payment = self.pay(invoice, 15.0, payment_method_line_id=method.id)
        self.assertEqual(payment.payment_method_line_id, method)
        self.assertEqual(payment.outstanding_account_id, self.outstanding)
        self.assertTrue(payment.move_id)
        self.assertAlmostEqual(invoice.amount_residual, 100.0)
        self.assertEqual(invoice.payment_state, "partial")

    def test_two_modes_on_one_invoice(self):
        invoice = self.invoice(100.0)
        _r1, cash = self.pay(invoice, 40.0, journal=self.cash_journal, payer_name="Marie")
        self.assertAlmostEqual(invoice.amount_residual, 75.0)
        self.assertEqual(invoice.payment_state, "partial")
        _r2, bank = self.pay(invoice, 75.0, journal=self.bank_journal, payer_reference="Visa 1111 auth 123456")
        self.assertNotEqual(cash, bank)
        self.assertRecordValues(cash + bank, [
            {"journal_id": self.cash_journal.id, "amount": 40.0},
            {"journal_id": self.bank_journal.id, "amount": 75.0},
        ])
        self.assertRecordValues(self.payment_lines(cash), [
            {"account_id": self.receivable.id, "balance": -40.0, "reconciled": True},
            {"account_id": cash.outstanding_account_id.id, "balance": 40.0, "reconciled": False},
        ])
        self.assertRecordValues(self.payment_lines(bank), [
            {"account_id": self.receivable.id, "balance": -75.0, "reconciled": True},
            {"account_id": bank.outstanding_account_id.id, "balance": 75.0, "reconciled": False},
        ])
        self.assertEqual(invoice.matched_payment_ids, cash + bank)
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_payment_larger_than_amount_due_refused(self):
        invoice = self.invoice(100.0)
        self.assert_refused("more than the amount due", invoice, 115.01)
        self.assert_refused("must be greater than 0", invoice, 0.0)
        self.assert_refused("must be greater than 0", invoice, -5.0)
        self.assert_refused("more decimals than the currency", invoice, 10.005)
        self.pay(invoice, 100.0)
        self.assert_refused("more than the amount due", invoice, 15.01)

    def test_bad_journal_refused(self):
        invoice = self.invoice(100.0)
        self.assert_refused("bank or cash journal", invoice, 10.0, journal=self.company_data["default_journal_sale"])
        other_method = self.cash_journal.inbound_payment_method_line_ids[:1]
        self.assert_refused("must be one of the journal", invoice, 10.0, payment_method_line_id=other_method.id)
        other_company = self.setup_other_company(name="Other company")
        self.assert_refused("belongs to another company", invoice, 10.0,
                            journal=other_company["default_journal_bank"])

    def test_not_a_posted_customer_invoice_refused(self):
        draft = self.invoice(100.0, post=False)
        bill = self.init_invoice("in_invoice", partner=self.client, amounts=[100.0], post=True,
                                 invoice_date="2024-01-10")
        refund = self.init_invoice("out_refund", partner=self.client, amounts=[100.0], post=True,
                                   invoice_date="2024-01-10")
        for move in (draft, bill, refund):
            with self.subTest(move=move.move_type, state=move.state):
                self.assert_refused("not a posted customer invoice", move, 10.0)

    def test_invoice_of_another_company_refused(self):
        other = self.setup_other_company(name="Other company")
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[100.0], post=True,
                                    invoice_date="2024-01-10", company=other["company"]).with_company(self.company)
        self.assertEqual(invoice.company_id, other["company"])
        self.assert_refused("belongs to another company", invoice, 10.0,
                            journal=other["default_journal_bank"])

    # ---- R7.3 card numbers -----------------------------------------------------

    def test_card_number_refused_and_stored_nowhere(self):
        invoice = self.invoice(100.0)
        for kwargs in ({"payer_reference": f"Visa {CARD}"}, {"payer_name": "4111-1111-1111-1111"},
                       {"payer_reference": "4111111111111111 exp 12/29"}):
            with self.subTest(**kwargs):
                self.assert_refused("full card number", invoice, 50.0, **kwargs)
        # Wizard: the record keeping the typed values is never saved with the number.
        wizards = self.env["account.billing.make.payment.wizard"].search_count([])
        with self.assertRaises(UserError) as caught:
            self.env["account.billing.make.payment.wizard"].with_context(
                active_model="account.move", active_ids=invoice.ids).create({"payer_reference": CARD})
        self.assertIn("full card number", str(caught.exception))
        self.assertNotIn("4111", str(caught.exception))
        self.assertEqual(self.env["account.billing.make.payment.wizard"].search_count([]), wizards)
        wizard = self.env["account.billing.make.payment.wizard"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({"payer_reference": "Visa 1111"})
        with self.assertRaises(UserError):
            wizard.write({"payer_name": CARD})
        # On the payment itself (a user editing the payment form).
        _result, payment = self.pay(invoice, 10.0, payer_reference="Visa 1111 auth 654321")
        with self.assertRaises(ValidationError):
            payment.write({"billing_payer_reference": f"Visa {CARD}"})
        payment.invalidate_recordset()
        wizard.invalidate_recordset()
        self.assertEqual(wizard.payer_name, False)
        # Nowhere afterwards: payments, chatter.
        self.env.flush_all()
        for digits in ("4111 1111 1111 1111", "4111111111111111", "4111-1111-1111-1111"):
            self.assertFalse(self.env["account.payment"].search_count([
                "|", ("billing_payer_reference", "ilike", digits), ("billing_payer_name", "ilike", digits)]))
            self.assertFalse(self.env["mail.message"].search_count([("body", "ilike", digits)]))
        self.assertEqual(payment.billing_payer_reference, "Visa 1111 auth 654321")

    def test_last_four_digits_and_short_numbers_allowed(self):
        invoice = self.invoice(100.0)
        _result, payment = self.pay(invoice, 115.0, payer_reference="Visa 1111, auth 123456, cheque 000123")
        self.assertEqual(payment.billing_payer_reference, "Visa 1111, auth 123456, cheque 000123")

    # ---- R7.4 postdated --------------------------------------------------------

    def test_postdated_before_and_after_its_date(self):
        with freeze_time("2024-02-01"):
            invoice = self.invoice(100.0)
            result, payment = self.pay(invoice, 115.0, journal=self.bank_journal, postdated_date="2024-02-15",
                                       payer_reference="Cheque 0101")
            self.assertEqual(result["credit_applied"], 0.0)
            self.assertRecordValues(payment, [{
                "state": "draft", "billing_postdated": True, "billing_invoice_id": invoice.id,
                "amount": 115.0, "move_id": False,
            }])
            self.assertEqual(str(payment.date), "2024-02-15")
            # Until its date: no accounting entry, the amount due is unchanged, shown as scheduled.
            self.assertRecordValues(invoice, [{"amount_residual": 115.0, "payment_state": "not_paid",
                                               "billing_scheduled_amount": 115.0}])
            self.assertAlmostEqual(self.balance(), 115.0)
            self.assertAlmostEqual(self.client.billing_scheduled_amount, 115.0)
            rows = self.env["account.billing.timeline"].search([("payment_id", "=", payment.id)])
            self.assertRecordValues(rows, [{"kind": "scheduled", "amount": 0.0}])
            # Not applied before its date, even by hand.
            with self.assertRaisesRegex(UserError, "is applied automatically on that date"):
                payment.action_post()
            self.assertEqual(payment.state, "draft")
        with freeze_time("2024-02-14"):
            self.assertEqual(self.env["account.payment"].billing_apply_postdated(), 0)
            self.assertEqual(payment.state, "draft")
            self.assertAlmostEqual(invoice.amount_residual, 115.0)
        with freeze_time("2024-02-15"):
            self.assertEqual(self.env["account.payment"].billing_apply_postdated(), 1)
            self.assertNotEqual(payment.state, "draft")
            self.assertRecordValues(self.payment_lines(payment), [
                {"account_id": self.receivable.id, "balance": -115.0, "reconciled": True, "date": payment.date},
                {"account_id": payment.outstanding_account_id.id, "balance": 115.0, "reconciled": False,
                 "date": payment.date},
            ])
            invoice.invalidate_recordset()
            self.assertRecordValues(invoice, [{"amount_residual": 0.0, "billing_scheduled_amount": 0.0}])
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
            self.client.invalidate_recordset()
            self.assertAlmostEqual(self.balance(), 0.0)
            self.assertAlmostEqual(self.client.billing_scheduled_amount, 0.0)
            self.assertEqual(self.env["account.payment"].billing_apply_postdated(), 0, "applied once only")

    def test_postdated_late_cron_applies_past_dates(self):
        with freeze_time("2024-02-01"):
            invoice = self.invoice(100.0)
            _result, payment = self.pay(invoice, 50.0, postdated_date="2024-02-10")
        with freeze_time("2024-02-20"):
            self.assertEqual(self.env["account.payment"].billing_apply_postdated(), 1)
            self.assertAlmostEqual(invoice.amount_residual, 65.0)
            self.assertEqual(str(payment.date), "2024-02-10")

    def test_cancel_scheduled_payment(self):
        with freeze_time("2024-02-01"):
            invoice = self.invoice(100.0)
            moves = self.count_moves()
            _result, payment = self.pay(invoice, 115.0, postdated_date="2024-02-15")
            self.assertTrue(payment.billing_cancel_scheduled(note="Cheque returned by the client"))
            self.assertEqual(payment.state, "canceled")
            self.assertEqual(self.count_moves(), moves)
            self.assertAlmostEqual(invoice.billing_scheduled_amount, 0.0)
            self.client.invalidate_recordset()
            self.assertAlmostEqual(self.client.billing_scheduled_amount, 0.0)
            self.assertIn("Cheque returned", " ".join(self.client.message_ids.mapped("body")))
            with self.assertRaisesRegex(UserError, "not a scheduled payment"):
                payment.billing_cancel_scheduled()
        with freeze_time("2024-02-15"):
            self.assertEqual(self.env["account.payment"].billing_apply_postdated(), 0)
            self.assertAlmostEqual(invoice.amount_residual, 115.0)
        # An applied payment is not a scheduled one any more.
        with freeze_time("2024-02-16"):
            _result, applied = self.pay(invoice, 15.0, postdated_date="2024-02-17")
        with freeze_time("2024-02-17"):
            self.env["account.payment"].billing_apply_postdated()
            with self.assertRaisesRegex(UserError, "not a scheduled payment"):
                applied.billing_cancel_scheduled()
            self.assertAlmostEqual(invoice.amount_residual, 100.0)

    @freeze_time("2024-02-01")
    def test_postdated_date_must_be_after_today(self):
        invoice = self.invoice(100.0)
        self.assert_refused("dated after today", invoice, 10.0, postdated_date="2024-02-01")
        self.assert_refused("dated after today", invoice, 10.0, postdated_date="2024-01-15")
        self.assert_refused("more than the amount due", invoice, 200.0, postdated_date="2024-03-01")
        self.assert_refused("must be a date", invoice, 10.0, postdated_date="next friday")
        self.assert_refused("must be a number", invoice, "ten", postdated_date="2024-03-01")

    def test_postdated_and_credit_refused(self):
        self.credit(50.0)
        invoice = self.invoice(100.0)
        self.assert_refused("cannot be combined", invoice, 10.0, postdated_date="2099-01-01", use_credit=True)

    # ---- R7.5 credit on file ---------------------------------------------------

    def test_credit_larger_than_amount_due(self):
        credit = self.credit(200.0)
        invoice = self.invoice(100.0)
        result, payment = self.pay(invoice, 0.0, use_credit=True)
        self.assertEqual(result, {"payment_id": False, "credit_applied": 115.0})
        self.assertFalse(payment)
        self.assertRecordValues(invoice + credit, [{"amount_residual": 0.0}, {"amount_residual": 85.0}])
        self.assertIn(invoice.payment_state, ("paid", "in_payment", "reversed"))
        self.assertEqual(credit.payment_state, "partial")
        self.assertRecordValues(self.receivable_lines(invoice), [{"balance": 115.0, "reconciled": True}])
        self.assertRecordValues(self.receivable_lines(credit), [{"balance": -200.0, "reconciled": False,
                                                                 "amount_residual": -85.0}])
        self.assertAlmostEqual(self.balance(), -85.0)
        # Credit already covers the invoice: nothing else may be paid.
        other = self.invoice(10.0)
        self.assert_refused("more than what is left to pay once the credit", other, 1.0, use_credit=True)

    def test_credit_equal_to_amount_due(self):
        credit = self.credit(115.0)
        invoice = self.invoice(100.0)
        result, _payment = self.pay(invoice, 0.0, use_credit=True)
        self.assertEqual(result, {"payment_id": False, "credit_applied": 115.0})
        self.assertRecordValues(invoice + credit, [{"amount_residual": 0.0}, {"amount_residual": 0.0}])
        self.assertTrue(self.receivable_lines(credit).reconciled)
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_credit_smaller_than_amount_due(self):
        older = self.credit(30.0)
        newer = self.credit(10.0)
        older.line_ids.flush_recordset()
        invoice = self.invoice(100.0)
        self.assert_refused("more than what is left to pay once the credit", invoice, 115.0, use_credit=True)
        result, payment = self.pay(invoice, 75.0, journal=self.cash_journal, use_credit=True)
        self.assertEqual(result["credit_applied"], 40.0)
        self.assertEqual(result["payment_id"], payment.id)
        self.assertRecordValues(payment, [{"amount": 75.0, "journal_id": self.cash_journal.id}])
        self.assertRecordValues(self.payment_lines(payment), [
            {"account_id": self.receivable.id, "balance": -75.0, "reconciled": True},
            {"account_id": payment.outstanding_account_id.id, "balance": 75.0, "reconciled": False},
        ])
        self.assertRecordValues(invoice + older + newer, [
            {"amount_residual": 0.0}, {"amount_residual": 0.0}, {"amount_residual": 0.0}])
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_credit_oldest_first_and_rest_unpaid(self):
        older = self.credit(30.0)
        newer = self.credit(50.0)
        invoice = self.invoice(40.0, taxes=self.env["account.tax"])
        result, _payment = self.pay(invoice, 0.0, use_credit=True)
        self.assertEqual(result["credit_applied"], 40.0)
        self.assertRecordValues(older + newer, [{"amount_residual": 0.0}, {"amount_residual": 40.0}])
        # Paying less than the rest leaves the invoice partly paid.
        invoice2 = self.invoice(100.0, taxes=self.env["account.tax"])
        result, payment = self.pay(invoice2, 10.0, use_credit=True)
        self.assertEqual(result["credit_applied"], 40.0)
        self.assertAlmostEqual(invoice2.amount_residual, 50.0)
        self.assertAlmostEqual(payment.amount, 10.0)
        self.assertAlmostEqual(self.balance(), 50.0)

    def test_use_credit_without_credit(self):
        invoice = self.invoice(100.0)
        self.assert_refused("no open credit", invoice, 0.0, use_credit=True)
        result, payment = self.pay(invoice, 115.0, use_credit=True)
        self.assertEqual(result["credit_applied"], 0.0)
        self.assertAlmostEqual(payment.amount, 115.0)

    def test_credit_of_another_client_not_used(self):
        other = self.env["res.partner"].create({"name": "Other client"})
        other.billing_create_credit(100.0, "Other's credit", tax_ids=[])
        invoice = self.invoice(100.0)
        self.assert_refused("no open credit", invoice, 0.0, use_credit=True)

    # ---- foreign currency ------------------------------------------------------

    def test_foreign_currency_invoice_paid_in_its_currency(self):
        eur = self.setup_other_currency("EUR")
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[200.0], taxes=self.tax_15,
                                    post=True, invoice_date="2024-01-10", currency=eur)
        self.assertEqual(invoice.currency_id, eur)
        self.assertAlmostEqual(invoice.amount_residual, 230.0)
        self.assertAlmostEqual(self.receivable_lines(invoice).balance, 115.0)
        self.assert_refused("more than the amount due", invoice, 230.01)
        _result, payment = self.pay(invoice, 230.0)
        self.assertRecordValues(payment, [{"currency_id": eur.id, "amount": 230.0}])
        self.assertRecordValues(self.payment_lines(payment), [
            {"account_id": self.receivable.id, "amount_currency": -230.0, "currency_id": eur.id,
             "reconciled": True},
            {"account_id": payment.outstanding_account_id.id, "amount_currency": 230.0, "currency_id": eur.id,
             "reconciled": False},
        ])
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_foreign_currency_journal_refused(self):
        eur = self.setup_other_currency("EUR")
        journal = self.bank_journal.copy({"name": "EUR bank", "code": "BEUR", "currency_id": eur.id})
        invoice = self.invoice(100.0)
        self.assert_refused("choose a journal in", invoice, 10.0, journal=journal)

    # ---- idempotency and wizard ------------------------------------------------

    def test_invoicing_user_can_pay(self):
        """docs/rules.md §5: R7 is open to invoicing users, without the refunds group."""
        clerk = new_test_user(self.env, login="front_desk", groups="base.group_user,account.group_account_invoice",
                              company_id=self.company.id, company_ids=[Command.set(self.company.ids)])
        self.credit(15.0)
        invoice = self.invoice(100.0)
        result = invoice.with_user(clerk).billing_make_payment(
            50.0, self.cash_journal.id, payer_name="Marie", use_credit=True)
        self.assertEqual(result["credit_applied"], 15.0)
        self.assertAlmostEqual(invoice.amount_residual, 50.0)
        with freeze_time("2024-02-01"):
            result = invoice.with_user(clerk).billing_make_payment(50.0, self.bank_journal.id,
                                                                   postdated_date="2024-03-01")
            payment = self.env["account.payment"].browse(result["payment_id"])
            payment.with_user(clerk).billing_cancel_scheduled()
            self.assertEqual(payment.state, "canceled")

    def test_cron_is_installed(self):
        cron = self.env.ref("account_billing_operations.ir_cron_billing_apply_postdated")
        self.assertTrue(cron.active)
        self.assertEqual(cron.model_id.model, "account.payment")
        self.assertIn("billing_apply_postdated", cron.code)

    def test_idempotency_key(self):
        invoice = self.invoice(100.0)
        first = invoice.billing_make_payment(20.0, self.bank_journal.id, idempotency_key="pay-1")
        payments = self.count_payments()
        again = invoice.billing_make_payment(20.0, self.bank_journal.id, idempotency_key="pay-1")
        self.assertEqual(first, again)
        self.assertEqual(self.count_payments(), payments)
        self.assertAlmostEqual(invoice.amount_residual, 95.0)

    def test_wizard_offers_credit_pre_ticked(self):
        self.credit(40.0)
        invoice = self.invoice(100.0)
        action = invoice.action_billing_make_payment()
        self.assertEqual(action["res_model"], "account.billing.make.payment.wizard")
        form = Form(self.env["account.billing.make.payment.wizard"].with_context(**action["context"]))
        self.assertAlmostEqual(form.credit_available, 40.0)
        self.assertTrue(form.use_credit)
        self.assertAlmostEqual(form.amount, 75.0)
        self.assertEqual(form.journal_id.type, "bank")
        self.assertTrue(form.payment_method_line_id)
        form.use_credit = False
        self.assertAlmostEqual(form.amount, 115.0)
        form.use_credit = True
        form.amount = 70.0
        form.payer_name = "Marie Gagnon"
        form.save().action_confirm()
        self.assertAlmostEqual(invoice.amount_residual, 5.0)
        payment = invoice.billing_payment_ids
        self.assertRecordValues(payment, [{"amount": 70.0, "billing_payer_name": "Marie Gagnon"}])

    def test_wizard_without_credit_and_postdated(self):
        invoice = self.invoice(100.0)
        with freeze_time("2024-02-01"):
            form = Form(self.env["account.billing.make.payment.wizard"].with_context(
                active_model="account.move", active_ids=invoice.ids))
            self.assertFalse(form.credit_available)
            self.assertFalse(form.use_credit)
            self.assertAlmostEqual(form.amount, 115.0)
            form.postdated = True
            form.postdated_date = "2024-03-01"
            form.save().action_confirm()
        payment = invoice.billing_payment_ids
        self.assertRecordValues(payment, [{"state": "draft", "billing_postdated": True}])
        self.assertAlmostEqual(invoice.amount_residual, 115.0)

    def test_wizard_leaves_scheduled_amount_out(self):
        invoice = self.invoice(100.0)
        with freeze_time("2024-02-01"):
            self.pay(invoice, 100.0, postdated_date="2024-03-01")
            action = invoice.action_billing_make_payment()
            form = Form(self.env["account.billing.make.payment.wizard"].with_context(**action["context"]))
            self.assertAlmostEqual(form.amount_due, 115.0)
            self.assertAlmostEqual(form.scheduled_amount, 100.0)
            self.assertAlmostEqual(form.amount, 15.0)

    def test_wizard_refuses_non_invoice(self):
        draft = self.invoice(100.0, post=False)
        with self.assertRaisesRegex(UserError, "not a posted customer invoice"):
            Form(self.env["account.billing.make.payment.wizard"].with_context(
                active_model="account.move", active_ids=draft.ids))


@tagged("post_install", "-at_install")
class TestMakePaymentCaps(BillingCommon):
    """R7.1: scheduled payments count against the amount due; R7.2: the proposed method is offline and
    a payment provider's method is refused at the front desk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The demo card provider of payment_demo on the bank journal; its method line comes first.
        base_provider = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.demo_provider = base_provider.copy({"company_id": cls.company.id, "name": "Demo card"})
        cls.demo_provider.write({"state": "test", "journal_id": cls.bank_journal.id})
        cls.demo_method_line = cls.bank_journal.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.demo_provider)
        cls.demo_method_line.sequence = -1
        cls.manual_line = cls.bank_journal.inbound_payment_method_line_ids.filtered(
            lambda line: line.code == "manual" and not line.payment_provider_id)

    def pay(self, invoice, amount, **kwargs):
        result = invoice.billing_make_payment(amount, self.bank_journal.id, **kwargs)
        return self.env["account.payment"].browse(result["payment_id"])

    def assert_refused(self, message, invoice, amount, journal=None, **kwargs):
        moves, payments = self.count_moves(), self.env["account.payment"].search_count([])
        residual, scheduled = invoice.amount_residual, invoice.billing_scheduled_amount
        with self.assertRaises(UserError) as caught:
            invoice.billing_make_payment(amount, (journal or self.bank_journal).id, **kwargs)
        self.assertRegex(str(caught.exception), message)
        self.assertEqual(self.count_moves(), moves)
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        invoice.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(invoice.amount_residual, residual), 0)
        self.assertEqual(self.currency.compare_amounts(invoice.billing_scheduled_amount, scheduled), 0)

    @freeze_time("2024-02-01")
    def test_two_schedules_of_the_whole_amount(self):
        """Two postdated payments, each for the whole amount due: the second is refused."""
        invoice = self.invoice(100.0)
        first = self.pay(invoice, 115.0, postdated_date="2024-02-15")
        self.assertRecordValues(invoice, [{"amount_residual": 115.0, "billing_scheduled_amount": 115.0}])
        self.assert_refused("already scheduled", invoice, 115.0, postdated_date="2024-02-20")
        self.assert_refused("already scheduled", invoice, 0.01, postdated_date="2024-02-20")
        # Immediate payments too: nothing is left to pay once the schedules are applied.
        self.assert_refused("already scheduled", invoice, 0.01)
        # Cancelling the schedule frees the amount again.
        first.billing_cancel_scheduled(note="Cheque returned")
        self.pay(invoice, 100.0, postdated_date="2024-02-20")
        self.assert_refused("already scheduled", invoice, 15.01)
        payment = self.pay(invoice, 15.0)
        self.assertRecordValues(payment, [{"amount": 15.0, "billing_postdated": False}])
        self.assertRecordValues(invoice, [{"amount_residual": 100.0, "billing_scheduled_amount": 100.0}])
        with freeze_time("2024-02-20"):
            self.assertEqual(self.env["account.payment"].billing_apply_postdated(), 1)
        invoice.invalidate_recordset()
        self.assertRecordValues(invoice, [{"amount_residual": 0.0, "billing_scheduled_amount": 0.0}])
        self.client.invalidate_recordset()
        self.assertAlmostEqual(self.client.billing_balance, 0.0, msg="not overpaid")

    @freeze_time("2024-02-01")
    def test_credit_on_file_with_schedules(self):
        """Credit on file is applied up to what the schedules leave to pay."""
        invoice = self.invoice(100.0)
        self.pay(invoice, 100.0, postdated_date="2024-02-15")
        self.env["account.move"].browse(self.client.billing_create_credit(15.0, "Credit on file", tax_ids=[]))
        preview = invoice._billing_payment_preview(use_credit=True)
        self.assertEqual((preview["credit_to_apply"], preview["amount"], preview["scheduled"]), (15.0, 0.0, 100.0))
        result = invoice.billing_make_payment(0.0, self.bank_journal.id, use_credit=True)
        self.assertEqual(result, {"payment_id": False, "credit_applied": 15.0})
        self.assertAlmostEqual(invoice.amount_residual, 100.0)

    def test_default_method_is_offline(self):
        """The provider's method is the journal's first inbound line; Manual is proposed."""
        self.assertEqual(self.bank_journal._get_available_payment_method_lines("inbound")[:1], self.demo_method_line)
        invoice = self.invoice(100.0)
        self.assertEqual(invoice._billing_payment_method_line(self.bank_journal), self.manual_line)
        payment = self.pay(invoice, 15.0)
        self.assertEqual(payment.payment_method_line_id, self.manual_line)
        self.assertFalse(payment.payment_method_line_id.payment_provider_id)
        form = Form(self.env["account.billing.make.payment.wizard"].with_context(
            **invoice.action_billing_make_payment()["context"]))
        self.assertEqual(form.journal_id, self.bank_journal)
        self.assertEqual(form.payment_method_line_id, self.manual_line)
        self.assertNotIn(self.demo_method_line, form.available_payment_method_line_ids)

    def test_provider_method_refused(self):
        invoice = self.invoice(100.0)
        self.assert_refused("online payment provider", invoice, 15.0,
                            payment_method_line_id=self.demo_method_line.id)
        wizard = self.env["account.billing.make.payment.wizard"].with_context(
            **invoice.action_billing_make_payment()["context"]).create({"amount": 15.0})
        wizard.payment_method_line_id = self.demo_method_line
        payments = self.env["account.payment"].search_count([])
        with self.assertRaisesRegex(UserError, "online payment provider"):
            wizard.action_confirm()
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        self.assertAlmostEqual(invoice.amount_residual, 115.0)

    def test_journal_with_only_a_provider_method(self):
        (self.bank_journal.inbound_payment_method_line_ids - self.demo_method_line).unlink()
        self.assertEqual(self.bank_journal._get_available_payment_method_lines("inbound"), self.demo_method_line)
        invoice = self.invoice(100.0)
        self.assert_refused("no offline method", invoice, 15.0)

    def test_wizard_values_come_from_the_model(self):
        self.env["account.move"].browse(self.client.billing_create_credit(40.0, "Credit on file", tax_ids=[]))
        invoice = self.invoice(100.0)
        with freeze_time("2024-02-01"):
            self.pay(invoice, 50.0, postdated_date="2024-03-01")
            preview = invoice._billing_payment_preview(use_credit=True)
            self.assertEqual(preview, {"amount_due": 115.0, "scheduled": 50.0, "credit_available": 40.0,
                                       "credit_to_apply": 40.0, "amount": 25.0})
            form = Form(self.env["account.billing.make.payment.wizard"].with_context(
                **invoice.action_billing_make_payment()["context"]))
            self.assertTrue(form.use_credit)
            self.assertAlmostEqual(form.credit_to_apply, 40.0)
            self.assertAlmostEqual(form.amount, 25.0)
            self.assertAlmostEqual(form.amount_left, 0.0)
            form.use_credit = False
            self.assertAlmostEqual(form.amount, 65.0)
