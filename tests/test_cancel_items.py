from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import BillingCommon


class CancelItemsCommon(BillingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        plan = cls.env["account.analytic.plan"].create({"name": "Activities"})
        cls.analytic = cls.env["account.analytic.account"].create({"name": "Swimming", "plan_id": plan.id})
        cls.swim_account = cls.revenue.copy({"code": "400100", "name": "Swimming revenue"})
        cls.swim = cls._create_product(name="Swimming", lst_price=50.0,
                                       property_account_income_id=cls.swim_account.id,
                                       taxes_id=[Command.set(cls.tax_15.ids)])
        cls.camp = cls._create_product(name="Day camp", lst_price=200.0,
                                       taxes_id=[Command.set((cls.tax_gst | cls.tax_qst).ids)])
        cls.penalty_account = cls.revenue.copy({"code": "400200", "name": "Cancellation fees"})
        cls.penalty_product = cls._create_product(name="Cancellation fee (test)", lst_price=0.0,
                                                  property_account_income_id=cls.penalty_account.id,
                                                  taxes_id=[Command.clear()])
        cls.company.billing_penalty_product_id = cls.penalty_product

    def activity_invoice(self, post=True):
        """Swimming 2 x 50.00 + 15 % (115.00, analytic) and a day camp 200.00 + GST + QST (229.95)."""
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.client.id, "invoice_date": "2024-01-10",
            "invoice_line_ids": [
                Command.create({"product_id": self.swim.id, "quantity": 2.0, "price_unit": 50.0,
                                "tax_ids": [Command.set(self.tax_15.ids)],
                                "analytic_distribution": {str(self.analytic.id): 100.0}}),
                Command.create({"product_id": self.camp.id, "quantity": 1.0, "price_unit": 200.0,
                                "tax_ids": [Command.set((self.tax_gst | self.tax_qst).ids)]}),
            ],
        })
        if post:
            invoice.action_post()
        return invoice

    def balance(self):
        self.client.invalidate_recordset()
        return self.client.billing_balance

    def lines_of(self, invoice):
        swim = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.swim)
        camp = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.camp)
        return swim, camp

    def tax_account(self, invoice, tax):
        return invoice.line_ids.filtered(lambda line: line.tax_line_id == tax).account_id

    def cancel(self, invoice, lines, **kwargs):
        result = invoice.billing_cancel_items(lines, **kwargs)
        return result, self.env["account.move"].browse(result["credit_note_id"])

    def note_lines(self, credit_note):
        return credit_note.line_ids.filtered(lambda line: not self.currency.is_zero(line.balance)).sorted("balance")

    def assert_refused(self, message, invoice, lines, **kwargs):
        """The message, and nothing written: documents, payments, cancelled quantities, balances."""
        moves = self.count_moves()
        payments = self.env["account.payment"].search_count([])
        residual, balance = invoice.amount_residual, self.balance()
        cancelled = invoice.invoice_line_ids.mapped("billing_cancelled_qty")
        with self.assertRaises(UserError) as caught:
            invoice.billing_cancel_items(lines, **kwargs)
        self.assertRegex(str(caught.exception), message)
        self.assertEqual(self.count_moves(), moves)
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        invoice.invalidate_recordset()
        invoice.invoice_line_ids.invalidate_recordset()
        self.client.invalidate_recordset()
        self.assertEqual(invoice.invoice_line_ids.mapped("billing_cancelled_qty"), cancelled)
        self.assertEqual(invoice.currency_id.compare_amounts(invoice.amount_residual, residual), 0)
        self.assertEqual(self.currency.compare_amounts(self.balance(), balance), 0)


@tagged("post_install", "-at_install")
class TestCancelItems(CancelItemsCommon):
    """R6: Cancel/refund items of a posted customer invoice (credit section)."""

    def test_full_line_cancellation(self):
        invoice = self.activity_invoice()
        self.assertAlmostEqual(invoice.amount_total, 344.95)
        swim, camp = self.lines_of(invoice)
        result, note = self.cancel(invoice, [swim.id], note="Swimming cancelled")
        self.assertFalse(result["refund_payment_id"])
        self.assertRecordValues(note, [{
            "move_type": "out_refund", "state": "posted", "billing_operation": "cancellation",
            "partner_id": self.client.id, "reversed_entry_id": invoice.id, "currency_id": self.currency.id,
            "amount_untaxed": 100.0, "amount_tax": 15.0, "amount_total": 115.0, "amount_residual": 0.0,
        }])
        self.assertRecordValues(self.note_lines(note), [
            {"account_id": self.receivable.id, "balance": -115.0, "tax_ids": [], "tax_line_id": False,
             "reconciled": True},
            {"account_id": self.tax_account(invoice, self.tax_15).id, "balance": 15.0, "tax_ids": [],
             "tax_line_id": self.tax_15.id, "reconciled": False},
            {"account_id": self.swim_account.id, "balance": 100.0, "tax_ids": self.tax_15.ids,
             "tax_line_id": False, "reconciled": False},
        ])
        self.assertRecordValues(note.invoice_line_ids, [{
            "product_id": self.swim.id, "quantity": 2.0, "price_unit": 50.0, "price_total": 115.0,
            "analytic_distribution": {str(self.analytic.id): 100.0}, "billing_cancelled_line_id": swim.id,
        }])
        # Reconciled with the invoice's unpaid part; the invoice keeps the day camp to pay.
        self.assertRecordValues(invoice, [{"amount_residual": 229.95, "payment_state": "partial"}])
        self.assertRecordValues(swim + camp, [
            {"billing_cancelled_qty": 2.0, "billing_cancellable_qty": 0.0, "billing_cancel_state": "cancelled"},
            {"billing_cancelled_qty": 0.0, "billing_cancellable_qty": 1.0, "billing_cancel_state": False},
        ])
        self.assertTrue(invoice.billing_has_cancellations)
        self.assertAlmostEqual(self.balance(), 229.95)
        for record in (note, invoice, self.client):
            bodies = " ".join(record.message_ids.mapped("body"))
            self.assertIn("Items cancellation", bodies)
            self.assertIn("Swimming cancelled", bodies)

    def test_two_taxes_line_cancellation(self):
        invoice = self.activity_invoice()
        _swim, camp = self.lines_of(invoice)
        _result, note = self.cancel(invoice, [[camp.id, 1.0]])
        self.assertRecordValues(self.note_lines(note), [
            {"account_id": self.receivable.id, "balance": -229.95, "tax_line_id": False, "tax_ids": []},
            {"account_id": self.tax_account(invoice, self.tax_gst).id, "balance": 10.0,
             "tax_line_id": self.tax_gst.id, "tax_ids": []},
            {"account_id": self.tax_account(invoice, self.tax_qst).id, "balance": 19.95,
             "tax_line_id": self.tax_qst.id, "tax_ids": []},
            {"account_id": self.revenue.id, "balance": 200.0, "tax_line_id": False,
             "tax_ids": (self.tax_gst | self.tax_qst).ids},
        ])
        self.assertAlmostEqual(invoice.amount_residual, 115.0)

    def test_partial_line_cancellation_and_twice(self):
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        _result, first = self.cancel(invoice, [[swim.id, 1.0]])
        self.assertRecordValues(self.note_lines(first), [
            {"account_id": self.receivable.id, "balance": -57.5, "reconciled": True},
            {"account_id": self.tax_account(invoice, self.tax_15).id, "balance": 7.5, "reconciled": False},
            {"account_id": self.swim_account.id, "balance": 50.0, "reconciled": False},
        ])
        self.assertRecordValues(first.invoice_line_ids, [{"quantity": 1.0, "tax_ids": self.tax_15.ids}])
        self.assertRecordValues(swim, [{"billing_cancelled_qty": 1.0, "billing_cancellable_qty": 1.0,
                                        "billing_cancel_state": "partial"}])
        self.assertAlmostEqual(invoice.amount_residual, 287.45)
        # Beyond what is left: refused, nothing written.
        self.assert_refused("Only 1.0 of Swimming can still be cancelled", invoice, [[swim.id, 1.5]])
        # The rest of the line, then the line a second time.
        _result, second = self.cancel(invoice, [swim.id])
        self.assertRecordValues(second.invoice_line_ids, [{"quantity": 1.0, "balance": 50.0}])
        self.assertRecordValues(swim, [{"billing_cancelled_qty": 2.0, "billing_cancel_state": "cancelled"}])
        self.assert_refused("already cancelled.*cannot be cancelled twice", invoice, [swim.id])
        self.assert_refused("Only 0.0 of Swimming", invoice, [[swim.id, 1.0]])
        self.assertAlmostEqual(invoice.amount_residual, 229.95)
        self.assertAlmostEqual(self.balance(), 229.95)

    def test_penalties(self):
        """Penalty 0, an amount, 10 % and 100 % of the tax-included base (115.00)."""
        cases = [
            # penalty_type, penalty_value, penalty, credit
            ("none", 0.0, 0.0, 115.0),
            ("amount", 0.0, 0.0, 115.0),
            ("amount", 15.0, 15.0, 100.0),
            ("percent", 10.0, 11.5, 103.5),
            ("percent", 100.0, 115.0, 0.0),
        ]
        for penalty_type, value, penalty, credit in cases:
            with self.subTest(penalty_type=penalty_type, value=value):
                invoice = self.activity_invoice()
                swim, _camp = self.lines_of(invoice)
                _result, note = self.cancel(invoice, [swim.id], penalty_type=penalty_type, penalty_value=value)
                self.assertRecordValues(note, [{"state": "posted", "amount_total": credit}])
                expected = [
                    {"account_id": self.tax_account(invoice, self.tax_15).id, "balance": 15.0,
                     "tax_line_id": self.tax_15.id, "tax_ids": []},
                    {"account_id": self.swim_account.id, "balance": 100.0, "tax_line_id": False,
                     "tax_ids": self.tax_15.ids},
                ]
                if penalty:
                    expected.insert(0, {"account_id": self.penalty_account.id, "balance": -penalty,
                                        "tax_line_id": False, "tax_ids": []})
                if credit:
                    expected.insert(0, {"account_id": self.receivable.id, "balance": -credit,
                                        "tax_line_id": False, "tax_ids": []})
                self.assertRecordValues(self.note_lines(note), expected)
                penalty_line = note.invoice_line_ids.filtered(lambda line: line.product_id == self.penalty_product)
                self.assertEqual(len(penalty_line), 1 if penalty else 0)
                self.assertAlmostEqual(invoice.amount_residual, 344.95 - credit)
                self.assertEqual(swim.billing_cancel_state, "cancelled")

    def test_penalty_larger_than_base_refused(self):
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        self.assert_refused("larger than what is cancelled", invoice, [swim.id], penalty_type="amount",
                            penalty_value=115.01)
        self.assert_refused("between 0 and 100", invoice, [swim.id], penalty_type="percent", penalty_value=100.5)
        self.assert_refused("between 0 and 100", invoice, [swim.id], penalty_type="percent", penalty_value=-1)
        self.assert_refused("cannot be negative", invoice, [swim.id], penalty_type="amount", penalty_value=-5)
        self.assert_refused("penalty type must be", invoice, [swim.id], penalty_type="half", penalty_value=5)

    def test_bad_lines_refused(self):
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        other = self.activity_invoice()
        self.assert_refused("Tick at least one", invoice, [])
        self.assert_refused("is not a product line of", invoice, [self.lines_of(other)[0].id])
        self.assert_refused("is not a product line of", invoice, [self.receivable_lines(invoice).id])
        self.assert_refused("given twice", invoice, [swim.id, [swim.id, 1.0]])
        self.assert_refused("must be greater than 0", invoice, [[swim.id, 0.0]])
        self.assert_refused("full card number", invoice, [swim.id], note="card 4111 1111 1111 1111")

    def test_not_a_posted_customer_invoice_refused(self):
        draft = self.activity_invoice(post=False)
        bill = self.init_invoice("in_invoice", partner=self.client, amounts=[100.0], post=True,
                                 invoice_date="2024-01-10")
        refund = self.init_invoice("out_refund", partner=self.client, amounts=[100.0], post=True,
                                   invoice_date="2024-01-10")
        for move in (draft, bill, refund):
            with self.subTest(move=move.move_type, state=move.state):
                self.assert_refused("not a posted customer invoice", move, move.invoice_line_ids[:1].ids)
                with self.assertRaisesRegex(UserError, "not a posted customer invoice"):
                    Form(self.env["billing.cancel.wizard"].with_context(
                        active_model="account.move", active_ids=move.ids))

    def test_invoice_of_another_company_refused(self):
        other = self.setup_other_company(name="Other company")
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[100.0], post=True,
                                    invoice_date="2024-01-10", company=other["company"]).with_company(self.company)
        self.assert_refused("belongs to another company", invoice, invoice.invoice_line_ids.ids)

    def test_cancel_on_paid_invoice_leaves_open_credit(self):
        invoice = self.activity_invoice()
        self.pay_invoice(invoice)
        swim, _camp = self.lines_of(invoice)
        _result, note = self.cancel(invoice, [swim.id])
        self.assertRecordValues(self.note_lines(note)[:1], [
            {"account_id": self.receivable.id, "balance": -115.0, "reconciled": False, "amount_residual": -115.0}])
        self.assertEqual(note.payment_state, "not_paid")
        self.assertAlmostEqual(self.balance(), -115.0)
        self.assertAlmostEqual(self.client.billing_available_credit, 115.0)

    def test_cancel_on_partly_paid_invoice_unpaid_part_first(self):
        invoice = self.activity_invoice()
        self.pay_invoice(invoice, amount=300.0)
        self.assertAlmostEqual(invoice.amount_residual, 44.95)
        swim, _camp = self.lines_of(invoice)
        _result, note = self.cancel(invoice, [swim.id])
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        self.assertRecordValues(self.note_lines(note)[:1], [
            {"account_id": self.receivable.id, "balance": -115.0, "reconciled": False, "amount_residual": -70.05}])
        self.assertEqual(note.payment_state, "partial")
        self.assertAlmostEqual(self.balance(), -70.05)

    def test_refund_section_refusals(self):
        """R6.4 checks made before any money moves: the cap and the group."""
        invoice = self.activity_invoice()
        self.pay_invoice(invoice, amount=100.0)
        swim, _camp = self.lines_of(invoice)
        self.assertAlmostEqual(invoice._billing_paid_amount(), 100.0)
        self.assert_refused("more than what was paid on", invoice, [swim.id], refund_amount=100.01,
                            refund_journal_id=self.cash_journal.id, note="Refund")
        self.assert_refused("cannot be negative", invoice, [swim.id], refund_amount=-1.0)
        self.assert_refused("A note is required", invoice, [swim.id], refund_amount=10.0,
                            refund_journal_id=self.cash_journal.id)
        self.assert_refused("Choose the payment to refund", invoice, [swim.id], refund_amount=10.0, note="Refund")
        other_invoice = self.invoice(10.0)
        other_payment = self.pay_invoice(other_invoice)
        self.assert_refused("must be one of the payments of", invoice, [swim.id], refund_amount=10.0,
                            refund_payment_id=other_payment.id, note="Refund")
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user,account.group_account_invoice",
                              company_id=self.company.id, company_ids=[Command.set(self.company.ids)])
        self.assertFalse(clerk.has_group("account_billing_operations.group_billing_refund"))
        self.assert_refused("needs the group Billing: refunds", invoice.with_user(clerk), [swim.id],
                            refund_amount=10.0, refund_journal_id=self.cash_journal.id, note="Refund")
        # The same clerk may cancel with a credit only (R6 without refund).
        _result, note = self.cancel(invoice.with_user(clerk), [swim.id], refund_amount=0.0)
        self.assertEqual(note.state, "posted")

    def test_unpaid_invoice_cannot_refund(self):
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        self.assertAlmostEqual(invoice._billing_paid_amount(), 0.0)
        self.assert_refused("more than what was paid on", invoice, [swim.id], refund_amount=1.0,
                            refund_journal_id=self.cash_journal.id, note="Refund")

    def test_activity_change_at_the_same_price(self):
        """R6.5: cancel the old activity with a credit only, invoice the new one, pay it with the
        credit on file: balance 0, no refund."""
        old = self.invoice(100.0)
        self.pay_invoice(old)
        self.assertAlmostEqual(self.balance(), 0.0)
        _result, note = self.cancel(old, old.invoice_line_ids.ids, note="Changes to the Tuesday group")
        self.assertAlmostEqual(self.balance(), -115.0)
        new = self.invoice(100.0)
        form = Form(self.env["billing.payment.wizard"].with_context(
            active_model="account.move", active_ids=new.ids))
        self.assertTrue(form.use_credit)
        self.assertAlmostEqual(form.credit_available, 115.0)
        self.assertAlmostEqual(form.amount, 0.0)
        form.save().action_confirm()
        self.assertRecordValues(new + note, [{"amount_residual": 0.0}, {"amount_residual": 0.0}])
        self.assertTrue(self.receivable_lines(note).reconciled)
        self.assertTrue(self.receivable_lines(new).reconciled)
        self.assertAlmostEqual(self.balance(), 0.0)
        self.assertFalse(self.env["account.payment"].search_count([
            ("partner_id", "=", self.client.id), ("payment_type", "=", "outbound")]))
        self.assertFalse(new.billing_payment_ids, "no payment: the credit paid it all")

    def test_foreign_currency_cancellation(self):
        eur = self.setup_other_currency("EUR")
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[200.0], taxes=self.tax_15,
                                    post=True, invoice_date="2024-01-10", currency=eur)
        _result, note = self.cancel(invoice, invoice.invoice_line_ids.ids)
        self.assertRecordValues(note, [{"currency_id": eur.id, "amount_total": 230.0, "state": "posted"}])
        self.assertAlmostEqual(invoice.amount_residual, 0.0)
        self.assertTrue(self.receivable_lines(note).reconciled)
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_idempotency_key(self):
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        first = invoice.billing_cancel_items([[swim.id, 1.0]], idempotency_key="cancel-1")
        moves = self.count_moves()
        again = invoice.billing_cancel_items([[swim.id, 1.0]], idempotency_key="cancel-1")
        self.assertEqual(first, again)
        self.assertEqual(self.count_moves(), moves)
        self.assertAlmostEqual(swim.billing_cancelled_qty, 1.0)

    def test_wizard(self):
        invoice = self.activity_invoice()
        swim, camp = self.lines_of(invoice)
        action = invoice.action_billing_cancel_items()
        self.assertEqual(action["res_model"], "billing.cancel.wizard")
        form = Form(self.env["billing.cancel.wizard"].with_context(**action["context"]))
        self.assertEqual(len(form.line_ids), 2)
        self.assertAlmostEqual(form.base_amount, 0.0)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.invoice_line_id, swim)
            self.assertAlmostEqual(line.quantity, 2.0)
            line.selected = True
            line.quantity = 1.0
        self.assertAlmostEqual(form.base_amount, 57.5)
        form.penalty_type = "percent"
        form.penalty_value = 10.0
        self.assertAlmostEqual(form.penalty_amount, 5.75)
        self.assertAlmostEqual(form.credit_amount, 51.75)
        with self.assertRaises(UserError):
            form.note = "Paid with 4111 1111 1111 1111"
            form.save()
        form.note = "Half the lessons"
        form.save().action_confirm()
        self.assertRecordValues(swim + camp, [{"billing_cancelled_qty": 1.0}, {"billing_cancelled_qty": 0.0}])
        self.assertAlmostEqual(invoice.amount_residual, 344.95 - 51.75)
        # The next time, the wizard only offers what is left.
        form = Form(self.env["billing.cancel.wizard"].with_context(**invoice.action_billing_cancel_items()["context"]))
        with form.line_ids.edit(0) as line:
            self.assertAlmostEqual(line.quantity, 1.0)
            self.assertAlmostEqual(line.cancellable_qty, 1.0)


@tagged("post_install", "-at_install")
class TestCancelItemsRefund(CancelItemsCommon):
    """R6.4 with money: through R4 (payment.billing_refund) and R3 (partner.billing_refund),
    which are built on another branch; these run once both are merged."""

    def setUp(self):
        super().setUp()
        if not hasattr(type(self.env["account.payment"]), "billing_refund"):
            self.skipTest("account.payment.billing_refund (R4) is not available on this branch yet")
        if not hasattr(type(self.env["res.partner"]), "billing_refund"):
            self.skipTest("res.partner.billing_refund (R3) is not available on this branch yet")

    def test_refund_from_the_invoice_payment(self):
        invoice = self.activity_invoice()
        payment = self.pay_invoice(invoice)
        swim, _camp = self.lines_of(invoice)
        result, note = self.cancel(invoice, [swim.id], refund_amount=115.0, refund_payment_id=payment.id,
                                   note="Swimming cancelled, money back")
        refund = self.env["account.payment"].browse(result["refund_payment_id"])
        self.assertRecordValues(refund, [{"payment_type": "outbound", "partner_type": "customer",
                                          "amount": 115.0, "partner_id": self.client.id}])
        self.assertEqual(note.state, "posted")
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_refund_from_a_journal(self):
        invoice = self.activity_invoice()
        self.pay_invoice(invoice)
        swim, _camp = self.lines_of(invoice)
        result, _note = self.cancel(invoice, [swim.id], penalty_type="amount", penalty_value=15.0,
                                    refund_amount=100.0, refund_journal_id=self.cash_journal.id,
                                    note="Swimming cancelled, cash back")
        refund = self.env["account.payment"].browse(result["refund_payment_id"])
        self.assertRecordValues(refund, [{"payment_type": "outbound", "amount": 100.0,
                                          "journal_id": self.cash_journal.id}])
        self.assertAlmostEqual(self.balance(), 0.0)

    def test_partial_refund_keeps_the_rest_as_credit(self):
        invoice = self.activity_invoice()
        payment = self.pay_invoice(invoice)
        swim, _camp = self.lines_of(invoice)
        self.cancel(invoice, [swim.id], refund_amount=50.0, refund_payment_id=payment.id, note="Part back")
        self.assertAlmostEqual(self.balance(), -65.0)
