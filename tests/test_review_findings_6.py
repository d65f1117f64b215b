"""Findings of session 11's work on issue 10, and what held.

Failing on the code as it was:
- a contact that is a company of its own (Odoo makes it its own commercial entity: its own client, with
  its own balance) had its open credit counted in its parent's: a refund of the parent's own credit was
  matched with the contact's credit note first, and refused as a match across clients.
"""
from odoo.tests import tagged

from .common import ReviewCommon


@tagged("post_install", "-at_install")
class TestReviewFindings6(ReviewCommon):

    def open_credit(self, client):
        self.env.flush_all()
        lines = self.env["account.move.line"].search([
            ("partner_id", "=", client.id), ("company_id", "=", self.company.id), ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable")])
        return self.currency.round(sum(lines.mapped("amount_residual")))

    def test_refund_of_a_client_leaves_its_sub_company_credit_alone(self):
        """R3, docs/rules.md §1: the parent's refund uses the parent's credit only; the credit of its contact
        that is a company of its own stays open, on that contact's own balance."""
        branch = self.env["res.partner"].create(
            {"name": "Gagnon Nord (own company)", "is_company": True, "parent_id": self.client.id})
        self.assertEqual(branch.commercial_partner_id, branch)
        branch_credit = self.env["account.move"].browse(branch.billing_create_credit(100.0, "Goodwill"))
        self.env["account.move"].browse(self.client.billing_create_credit(50.0, "Goodwill"))
        self.assertEqual(self.open_credit(branch), -115.0)
        self.assertEqual(self.open_credit(self.client), -57.5)

        refund = self.env["account.payment"].browse(
            self.client.with_user(self.refund_user).billing_refund(57.5, self.bank_journal.id, "Refund"))

        self.assertEqual(refund.partner_id, self.client)
        refund_line = refund.move_id.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertTrue(refund_line.reconciled)
        self.assertEqual(refund_line.matched_credit_ids.credit_move_id.partner_id, self.client)
        self.assertEqual(self.open_credit(self.client), 0.0)
        # The branch's credit is untouched, on its own balance.
        self.assertEqual(self.open_credit(branch), -115.0)
        branch_line = branch_credit.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertFalse(branch_line.matched_debit_ids)
        branch.invalidate_recordset()
        self.assertEqual(branch.billing_available_credit, 115.0)
