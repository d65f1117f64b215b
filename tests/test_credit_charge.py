import base64

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install")
class TestCreditCharge(BillingCommon):

    def credit(self, amount, note="Goodwill", **kwargs):
        move_id = self.client.billing_create_credit(amount, note, **kwargs)
        return self.env["account.move"].browse(move_id)

    # ---- R1.2 / R1.3 -------------------------------------------------------------

    def test_credit_tax_included_one_tax(self):
        credit = self.credit(115.00, taxes_included=True)
        self.assertRecordValues(credit, [{
            "move_type": "out_refund", "state": "posted", "billing_operation": "credit",
            "partner_id": self.client.id, "amount_untaxed": 100.0, "amount_tax": 15.0,
            "amount_total": 115.0, "payment_state": "not_paid",
        }])
        self.assertRecordValues(credit.line_ids.sorted("balance"), [
            {"account_id": self.receivable.id, "balance": -115.0, "reconciled": False},
            {"account_id": credit.line_ids.filtered("tax_line_id").account_id.id, "balance": 15.0,
             "reconciled": False},
            {"account_id": self.credit_account.id, "balance": 100.0, "reconciled": False},
        ])
        self.assertEqual(credit.invoice_line_ids.tax_ids, self.tax_15)
        self.assertEqual(credit.invoice_line_ids.product_id, self.credit_product)
        self.assertAlmostEqual(self.client.billing_balance, -115.0)
        self.assertAlmostEqual(self.client.billing_available_credit, 115.0)
        self.assertEqual(self.client.billing_balance_label.replace("\xa0", " ")[:6], "Credit")

    def test_credit_tax_excluded_one_tax(self):
        credit = self.credit(100.00)
        self.assertRecordValues(credit, [{"amount_untaxed": 100.0, "amount_tax": 15.0, "amount_total": 115.0}])

    def test_credit_tax_table(self):
        """R1.2: included / excluded x no tax, one tax, two taxes (GST 5 % + QST 9.975 %)."""
        two = self.tax_gst | self.tax_qst
        cases = [
            # amount, included, taxes, untaxed, tax, total
            (100.00, False, self.env["account.tax"], 100.00, 0.00, 100.00),
            (100.00, True, self.env["account.tax"], 100.00, 0.00, 100.00),
            (100.00, False, self.tax_15, 100.00, 15.00, 115.00),
            (115.00, True, self.tax_15, 100.00, 15.00, 115.00),
            (100.00, False, two, 100.00, 14.98, 114.98),
            (114.98, True, two, 100.00, 14.98, 114.98),
            (10.00, True, two, 8.70, 1.30, 10.00),
            (0.03, False, self.tax_15, 0.03, 0.00, 0.03),    # 0.0045 rounds down
            (0.04, False, self.tax_15, 0.04, 0.01, 0.05),    # 0.006 rounds up
            (0.10, False, two, 0.10, 0.02, 0.12),            # 0.005 and 0.009975 both round up
            (0.01, True, self.tax_15, 0.01, 0.00, 0.01),
        ]
        for amount, included, taxes, untaxed, tax, total in cases:
            with self.subTest(amount=amount, included=included, taxes=taxes.mapped("name")):
                credit = self.credit(amount, taxes_included=included, tax_ids=taxes.ids)
                self.assertEqual(credit.invoice_line_ids.tax_ids, taxes)
                compare = self.currency.compare_amounts
                self.assertEqual(compare(credit.amount_untaxed, untaxed), 0, credit.amount_untaxed)
                self.assertEqual(compare(credit.amount_tax, tax), 0, credit.amount_tax)
                self.assertEqual(compare(credit.amount_total, total), 0, credit.amount_total)
                receivable = self.receivable_lines(credit)
                self.assertEqual(self.currency.compare_amounts(receivable.balance, -total), 0)

    def test_credit_tax_included_exact_total_over_a_range(self):
        """Taxes included: the credit's total is exactly the amount entered, cent after cent."""
        two = (self.tax_gst | self.tax_qst).ids
        for cents in range(1001, 1100, 7):
            amount = cents / 100.0
            credit = self.credit(amount, taxes_included=True, tax_ids=two)
            self.assertEqual(self.currency.compare_amounts(credit.amount_total, amount), 0,
                             f"{amount}: {credit.amount_total}")

    def test_credit_default_taxes_from_product(self):
        credit = self.credit(100.0)
        self.assertEqual(credit.invoice_line_ids.tax_ids, self.tax_15)
        no_tax = self.credit(100.0, tax_ids=[])
        self.assertFalse(no_tax.invoice_line_ids.tax_ids)
        self.assertAlmostEqual(no_tax.amount_total, 100.0)

    def test_credit_audit_messages(self):
        credit = self.credit(20.0, note="Coach absent", tax_ids=[])
        for record in (credit, self.client):
            bodies = " ".join(record.message_ids.mapped("body"))
            self.assertIn("Coach absent", bodies)
            self.assertIn("Credit", bodies)
            self.assertIn(self.env.user.name, bodies)

    def test_wizard_calls_api(self):
        wizard = Form(self.env["account.billing.credit.wizard"].with_context(
            default_partner_id=self.client.id, default_operation="credit"))
        wizard.amount = 115.0
        wizard.taxes_included = True
        wizard.note = "Wizard credit"
        self.assertAlmostEqual(wizard.amount_untaxed, 100.0)
        self.assertAlmostEqual(wizard.amount_tax, 15.0)
        wizard.save().action_confirm()
        credit = self.env["account.move"].search([("billing_note", "=", "Wizard credit")])
        self.assertRecordValues(credit, [{"amount_total": 115.0, "state": "posted", "move_type": "out_refund"}])

    def test_idempotency_key(self):
        first = self.client.billing_create_credit(10.0, "Retry", idempotency_key="abc")
        count = self.count_moves()
        again = self.client.billing_create_credit(10.0, "Retry", idempotency_key="abc")
        self.assertEqual(first, again)
        self.assertEqual(self.count_moves(), count)
        other = self.client.billing_create_credit(10.0, "Retry", idempotency_key="abd")
        self.assertNotEqual(first, other)

    # ---- bad input ---------------------------------------------------------------

    def assert_refused(self, message, func, *args, **kwargs):
        self.client.invalidate_recordset()
        moves, balance = self.count_moves(), self.client.billing_balance
        with self.assertRaisesRegex(UserError, message):
            func(*args, **kwargs)
        self.assertEqual(self.count_moves(), moves)
        self.client.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(self.client.billing_balance, balance), 0)

    def test_bad_input(self):
        create = self.client.billing_create_credit
        self.assert_refused("must be greater than 0", create, 0.0, "note")
        self.assert_refused("must be greater than 0", create, -5.0, "note")
        self.assert_refused("more decimals than the currency", create, 10.005, "note")
        self.assert_refused("A note is required", create, 10.0, "")
        self.assert_refused("A note is required", create, 10.0, "   ")
        self.assert_refused("must be a number", create, "ten", "note")
        self.assert_refused("A note is required", self.client.billing_create_charge, 10.0, None)
        self.assert_refused("full card number", create, 10.0, "card 4111 1111 1111 1111")
        purchase_tax = self.company_data["default_tax_purchase"]
        self.assert_refused("choose active sales taxes", create, 10.0, "note", tax_ids=purchase_tax.ids)
        self.client.action_archive()
        self.assert_refused("archived", self.client.billing_create_credit, 10.0, "note")

    def test_vendor_is_a_client_too(self):
        vendor = self.env["res.partner"].create({"name": "Supplier Inc.", "supplier_rank": 1})
        move = self.env["account.move"].browse(vendor.billing_create_credit(10.0, "Vendor credit", tax_ids=[]))
        self.assertEqual(move.partner_id, vendor)
        self.assertEqual(move.state, "posted")

    def test_contact_books_on_company(self):
        contact = self.env["res.partner"].create({"name": "Marie Gagnon", "parent_id": self.client.id})
        move = self.env["account.move"].browse(contact.billing_create_credit(10.0, "From contact", tax_ids=[]))
        self.assertEqual(move.partner_id, self.client)
        self.assertAlmostEqual(self.client.billing_balance, -10.0)
        self.assertAlmostEqual(contact.billing_balance, -10.0)

    # ---- R1.4 --------------------------------------------------------------------

    def assert_immutable(self, func, *args, **kwargs):
        credit = self.credit_for_immutability
        snapshot = credit.line_ids.read(["account_id", "balance", "partner_id", "name", "price_unit"])
        with self.assertRaisesRegex(UserError, "can never be changed.*create an invoice"):
            func(*args, **kwargs)
        credit.invalidate_recordset()
        credit.line_ids.invalidate_recordset()
        self.assertEqual(credit.state, "posted")
        self.assertAlmostEqual(credit.amount_total, 115.0)
        self.assertEqual(credit.line_ids.read(["account_id", "balance", "partner_id", "name", "price_unit"]), snapshot)

    def test_credit_is_immutable(self):
        credit = self.credit_for_immutability = self.credit(100.0)
        other = self.env["res.partner"].create({"name": "Other client"})
        self.assert_immutable(credit.button_draft)
        self.assert_immutable(credit.button_cancel)
        self.assert_immutable(credit.unlink)
        self.assert_immutable(credit.write, {"partner_id": other.id})
        self.assert_immutable(credit.write, {"date": "2020-01-01"})
        self.assert_immutable(credit.write, {"invoice_date": "2020-01-01"})
        self.assert_immutable(credit.write, {"journal_id": self.company_data["default_journal_misc"].id})
        self.assert_immutable(credit.write, {"state": "draft"})
        self.assert_immutable(credit.write, {"state": "cancel"})
        line = credit.invoice_line_ids
        self.assert_immutable(line.write, {"price_unit": 1.0})
        self.assert_immutable(line.write, {"name": "changed"})
        self.assert_immutable(line.write, {"account_id": self.revenue.id})
        self.assert_immutable(line.unlink)
        self.assert_immutable(credit.write, {"invoice_line_ids": [Command.create({
            "name": "extra", "price_unit": 5.0, "quantity": 1.0})]})
        self.assert_immutable(credit.write, {"line_ids": [Command.delete(line.id)]})
        # The form, as a user would edit it: the posted credit's fields are read-only there.
        form = Form(credit)
        for fname in ("partner_id", "invoice_date", "currency_id", "invoice_line_ids"):
            self.assertTrue(form._get_modifier(fname, "readonly"), fname)
        # An import (load) goes through write.
        xml_id = credit.get_external_id()
        if not xml_id.get(credit.id):
            self.env["ir.model.data"].create({"module": "__import__", "name": f"credit_{credit.id}",
                                              "model": "account.move", "res_id": credit.id})
        xml_id = credit.get_external_id()[credit.id]
        result = self.env["account.move"].load(["id", "date"], [[xml_id, "2020-01-01"]])
        self.assertFalse(result["ids"])
        self.assertIn("can never be changed", " ".join(m["message"] for m in result["messages"]))
        self.assertEqual(str(credit.date), str(credit.invoice_date))
        # Chatter and attachments stay allowed.
        credit.message_post(body="A note on the credit")
        self.env["ir.attachment"].create({"name": "proof.txt", "res_model": "account.move", "res_id": credit.id,
                                          "datas": base64.b64encode(b"proof")})
        credit.narration = "Internal remark"
        # Reconciliation with an invoice stays allowed.
        invoice = self.invoice(100.0)
        (self.receivable_lines(invoice) + self.receivable_lines(credit)).reconcile()
        self.assertIn(credit.payment_state, ("paid", "reversed"))
        self.assertTrue(self.receivable_lines(credit).reconciled)

    def test_other_moves_stay_editable(self):
        invoice = self.invoice(50.0)
        invoice.button_draft()
        self.assertEqual(invoice.state, "draft")

    # ---- R2 ------------------------------------------------------------------------

    def charge(self, amount, note="Charge", **kwargs):
        return self.env["account.move"].browse(self.client.billing_create_charge(amount, note, **kwargs))

    def test_charge_alone(self):
        charge = self.charge(100.0)
        self.assertRecordValues(charge, [{
            "move_type": "out_invoice", "state": "posted", "billing_operation": "charge",
            "amount_untaxed": 100.0, "amount_tax": 15.0, "amount_total": 115.0, "payment_state": "not_paid"}])
        self.assertAlmostEqual(self.client.billing_balance, 115.0)

    def test_charge_reverses_open_credit(self):
        credit = self.credit(115.0, taxes_included=True)
        charge = self.charge(115.0, note="Erroneous credit", taxes_included=True, reversed_credit_id=credit.id)
        self.assertRecordValues(credit + charge, [
            {"amount_residual": 0.0, "billing_reversed_credit_id": False},
            {"amount_residual": 0.0, "billing_reversed_credit_id": credit.id},
        ])
        self.assertIn(credit.payment_state, ("paid", "reversed"))
        self.assertIn(charge.payment_state, ("paid", "reversed"))
        self.assertEqual(credit.billing_reversal_ids, charge)
        self.assertTrue(self.receivable_lines(credit).reconciled)
        self.assertAlmostEqual(self.client.billing_balance, 0.0)

    def test_charge_reverses_part_of_credit(self):
        credit = self.credit(100.0, tax_ids=[])
        charge = self.charge(40.0, reversed_credit_id=credit.id, tax_ids=[])
        self.assertAlmostEqual(credit.amount_residual, 60.0)
        self.assertEqual(credit.payment_state, "partial")
        self.assertIn(charge.payment_state, ("paid", "reversed"))
        self.assertAlmostEqual(self.client.billing_balance, -60.0)

    def test_charge_refuses_applied_credit(self):
        """R2.4: a credit already applied to an invoice has no open residual left to reverse."""
        credit = self.credit(115.0, taxes_included=True)
        invoice = self.invoice(100.0)
        (self.receivable_lines(invoice) + self.receivable_lines(credit)).reconcile()
        self.assertIn(credit.payment_state, ("paid", "reversed"))
        self.assert_refused("nothing left to reverse", self.client.billing_create_charge, 115.0, "again",
                            taxes_included=True, reversed_credit_id=credit.id)
        self.assertFalse(credit.billing_reversal_ids)

    def test_charge_refuses_foreign_credit(self):
        other = self.env["res.partner"].create({"name": "Other client"})
        credit = self.env["account.move"].browse(other.billing_create_credit(10.0, "x", tax_ids=[]))
        moves = self.count_moves()
        with self.assertRaisesRegex(UserError, "is not Client Gagnon's"):
            self.charge(10.0, reversed_credit_id=credit.id)
        invoice = self.invoice(10.0)
        with self.assertRaisesRegex(UserError, "must be a posted customer credit note"):
            self.charge(10.0, reversed_credit_id=invoice.id)
        self.assertEqual(self.count_moves(), moves + 1)

    def test_reverse_credit_button(self):
        credit = self.credit(10.0, tax_ids=[])
        action = credit.action_billing_reverse_credit()
        self.assertEqual(action["res_model"], "account.billing.credit.wizard")
        self.assertEqual(action["context"]["default_reversed_credit_id"], credit.id)
        self.assertEqual(action["context"]["default_operation"], "charge")

    def reverse_with_wizard(self, credit, note="Erroneous credit"):
        action = credit.action_billing_reverse_credit()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        form.note = note
        shown = (form.amount, form.taxes_included, form.tax_ids[:], form.amount_total)
        form.save().action_confirm()
        return shown, self.env["account.move"].search([("billing_note", "=", note)])

    def test_reverse_credit_prefills_open_residual_taxes_included(self):
        """R2.4: a 57.50 tax-included credit is reversed by a 57.50 invoice, not 66.13."""
        credit = self.credit(57.50, taxes_included=True)
        shown, charge = self.reverse_with_wizard(credit)
        self.assertEqual(shown, (57.50, True, self.tax_15, 57.50))
        self.assertRecordValues(charge, [{
            "move_type": "out_invoice", "amount_total": 57.50, "amount_untaxed": 50.0, "amount_tax": 7.50,
            "billing_reversed_credit_id": credit.id, "amount_residual": 0.0}])
        self.assertEqual(charge.invoice_line_ids.tax_ids, self.tax_15)
        self.assertRecordValues(credit, [{"amount_residual": 0.0}])
        self.assertTrue(self.receivable_lines(credit).reconciled)
        self.client.invalidate_recordset()
        self.assertAlmostEqual(self.client.billing_balance, 0.0)

    def test_reverse_credit_prefills_what_is_left(self):
        credit = self.credit(100.0, tax_ids=[])
        self.charge(40.0, reversed_credit_id=credit.id, tax_ids=[])
        shown, charge = self.reverse_with_wizard(credit)
        self.assertEqual(shown[0], 60.0)
        self.assertAlmostEqual(charge.amount_total, 60.0)
        self.assertAlmostEqual(credit.amount_residual, 0.0)

    def test_reverse_credit_at_most_its_open_residual(self):
        credit = self.credit(100.0, tax_ids=[])
        self.charge(60.0, reversed_credit_id=credit.id, tax_ids=[])
        # 50.00 + 15 % = 57.50 is more than the 40.00 left.
        self.assert_refused("more than what is left open on the credit", self.client.billing_create_charge,
                            50.0, "too much", reversed_credit_id=credit.id)
        self.assert_refused("more than what is left open on the credit", self.client.billing_create_charge,
                            40.01, "too much", tax_ids=[], reversed_credit_id=credit.id)
        self.charge(40.0, reversed_credit_id=credit.id, tax_ids=[])
        self.assertAlmostEqual(credit.amount_residual, 0.0)
        self.assert_refused("nothing left to reverse", self.client.billing_create_charge,
                            1.0, "again", tax_ids=[], reversed_credit_id=credit.id)
        self.assertEqual(len(credit.billing_reversal_ids), 2)
        action = credit.action_billing_reverse_credit
        with self.assertRaisesRegex(UserError, "nothing left to reverse"):
            action()

    def test_reverse_credit_other_receivable_account(self):
        credit = self.credit(10.0, tax_ids=[])
        other = self.receivable.copy({"code": "121999", "name": "Other receivable"})
        self.client.property_account_receivable_id = other
        self.assert_refused("receivable account", self.client.billing_create_charge,
                            10.0, "other account", tax_ids=[], reversed_credit_id=credit.id)

    # ---- docs/rules.md §4: audit notes --------------------------------------------------------

    def test_audit_notes_for_a_user_without_email(self):
        user = new_test_user(self.env, login="billing_no_email", email=False, company_id=self.company.id,
                             groups="base.group_user,account.group_account_invoice")
        self.assertFalse(user.email)
        follower = self.env["res.partner"].create({"name": "Follower", "email": "follower@example.com"})
        self.client.message_subscribe(follower.ids)
        mails, notifications = self.env["mail.mail"].search_count([]), self.env["mail.notification"].search_count([])
        client = self.client.with_user(user)
        credit = self.env["account.move"].browse(client.billing_create_credit(10.0, "Coach absent", tax_ids=[]))
        charge = self.env["account.move"].browse(client.billing_create_charge(
            5.0, "Late fee", tax_ids=[], reversed_credit_id=credit.id))
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        self.assertEqual(self.env["mail.notification"].search_count([]), notifications)
        note = self.env.ref("mail.mt_note")
        for record, words in ((self.client, "Coach absent"), (self.client, "Late fee"), (credit, "Coach absent"),
                              (charge, "Late fee")):
            messages = record.message_ids.filtered(lambda m, words=words: words in (m.body or ""))
            self.assertTrue(messages, f"{record.display_name}: no note with {words}")
            self.assertRecordValues(messages[:1], [{"author_id": user.partner_id.id, "subtype_id": note.id,
                                                    "message_type": "notification"}])
            self.assertIn(user.name, messages[0].body)

    # ---- docs/rules.md §6: types and shapes over RPC ---------------------------------------------

    def test_public_methods_check_types(self):
        credit = self.credit(10.0, tax_ids=[])
        several = self.client + self.partner_a
        nobody = self.env["res.partner"]
        for method in ("billing_create_credit", "billing_create_charge"):
            with self.subTest(method=method):
                create = getattr(self.client, method)
                self.assert_refused("must be a number", create, "10", "note")
                self.assert_refused("must be a number", create, True, "note")
                self.assert_refused("must be a number", create, None, "note")
                self.assert_refused("must be a number", create, [10.0], "note")
                self.assert_refused("must be a finite number", create, float("nan"), "note")
                self.assert_refused("must be a finite number", create, float("inf"), "note")
                self.assert_refused("must be a finite number", create, float("-inf"), "note")
                self.assert_refused("list of tax ids", create, 10.0, "note", tax_ids="1")
                self.assert_refused("list of tax ids", create, 10.0, "note", tax_ids=[self.tax_15.id, "x"])
                self.assert_refused("list of tax ids", create, 10.0, "note", tax_ids=[True])
                self.assert_refused("list of tax ids", create, 10.0, "note", tax_ids=self.tax_15.id)
                self.assert_refused("do not exist", create, 10.0, "note", tax_ids=[999999])
                self.assert_refused("exactly one client", getattr(several, method), 10.0, "note")
                self.assert_refused("exactly one client", getattr(nobody, method), 10.0, "note")
        charge = self.client.billing_create_charge
        self.assert_refused("one record id", charge, 1.0, "note", reversed_credit_id=str(credit.id))
        self.assert_refused("one record id", charge, 1.0, "note", reversed_credit_id=True)
        self.assert_refused("one record id", charge, 1.0, "note", reversed_credit_id=[credit.id])
        self.assert_refused("one record id", charge, 1.0, "note", reversed_credit_id=-1)
        self.assert_refused("must be a posted customer credit note", charge, 1.0, "note", reversed_credit_id=999999)

    def test_refund_checks_types_and_words(self):
        refund = self.client.billing_refund
        journal = self.bank_journal.id
        self.assert_refused("Create a credit", refund, 10.0, journal, "note")
        with self.assertRaises(UserError) as error:
            refund(10.0, journal, "note")
        self.assertNotIn("Operations >", str(error.exception))
        self.assertNotRegex(str(error.exception), r"\(R\d")
        self.credit(50.0, tax_ids=[])
        self.assert_refused("must be a number", refund, "10", journal, "note")
        self.assert_refused("must be a finite number", refund, float("nan"), journal, "note")
        self.assert_refused("must be a number", refund, False, journal, "note")
        self.assert_refused("one record id", refund, 10.0, str(journal), "note")
        self.assert_refused("one record id", refund, 10.0, True, "note")
        self.assert_refused("one record id", refund, 10.0, [journal], "note")
        self.assert_refused("one record id", refund, 10.0, journal, "note", payment_method_line_id="1")
        self.assert_refused("exactly one client", (self.client + self.partner_a).billing_refund, 10.0, journal, "x")
        self.assert_refused("more than", refund, 50.01, journal, "note")
