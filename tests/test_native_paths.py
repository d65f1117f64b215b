from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_cancel_items import CancelItemsCommon
from .test_refunds import RefundCase


@tagged("post_install", "-at_install")
class TestNativePaths(CancelItemsCommon, RefundCase):
    """Odoo's own buttons (Reverse, writes over RPC) cannot go around the module's rules."""

    def reversal_wizard(self, move):
        return self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=move.ids).create({"journal_id": move.journal_id.id})

    def assert_reversal_refused(self, move, message):
        moves = self.count_moves()
        for method in ("refund_moves", "modify_moves"):
            with self.subTest(method=method), self.assertRaisesRegex(UserError, message):
                getattr(self.reversal_wizard(move), method)()
        self.assertEqual(self.count_moves(), moves)
        move.invalidate_recordset()
        self.assertEqual(move.state, "posted")
        self.assertFalse(move.reversal_move_ids)

    # Reverse on a refund's journal entry -----------------------------------------------------

    def test_reverse_refund_entry_refused(self):
        self.credit(100.0)
        refund = self.refund_from_client(60.0)
        entry = refund.move_id
        balance = self.balance()
        self.assert_reversal_refused(entry, "pending settlement.*Cancel refund")
        refund.invalidate_recordset()
        self.assertEqual(refund.billing_refund_state, "pending")
        self.assertEqual(self.currency.compare_amounts(self.balance(), balance), 0)
        self.assertRecordValues(entry.line_ids.sorted("balance"), [
            {"account_id": refund.outstanding_account_id.id, "balance": -60.0},
            {"account_id": self.receivable.id, "balance": 60.0},
        ])

    # Reverse on a billing credit or a cancellation credit note ------------------------------

    def test_reverse_billing_credit_refused(self):
        credit = self.env["account.move"].browse(self.client.billing_create_credit(10.0, "Goodwill"))
        balance = self.balance()
        self.assert_reversal_refused(credit, "Reverse an erroneous credit")
        self.assertEqual(self.currency.compare_amounts(self.balance(), balance), 0)

    def test_reverse_cancellation_credit_note_refused(self):
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        # The module's own reversal of the invoice still works.
        _result, note = self.cancel(invoice, [[swim.id, 1.0]])
        self.assertRecordValues(note, [{"billing_operation": "cancellation", "state": "posted",
                                        "amount_total": 57.5}])
        self.assert_reversal_refused(note, "Create an invoice.*Billing tab")
        self.assertRecordValues(swim, [{"billing_cancelled_qty": 1.0, "billing_cancellable_qty": 1.0}])

    def test_reverse_ordinary_invoice_still_works(self):
        invoice = self.activity_invoice()
        self.reversal_wizard(invoice).refund_moves()
        self.assertEqual(len(invoice.reversal_move_ids), 1)
        self.assertEqual(invoice.reversal_move_ids.amount_total, invoice.amount_total)

    # Cancel/refund items after Odoo's credit note -------------------------------------------

    def test_cancel_items_after_native_credit_note_refused(self):
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        self.reversal_wizard(invoice).refund_moves()
        native = invoice.reversal_move_ids
        # A draft credit note does not count yet.
        self.assertEqual(invoice._billing_cancel_preview([[swim.id, 1.0]])["error"], False)
        native.action_post()
        message = "already has a posted credit note.*Cancel/refund items"
        self.assert_refused(message, invoice, [[swim.id, 1.0]])
        self.assertRegex(invoice._billing_cancel_preview([[swim.id, 1.0]])["error"], message)

    # Immutable fields of a posted billing credit -------------------------------------------

    def test_posted_credit_more_fields_refused(self):
        credit = self.env["account.move"].browse(self.client.billing_create_credit(10.0, "Goodwill"))
        line = credit.invoice_line_ids
        term = credit.line_ids.filtered(lambda item: item.display_type == "payment_term")
        tag = self.env["account.account.tag"].create({"name": "Tag (test)", "applicability": "taxes"})
        before_line = line.read(["price_subtotal", "price_total", "product_uom_id", "tax_tag_ids"])[0]
        before_term, before_ref = term.date_maturity, credit.ref
        for record, vals in [
            (line, {"price_subtotal": 1.0}),
            (line, {"price_total": 1.0}),
            (line, {"product_uom_id": self.env.ref("uom.product_uom_dozen").id}),
            (term, {"date_maturity": "2030-01-01"}),
            (line, {"tax_tag_ids": [Command.set(tag.ids)]}),
            (credit, {"ref": "Changed"}),
        ]:
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "can never be changed"):
                record.write(vals)
        credit.invalidate_recordset()
        (line + term).invalidate_recordset()
        self.assertEqual(line.read(["price_subtotal", "price_total", "product_uom_id", "tax_tag_ids"])[0],
                         before_line)
        self.assertEqual(term.date_maturity, before_term)
        self.assertEqual(credit.ref, before_ref)
        # An unchanged value is no change; reconciliation still works.
        credit.write({"ref": credit.ref})
        invoice = self.invoice(100.0, taxes=[])
        (self.receivable_lines(invoice) + self.receivable_lines(credit)).reconcile()
        self.assertTrue(self.receivable_lines(credit).reconciled)

    # Quantities with more decimals than the unit of measure ---------------------------------

    def test_cancel_quantity_more_decimals_than_uom_refused(self):
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        message = "0.333.*more decimals than its unit of measure"
        self.assert_refused(message, invoice, [[swim.id, 0.333]])
        self.assertRegex(invoice._billing_cancel_preview([[swim.id, 0.333]])["error"], message)
        self.assertEqual(invoice._billing_cancel_preview([[swim.id, 0.5]])["error"], False)
