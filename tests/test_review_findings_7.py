"""Findings of review 7 (the change f177e4a..07ca047), and what held.

Failing on the code as it was:
- the open credit (res.partner._billing_open_credit_lines) searched ``partner_id.commercial_partner_id``
  with the user's record rules on the contacts: a contact of the client that belongs to another company
  (company_id set on the contact) is hidden from a user of the client's company, so its credit is counted
  in the client's balance (``_billing_balances_sql``, no record rules) but not in its open credit. A refund
  of the client's whole available credit (R3) is then booked and left unmatched, the contact's credit open.
  (``child_of`` before the change found it.)
"""
from odoo.tests import tagged

from .common import ReviewCommon


@tagged("post_install", "-at_install")
class TestReviewFindings7(ReviewCommon):

    def test_refund_uses_the_credit_of_a_contact_of_another_company(self):
        """R3, docs/rules.md §1: the open credit is the items the balance counts, whatever company the
        contact itself is restricted to."""
        other_company = self.env["res.company"].create({"name": "Other company (review 7)"})
        contact = self.env["res.partner"].create({"name": "Marie Gagnon", "parent_id": self.client.id})
        payment = self.env["account.payment"].create({
            "partner_id": contact.id, "amount": 40.0, "payment_type": "inbound", "partner_type": "customer",
            "journal_id": self.bank_journal.id})
        payment.action_post()
        contact.company_id = other_company
        client = self.client.with_user(self.refund_user)
        self.assertEqual(client.billing_available_credit, 40.0)
        payment_line = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable")
        self.assertEqual(payment_line.amount_residual, -40.0)

        refund = self.env["account.payment"].browse(client.billing_refund(40.0, self.bank_journal.id, "Moving"))

        refund_line = refund.move_id.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertEqual(refund_line.debit, 40.0)
        self.assertEqual(client._billing_balances().get(self.client.id, 0.0), 0.0)
        self.assertTrue(refund_line.reconciled, "the refund is matched with the contact's credit")
        self.assertTrue(payment_line.reconciled)
        self.assertEqual(payment_line.amount_residual, 0.0)
