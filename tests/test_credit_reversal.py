from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install")
class TestCreditReversalTotal(BillingCommon):
    """R2.4: a credit is reversed at most for its open residual, and never more than its total."""

    def test_unreconciled_reversal_does_not_reopen_the_credit(self):
        credit = self.env["account.move"].browse(self.client.billing_create_credit(100.0, "Goodwill"))
        self.assertEqual(self.currency.compare_amounts(credit.amount_total, 115.0), 0)
        first = self.env["account.move"].browse(self.client.billing_create_charge(
            115.0, "Erroneous credit", taxes_included=True, reversed_credit_id=credit.id))
        self.assertTrue(self.receivable_lines(credit).reconciled)
        # A user undoes the reconciliation (allowed: R1.4 keeps reconciliation free).
        self.receivable_lines(credit).remove_move_reconcile()
        self.assertEqual(self.currency.compare_amounts(credit.amount_residual, 115.0), 0)
        moves, balance = self.count_moves(), self.client.billing_balance
        with self.assertRaisesRegex(UserError, "nothing left to reverse"):
            self.client.billing_create_charge(115.0, "Again", taxes_included=True, reversed_credit_id=credit.id)
        with self.assertRaisesRegex(UserError, "nothing left to reverse"):
            self.client.billing_create_charge(0.01, "Again", taxes_included=True, reversed_credit_id=credit.id)
        self.assertEqual(self.count_moves(), moves)
        self.client.invalidate_recordset()
        self.assertEqual(self.currency.compare_amounts(self.client.billing_balance, balance), 0)
        self.assertEqual(credit.billing_reversal_ids, first)

    def test_partial_reversals_add_up_to_the_total(self):
        credit = self.env["account.move"].browse(self.client.billing_create_credit(100.0, "Goodwill", tax_ids=[]))
        self.client.billing_create_charge(60.0, "Part 1", tax_ids=[], reversed_credit_id=credit.id)
        self.receivable_lines(credit).remove_move_reconcile()
        with self.assertRaisesRegex(UserError, "more than what is left open on the credit"):
            self.client.billing_create_charge(40.01, "Part 2", tax_ids=[], reversed_credit_id=credit.id)
        second = self.env["account.move"].browse(self.client.billing_create_charge(
            40.0, "Part 2", tax_ids=[], reversed_credit_id=credit.id))
        self.assertEqual(self.currency.compare_amounts(
            sum(credit.billing_reversal_ids.mapped("amount_total")), 100.0), 0)
        self.assertEqual(second.state, "posted")
