"""Findings of the fourth review (an attacker's, on main at 51f0583): each test failed on the code as it was.

- a credit note with a cash-basis tax could no longer be used by an invoicing user (credit on file, Reverse an
  erroneous credit, Cancel/refund items): the cash-basis entry's partial on the transition account was taken for
  "money given back";
- a billing document matched with a receivable item without a partner (a journal entry, a bank statement line)
  broke "balance = timeline = ledger" (docs/rules.md §7);
- the client of an item matched with a billing document could be changed afterwards (partner of the journal item,
  or the contact's company, which Odoo writes on the contact's items), moving one side of the matching to
  another client; so could a partial, re-pointed over RPC at another client's item;
- an amount just below the too-large limit was refused as having too many decimals, the too-large message gave
  the limit as 10,000,000,000,000.01, and Odoo could not balance such an entry: the limit is now 10^13 of the
  smallest unit;
- Register Payment on a billing credit note paid out more than the client's credit (R3.2);
- a scheduled payment cancelled with Odoo's own Cancel button left no note (§4).
"""
import datetime

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ReviewCommon


@tagged("post_install", "-at_install")
class TestReviewFindings4(ReviewCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.misc_journal = cls.company_data["default_journal_misc"]

    # ---- helpers -------------------------------------------------------------

    def balance(self, client):
        client.invalidate_recordset()
        return client.billing_balance

    def timeline_total(self, client):
        rows = self.env["account.billing.timeline"].search([("partner_id", "=", client.id)])
        return sum(rows.mapped("amount"))

    def assert_books_agree(self, *clients):
        self.env.flush_all()
        self.env.invalidate_all()
        for client in clients:
            with self.subTest(client=client.name):
                balance = self.balance(client)
                self.assertEqual(self.currency.compare_amounts(balance, self.ledger(client)), 0,
                                 f"balance {balance} != ledger {self.ledger(client)}")
                self.assertEqual(self.currency.compare_amounts(balance, self.timeline_total(client)), 0,
                                 f"balance {balance} != timeline {self.timeline_total(client)}")

    def receivable_line(self, move):
        return move.line_ids.filtered(lambda line: line.account_id == self.receivable)

    def entry(self, receivable_balance, partner=None):
        """A posted journal entry: the receivable (of ``partner``, or of no one) against the bank account."""
        bank_account = self.bank_journal.default_account_id
        move = self.env["account.move"].create({
            "move_type": "entry", "journal_id": self.misc_journal.id, "line_ids": [
                Command.create({"account_id": self.receivable.id, "balance": receivable_balance,
                                "partner_id": partner.id if partner else False}),
                Command.create({"account_id": bank_account.id, "balance": -receivable_balance}),
            ]})
        move.action_post()
        return move

    def charge(self, amount, client=None, taxes=None):
        return self.env["account.move"].browse((client or self.client).billing_create_charge(
            amount, "Late fee", tax_ids=(taxes or self.env["account.tax"]).ids))

    def credit(self, amount, client=None, taxes=None):
        return self.env["account.move"].browse((client or self.client).billing_create_credit(
            amount, "Goodwill", tax_ids=(taxes or self.env["account.tax"]).ids))

    # ---- 1. cash-basis taxes: the module's credit notes are still usable by invoicing users ---------

    def cash_basis_tax(self):
        self.company.tax_exigibility = True
        transition = self.env["account.account"].create({
            "code": "209999", "name": "Cash basis transition", "account_type": "liability_current",
            "reconcile": True})
        tax_account = self.company_data["default_account_tax_sale"]
        repartition = [Command.create({"repartition_type": "base"}),
                       Command.create({"repartition_type": "tax", "account_id": tax_account.id})]
        return self.env["account.tax"].create({
            "name": "Cash basis 10%", "amount": 10.0, "type_tax_use": "sale", "company_id": self.company.id,
            "tax_exigibility": "on_payment", "cash_basis_transition_account_id": transition.id,
            "invoice_repartition_line_ids": repartition, "refund_repartition_line_ids": repartition})

    def test_cash_basis_credit_is_used_by_an_invoicing_user(self):
        """R7.5, R2.2, R6.3 with a cash-basis tax: matching a credit with an invoice makes Odoo's cash-basis
        entry, whose partial on the transition account gives nothing back to anyone."""
        tax = self.cash_basis_tax()
        user = self.invoicing_user
        calls = {
            "Make a payment, credit on file": lambda credit, invoice: invoice.with_user(user).billing_make_payment(
                88.0, self.bank_journal.id, use_credit=True),
            "payment widget": lambda credit, invoice: invoice.with_user(user).js_assign_outstanding_line(
                self.receivable_line(credit).id),
            "Reverse an erroneous credit": lambda credit, invoice: self.client.with_user(user).billing_create_charge(
                22.0, "Given by mistake", taxes_included=True, tax_ids=tax.ids, reversed_credit_id=credit.id),
            "Cancel/refund items": lambda credit, invoice: invoice.with_user(user).billing_cancel_items(
                invoice.invoice_line_ids.ids, note="Sick"),
        }
        for name, call in calls.items():
            with self.subTest(path=name):
                credit = self.credit(20.0, taxes=tax)  # 22.00 with its tax
                invoice = self.charge(100.0, taxes=tax)  # 110.00
                call(credit, invoice)
                credit.invalidate_recordset()
                if name != "Cancel/refund items":
                    self.assertEqual(self.currency.compare_amounts(credit.amount_residual, 0.0), 0)
                self.assertTrue((credit + invoice).tax_cash_basis_created_move_ids
                                or name == "Cancel/refund items")
        self.assert_books_agree(self.client)

    # ---- 2. a billing document is not matched with an item of no client --------------------------------

    def assert_refused_and_books_agree(self, call, lines, *clients):
        partials = self.env["account.partial.reconcile"].search_count([])
        with self.assertRaises(UserError), self.env.cr.savepoint():
            call()
        self.assertEqual(self.env["account.partial.reconcile"].search_count([]), partials)
        lines.invalidate_recordset()
        self.assertFalse(any(lines.mapped("reconciled")))
        self.assert_books_agree(*clients)

    def test_billing_charge_not_matched_with_an_item_without_partner(self):
        charge_line = self.receivable_line(self.charge(100.0))
        entry_line = self.receivable_line(self.entry(-100.0))
        self.assert_refused_and_books_agree(
            lambda: (charge_line + entry_line).with_user(self.invoicing_user).reconcile(),
            charge_line + entry_line, self.client)

    def test_billing_charge_not_matched_with_a_statement_line_without_partner(self):
        charge_line = self.receivable_line(self.charge(25.0))
        statement_line = self.env["account.bank.statement.line"].create({
            "journal_id": self.bank_journal.id, "amount": 25.0, "payment_ref": "Deposit", "date": "2024-01-15"})
        suspense = statement_line.move_id.line_ids.filtered(lambda line: line.balance < 0)
        suspense.account_id = self.receivable
        self.assert_refused_and_books_agree(
            lambda: (charge_line + suspense).with_user(self.invoicing_user).reconcile(),
            charge_line + suspense, self.client)

    def test_billing_credit_not_matched_with_an_item_without_partner_even_by_a_refund_user(self):
        """Money given back without Record a refund, and a balance that no longer equals the ledger."""
        credit_line = self.receivable_line(self.credit(100.0))
        entry_line = self.receivable_line(self.entry(100.0))
        self.assert_refused_and_books_agree(
            lambda: (credit_line + entry_line).with_user(self.refund_user).reconcile(),
            credit_line + entry_line, self.client)

    # ---- 3. an item matched with a billing document keeps its client ----------------------------------

    def assert_client_change_refused(self, call, *clients):
        with self.assertRaises(UserError), self.env.cr.savepoint():
            call()
        self.assert_books_agree(*clients)

    def test_partner_of_an_item_matched_with_a_billing_document_cannot_move_to_another_client(self):
        charge = self.charge(100.0)
        entry_line = self.receivable_line(self.entry(-100.0, self.client))
        (self.receivable_line(charge) + entry_line).with_user(self.invoicing_user).reconcile()
        self.assertTrue(entry_line.reconciled)
        self.assert_client_change_refused(
            lambda: entry_line.with_user(self.invoicing_user).write({"partner_id": self.other.id}),
            self.client, self.other)
        self.assert_client_change_refused(
            lambda: self.receivable_line(charge).with_user(self.invoicing_user).write({"partner_id": self.other.id}),
            self.client, self.other)

    def test_contact_moved_to_another_company_keeps_the_books_of_both(self):
        """A contact's payment matched with its company's billing invoice; the contact then moves to another
        company: the move is refused (Odoo would write the contact's items on the other company: docs/rules.md §7),
        and each company's balance still equals its ledger."""
        contact = self.env["res.partner"].create({"name": "Marie Gagnon", "parent_id": self.client.id})
        charge = self.charge(40.0)
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": contact.id,
            "amount": 40.0, "journal_id": self.bank_journal.id})
        payment.action_post()
        (self.receivable_line(charge) + self.receivable_line(payment.move_id)).reconcile()
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            contact.write({"parent_id": self.other.id})
        self.assertIn("of another client", str(caught.exception))
        self.assertEqual(contact.parent_id, self.client)
        self.assert_books_agree(self.client, self.other)

    # ---- 4. too-large amounts: the limit itself -----------------------------------------------------------

    def test_amount_just_below_the_limit_is_accepted_and_the_limit_is_said_right(self):
        """docs/rules.md §6: 10^13 of the smallest unit or more is too large; just below is an amount (the
        decimals check read 99,999,999,999.99 as having more decimals than the currency's), booked balanced."""
        move = self.credit(99999999999.99)
        self.assertRecordValues(move, [{"amount_untaxed": 99999999999.99, "state": "posted"}])
        taxed = self.credit(99999999999.99, taxes=self.tax_15 + self.tax_gst)
        self.assertRecordValues(taxed, [{"amount_untaxed": 99999999999.99, "amount_tax": 20000000000.0,
                                         "amount_total": 119999999999.99, "state": "posted"}])
        with self.assertRaises(UserError) as caught:
            self.credit(1e20)
        self.assertIn("less than 100,000,000,000 USD", str(caught.exception))
        self.assertNotIn(".01", str(caught.exception))

    # ---- 5. Register Payment on a billing credit note gives back at most the client's credit ------------

    def test_register_payment_on_a_billing_credit_gives_back_at_most_the_available_credit(self):
        """R3.2 under Odoo's Register Payment (docs/rules.md §5 calls it a refund): a refunds user paying 500.00
        out on a 100.00 credit note gave 400.00 more than the client's credit."""
        credit = self.credit(100.0)
        payments = self.env["account.payment"].search_count([])
        wizard = self.env["account.payment.register"].with_user(self.refund_user).with_context(
            active_model="account.move", active_ids=credit.ids).create({
                "journal_id": self.bank_journal.id, "amount": 500.0, "payment_difference_handling": "open"})
        with self.assertRaises(UserError), self.env.cr.savepoint():
            wizard._create_payments()
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        self.assertEqual(self.currency.compare_amounts(self.balance(self.client), -100.0), 0)

    # ---- 6. a scheduled payment cancelled with Odoo's own Cancel button leaves the note too --------------

    def test_scheduled_payment_cancelled_with_odoos_button_leaves_a_note_on_the_client(self):
        """§4, R7.4: Cancel the scheduled payment logs a note; Odoo's Cancel button on the same draft payment
        cancelled it silently."""
        invoice = self.charge(100.0)
        later = self.company._billing_today() + datetime.timedelta(days=10)
        payment = self.env["account.payment"].browse(
            invoice.billing_make_payment(60.0, self.bank_journal.id, postdated_date=later)["payment_id"])
        self.assertRecordValues(payment, [{"state": "draft", "billing_postdated": True}])
        notes = self.client.message_ids
        payment.with_user(self.invoicing_user).action_cancel()
        self.assertRecordValues(payment, [{"state": "canceled"}])
        new = self.client.message_ids - notes
        self.assertEqual(len(new), 1, "one internal note on the client")
        self.assertIn("cancelled", new.body)
        self.assertIn(self.invoicing_user.name, new.body)

    # ---- 7. a partial is not re-pointed to another client's item after it is made -------------------------

    def test_partial_of_a_billing_document_cannot_be_repointed_to_another_clients_item(self):
        """A partial made between a billing invoice and its client's payment, then written over RPC to point at
        another client's payment: the same-client and refunds checks of its creation were bypassed."""
        charge = self.charge(30.0)

        def payment(client, payment_type="inbound"):
            pay = self.env["account.payment"].create({
                "payment_type": payment_type, "partner_type": "customer", "partner_id": client.id,
                "amount": 30.0, "journal_id": self.bank_journal.id})
            pay.action_post()
            return self.receivable_line(pay.move_id)

        own, foreign = payment(self.client), payment(self.other)
        (self.receivable_line(charge) + own).with_user(self.invoicing_user).reconcile()
        partial = self.receivable_line(charge).matched_credit_ids
        self.assertEqual(partial.credit_move_id, own)
        with self.assertRaises(UserError), self.env.cr.savepoint():
            partial.with_user(self.invoicing_user).write({"credit_move_id": foreign.id})
        self.assertEqual(partial.credit_move_id, own)
        self.assert_books_agree(self.client, self.other)
        # A billing credit's partial re-pointed at an outbound payment: money given back without the group.
        credit_line = self.receivable_line(self.credit(30.0))
        invoice_line = self.receivable_line(self.charge(30.0))
        (credit_line + invoice_line).with_user(self.invoicing_user).reconcile()
        out = payment(self.client, "outbound")
        with self.assertRaises(UserError), self.env.cr.savepoint():
            credit_line.matched_debit_ids.with_user(self.invoicing_user).write({"debit_move_id": out.id})
        self.assert_books_agree(self.client)
