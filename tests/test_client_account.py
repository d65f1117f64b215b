import datetime

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install")
class TestClientAccount(BillingCommon):

    def timeline(self, partner=None):
        return self.env["account.billing.timeline"].with_company(self.company).search(
            [("partner_id", "=", (partner or self.client).id), ("company_id", "=", self.company.id)])

    def assert_balance(self, expected):
        self.env.invalidate_all()
        client = self.client.with_company(self.company)
        self.assertEqual(self.currency.compare_amounts(client.billing_balance, expected), 0,
                         f"balance {client.billing_balance} != {expected}")
        rows = self.timeline()
        self.assertEqual(self.currency.compare_amounts(sum(rows.mapped("amount")), expected), 0)
        if rows:
            self.assertEqual(self.currency.compare_amounts(rows[0].running_balance, expected), 0)
        # Odoo's own partner ledger figure agrees.
        self.assertEqual(self.currency.compare_amounts(client.credit, expected), 0)
        self.assertEqual(self.currency.compare_amounts(client.billing_available_credit, max(0.0, -expected)), 0)

    def test_mixed_sequence(self):
        self.assert_balance(0.0)
        invoice = self.invoice(100.0)                     # +115
        self.assert_balance(115.0)
        credit_id = self.client.billing_create_credit(50.0, "Goodwill", tax_ids=[])  # -50
        self.assert_balance(65.0)
        self.pay_invoice(invoice)                          # -115
        self.assert_balance(-50.0)
        charge_id = self.client.billing_create_charge(20.0, "Late fee", tax_ids=[])  # +20
        self.assert_balance(-30.0)
        rows = self.timeline()
        kinds = sorted(rows.mapped("kind"))
        self.assertEqual(kinds, ["credit", "invoice", "invoice", "payment"])
        self.assertEqual(set(rows.mapped("move_id").ids) >= {credit_id, charge_id, invoice.id}, True)
        # running balance: each row is the previous one plus its amount (oldest first)
        ordered = rows.sorted(lambda r: (r.date, r.id))
        running = 0.0
        for row in ordered:
            running += row.amount
            self.assertEqual(self.currency.compare_amounts(row.running_balance, running), 0)
        self.assertEqual(self.client.billing_balance_label.replace("\xa0", " ")[:6], "Credit")

    def test_timeline_order_and_signs(self):
        invoice = self.invoice(100.0)
        payment = self.pay_invoice(invoice)
        rows = self.timeline()
        payment_row = rows.filtered(lambda r: r.kind == "payment")
        self.assertEqual(payment_row.payment_id, payment)
        self.assertAlmostEqual(payment_row.amount, -115.0)
        invoice_row = rows.filtered(lambda r: r.kind == "invoice")
        self.assertAlmostEqual(invoice_row.amount, 115.0)
        self.assertEqual(invoice_row.state, "paid")
        # default order: newest first
        self.assertEqual(rows.ids, rows.sorted(lambda r: (r.date, r.id), reverse=True).ids)

    def test_cancelled_invoice_counts_zero(self):
        invoice = self.invoice(100.0)
        invoice.button_cancel()
        self.assert_balance(0.0)
        row = self.timeline()
        self.assertEqual(row.state, "cancelled")

    def count_balance_queries(self):
        self.env.invalidate_all()
        self.env["res.partner"].browse(self.partner_a.id).billing_balance  # noqa: B018 (warm-up)
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        balance = self.client.billing_balance
        return self.cr.sql_log_count - before, balance

    def test_balance_query_does_not_grow(self):
        """One SQL aggregate per batch of partners, whatever the client's history."""
        for _i in range(3):
            self.invoice(10.0)
        small, balance = self.count_balance_queries()
        self.assertAlmostEqual(balance, 34.5)
        for _i in range(12):
            self.invoice(10.0)
        large, balance = self.count_balance_queries()
        self.assertAlmostEqual(balance, 172.5)
        self.assertEqual(small, large)
        self.assertLessEqual(large, 7)

    def test_multi_company(self):
        other = self.setup_other_company()
        other_company = other["company"]
        # A document of the other company for the same client never counts here.
        self.client.with_company(other_company).with_context(
            allowed_company_ids=other_company.ids).billing_create_credit(40.0, "Other company", tax_ids=[])
        self.assert_balance(0.0)
        self.assertFalse(self.timeline())
        # ...and counts there.
        self.assertEqual(self.env["account.move"].search([("billing_note", "=", "Other company")]).company_id,
                         other_company)
        client_there = self.client.with_company(other_company).with_context(allowed_company_ids=other_company.ids)
        self.assertAlmostEqual(client_there.billing_balance, -40.0)
        # A tax of the other company is refused, nothing written.
        other_tax = self.env["account.tax"].create({
            "name": "Other 10%", "amount": 10.0, "type_tax_use": "sale", "company_id": other_company.id})
        moves = self.count_moves()
        with self.assertRaisesRegex(UserError, "belongs to another company"):
            self.client.with_company(self.company).billing_create_credit(10.0, "x", tax_ids=other_tax.ids)
        self.assertEqual(self.count_moves(), moves)
        # A credit of the other company cannot be reversed from here.
        credit_there = self.env["account.move"].search(
            [("company_id", "=", other_company.id), ("billing_operation", "=", "credit")])
        with self.assertRaisesRegex(UserError, "another company"):
            self.client.with_company(self.company).billing_create_charge(
                10.0, "x", tax_ids=[], reversed_credit_id=credit_there.id)
        self.assertEqual(self.count_moves(), moves)

    def test_several_companies_selected_show_the_current_one(self):
        """docs/rules.md §5: with several companies selected, the Billing tab and the timeline show the current
        company only, and the newest running balance is the client's balance there."""
        other_company = self.setup_other_company()["company"]
        both = self.company + other_company
        user = new_test_user(self.env, login="billing_two_companies", company_id=self.company.id,
                             company_ids=[Command.set(both.ids)],
                             groups="base.group_user,account.group_account_invoice")
        self.invoice(100.0)                                                        # +115 here
        self.client.billing_create_credit(10.0, "Here", tax_ids=[])               # -10 here
        there = self.client.with_company(other_company).with_context(allowed_company_ids=other_company.ids)
        there.billing_create_charge(40.0, "There", tax_ids=[])                    # +40 there
        there.billing_create_charge(2.0, "There too", tax_ids=[])                 # +2 there
        for current, expected, count in ((self.company, 105.0, 2), (other_company, 42.0, 2)):
            with self.subTest(company=current.name):
                self.env.invalidate_all()  # a new request of the web client
                allowed = (current + (both - current)).ids
                client = self.client.with_user(user).with_context(allowed_company_ids=allowed)
                self.assertEqual(client.env.company, current)
                self.assertAlmostEqual(client.billing_balance, expected)
                rows = client.billing_timeline_ids
                self.assertEqual(len(rows), count)
                self.assertEqual(rows.company_id, current)
                newest = rows.sorted(lambda r: (r.date, r.id), reverse=True)[0]
                self.assertAlmostEqual(newest.running_balance, expected)
                listed = self.env["account.billing.timeline"].with_user(user).with_context(
                    allowed_company_ids=allowed).search([("partner_id", "=", self.client.id)])
                self.assertEqual(listed, rows)
                self.assertAlmostEqual(listed[0].running_balance, expected)

    def test_client_of_another_company_refused(self):
        other_company = self.setup_other_company()["company"]
        local = self.env["res.partner"].create({"name": "Local client", "company_id": other_company.id})
        with self.assertRaisesRegex(UserError, "switch to that company"):
            local.billing_create_credit(10.0, "x", tax_ids=[])

    def test_billing_tab_actions(self):
        action = self.client.action_billing_create_credit()
        self.assertEqual(action["res_model"], "account.billing.credit.wizard")
        self.assertEqual(action["context"]["default_partner_id"], self.client.id)
        self.invoice(10.0)
        self.assertEqual(self.client.billing_timeline_ids, self.timeline())
        row = self.timeline()
        self.assertEqual(row.action_open_document()["res_id"], row.move_id.id)

    def test_timeline_row_buttons(self):
        invoice = self.invoice(100.0)
        row = self.timeline()
        self.assertEqual(row.action_make_payment()["res_model"], "account.billing.make.payment.wizard")
        self.assertEqual(row.action_cancel_items()["res_model"], "account.billing.cancel.items.wizard")
        payment = self.pay_invoice(invoice)
        payment_row = self.timeline().filtered(lambda r: r.payment_id == payment)
        self.assertEqual(payment_row.action_refund()["res_model"], "account.billing.refund.payment.wizard")


@tagged("post_install", "-at_install")
class TestTwoClientsInOneEntry(BillingCommon):
    """A journal entry with receivable items of two clients (a balance transfer: client A's credit
    moved to client B) is a row of each client's timeline, with each client's own signed amount and
    running balance, however the rows are read (docs/rules.md §3, §6)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a = cls.client
        cls.client_b = cls.env["res.partner"].create({"name": "Client Tremblay", "is_company": True})
        # Client B's item has the smaller id in the transfer: the row of B comes first in the entry.
        cls.invoice_a = cls.init_invoice("out_invoice", partner=cls.client_a, amounts=[100.0], taxes=cls.tax_15,
                                         post=True, invoice_date="2024-01-10")     # A +115
        cls.invoice_b = cls.init_invoice("out_invoice", partner=cls.client_b, amounts=[40.0], taxes=[],
                                         post=True, invoice_date="2024-01-11")     # B +40
        cls.transfer = cls.env["account.move"].create({
            "move_type": "entry",
            "date": "2024-02-01",
            "journal_id": cls.company_data["default_journal_misc"].id,
            "ref": "Balance transfer A to B",
            "line_ids": [
                Command.create({"name": "To Tremblay", "account_id": cls.receivable.id,
                                "partner_id": cls.client_b.id, "debit": 30.0, "credit": 0.0}),
                Command.create({"name": "From Gagnon", "account_id": cls.receivable.id,
                                "partner_id": cls.client_a.id, "debit": 0.0, "credit": 30.0}),
            ],
        })
        cls.transfer.action_post()
        cls.expected = {cls.client_a: (-30.0, 85.0), cls.client_b: (30.0, 70.0)}

    def form_spec(self):
        """The web client's read of the client form on the Billing tab."""
        return {
            "display_name": {}, "billing_balance": {}, "billing_balance_label": {},
            "billing_timeline_ids": {"fields": {"date": {}, "kind": {}, "reference": {}, "amount": {},
                                                "running_balance": {}, "move_id": {"fields": {}}},
                                     "limit": 40, "order": "date desc, id desc"},
        }

    def check_rows(self, client, rows):
        """``rows`` (dicts, newest first) are ``client``'s whole timeline: the transfer with the client's
        own amount, running balances chained from 0, the newest equal to the client's balance."""
        amount, balance = self.expected[client]
        self.assertAlmostEqual(client.billing_balance, balance)
        self.assertEqual(len(rows), 2, rows)
        self.assertEqual(len({row["id"] for row in rows}), 2, rows)
        transfer = rows[0]
        move = transfer["move_id"]
        self.assertEqual(move["id"] if isinstance(move, dict) else move[0], self.transfer.id)
        self.assertEqual(self.currency.compare_amounts(transfer["amount"], amount), 0,
                         f"{client.name}: transfer row {transfer['amount']} != {amount}")
        self.assertEqual(self.currency.compare_amounts(transfer["running_balance"], balance), 0,
                         f"{client.name}: newest running balance {transfer['running_balance']} != {balance}")
        running = 0.0
        for row in reversed(rows):
            running += row["amount"]
            self.assertEqual(self.currency.compare_amounts(row["running_balance"], running), 0, rows)

    def test_each_client_sees_its_own_side_in_the_form(self):
        for first, second in ((self.client_a, self.client_b), (self.client_b, self.client_a)):
            with self.subTest(first=first.name):
                self.env.invalidate_all()
                # One request per form, and both in one environment (the ORM cache keys rows by id).
                for client in (first, second, first):
                    data = client.web_read(self.form_spec())[0]
                    self.assertAlmostEqual(data["billing_balance"], self.expected[client][1])
                    self.check_rows(client, data["billing_timeline_ids"])
                    self.env.invalidate_all()
                    self.check_rows(client, client.web_read(self.form_spec())[0]["billing_timeline_ids"])

    def test_each_client_sees_its_own_side_in_search_read(self):
        Timeline = self.env["account.billing.timeline"]
        fields = ["date", "kind", "reference", "amount", "running_balance", "move_id"]
        for first, second in ((self.client_a, self.client_b), (self.client_b, self.client_a)):
            with self.subTest(first=first.name):
                self.env.invalidate_all()
                for client in (first, second):
                    self.check_rows(client, Timeline.search_read([("partner_id", "=", client.id)], fields))
        # Both clients at once, and the rows read back by id (a page of the Billing tab).
        self.env.invalidate_all()
        clients = self.client_a + self.client_b
        both = Timeline.search_read([("partner_id", "in", clients.ids)], [*fields, "partner_id"])
        self.assertEqual(len({row["id"] for row in both}), 4)
        for client in (self.client_a, self.client_b):
            mine = [row for row in both if row["partner_id"][0] == client.id]
            self.check_rows(client, mine)
            self.env.invalidate_all()
            self.check_rows(client, Timeline.browse([row["id"] for row in mine]).read(fields))
        # Each row's client is the one whose item it carries.
        transfer_rows = Timeline.search([("move_id", "=", self.transfer.id)])
        self.assertEqual(len(transfer_rows), 2)
        self.assertEqual(transfer_rows.partner_id, self.client_a + self.client_b)

    def test_statement_shows_each_side(self):
        data = {statement["partner"].id: statement
                for statement in (self.client_a + self.client_b)._billing_statement_data()}
        for client in (self.client_a, self.client_b):
            amount, balance = self.expected[client]
            statement = data[client.id]
            self.assertEqual(len(statement["rows"]), 2)
            self.assertEqual(len({row["id"] for row in statement["rows"]}), 2)
            newest = statement["rows"][-1]
            self.assertEqual(self.currency.compare_amounts(newest["amount"], amount), 0)
            self.assertEqual(self.currency.compare_amounts(newest["running_balance"], balance), 0)
            self.assertEqual(self.currency.compare_amounts(statement["closing_balance"], balance), 0)
        rows = self.env["account.billing.timeline"]._billing_period_rows(
            self.client_a + self.client_b, self.company, datetime.date(2024, 1, 15))
        self.assertEqual(sorted((row[1], row[7], row[8]) for row in rows),  # client, amount, running balance
                         sorted([(self.client_a.id, -30.0, 85.0), (self.client_b.id, 30.0, 70.0)]))
        self.assertEqual(len({row[0] for row in rows}), 2)

    def test_billing_tab_listing_keeps_record_rules(self):
        """The Billing tab lists its rows' ids by a lean query (id, client, company, date): a record rule
        on another column of the timeline still holds (the whole rows are read then)."""
        self.env["ir.rule"].create({
            "name": "No credits in the timeline (test)",
            "model_id": self.env["ir.model"]._get_id("account.billing.timeline"),
            "domain_force": "[('kind', '!=', 'credit')]",
        })
        user = new_test_user(self.env, login="billing_rule_reader", company_id=self.company.id,
                             company_ids=[Command.set(self.company.ids)],
                             groups="base.group_user,account.group_account_invoice")
        Timeline = self.env["account.billing.timeline"]
        self.assertIn("kind", {str(leaf[0]) for leaf in self.env["ir.rule"].with_user(user)._compute_domain(
            Timeline._name, "read") if isinstance(leaf, (list, tuple))})
        self.invoice(100.0)
        self.client.billing_create_credit(10.0, "Hidden by the rule", tax_ids=[])
        self.env.invalidate_all()
        rows = self.client.with_user(user).billing_timeline_ids
        # Client A: its two invoices; the credit and the transfer to client B (a credit of A) are hidden.
        self.assertEqual(rows.mapped("kind"), ["invoice", "invoice"])
        self.assertEqual(rows, Timeline.with_user(user).search([("partner_id", "=", self.client.id)]))
