"""R1.2 / R2: the form's "Taxes included" checkbox decides, never the taxes' own "Included in price"
setting; what the wizard shows is what is booked (docs/rules.md §6)."""
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common import BillingCommon

# Cents where rounding bites, odd amounts and the examples of docs/rules.md. `make test` books a few of them with
# every tax set, checkbox state and operation (60 documents); `make test-deep` books them all and more.
QUICK_AMOUNTS = (0.01, 10.07, 114.98)
AMOUNTS = (0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.10, 0.13, 0.99, 1.01, 9.99, 10.07, 33.33, 57.50, 99.99,
           114.98, 115.00, 1234.56, 9999.99)


class CreditTaxCase(BillingCommon):
    """The tax sets and checks of the credit/charge tax tests (no test of its own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        included = {"type_tax_use": "sale", "company_id": cls.company.id, "price_include_override": "tax_included"}
        cls.tax_15_incl = Tax.create({"name": "Tax 15% incl", "amount": 15.0, **included})
        cls.tax_gst_incl = Tax.create({"name": "GST 5% incl", "amount": 5.0, **included})
        cls.tax_qst_incl = Tax.create({"name": "QST 9.975% incl", "amount": 9.975, **included})
        cls.tax_sets = {
            "excluded 15%": cls.tax_15,
            "included 15%": cls.tax_15_incl,
            "GST + QST": cls.tax_gst | cls.tax_qst,
            "GST + QST included": cls.tax_gst_incl | cls.tax_qst_incl,
            "GST included + QST excluded": cls.tax_gst_incl | cls.tax_qst,
        }

    def rates(self, taxes):
        return sum(taxes.mapped("amount")) / 100.0

    def book(self, operation, amount, included, taxes):
        create = self.client.billing_create_credit if operation == "credit" else self.client.billing_create_charge
        return self.env["account.move"].browse(create(amount, "Tax table", taxes_included=included,
                                                      tax_ids=taxes.ids))

    def assert_move(self, move, amount, included, taxes, preview):
        compare = self.currency.compare_amounts
        sign = 1 if move.move_type == "out_invoice" else -1
        product_line = move.line_ids.filtered(lambda line: line.display_type == "product")
        tax_lines = move.line_ids.filtered("tax_line_id")
        receivable = self.receivable_lines(move)
        self.assertEqual(product_line.account_id, self.credit_account)
        self.assertEqual(product_line.tax_ids, taxes)
        self.assertLessEqual(tax_lines.tax_line_id, taxes)  # a tax of 0.00 has no line
        untaxed = -sign * product_line.balance
        tax_total = -sign * sum(tax_lines.mapped("balance"))
        total = sign * receivable.balance
        self.assertEqual(compare(sum(move.line_ids.mapped("balance")), 0.0), 0, "unbalanced")
        self.assertEqual(compare(untaxed + tax_total, total), 0)
        self.assertEqual(compare(move.amount_total, total), 0)
        self.assertEqual(compare(move.amount_untaxed, untaxed), 0)
        if included:
            self.assertEqual(compare(total, amount), 0, f"total {total} != {amount}")
            # The tax carved out is the one the rates give, to the cent.
            self.assertLessEqual(abs(untaxed * (1 + self.rates(taxes)) - total), 0.0101 * len(taxes) + 1e-9)
        else:
            self.assertEqual(compare(untaxed, amount), 0, f"untaxed {untaxed} != {amount}")
            for tax in taxes:
                expected = self.currency.round(amount * tax.amount / 100.0)
                lines = tax_lines.filtered(lambda line, tax=tax: line.tax_line_id == tax)
                booked = -sign * sum(lines.mapped("balance"))
                self.assertEqual(compare(booked, expected), 0, tax.name)
        # The preview shown before confirmation is what was booked.
        self.assertEqual(compare(preview["amount_untaxed"], untaxed), 0, preview)
        self.assertEqual(compare(preview["amount_tax"], tax_total), 0, preview)
        self.assertEqual(compare(preview["amount_total"], total), 0, preview)

    def check_amount_range(self, amounts):
        """{excluded, included, GST + QST, both included, a mix} x checkbox x credit/charge, cent by cent."""
        refusals = []
        for name, taxes in self.tax_sets.items():
            for included in (True, False):
                for operation in ("credit", "charge"):
                    for amount in amounts:
                        with self.subTest(taxes=name, included=included, operation=operation, amount=amount):
                            try:
                                preview = self.client._billing_manual_move_preview(
                                    amount, included, taxes, operation)
                            except UserError as error:
                                # Only a few cents, taxes added on top, can miss a total to the cent; the
                                # button refuses them with the same words, and writes nothing.
                                self.assertTrue(included and amount < 0.2 and not all(taxes.mapped("price_include")))
                                moves = self.count_moves()
                                with self.assertRaises(UserError) as refused:
                                    self.book(operation, amount, included, taxes)
                                self.assertEqual(str(refused.exception), str(error))
                                self.assertIn("untick Taxes included", str(error))
                                self.assertEqual(self.count_moves(), moves)
                                refusals.append((name, operation, amount))
                                continue
                            move = self.book(operation, amount, included, taxes)
                            self.assertEqual(move.state, "posted")
                            self.assert_move(move, amount, included, taxes, preview)
        # Only amounts under 0.20 can be refused: at most the 3 sets with taxes added on top x 2 operations.
        self.assertLessEqual(len(refusals), 6 * sum(1 for amount in amounts if amount < 0.2), refusals)
        return refusals


@tagged("post_install", "-at_install")
class TestCreditTaxes(CreditTaxCase):

    def test_amount_range_by_tax_setting(self):
        self.check_amount_range(QUICK_AMOUNTS)

    def test_spec_example_with_included_price_tax(self):
        """R1.2's example, with a tax marked Included in price: 115.00 included, 100.00 excluded."""
        credit = self.book("credit", 115.0, True, self.tax_15_incl)
        self.assertRecordValues(credit, [{"amount_untaxed": 100.0, "amount_tax": 15.0, "amount_total": 115.0}])
        credit = self.book("credit", 100.0, False, self.tax_15_incl)
        self.assertRecordValues(credit, [{"amount_untaxed": 100.0, "amount_tax": 15.0, "amount_total": 115.0}])
        self.assertRecordValues(credit.line_ids.sorted("balance"), [
            {"account_id": self.receivable.id, "balance": -115.0, "tax_line_id": False},
            {"account_id": credit.line_ids.filtered("tax_line_id").account_id.id, "balance": 15.0,
             "tax_line_id": self.tax_15_incl.id},
            {"account_id": self.credit_account.id, "balance": 100.0, "tax_line_id": False},
        ])

    def test_company_default_tax_included(self):
        """The company's default "Tax Included" setting does not decide either."""
        company = self.setup_other_company()["company"]
        company.account_price_include = "tax_included"
        tax = self.env["account.tax"].create({"name": "Default 15%", "amount": 15.0, "type_tax_use": "sale",
                                              "company_id": company.id})
        self.assertTrue(tax.price_include)
        client = self.client.with_company(company).with_context(allowed_company_ids=company.ids)
        excluded = self.env["account.move"].browse(client.billing_create_credit(100.0, "x", tax_ids=tax.ids))
        included = self.env["account.move"].browse(
            client.billing_create_charge(115.0, "x", taxes_included=True, tax_ids=tax.ids))
        self.assertRecordValues(excluded + included, [
            {"amount_untaxed": 100.0, "amount_tax": 15.0, "amount_total": 115.0, "company_id": company.id},
            {"amount_untaxed": 100.0, "amount_tax": 15.0, "amount_total": 115.0, "company_id": company.id},
        ])

    def test_wizard_preview_is_what_is_booked(self):
        for name, taxes in self.tax_sets.items():
            for included in (True, False):
                for operation, amount in (("credit", 10.07), ("charge", 57.50)):
                    with self.subTest(taxes=name, included=included, operation=operation):
                        form = Form(self.env["account.billing.credit.wizard"].with_context(
                            default_partner_id=self.client.id, default_operation=operation))
                        form.amount = amount
                        form.taxes_included = included
                        form.tax_ids.clear()
                        for tax in taxes:
                            form.tax_ids.add(tax)
                        form.note = f"Preview {name} {included} {operation}"
                        shown = {"amount_untaxed": form.amount_untaxed, "amount_tax": form.amount_tax,
                                 "amount_total": form.amount_total}
                        balance_before = self.client.billing_balance
                        label = form.balance_after_label
                        form.save().action_confirm()
                        move = self.env["account.move"].search([("billing_note", "=", form.note)])
                        self.assert_move(move, amount, included, taxes, shown)
                        self.client.invalidate_recordset()
                        self.assertEqual(self.currency.compare_amounts(
                            self.client.billing_balance, balance_before + (move.amount_total if operation == "charge"
                                                                           else -move.amount_total)), 0)
                        self.assertEqual(label, self.client.billing_balance_label)

    def test_wizard_tax_ids_command(self):
        """The wizard's default taxes are the credit product's (mapped), shown as booked."""
        form = Form(self.env["account.billing.credit.wizard"].with_context(
            default_partner_id=self.client.id, default_operation="credit"))
        self.assertEqual(form.tax_ids[:], self.tax_15)
        form.amount = 100.0
        self.assertEqual((form.amount_untaxed, form.amount_tax, form.amount_total), (100.0, 15.0, 115.0))


@tagged("billing_deep", "-standard", "post_install", "-at_install")
class TestCreditTaxesDeep(CreditTaxCase):
    """`make test-deep`: every amount of AMOUNTS, 380 documents."""

    def test_amount_range_by_tax_setting(self):
        self.check_amount_range(AMOUNTS)
