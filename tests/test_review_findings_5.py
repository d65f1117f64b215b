"""Findings of the fifth review (an accountant's, on main at dae0fac), and what held.

Failing on the code as it was:
- Register Payment on a billing credit note with a write-off (Mark as fully paid) paid out any amount: the
  client's balance stopped at zero, the rest went to the write-off account (R3.2, docs/rules.md §7);
- an amount off a currency rounding that is not a power of ten (0.05) was silently rounded instead of refused;
- the note of a scheduled payment cancelled in a foreign currency showed its amount in company currency;
- a cancelled scheduled payment reset to draft with Odoo's button was scheduled again, beyond the amount due.
"""
import datetime

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import format_amount

from ..models import billing_tools
from .common import ReviewCommon


@tagged("post_install", "-at_install")
class TestReviewFindings5(ReviewCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expense = cls.company_data["default_account_expense"]

    # ---- helpers -------------------------------------------------------------

    def balance(self, client=None):
        client = client or self.client
        self.env.flush_all()
        client.invalidate_recordset()
        return client.billing_balance

    def assert_balance(self, expected, client=None):
        client = client or self.client
        balance = self.balance(client)
        self.assertEqual(self.currency.compare_amounts(balance, expected), 0, f"balance {balance} != {expected}")
        self.assertEqual(self.currency.compare_amounts(balance, self.ledger(client)), 0, "balance != ledger")

    def credit(self, amount, client=None):
        return self.env["account.move"].browse((client or self.client).billing_create_credit(amount, "Goodwill"))

    def register(self, moves, user=None, **vals):
        return self.env["account.payment.register"].with_user(user or self.refund_user).with_context(
            active_model="account.move", active_ids=moves.ids).create({"journal_id": self.bank_journal.id, **vals})

    def outbound_count(self):
        return self.env["account.payment"].search_count([("payment_type", "=", "outbound")])

    # ---- 1. Register Payment on a billing credit note -----------------------------------------------

    def test_register_payment_write_off_does_not_pay_out_more_than_the_credit(self):
        """R3.2, §7: 150.00 paid out on a 100.00 credit note with the difference written off (Mark as fully
        paid): the client's balance stops at 0.00, but 150.00 left the bank, 50.00 more than its credit."""
        self.credit(100.0)  # 115.00 with the credit product's 15 % tax
        self.assert_balance(-115.0)
        outbound = self.outbound_count()
        wizard = self.register(self.env["account.move"].search([("partner_id", "=", self.client.id)]),
                               amount=165.0, payment_difference_handling="reconcile",
                               writeoff_account_id=self.expense.id, writeoff_label="Extra")
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            wizard._create_payments()
        self.assertIn("50.00 more than the credit notes it settles", str(caught.exception))
        self.assertEqual(self.outbound_count(), outbound)
        self.assert_balance(-115.0)

    def test_register_payment_legit_refunds_still_work(self):
        """What held: a partial refund, a refund with a smaller payout written off, several credit notes of two
        clients (grouped or not), and a native credit note (not the module's) under Odoo's own rules."""
        with self.subTest("partial amount, kept open"):
            credit = self.credit(100.0)
            self.register(credit, amount=40.0, payment_difference_handling="open")._create_payments()
            self.assert_balance(-75.0)
            self.register(credit, amount=75.0)._create_payments()
            self.assert_balance(0.0)
        with self.subTest("less paid out, the rest written off as income"):
            credit = self.credit(100.0)
            payments = self.register(credit, amount=100.0, payment_difference_handling="reconcile",
                                     writeoff_account_id=self.revenue.id, writeoff_label="Kept")._create_payments()
            self.assertEqual(credit.payment_state in ("paid", "in_payment"), True)
            self.assertEqual(self.currency.compare_amounts(-payments.amount_company_currency_signed, 100.0), 0)
            self.assert_balance(0.0)
        for group in (True, False):
            with self.subTest("two clients in one wizard", group=group):
                credits = self.credit(10.0) + self.credit(20.0, self.other) + self.credit(30.0)
                self.register(credits, group_payment=group)._create_payments()
                self.assert_balance(0.0)
                self.assert_balance(0.0, self.other)
        with self.subTest("a native credit note: Odoo's rules, even if the client then owes"):
            self.init_invoice("out_invoice", partner=self.client, amounts=[150.0], post=True)
            refund = self.init_invoice("out_refund", partner=self.client, amounts=[100.0], post=True)
            self.register(refund, user=self.invoicing_user)._create_payments()
            self.assertIn(refund.payment_state, ("paid", "in_payment"))

    def test_register_payment_foreign_credit_note_with_exchange_difference(self):
        """What held: a credit note in EUR (Cancel/refund items on an EUR invoice paid in full), paid out in EUR
        at another rate: Odoo's exchange difference entry is matched with it, the balance ends at 0.00."""
        eur = self.setup_other_currency("EUR")  # 2.0 EUR per USD from 2017, 3.0 in 2016
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[200.0], post=True,
                                    invoice_date="2024-01-10", currency=eur)
        self.pay_invoice(invoice)
        result = invoice.billing_cancel_items(invoice.invoice_line_ids.ids, note="Sick")
        credit = self.env["account.move"].browse(result["credit_note_id"])
        self.assertRecordValues(credit, [{"currency_id": eur.id, "amount_residual": 200.0}])
        self.assert_balance(-100.0)
        self.register(credit, payment_date="2016-06-01")._create_payments()  # 200 EUR = 66.67 USD then
        self.assertEqual(credit.amount_residual, 0.0)
        exchange = credit.line_ids.matched_debit_ids.exchange_move_id
        self.assertTrue(exchange, "an exchange difference entry")
        self.assert_balance(0.0)

    # ---- 2. the note of a cancelled scheduled payment --------------------------------------------------

    def test_scheduled_payment_note_in_foreign_currency_shows_the_right_amount(self):
        """§4: the note says the amount; 60.00 EUR (30.00 USD) was logged as 60.00 USD on the client."""
        eur = self.setup_other_currency("EUR")
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[200.0], post=True,
                                    invoice_date="2024-01-10", currency=eur)
        later = self.company._billing_today() + datetime.timedelta(days=10)
        payment = self.env["account.payment"].browse(
            invoice.billing_make_payment(60.0, self.bank_journal.id, postdated_date=later)["payment_id"])
        notes = self.client.message_ids
        payment.billing_cancel_scheduled(note="Changed his mind")
        new = self.client.message_ids - notes
        self.assertEqual(len(new), 1, "one note on the client, not two")
        self.assertIn("Changed his mind", new.body)
        body = str(new.body).replace("&nbsp;", "\N{NO-BREAK SPACE}")
        self.assertNotIn(format_amount(self.env, 60.0, self.currency), body)
        self.assertIn(format_amount(self.env, 30.0, self.currency), body)

    def test_scheduled_payment_note_flag_cannot_be_forged(self):
        """What held: a note passed in the context over RPC is not written (the flag is the module's own)."""
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[200.0], post=True)
        later = self.company._billing_today() + datetime.timedelta(days=10)
        payment = self.env["account.payment"].browse(
            invoice.billing_make_payment(60.0, self.bank_journal.id, postdated_date=later)["payment_id"])
        notes = self.client.message_ids
        payment.with_user(self.invoicing_user).with_context(
            billing_cancel_scheduled=True, billing_cancel_scheduled_note="Forged 4111 1111 1111 1111").action_cancel()
        new = self.client.message_ids - notes
        self.assertEqual(len(new), 1)
        self.assertNotIn("Forged", new.body)
        self.assertNotIn("4111", new.body)

    # ---- 3. amounts ---------------------------------------------------------------------------------------

    def test_amount_off_a_rounding_that_is_not_a_power_of_ten_is_refused(self):
        """§6: a currency rounded to 0.05 (decimal places 2): 10.03 has no more decimals than 2, but is no
        amount of that currency; it was silently booked as 10.05."""
        currency = self.env["res.currency"].create({"name": "XRZ", "symbol": "R", "rounding": 0.05})
        self.assertEqual(billing_tools.to_amount(self.env, 10.05, currency), 10.05)
        with self.assertRaises(UserError) as caught:
            billing_tools.to_amount(self.env, 10.03, currency)
        self.assertIn("decimals", str(caught.exception))

    def test_amount_edge_values(self):
        """What held: 0-, 2- and 3-decimal currencies, float noise, tiny, negative zero, the limit."""
        usd, jpy, kwd = self.currency, self.env.ref("base.JPY"), self.env.ref("base.KWD")
        to_amount = billing_tools.to_amount
        self.assertEqual(to_amount(self.env, 0.1 + 0.2, usd), 0.3)
        self.assertEqual(to_amount(self.env, 100.0, jpy), 100.0)
        self.assertEqual(to_amount(self.env, 1.234, kwd), 1.234)
        self.assertEqual(to_amount(self.env, 9999999999.999, kwd), 9999999999.999)
        self.assertEqual(to_amount(self.env, 9999999999999, jpy), 9999999999999)
        for value, currency, words in (
                (1234.5650000000001, usd, "decimals"), (100.5, jpy, "decimals"), (1.2345, kwd, "decimals"),
                (1e-10, usd, "greater than 0"), (-0.0, usd, "greater than 0"), (10.0 ** 10, kwd, "too large"),
                (10 ** 13, jpy, "too large"), (10.0 ** 11, usd, "too large")):
            with self.subTest(value=value, currency=currency.name), self.assertRaises(UserError) as caught:
                to_amount(self.env, value, currency)
            self.assertIn(words, str(caught.exception))
        self.assertEqual(to_amount(self.env, 1e-10, usd, allow_zero=True), 0.0)

    # ---- 4. Odoo's own flows on the module's documents -------------------------------------------------

    def test_odoo_flows_on_billing_documents(self):
        """What held (§7 matching within a client): a charge reversed with cancel, paid with a write-off,
        unmatched and matched again, paid by a contact of the client, an item given to a contact of the same
        client."""
        def charge(amount):
            return self.env["account.move"].browse(self.client.billing_create_charge(amount, "Late fee"))

        def receivable(move):
            return move.line_ids.filtered(lambda line: line.account_id == self.receivable)

        with self.subTest("reversed with cancel=True"):
            move = charge(100.0)
            reversal = move._reverse_moves(cancel=True)
            self.assertTrue(receivable(move).reconciled and receivable(reversal).reconciled)
            self.assert_balance(0.0)
        with self.subTest("Register Payment with a write-off"):
            move = charge(100.0)  # 115.00
            self.register(move, user=self.invoicing_user, amount=110.0, payment_difference_handling="reconcile",
                          writeoff_account_id=self.expense.id, writeoff_label="Discount")._create_payments()
            self.assertIn(move.payment_state, ("paid", "in_payment"))
            self.assert_balance(0.0)
        with self.subTest("unmatched, then matched again with the payment widget"):
            partial = receivable(move).matched_credit_ids
            payment_line = partial.credit_move_id
            partial.unlink()
            self.assert_balance(0.0)  # the payment is open credit, the charge open again
            move.with_user(self.invoicing_user).js_assign_outstanding_line(payment_line.id)
            self.assertTrue(receivable(move).reconciled)
            self.assert_balance(0.0)
        with self.subTest("paid by a contact of the client"):
            contact = self.env["res.partner"].create({"name": "Marie Gagnon", "parent_id": self.client.id})
            move = charge(20.0)  # 23.00
            payment = self.env["account.payment"].create({
                "payment_type": "inbound", "partner_type": "customer", "partner_id": contact.id,
                "amount": 23.0, "journal_id": self.bank_journal.id})
            payment.action_post()
            move.with_user(self.invoicing_user).js_assign_outstanding_line(receivable(payment.move_id).id)
            self.assertTrue(receivable(move).reconciled)
            receivable(payment.move_id).partner_id = self.client  # the same client: allowed
            self.assert_balance(0.0)

    # ---- 5. a cancelled scheduled payment stays cancelled --------------------------------------------

    def test_cancelled_scheduled_payment_cannot_be_reset_to_draft(self):
        """R7.1, R7.4: a scheduled payment cancelled, the invoice then paid in full, and the cancelled payment
        reset to draft with Odoo's Reset to Draft button: it was scheduled again with no note, beyond the
        amount due (nothing was left to pay), and applied on its date as money the client did not owe."""
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[100.0], post=True)
        later = self.company._billing_today() + datetime.timedelta(days=10)
        scheduled = self.env["account.payment"].browse(
            invoice.billing_make_payment(60.0, self.bank_journal.id, postdated_date=later)["payment_id"])
        scheduled.billing_cancel_scheduled(note="Cheque returned")
        invoice.billing_make_payment(100.0, self.cash_journal.id)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        with self.assertRaises(UserError), self.env.cr.savepoint():
            scheduled.with_user(self.invoicing_user).action_draft()
        self.assertRecordValues(scheduled, [{"state": "canceled"}])
        self.client.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(self.client.billing_scheduled_amount, 0.0), 0)
