from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from ..models import billing_tools
from .common import BillingCommon


@tagged("post_install", "-at_install")
class TestPaymentPaths(BillingCommon):
    """Payments reach the books only through the module's own paths (scheduled payments, refunds)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Payment = cls.env["account.payment"]
        cls.bob = cls.env["res.partner"].create({"name": "Client Bob", "is_company": True})
        cls.clerk = new_test_user(
            cls.env, login="paths_clerk", groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])
        cls.employee = new_test_user(
            cls.env, login="paths_employee", groups="base.group_user,account.group_account_readonly",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])

    def payment_vals(self, partner, amount, **extra):
        return {"payment_type": "inbound", "partner_type": "customer", "partner_id": partner.id,
                "amount": amount, "journal_id": self.bank_journal.id, "date": "2024-02-01", **extra}

    def state_of(self, *records):
        for record in records:
            record.invalidate_recordset()
        self.client.invalidate_recordset()
        self.bob.invalidate_recordset()
        return (self.Payment.search_count([]), self.count_moves(), self.client.billing_balance,
                self.bob.billing_balance, [record.amount_residual for record in records])

    # ---- item 1: billing_postdated / billing_invoice_id are the module's own --------------------

    @freeze_time("2024-02-01")
    def test_scheduling_fields_cannot_be_set_by_hand(self):
        bob_invoice = self.invoice(100.0, partner=self.bob)
        before = self.state_of(bob_invoice)
        for extra in ({"billing_postdated": True}, {"billing_invoice_id": bob_invoice.id},
                      {"billing_postdated": True, "billing_invoice_id": bob_invoice.id}):
            for env in (self.env(user=self.clerk), self.env):
                with self.assertRaises(UserError) as caught:
                    env["account.payment"].create(self.payment_vals(self.client, 115.0, **extra))
                self.assertIn("Make a payment", str(caught.exception))
        self.assertEqual(self.state_of(bob_invoice), before)
        # Nor written on an existing payment.
        payment = self.Payment.with_user(self.clerk).create(self.payment_vals(self.client, 115.0))
        for vals in ({"billing_postdated": True}, {"billing_invoice_id": bob_invoice.id}):
            with self.assertRaises(UserError) as caught:
                payment.write(vals)
            self.assertIn("Make a payment", str(caught.exception))
        self.assertRecordValues(payment, [{"billing_postdated": False, "billing_invoice_id": False}])
        self.assertEqual(self.Payment.billing_apply_postdated(), 0)
        bob_invoice.invalidate_recordset()
        self.assertAlmostEqual(bob_invoice.amount_residual, 115.0)

    @freeze_time("2024-02-01")
    def test_apply_refuses_a_payment_of_another_client(self):
        """A forged record (as data written before this check) is never applied to another client's invoice."""
        bob_invoice = self.invoice(100.0, partner=self.bob)
        forged = billing_tools.internal(self.Payment, "billing_make_payment").create(
            self.payment_vals(self.client, 115.0, billing_postdated=True, billing_invoice_id=bob_invoice.id))
        before = self.state_of(bob_invoice)
        with self.assertRaises(UserError) as caught:
            forged._billing_post_and_reconcile()
        self.assertIn("Client Bob", str(caught.exception))
        self.assertEqual(self.Payment.billing_apply_postdated(), 0)
        self.assertEqual(forged.state, "draft")
        self.assertEqual(self.state_of(bob_invoice), before)
        self.assertAlmostEqual(bob_invoice.amount_residual, 115.0)

    @freeze_time("2024-02-01")
    def test_apply_postdated_needs_the_invoicing_group(self):
        invoice = self.invoice(100.0)
        invoice.billing_make_payment(115.0, self.bank_journal.id, postdated_date="2024-02-15")
        with freeze_time("2024-02-15"):
            before = self.state_of(invoice)
            with self.assertRaises(AccessError):
                self.Payment.with_user(self.employee).billing_apply_postdated()
            self.assertEqual(self.state_of(invoice), before)
            self.assertEqual(self.Payment.with_user(self.clerk).billing_apply_postdated(), 1)
            invoice.invalidate_recordset()
            self.assertAlmostEqual(invoice.amount_residual, 0.0)

    @freeze_time("2024-02-01")
    def test_scheduled_payment_cannot_be_edited(self):
        invoice = self.invoice(100.0)
        result = invoice.billing_make_payment(115.0, self.bank_journal.id, postdated_date="2024-02-15")
        payment = self.Payment.browse(result["payment_id"])
        before = self.state_of(invoice)
        for vals in ({"amount": 1000.0, "date": "2024-01-31"}, {"amount": 1000.0}, {"date": "2024-01-31"},
                     {"partner_id": self.bob.id}, {"journal_id": self.cash_journal.id},
                     {"currency_id": self.env.ref("base.EUR").id}):
            for user in (self.clerk, self.env.user):
                with self.assertRaises(UserError) as caught:
                    payment.with_user(user).write(vals)
                self.assertIn("cancel it", str(caught.exception))
        self.assertRecordValues(payment, [{"amount": 115.0, "state": "draft", "partner_id": self.client.id}])
        self.assertEqual(self.Payment.billing_apply_postdated(), 0, "not due yet")
        self.assertEqual(self.state_of(invoice), before)
        # Writing the same values, or other fields, is harmless.
        payment.with_user(self.clerk).write({"amount": 115.0, "memo": "Cheque 12"})
        with freeze_time("2024-02-15"):
            self.assertEqual(self.Payment.billing_apply_postdated(), 1)
        invoice.invalidate_recordset()
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        self.client.invalidate_recordset()
        self.assertAlmostEqual(self.client.billing_balance, 0.0, msg="not overpaid")

    # ---- item 2: Register Payment on a billing credit note ------------------------------------

    def register(self, moves, user):
        return self.env["account.payment.register"].with_user(user).with_context(
            active_model="account.move", active_ids=moves.ids).create({"journal_id": self.bank_journal.id})

    def test_register_payment_on_a_billing_credit_needs_the_refunds_group(self):
        credit = self.env["account.move"].browse(self.client.billing_create_credit(50.0, "Goodwill", tax_ids=[]))
        self.assertEqual(credit.billing_operation, "credit")
        before = self.state_of(credit)
        with self.assertRaises(UserError) as caught:
            self.register(credit, self.clerk).action_create_payments()
        self.assertIn("Record a refund", str(caught.exception))
        self.assertIn("Billing tab", str(caught.exception))
        self.assertEqual(self.state_of(credit), before)
        # Someone with the refunds group may.
        refunder = new_test_user(
            self.env, login="paths_refunder",
            groups="base.group_user,account_billing_operations.group_billing_refund",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)])
        self.register(credit, refunder).action_create_payments()
        credit.invalidate_recordset()
        self.assertAlmostEqual(credit.amount_residual, 0.0)

    def test_register_payment_on_an_invoice_untouched(self):
        invoice = self.invoice(100.0)
        self.register(invoice, self.clerk).action_create_payments()
        invoice.invalidate_recordset()
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        line = self.receivable_lines(invoice)
        self.assertTrue(line.reconciled)
