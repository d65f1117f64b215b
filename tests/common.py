from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import tagged  # noqa: F401  (re-exported for the test modules)


class BillingCommon(AccountTestInvoicingCommon):
    """A company with known taxes (15 %, and GST 5 % + QST 9.975 %) and a client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.receivable = cls.company_data["default_account_receivable"]
        cls.revenue = cls.company_data["default_account_revenue"]
        Tax = cls.env["account.tax"]
        cls.tax_15 = Tax.create({"name": "Tax 15%", "amount": 15.0, "type_tax_use": "sale",
                                 "company_id": cls.company.id})
        cls.tax_gst = Tax.create({"name": "GST 5%", "amount": 5.0, "type_tax_use": "sale",
                                  "company_id": cls.company.id})
        cls.tax_qst = Tax.create({"name": "QST 9.975%", "amount": 9.975, "type_tax_use": "sale",
                                  "company_id": cls.company.id})
        cls.credit_account = cls.revenue.copy({"code": "400900", "name": "Billing credits"})
        cls.credit_product = cls._create_product(
            name="Billing credit (test)", lst_price=0.0,
            property_account_income_id=cls.credit_account.id,
            taxes_id=[Command.set(cls.tax_15.ids)])
        cls.company.billing_credit_product_id = cls.credit_product
        cls.client = cls.env["res.partner"].create({"name": "Client Gagnon", "is_company": True})
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.cash_journal = cls.company_data["default_journal_cash"]

    # ---- helpers -------------------------------------------------------------

    def count_moves(self):
        return self.env["account.move"].search_count([])

    def receivable_lines(self, move):
        return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def invoice(self, amount, partner=None, post=True, taxes=None):
        return self.init_invoice("out_invoice", partner=partner or self.client, amounts=[amount],
                                 taxes=taxes if taxes is not None else self.tax_15, post=post,
                                 invoice_date="2024-01-10")

    def pay_invoice(self, invoice, amount=None, journal=None):
        vals = {"journal_id": (journal or self.bank_journal).id}
        if amount is not None:
            vals["amount"] = amount
        return self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create(vals)._create_payments()
