from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import HttpCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestBillingTour(AccountTestInvoicingCommon, HttpCase):
    """The Billing tab and Create a credit in a real Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_15 = cls.env["account.tax"].create({
            "name": "Tax 15%", "amount": 15.0, "type_tax_use": "sale", "company_id": cls.company_data["company"].id})
        cls.company_data["company"].billing_credit_product_id = cls._create_product(
            name="Billing credit (tour)", taxes_id=[(6, 0, cls.tax_15.ids)])
        cls.client = cls.env["res.partner"].create({"name": "Tour client", "is_company": True})
        cls.env.ref("base.user_admin").write({
            "company_ids": [(4, cls.company_data["company"].id)],
            "company_id": cls.company_data["company"].id,
        })

    def test_create_credit_tour(self):
        self.start_tour(f"/odoo/res.partner/{self.client.id}", "account_billing_operations_credit", login="admin")
        credit = self.env["account.move"].search([("billing_note", "=", "Tour goodwill credit")])
        self.assertRecordValues(credit, [{"move_type": "out_refund", "state": "posted", "amount_untaxed": 100.0,
                                          "amount_tax": 15.0, "amount_total": 115.0}])
        self.assertAlmostEqual(self.client.with_company(self.company_data["company"]).billing_balance, -115.0)
