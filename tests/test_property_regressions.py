"""Defects found by the property test (tests/test_property.py), each kept as a plain test."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install")
class TestPropertyRegressions(BillingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref("account_billing_operations.group_billing_refund")

    def test_cancel_items_refused_refund_writes_nothing(self):
        """Found by TestPropertyAccounting (seed 20260302): Cancel/refund items whose refund from a
        journal is refused (more than the client's available credit once the credit note has paid the
        unpaid part) left its credit note behind for a caller in the same transaction. docs/rules.md §6: a
        refused call writes nothing."""
        invoice = self.invoice(100.0, taxes=self.env["account.tax"])
        self.pay_invoice(invoice, amount=50.0, journal=self.cash_journal)
        moves, balance = self.count_moves(), self.client.billing_balance
        line = invoice.invoice_line_ids
        # Credit 80 (100 less a 20 % penalty): 50 pays the unpaid part, 30 is left as credit; a refund of
        # the 50 paid is within what was paid on the invoice, but above the client's available credit.
        # Caught by hand, as a caller in the same transaction would: Odoo's assertRaises would roll back
        # what the call wrote and hide the defect.
        try:
            invoice.billing_cancel_items(line.ids, penalty_type="percent", penalty_value=20.0, refund_amount=50.0,
                                         refund_journal_id=self.cash_journal.id, note="Camp cancelled")
        except UserError as error:
            self.assertIn("available credit", str(error))
        else:
            self.fail("a refund above the available credit was accepted")
        self.env.invalidate_all()
        self.assertEqual(self.count_moves(), moves)
        self.assertEqual(self.client.billing_balance, balance)
        self.assertFalse(line.billing_cancelled_qty)
        self.assertEqual(invoice.amount_residual, 50.0)
