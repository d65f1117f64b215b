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
        # R6.2: the cancellation fee keeps its share of sales tax (the fee product's taxes).
        cls.penalty_product = cls._create_product(name="Cancellation fee (test)", lst_price=0.0,
                                                  property_account_income_id=cls.penalty_account.id,
                                                  taxes_id=[Command.set(cls.tax_15.ids)])
        cls.company.billing_penalty_product_id = cls.penalty_product
        # Each tax on its own tax account, as a chart of accounts sets them.
        tax_account = cls.company_data["default_account_tax_sale"]
        for index, tax in enumerate(cls.tax_15 | cls.tax_gst | cls.tax_qst):
            account = tax_account.copy({"code": f"2510{index}", "name": f"{tax.name} to pay"})
            (tax.invoice_repartition_line_ids | tax.refund_repartition_line_ids).filtered(
                lambda line: line.repartition_type == "tax").account_id = account

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
        """Penalty 0, an amount, 10 % and 100 % of the tax-included base (115.00); the penalty is
        tax included and keeps its 15 % tax, carved out (R6.2)."""
        cases = [
            # penalty_type, penalty_value, penalty, penalty untaxed, credit
            ("none", 0.0, 0.0, 0.0, 115.0),
            ("amount", 0.0, 0.0, 0.0, 115.0),
            ("amount", 23.0, 23.0, 20.0, 92.0),
            ("percent", 10.0, 11.5, 10.0, 103.5),
            ("percent", 100.0, 115.0, 100.0, 0.0),
        ]
        for penalty_type, value, penalty, untaxed, credit in cases:
            with self.subTest(penalty_type=penalty_type, value=value):
                invoice = self.activity_invoice()
                swim, _camp = self.lines_of(invoice)
                _result, note = self.cancel(invoice, [swim.id], penalty_type=penalty_type, penalty_value=value)
                self.assertRecordValues(note, [{"state": "posted", "amount_total": credit}])
                expected = [
                    {"account_id": self.tax_account(invoice, self.tax_15).id,
                     "balance": self.currency.round(15.0 - (penalty - untaxed)),
                     "tax_line_id": self.tax_15.id, "tax_ids": []},
                    {"account_id": self.swim_account.id, "balance": 100.0, "tax_line_id": False,
                     "tax_ids": self.tax_15.ids},
                ]
                if penalty:
                    expected.insert(0, {"account_id": self.penalty_account.id, "balance": -untaxed,
                                        "tax_line_id": False, "tax_ids": self.tax_15.ids})
                if credit:
                    expected.insert(0, {"account_id": self.receivable.id, "balance": -credit,
                                        "tax_line_id": False, "tax_ids": []})
                expected = [vals for vals in expected if not self.currency.is_zero(vals["balance"])]
                self.assertRecordValues(self.note_lines(note), expected)
                penalty_line = note.invoice_line_ids.filtered(lambda line: line.product_id == self.penalty_product)
                self.assertEqual(len(penalty_line), 1 if penalty else 0)
                if penalty:
                    self.assertRecordValues(penalty_line, [{"price_subtotal": -untaxed, "price_total": -penalty}])
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
                    Form(self.env["account.billing.cancel.items.wizard"].with_context(
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
        form = Form(self.env["account.billing.make.payment.wizard"].with_context(
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
        self.assertEqual(action["res_model"], "account.billing.cancel.items.wizard")
        form = Form(self.env["account.billing.cancel.items.wizard"].with_context(**action["context"]))
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
        form = Form(self.env["account.billing.cancel.items.wizard"].with_context(
            **invoice.action_billing_cancel_items()["context"]))
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


@tagged("post_install", "-at_install")
class TestCancelPenaltyTax(CancelItemsCommon):
    """R6.2: the penalty is a tax-included amount that keeps its share of sales tax: its line carries
    the cancellation-fee product's taxes (mapped by the invoice's fiscal position), carved out so that
    the credit note's total is exactly base - penalty, whatever the taxes' "Included in price" setting."""

    def tax_report(self, moves):
        """{tax: (base, tax)} of ``moves`` as a tax report adds them up: the balances of the journal
        items by tax (base: items carrying the tax; tax: the tax items), sales sign (credit +)."""
        Line = self.env["account.move.line"]
        domain = [("move_id", "in", moves.ids), ("parent_state", "=", "posted")]
        bases = dict(Line._read_group([*domain, ("tax_ids", "!=", False)], ["tax_ids"], ["balance:sum"]))
        amounts = dict(Line._read_group([*domain, ("tax_line_id", "!=", False)], ["tax_line_id"], ["balance:sum"]))
        return {tax: (self.currency.round(-bases.get(tax, 0.0)), self.currency.round(-amounts.get(tax, 0.0)))
                for tax in set(bases) | set(amounts)}

    def assert_tax_report(self, moves, expected):
        report = self.tax_report(moves)
        self.assertEqual(set(report), set(expected), report)
        for tax, (base, amount) in expected.items():
            self.assertAlmostEqual(report[tax][0], base, msg=f"base of {tax.name}")
            self.assertAlmostEqual(report[tax][1], amount, msg=f"tax of {tax.name}")

    def test_spec_example(self):
        """100.00 + 15 % cancelled with a 10 % penalty: base 115.00, penalty 11.50 (10.00 + 1.50 tax),
        credit 103.50."""
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        preview = invoice._billing_cancel_preview([swim.id], "percent", 10.0)
        self.assertEqual(preview, {"base": 115.0, "penalty": 11.5, "penalty_untaxed": 10.0, "penalty_tax": 1.5,
                                   "credit": 103.5, "error": False})
        _result, note = self.cancel(invoice, [swim.id], penalty_type="percent", penalty_value=10.0)
        self.assertRecordValues(note, [{"amount_untaxed": 90.0, "amount_tax": 13.5, "amount_total": 103.5}])
        self.assertRecordValues(self.note_lines(note), [
            {"account_id": self.receivable.id, "balance": -103.5, "tax_ids": [], "tax_line_id": False},
            {"account_id": self.penalty_account.id, "balance": -10.0, "tax_ids": self.tax_15.ids,
             "tax_line_id": False},
            {"account_id": self.tax_account(invoice, self.tax_15).id, "balance": 13.5, "tax_ids": [],
             "tax_line_id": self.tax_15.id},
            {"account_id": self.swim_account.id, "balance": 100.0, "tax_ids": self.tax_15.ids,
             "tax_line_id": False},
        ])
        # Tax report: the credit note gives back 90.00 of base and 13.50 of tax; with the invoice,
        # the business keeps the penalty's 10.00 of base and its 1.50 of tax (plus the day camp).
        self.assert_tax_report(note, {self.tax_15: (-90.0, -13.5)})
        self.assert_tax_report(invoice + note, {self.tax_15: (10.0, 1.5), self.tax_gst: (200.0, 10.0),
                                                self.tax_qst: (200.0, 19.95)})
        self.assertAlmostEqual(invoice.amount_residual, 344.95 - 103.5)

    def test_included_in_price_setting_does_not_matter(self):
        """The fee's tax marked "Included in price", or the cancelled line's: same entries."""
        tax_incl = self.tax_15.copy({"name": "Tax 15% incl.", "price_include_override": "tax_included"})
        for fee_tax in (self.tax_15, tax_incl):
            with self.subTest(fee_tax=fee_tax.name):
                self.penalty_product.taxes_id = fee_tax
                invoice = self.activity_invoice()
                swim, _camp = self.lines_of(invoice)
                _result, note = self.cancel(invoice, [swim.id], penalty_type="percent", penalty_value=10.0)
                penalty_line = note.invoice_line_ids.filtered(lambda line: line.product_id == self.penalty_product)
                self.assertRecordValues(penalty_line, [{"tax_ids": fee_tax.ids, "balance": -10.0,
                                                        "price_subtotal": -10.0, "price_total": -11.5}])
                self.assertRecordValues(note, [{"amount_untaxed": 90.0, "amount_tax": 13.5, "amount_total": 103.5}])
                self.assertAlmostEqual(self.tax_report(note)[fee_tax][1], 1.5 if fee_tax == tax_incl else -13.5)

    def test_gst_qst(self):
        """Day camp 200.00 + GST 5 % + QST 9.975 % = 229.95, fee with GST + QST, penalty 10 % = 23.00
        (the half cent rounded up): 20.00 + GST 1.00 + QST 2.00."""
        self.penalty_product.taxes_id = self.tax_gst | self.tax_qst
        invoice = self.activity_invoice()
        _swim, camp = self.lines_of(invoice)
        preview = invoice._billing_cancel_preview([camp.id], "percent", 10.0)
        self.assertEqual(preview, {"base": 229.95, "penalty": 23.0, "penalty_untaxed": 20.0, "penalty_tax": 3.0,
                                   "credit": 206.95, "error": False})
        _result, note = self.cancel(invoice, [camp.id], penalty_type="percent", penalty_value=10.0)
        self.assertRecordValues(note, [{"amount_untaxed": 180.0, "amount_tax": 26.95, "amount_total": 206.95}])
        self.assertRecordValues(self.note_lines(note), [
            {"account_id": self.receivable.id, "balance": -206.95, "tax_line_id": False},
            {"account_id": self.penalty_account.id, "balance": -20.0, "tax_line_id": False},
            {"account_id": self.tax_account(invoice, self.tax_gst).id, "balance": 9.0, "tax_line_id": self.tax_gst.id},
            {"account_id": self.tax_account(invoice, self.tax_qst).id, "balance": 17.95,
             "tax_line_id": self.tax_qst.id},
            {"account_id": self.revenue.id, "balance": 200.0, "tax_line_id": False},
        ])
        self.assert_tax_report(invoice + note, {self.tax_15: (100.0, 15.0), self.tax_gst: (20.0, 1.0),
                                                self.tax_qst: (20.0, 2.0)})

    def test_odd_amounts_rounding(self):
        """Penalties whose carved-out tax does not fall on a cent: the credit note is still exactly
        base - penalty, per line and with the taxes rounded globally."""
        cases = [
            # fee taxes, line, penalty_type, value, penalty, untaxed, tax
            (self.tax_15, "swim", "amount", 10.0, 10.0, 8.7, 1.3),
            (self.tax_15, "swim", "amount", 0.01, 0.01, 0.01, 0.0),
            (self.tax_15, "swim", "percent", 33.33, 38.33, 33.33, 5.0),
            (self.tax_gst | self.tax_qst, "camp", "amount", 7.77, 7.77, 6.76, 1.01),
            (self.tax_gst | self.tax_qst, "camp", "percent", 12.345, 28.39, 24.7, 3.69),
            (self.tax_gst | self.tax_qst, "swim", "amount", 99.99, 99.99, 86.97, 13.02),
        ]
        for rounding in ("round_per_line", "round_globally"):
            self.company.tax_calculation_rounding_method = rounding
            for fee_taxes, which, penalty_type, value, penalty, untaxed, tax in cases:
                with self.subTest(rounding=rounding, taxes=fee_taxes.mapped("name"), value=value):
                    self.penalty_product.taxes_id = fee_taxes
                    invoice = self.activity_invoice()
                    swim, camp = self.lines_of(invoice)
                    line = swim if which == "swim" else camp
                    base = line.price_total
                    credit = self.currency.round(base - penalty)
                    preview = invoice._billing_cancel_preview([line.id], penalty_type, value)
                    self.assertEqual(preview, {"base": base, "penalty": penalty, "penalty_untaxed": untaxed,
                                               "penalty_tax": tax, "credit": credit, "error": False})
                    _result, note = self.cancel(invoice, [line.id], penalty_type=penalty_type, penalty_value=value)
                    self.assertEqual(self.currency.compare_amounts(note.amount_total, credit), 0)
                    self.assertEqual(self.currency.compare_amounts(
                        -sum(self.receivable_lines(note).mapped("balance")), credit), 0)
                    self.assertTrue(self.currency.is_zero(sum(note.line_ids.mapped("balance"))))
                    penalty_line = note.invoice_line_ids.filtered(
                        lambda line: line.product_id == self.penalty_product)
                    self.assertEqual(penalty_line.tax_ids, fee_taxes)
                    self.assertEqual(self.currency.compare_amounts(penalty_line.balance, -untaxed), 0)
                    # The penalty's tax: the cancelled line's tax less the credit note's tax items.
                    line_tax = self.currency.round(line.price_total - line.price_subtotal)
                    note_tax = sum(note.line_ids.filtered("tax_line_id").mapped("balance"))
                    self.assertEqual(self.currency.compare_amounts(line_tax - note_tax, tax), 0)

    def test_fiscal_position_maps_the_fee_taxes(self):
        """The invoice's fiscal position maps the fee product's 15 % to GST 5 %."""
        position = self.env["account.fiscal.position"].create({
            "name": "GST only", "company_id": self.company.id,
            "tax_ids": [Command.create({"tax_src_id": self.tax_15.id, "tax_dest_id": self.tax_gst.id})],
        })
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.client.id, "invoice_date": "2024-01-10",
            "fiscal_position_id": position.id,
            "invoice_line_ids": [Command.create({"product_id": self.swim.id, "quantity": 2.0, "price_unit": 50.0,
                                                 "tax_ids": [Command.set(self.tax_gst.ids)]})],
        })
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_total, 105.0)
        _result, note = self.cancel(invoice, invoice.invoice_line_ids.ids, penalty_type="percent", penalty_value=10.0)
        penalty_line = note.invoice_line_ids.filtered(lambda line: line.product_id == self.penalty_product)
        self.assertRecordValues(penalty_line, [{"tax_ids": self.tax_gst.ids, "balance": -10.0,
                                                "price_total": -10.5}])
        self.assertRecordValues(note, [{"amount_total": 94.5, "amount_tax": 4.5}])
        self.assert_tax_report(invoice + note, {self.tax_gst: (10.0, 0.5)})

    def test_fee_product_without_tax(self):
        """A fee product without sales tax: the penalty line has no tax."""
        self.penalty_product.taxes_id = False
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        _result, note = self.cancel(invoice, [swim.id], penalty_type="amount", penalty_value=15.0)
        penalty_line = note.invoice_line_ids.filtered(lambda line: line.product_id == self.penalty_product)
        self.assertRecordValues(penalty_line, [{"tax_ids": [], "balance": -15.0}])
        self.assertRecordValues(note, [{"amount_total": 100.0, "amount_tax": 15.0}])

    def test_preview_errors_are_the_buttons_errors(self):
        """What the wizard shows is what the button books, and an invalid penalty shows the message
        the button raises."""
        invoice = self.activity_invoice()
        swim, _camp = self.lines_of(invoice)
        for penalty_type, value, message in (("amount", 115.01, "larger than what is cancelled"),
                                             ("percent", 100.5, "between 0 and 100"),
                                             ("amount", -5.0, "cannot be negative")):
            with self.subTest(penalty_type=penalty_type, value=value):
                preview = invoice._billing_cancel_preview([swim.id], penalty_type, value)
                self.assertRegex(preview["error"], message)
                self.assertEqual((preview["penalty"], preview["credit"]), (0.0, 0.0))
                with self.assertRaises(UserError) as caught:
                    invoice.billing_cancel_items([swim.id], penalty_type=penalty_type, penalty_value=value)
                self.assertEqual(str(caught.exception), preview["error"])
                form = Form(self.env["account.billing.cancel.items.wizard"].with_context(
                    **invoice.action_billing_cancel_items()["context"]))
                with form.line_ids.edit(0) as line:
                    line.selected = True
                form.penalty_type = penalty_type
                form.penalty_value = value
                self.assertEqual(form.preview_error, preview["error"])
                self.assertAlmostEqual(form.credit_amount, 0.0)
                with self.assertRaisesRegex(UserError, message):
                    form.save().action_confirm()
        self.assertFalse(swim.billing_cancelled_qty)

    def test_wizard_shows_what_is_booked(self):
        invoice = self.activity_invoice()
        form = Form(self.env["account.billing.cancel.items.wizard"].with_context(
            **invoice.action_billing_cancel_items()["context"]))
        with form.line_ids.edit(0) as line:
            line.selected = True
        form.penalty_type = "percent"
        form.penalty_value = 10.0
        self.assertFalse(form.preview_error)
        self.assertRecordValues(form.save(), [{"base_amount": 115.0, "penalty_amount": 11.5,
                                               "penalty_untaxed_amount": 10.0, "penalty_tax_amount": 1.5,
                                               "credit_amount": 103.5}])
        action = form.save().action_confirm()
        note = self.env["account.move"].browse(action["res_id"])
        self.assertRecordValues(note, [{"amount_total": 103.5, "amount_tax": 13.5}])


@tagged("post_install", "-at_install")
class TestCancelCashRounding(CancelItemsCommon):
    """R6.2: invoices with a cash-rounding method (0.05, HALF-UP) can be cancelled; base, penalty and
    credit are amounts of the invoice's rounding and the credit note totals base - penalty."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rounding_profit = cls.revenue.copy({"code": "400990", "name": "Cash rounding profit"})
        cls.rounding_loss = cls.company_data["default_account_expense"].copy(
            {"code": "600990", "name": "Cash rounding loss"})
        cls.roundings = {
            strategy: cls.env["account.cash.rounding"].create({
                "name": f"0.05 {strategy}", "rounding": 0.05, "strategy": strategy, "rounding_method": "HALF-UP",
                "profit_account_id": cls.rounding_profit.id, "loss_account_id": cls.rounding_loss.id,
            })
            for strategy in ("add_invoice_line", "biggest_tax")
        }

    def rounded_invoice(self, rounding):
        """10.03 + 15 % (11.53) and 20.00 + 15 % (23.00): 34.53, rounded to 34.55."""
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.client.id, "invoice_date": "2024-01-10",
            "invoice_cash_rounding_id": rounding.id,
            "invoice_line_ids": [
                Command.create({"product_id": self.swim.id, "quantity": 1.0, "price_unit": 10.03,
                                "tax_ids": [Command.set(self.tax_15.ids)]}),
                Command.create({"product_id": self.camp.id, "quantity": 1.0, "price_unit": 20.0,
                                "tax_ids": [Command.set(self.tax_15.ids)]}),
            ],
        })
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_total, 34.55)
        return invoice

    def test_cash_rounding(self):
        cases = [
            # penalty_type, value, base, penalty, credit
            ("none", 0.0, 11.55, 0.0, 11.55),
            ("percent", 10.0, 11.55, 1.15, 10.4),
            ("amount", 1.5, 11.55, 1.5, 10.05),
        ]
        for strategy, rounding in self.roundings.items():
            for penalty_type, value, base, penalty, credit in cases:
                with self.subTest(strategy=strategy, penalty_type=penalty_type, value=value):
                    invoice = self.rounded_invoice(rounding)
                    swim, camp = self.lines_of(invoice)
                    preview = invoice._billing_cancel_preview([swim.id], penalty_type, value)
                    self.assertEqual((preview["base"], preview["penalty"], preview["credit"], preview["error"]),
                                     (base, penalty, credit, False))
                    _result, note = self.cancel(invoice, [swim.id], penalty_type=penalty_type, penalty_value=value)
                    self.assertRecordValues(note, [{"state": "posted", "invoice_cash_rounding_id": rounding.id,
                                                    "amount_total": credit}])
                    self.assertTrue(self.currency.is_zero(sum(note.line_ids.mapped("balance"))))
                    self.assertRecordValues(self.receivable_lines(note), [{"balance": -credit, "reconciled": True}])
                    rounding_lines = note.line_ids.filtered(lambda line: line.display_type == "rounding")
                    if strategy == "add_invoice_line":
                        self.assertIn(rounding_lines.account_id, self.rounding_profit | self.rounding_loss)
                    else:
                        self.assertFalse(rounding_lines.account_id - self.tax_account(invoice, self.tax_15))
                    # Income and tax: the cancelled 10.03 + 1.50 and the penalty carved out.
                    self.assertRecordValues(note.invoice_line_ids.filtered(lambda line: line.product_id == self.swim),
                                            [{"balance": 10.03, "tax_ids": self.tax_15.ids}])
                    self.assertAlmostEqual(invoice.amount_residual, 34.55 - credit)
                    # The rest of the invoice is cancelled for what is left of it.
                    if not penalty:
                        _result, rest = self.cancel(invoice, [camp.id])
                        self.assertAlmostEqual(rest.amount_total, 23.0)
                        self.assertAlmostEqual(invoice.amount_residual, 0.0)
                        self.assertEqual(invoice.payment_state, "reversed")

    def test_penalty_must_fit_the_rounding(self):
        invoice = self.rounded_invoice(self.roundings["add_invoice_line"])
        swim, _camp = self.lines_of(invoice)
        self.assert_refused("multiple of 0.05", invoice, [swim.id], penalty_type="amount", penalty_value=1.52)
        self.assertRegex(invoice._billing_cancel_preview([swim.id], "amount", 1.52)["error"], "multiple of 0.05")
