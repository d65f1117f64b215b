"""docs/rules.md §6: Make a payment and Cancel/refund items turn bad input (wrong types and shapes included)
into a clear UserError and write nothing."""
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BillingCommon

NAN = float("nan")
INF = float("inf")


@tagged("post_install", "-at_install")
class TestInvoiceBadInput(BillingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_a = cls.init_invoice("out_invoice", partner=cls.client, amounts=[100.0], taxes=cls.tax_15,
                                         post=True, invoice_date="2024-01-10")
        cls.invoice_b = cls.init_invoice("out_invoice", partner=cls.client, amounts=[50.0], taxes=cls.tax_15,
                                         post=True, invoice_date="2024-01-10")
        cls.line_a = cls.invoice_a.invoice_line_ids
        cls.method_line = cls.bank_journal.inbound_payment_method_line_ids.filtered(
            lambda line: line.code == "manual")[:1]

    def snapshot(self):
        self.env.invalidate_all()
        return (
            self.env["account.move"].search_count([]),
            self.env["account.payment"].search_count([]),
            self.env["mail.message"].search_count([]),
            tuple((self.invoice_a + self.invoice_b).mapped("amount_residual")),
            tuple(self.line_a.mapped("billing_cancelled_qty")),
            self.client.billing_balance,
        )

    def assert_cases(self, method, cases):
        for records, args, kwargs, message in cases:
            # A savepoint per case: a case that is wrongly accepted must not spoil the next ones.
            with self.subTest(method=method, args=args, kwargs=kwargs), self.env.cr.savepoint():
                before = self.snapshot()
                with self.assertRaises(UserError) as caught:
                    getattr(records, method)(*args, **kwargs)
                self.assertRegex(str(caught.exception), message)
                self.assertEqual(self.snapshot(), before)

    @freeze_time("2024-02-01")
    def test_make_payment(self):
        inv, bank = self.invoice_a, self.bank_journal.id
        both = self.invoice_a + self.invoice_b
        cases = [
            # records, args, kwargs, words of the message
            (inv, (NAN, bank), {}, "must be a finite number"),
            (inv, (INF, bank), {}, "must be a finite number"),
            (inv, (-INF, bank), {}, "must be a finite number"),
            (inv, ("10", bank), {}, "must be a number"),
            (inv, ("ten", bank), {}, "must be a number"),
            (inv, (True, bank), {}, "must be a number"),
            (inv, ([10.0], bank), {}, "must be a number"),
            (inv, (None, bank), {}, "must be a number"),
            (inv, (0.0, bank), {}, "must be greater than 0"),
            (inv, (-1.0, bank), {}, "must be greater than 0"),
            (inv, (10.001, bank), {}, "more decimals"),
            (inv, (115.01, bank), {}, "more than the amount due"),
            (both, (10.0, bank), {}, "exactly one invoice"),
            (inv.browse(), (10.0, bank), {}, "exactly one invoice"),
            (inv, (10.0, str(bank)), {}, "one record id"),
            (inv, (10.0, [bank]), {}, "one record id"),
            (inv, (10.0, float(bank)), {}, "one record id"),
            (inv, (10.0, True), {}, "one record id"),
            (inv, (10.0, None), {}, "Choose a payment mode"),
            (inv, (10.0, 0), {}, "Choose a payment mode"),
            (inv, (10.0, -5), {}, "one record id"),
            (inv, (10.0, 999999), {}, "Choose a payment mode"),
            (inv, (10.0, bank), {"payment_method_line_id": str(self.method_line.id)}, "one record id"),
            (inv, (10.0, bank), {"payment_method_line_id": [self.method_line.id]}, "one record id"),
            (inv, (10.0, bank), {"payment_method_line_id": 999999}, "must be one of the journal"),
            (inv, (10.0, bank), {"payer_name": ["Marie"]}, "must be text"),
            (inv, (10.0, bank), {"payer_reference": 1234}, "must be text"),
            (inv, (10.0, bank), {"payer_reference": "Visa 4111 1111 1111 1111"}, "full card number"),
            (inv, (10.0, bank), {"postdated_date": "next friday"}, "must be a date"),
            (inv, (10.0, bank), {"postdated_date": "2024-02-30"}, "must be a date"),
            (inv, (10.0, bank), {"postdated_date": 20240301}, "must be a date"),
            (inv, (10.0, bank), {"postdated_date": ["2024-03-01"]}, "must be a date"),
            (inv, (10.0, bank), {"postdated_date": True}, "must be a date"),
            (inv, (10.0, bank), {"postdated_date": "2024-01-31"}, "dated after today"),
            (inv, (10.0, bank), {"postdated_date": "2024-02-01"}, "dated after today"),
            (inv, (10.0, bank), {"postdated_date": "2024-03-01", "use_credit": True}, "cannot be combined"),
            (inv, (10.0, bank), {"use_credit": "yes"}, "Use the credit on file"),
            (inv, (10.0, bank), {"use_credit": 1}, "Use the credit on file"),
        ]
        self.assert_cases("billing_make_payment", cases)

    def test_cancel_items(self):
        inv, line = self.invoice_a, self.line_a.id
        both = self.invoice_a + self.invoice_b
        cases = [
            (both, ([line],), {}, "exactly one invoice"),
            (inv.browse(), ([line],), {}, "exactly one invoice"),
            (inv, (line,), {}, "list of invoice line ids"),
            (inv, (str(line),), {}, "list of invoice line ids"),
            (inv, ({line: 1.0},), {}, "list of invoice line ids"),
            (inv, (None,), {}, "Tick at least one"),
            (inv, ([],), {}, "Tick at least one"),
            (inv, ([str(line)],), {}, "one record id"),
            (inv, ([float(line)],), {}, "one record id"),
            (inv, ([True],), {}, "one record id"),
            (inv, ([None],), {}, "one record id"),
            (inv, ([{"id": line}],), {}, "line id or as a \\[line id, quantity\\] pair"),
            (inv, ([[line]],), {}, "line id or as a \\[line id, quantity\\] pair"),
            (inv, ([[line, 1.0, 2.0]],), {}, "line id or as a \\[line id, quantity\\] pair"),
            (inv, ([[[line], 1.0]],), {}, "one record id"),
            (inv, ([[line, "1"]],), {}, "must be a number"),
            (inv, ([[line, NAN]],), {}, "must be a finite number"),
            (inv, ([[line, INF]],), {}, "must be a finite number"),
            (inv, ([[line, None]],), {}, "must be a number"),
            (inv, ([[line, True]],), {}, "must be a number"),
            (inv, ([[line, 0.0]],), {}, "must be greater than 0"),
            (inv, ([[line, -1.0]],), {}, "must be greater than 0"),
            (inv, ([[line, 2.0]],), {}, "can still be cancelled"),
            (inv, ([999999],), {}, "is not a product line of"),
            (inv, ([self.invoice_b.invoice_line_ids.id],), {}, "is not a product line of"),
            (inv, ([line],), {"penalty_type": "amount", "penalty_value": NAN}, "must be a finite number"),
            (inv, ([line],), {"penalty_type": "percent", "penalty_value": INF}, "must be a finite number"),
            (inv, ([line],), {"penalty_type": "amount", "penalty_value": "5"}, "must be a number"),
            (inv, ([line],), {"penalty_type": "amount", "penalty_value": True}, "must be a number"),
            (inv, ([line],), {"penalty_type": "amount", "penalty_value": None}, "must be a number"),
            (inv, ([line],), {"penalty_type": "amount", "penalty_value": 1.005}, "more decimals"),
            (inv, ([line],), {"penalty_type": "amount", "penalty_value": 115.01}, "larger than what is cancelled"),
            (inv, ([line],), {"penalty_type": "percent", "penalty_value": 100.01}, "between 0 and 100"),
            (inv, ([line],), {"penalty_type": ["amount"], "penalty_value": 5.0}, "penalty type must be"),
            (inv, ([line],), {"penalty_type": "half", "penalty_value": 5.0}, "penalty type must be"),
            (inv, ([line],), {"note": ["why"]}, "must be text"),
            (inv, ([line],), {"note": "card 4111-1111-1111-1111"}, "full card number"),
        ]
        self.assert_cases("billing_cancel_items", cases)

    def test_wizard_line_quantity(self):
        """The wizard passes a ticked line with a quantity of 0 to the model, which refuses it."""
        wizard = self.env["account.billing.cancel.items.wizard"].with_context(
            **self.invoice_a.action_billing_cancel_items()["context"]).create({})
        wizard.line_ids.write({"selected": True, "quantity": 0.0})
        before = self.snapshot()
        with self.assertRaisesRegex(UserError, "must be greater than 0"):
            wizard.action_confirm()
        self.assertEqual(self.snapshot(), before)

    def test_good_input_still_works(self):
        """The checks let through what the API documents: ids as int, [id, quantity] pairs, tuples."""
        result = self.invoice_a.billing_cancel_items([(self.line_a.id, 0.5)], penalty_type="amount",
                                                     penalty_value=1)
        self.assertTrue(result["credit_note_id"])
        result = self.invoice_b.billing_make_payment(10, self.bank_journal.id,
                                                     payment_method_line_id=self.method_line.id)
        self.assertTrue(result["payment_id"])
        self.assertAlmostEqual(self.invoice_b.amount_residual, 47.5)
