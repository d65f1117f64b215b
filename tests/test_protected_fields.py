import sys
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from ..models import billing_tools
from .common import BillingCommon
from .test_cancel_items import CancelItemsCommon

MODULE_PACKAGE = "odoo.addons.account_billing_operations."


@tagged("post_install", "-at_install")
class TestProtectedFields(CancelItemsCommon):
    """The module's links and flags are set by its own code only, whatever a client sends over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(cls.env, login="clerk_protected",
                                  groups="base.group_user,account.group_account_invoice",
                                  company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])

    def forged_refund_vals(self, line, **line_vals):
        return {
            "move_type": "out_refund", "partner_id": self.client.id, "invoice_date": "2024-01-11",
            "invoice_line_ids": [Command.create({
                "product_id": self.swim.id, "quantity": -5.0, "price_unit": 0.0, "tax_ids": [],
                "billing_cancelled_line_id": line.id, **line_vals})],
        }

    # F2 ---------------------------------------------------------------------------------------

    def test_forged_cancellation_link_refused(self):
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        moves = self.count_moves()
        Move = self.env["account.move"].with_user(self.clerk)
        with self.assertRaisesRegex(UserError, "Cancels invoice line.*Cancel/refund items"):
            Move.create(self.forged_refund_vals(swim))
        # A JSON context cannot carry the module's flag.
        with self.assertRaisesRegex(UserError, "Cancels invoice line.*Cancel/refund items"):
            Move.with_context(billing_cancellation=True).create(self.forged_refund_vals(swim))
        self.assertEqual(self.count_moves(), moves)
        # Nor on an existing credit-note line, nor the penalty flag.
        refund = Move.create({
            "move_type": "out_refund", "partner_id": self.client.id, "invoice_date": "2024-01-11",
            "invoice_line_ids": [Command.create({"product_id": self.swim.id, "quantity": 1.0, "price_unit": 1.0})],
        })
        with self.assertRaisesRegex(UserError, "Cancels invoice line.*Cancel/refund items"):
            refund.invoice_line_ids.write({"billing_cancelled_line_id": swim.id})
        with self.assertRaisesRegex(UserError, "Cancellation fee.*Cancel/refund items"):
            refund.invoice_line_ids.write({"billing_penalty": True})
        self.assertRecordValues(refund.invoice_line_ids, [{"billing_cancelled_line_id": False,
                                                           "billing_penalty": False}])
        # The invoice line is untouched: only its 2 can be cancelled.
        self.assertRecordValues(swim, [{"billing_cancelled_qty": 0.0, "billing_cancellable_qty": 2.0,
                                        "billing_cancel_state": False}])
        self.assert_refused("Only 2.0 of Swimming can still be cancelled", invoice, [[swim.id, 7.0]])

    def test_cancelled_quantity_counts_only_cancellation_credit_notes(self):
        """Even a link set by the module's code on another document (or a negative quantity) is
        not a cancellation: only posted Cancel/refund items credit notes count."""
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        Move = billing_tools.internal(self.env["account.move"], "billing_cancellation")
        negative = Move.create(self.forged_refund_vals(swim))
        ordinary = Move.create(self.forged_refund_vals(swim, quantity=1.0, price_unit=1.0))
        (negative + ordinary).action_post()
        self.assertRecordValues(swim, [{"billing_cancelled_qty": 0.0, "billing_cancellable_qty": 2.0,
                                        "billing_cancel_state": False}])
        self.assert_refused("Only 2.0 of Swimming can still be cancelled", invoice, [[swim.id, 7.0]])
        # The real thing still counts.
        _result, note = self.cancel(invoice, [[swim.id, 1.0]])
        self.assertRecordValues(swim, [{"billing_cancelled_qty": 1.0, "billing_cancellable_qty": 1.0,
                                        "billing_cancel_state": "partial"}])
        self.assertRecordValues(note.invoice_line_ids, [{"billing_cancelled_line_id": swim.id, "quantity": 1.0}])

    # F6 ---------------------------------------------------------------------------------------

    def test_billing_fields_of_moves_refused(self):
        invoice = self.activity_invoice().with_user(self.clerk)
        credit = self.env["account.move"].browse(self.client.billing_create_credit(10.0, "Goodwill"))
        for vals in ({"billing_operation": "credit"}, {"billing_operation": "cancellation"},
                     {"billing_note": "Forged"}, {"billing_reversed_credit_id": credit.id}):
            with self.assertRaisesRegex(UserError, "set only by the client's billing operations"):
                invoice.write(vals)
        with self.assertRaisesRegex(UserError, "set only by the client's billing operations"):
            credit.with_user(self.clerk).write({"billing_note": "Changed"})
        with self.assertRaisesRegex(UserError, "set only by the client's billing operations"):
            credit.with_user(self.clerk).with_context(billing_document=True).write({"billing_operation": False})
        moves = self.count_moves()
        with self.assertRaisesRegex(UserError, "set only by the client's billing operations"):
            self.env["account.move"].with_user(self.clerk).create({
                "move_type": "out_refund", "partner_id": self.client.id, "billing_operation": "credit",
                "invoice_line_ids": [Command.create({"product_id": self.swim.id, "price_unit": 5.0})]})
        self.assertEqual(self.count_moves(), moves)
        invoice.invalidate_recordset()
        credit.invalidate_recordset()
        self.assertRecordValues(invoice + credit, [
            {"billing_operation": False, "billing_note": False, "billing_reversed_credit_id": False},
            {"billing_operation": "credit", "billing_note": "Goodwill", "billing_reversed_credit_id": False},
        ])
        # The invoice is still an ordinary one: it can be reset to draft.
        admin_invoice = self.env["account.move"].browse(invoice.id)
        admin_invoice.button_draft()
        self.assertEqual(admin_invoice.state, "draft")

    def test_odoo_reversal_of_a_billing_credit_is_not_a_billing_document(self):
        charge = self.env["account.move"].browse(self.client.billing_create_charge(100.0, "Charge"))
        reversal = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=charge.ids).create({
                "journal_id": charge.journal_id.id, "reason": "test"})
        reversed_move = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        self.assertRecordValues(reversed_move, [{"move_type": "out_refund", "billing_operation": False,
                                                 "billing_note": False, "amount_total": 115.0}])

    # F5 ---------------------------------------------------------------------------------------

    def test_refund_entry_not_unposted_by_a_write(self):
        self.client.billing_create_credit(100.0, "Goodwill")
        refund = self.env["account.payment"].browse(
            self.client.billing_refund(30.0, self.cash_journal.id, "Leaving"))
        self.assertEqual(refund.billing_refund_state, "pending")
        entry = refund.move_id
        lines_before = entry.line_ids.read(["account_id", "balance", "name"])
        for vals in ({"state": "draft"}, {"state": "cancel"},
                     {"line_ids": [Command.update(entry.line_ids[0].id, {"name": "Forged"})]}):
            with self.assertRaisesRegex(UserError, "pending settlement: undo it with its Cancel refund button"):
                entry.write(vals)
        entry.invalidate_recordset()
        self.assertRecordValues(entry, [{"state": "posted"}])
        self.assertEqual(entry.line_ids.read(["account_id", "balance", "name"]), lines_before)
        self.assertRecordValues(refund, [{"billing_refund_state": "pending"}])
        # Its Cancel refund button still works.
        refund.billing_cancel_refund("Mistake")
        self.assertRecordValues(refund, [{"billing_refund_state": "cancelled"}])
        self.assertNotEqual(entry.state, "posted")

    # F7 ---------------------------------------------------------------------------------------

    def test_penalty_flag_does_not_change_the_taxes_of_an_ordinary_invoice(self):
        invoice = self.invoice(200.0, post=False)
        self.assertAlmostEqual(invoice.amount_total, 230.0)
        with self.assertRaisesRegex(UserError, "Cancellation fee.*Cancel/refund items"):
            invoice.with_user(self.clerk).invoice_line_ids.write({"billing_penalty": True})
        # Even set by the module's own code, the flag means nothing outside a cancellation.
        billing_tools.internal(invoice.invoice_line_ids, "billing_cancellation").write({"billing_penalty": True})
        invoice.invoice_line_ids.write({"price_unit": 100.0})
        invoice.invoice_line_ids.write({"price_unit": 200.0})
        self.assertRecordValues(invoice, [{"amount_untaxed": 200.0, "amount_tax": 30.0, "amount_total": 230.0}])
        invoice.action_post()
        self.assertRecordValues(self.receivable_lines(invoice), [{"balance": 230.0}])


@tagged("post_install", "-at_install")
class TestNarrowOverrides(BillingCommon):
    """The R1.4 guard of account.move / account.move.line ``write`` looks at the module's own documents
    only: the posted billing credits are filtered first, and only they are asked ``_field_will_change``
    (which builds a ``new()`` record per line for a many2many such as ``tax_ids``)."""

    def module_calls_to_field_will_change(self):
        """A spy on Odoo's ``_field_will_change`` (the original still answers) that records the
        records the module asks about; Odoo's own calls are not counted."""
        calls = []
        Move = type(self.env["account.move"])
        original = Move._field_will_change

        def spy(move_model, record, vals, field_name):
            if sys._getframe(1).f_globals.get("__name__", "").startswith(MODULE_PACKAGE):
                calls.append(record)
            return original(move_model, record, vals, field_name)
        return calls, patch.object(Move, "_field_will_change", spy)

    def test_writes_on_other_documents_ask_nothing(self):
        draft = self.invoice(100.0, post=False)
        posted = self.invoice(50.0)
        calls, spy = self.module_calls_to_field_will_change()
        with spy:
            draft.invoice_line_ids.write({"tax_ids": [Command.set((self.tax_gst | self.tax_qst).ids)]})
            draft.write({"ref": "Spring session", "invoice_date": "2024-01-12"})
            posted.write({"ref": "Paid at the desk"})
            posted.line_ids.write({"name": "Swimming, spring"})
        self.assertEqual(calls, [])
        # The writes went through.
        self.assertEqual(draft.invoice_line_ids.tax_ids, self.tax_gst | self.tax_qst)
        self.assertRecordValues(draft | posted, [{"ref": "Spring session"}, {"ref": "Paid at the desk"}])

    def test_posted_billing_credit_is_asked_and_refused(self):
        credit = self.env["account.move"].browse(self.client.billing_create_credit(10.0, "Goodwill"))
        other = self.invoice(50.0)
        calls, spy = self.module_calls_to_field_will_change()
        with spy:
            with self.assertRaisesRegex(UserError, "can never be changed"):
                (credit | other).write({"ref": "Changed"})
            self.assertEqual({record.id for record in calls}, {credit.id})
            calls.clear()
            with self.assertRaisesRegex(UserError, "can never be changed"):
                (credit.line_ids | other.line_ids).write({"name": "Changed"})
            self.assertEqual({record.id for record in calls}, set(credit.line_ids.ids))
            calls.clear()
            # The same value is no change: allowed, and only the credit's lines were asked.
            credit.line_ids[:1].write({"name": credit.line_ids[:1].name})
            self.assertEqual({record.id for record in calls}, set(credit.line_ids[:1].ids))
        self.assertNotEqual(credit.ref, "Changed")
        self.assertNotIn("Changed", credit.line_ids.mapped("name"))
