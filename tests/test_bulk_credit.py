"""docs/rules.md §3 bulk credit: one credit per selected client, same amount, taxes and note, made by
res.partner.billing_create_credit with a key per client; all or nothing."""
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common import BillingCommon

NOTE = "Pool closed two weeks: goodwill credit"


@tagged("post_install", "-at_install")
class TestBulkCredit(BillingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.clients = Partner.create([{"name": f"Bulk client {index}", "is_company": True} for index in (1, 2, 3)])

    def wizard(self, partners, **values):
        return self.env["account.billing.bulk.credit.wizard"].with_context(
            active_model="res.partner", active_ids=partners.ids).create({
                "amount": 57.5, "note": NOTE, "taxes_included": True, **values})

    def credits_of(self, partner):
        return self.env["account.move"].search([
            ("partner_id", "=", partner.id), ("move_type", "=", "out_refund"), ("billing_operation", "=", "credit")])

    def test_one_credit_per_client_with_the_same_amount_taxes_and_note(self):
        wizard = self.wizard(self.clients)
        self.assertEqual(wizard.tax_ids, self.tax_15, "the credit product's taxes by default")
        action = wizard.action_confirm()
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id))
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.credit_count, 3)
        self.assertEqual(self.currency.compare_amounts(wizard.credit_total, 172.5), 0)
        self.assertEqual(wizard.credit_ids.partner_id, self.clients)
        for client in self.clients:
            credit = self.credits_of(client)
            self.assertEqual(credit, wizard.credit_ids.filtered(lambda move, c=client: move.partner_id == c))
            self.assertEqual(credit.state, "posted")
            self.assertEqual(credit.billing_note, NOTE)
            # 57.50 taxes included with 15 %: 50.00 + 7.50, on the client's receivable.
            self.assertRecordValues(credit.line_ids.sorted("balance"), [
                {"account_id": self.receivable.id, "balance": -57.5, "tax_ids": [], "tax_line_id": False,
                 "reconciled": False},
                {"account_id": credit.line_ids.filtered("tax_line_id").account_id.id, "balance": 7.5, "tax_ids": [],
                 "tax_line_id": self.tax_15.id, "reconciled": False},
                {"account_id": self.credit_account.id, "balance": 50.0, "tax_ids": self.tax_15.ids,
                 "tax_line_id": False, "reconciled": False},
            ])
            self.assertEqual(self.currency.compare_amounts(client.with_company(self.company).billing_balance, -57.5), 0)
        open_action = wizard.action_open_credits()
        self.assertEqual(open_action["domain"], [("id", "in", wizard.credit_ids.ids)])

    def test_retry_of_the_same_wizard_creates_nothing_twice(self):
        wizard = self.wizard(self.clients[:2])
        wizard.action_confirm()
        first = wizard.credit_ids
        count = self.count_moves()
        wizard.action_confirm()  # a double click, a retry
        self.assertEqual(wizard.credit_ids, first)
        self.assertEqual(self.count_moves(), count)
        keys = self.env["account.billing.idempotency"].sudo().search([("key", "like", wizard.key + "-%")])
        self.assertEqual(sorted(keys.mapped("key")), sorted(f"{wizard.key}-{c.id}" for c in self.clients[:2]))
        # Another wizard (another key) is another operation.
        self.wizard(self.clients[:1]).action_confirm()
        self.assertEqual(len(self.credits_of(self.clients[0])), 2)

    def test_one_client_refused_nothing_created(self):
        other_company = self.setup_other_company()["company"]
        self.clients[2].company_id = other_company  # a client of another company cannot be billed here
        count = self.count_moves()
        wizard = self.wizard(self.clients)
        with self.assertRaisesRegex(UserError, r"No credit was created.*\n.*Bulk client 3.*belongs to the company"):
            wizard.action_confirm()
        self.assertEqual(self.count_moves(), count)
        for client in self.clients:
            self.assertFalse(self.credits_of(client))
            self.assertEqual(client.with_company(self.company).billing_balance, 0.0)
        self.assertEqual(wizard.state, "draft")
        self.assertFalse(self.env["account.billing.idempotency"].sudo().search([("key", "like", wizard.key + "%")]))

    def test_every_refused_client_is_named(self):
        other_company = self.setup_other_company()["company"]
        (self.clients[0] | self.clients[2]).company_id = other_company
        count = self.count_moves()
        with self.assertRaises(UserError) as refusal:
            self.wizard(self.clients).action_confirm()
        message = str(refusal.exception)
        self.assertIn("Bulk client 1 belongs to the company", message)
        self.assertIn("Bulk client 3 belongs to the company", message)
        self.assertNotIn("Bulk client 2", message)
        self.assertEqual(self.count_moves(), count)

    def test_bad_amount_or_note_refused_before_anything(self):
        count = self.count_moves()
        for values, words in (({"amount": -5.0}, "greater than 0"), ({"amount": 0.0}, "greater than 0"),
                              ({"note": " "}, "A note is required")):
            with self.assertRaisesRegex(UserError, words):
                self.wizard(self.clients, **values).action_confirm()
        self.assertEqual(self.count_moves(), count)

    def test_contact_and_its_company_get_one_credit(self):
        contact = self.env["res.partner"].create({"name": "Julie", "parent_id": self.clients[0].id})
        wizard = self.wizard(contact | self.clients[0], taxes_included=False, tax_ids=[Command.set([])], amount=20.0)
        wizard.action_confirm()
        credit = self.credits_of(self.clients[0])
        self.assertEqual(len(credit), 1)
        self.assertRecordValues(credit.line_ids.sorted("balance"), [
            {"account_id": self.receivable.id, "balance": -20.0, "reconciled": False},
            {"account_id": self.credit_account.id, "balance": 20.0, "reconciled": False},
        ])

    def test_action_in_the_client_list(self):
        action = self.env.ref("account_billing_operations.account_billing_bulk_credit_wizard_action")
        self.assertEqual(action.binding_model_id.model, "res.partner")
        self.assertEqual(action.binding_view_types, "list")
        form = Form(self.env["account.billing.bulk.credit.wizard"].with_context(
            active_model="res.partner", active_ids=self.clients.ids))
        form.amount = 10.0
        form.note = NOTE
        wizard = form.save()
        self.assertEqual(wizard.partner_ids, self.clients)
        wizard.action_confirm()
        self.assertEqual(len(wizard.credit_ids), 3)
        self.assertEqual(set(wizard.credit_ids.mapped("amount_total")), {11.5})

    def test_refused_while_creating_rolls_back_the_clients_before(self):
        """A refusal the checks cannot see in advance (here the third client's key already used for
        another credit) rolls back the credits already made for the first two."""
        wizard = self.wizard(self.clients)
        third = self.clients[2]
        self.env["res.partner"].browse(third.id).billing_create_credit(
            99.0, "Another credit", tax_ids=[], idempotency_key=f"{wizard.key}-{third.id}")
        count = self.count_moves()
        with self.assertRaisesRegex(UserError, "No credit was created: Bulk client 3 was refused"):
            wizard.action_confirm()
        self.assertEqual(self.count_moves(), count)
        self.assertFalse(self.credits_of(self.clients[0]) | self.credits_of(self.clients[1]))
        self.assertEqual(len(self.credits_of(third)), 1)
        self.assertEqual(self.env["account.billing.idempotency"].sudo().search_count(
            [("key", "like", wizard.key + "%")]), 1)
