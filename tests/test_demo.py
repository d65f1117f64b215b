from odoo.tests import TransactionCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo database shows every operation with something to act on."""

    def test_demo_clients(self):
        ref = self.env.ref
        in_credit = ref("account_billing_operations.demo_client_credit", raise_if_not_found=False)
        if in_credit is None:
            self.skipTest("demo data not loaded (database created without demo)")
        company = ref("base.main_company")
        env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
        in_credit, owing, paid = env["res.partner"].browse([
            ref("account_billing_operations.demo_client_credit").id,
            ref("account_billing_operations.demo_client_owing").id,
            ref("account_billing_operations.demo_client_paid").id,
        ])
        currency = company.currency_id
        # 57.50 tax included credit on a fully paid invoice: the client is in credit by 57.50.
        self.assertEqual(currency.compare_amounts(in_credit.billing_balance, -57.50), 0)
        self.assertEqual(in_credit.billing_balance_label.startswith("Credit"), True)
        self.assertEqual(currency.compare_amounts(in_credit.billing_available_credit, 57.50), 0)
        credit = env["account.move"].search([("partner_id", "=", in_credit.id),
                                             ("billing_operation", "=", "credit")])
        self.assertEqual(len(credit), 1)
        self.assertEqual(credit.state, "posted")
        self.assertGreater(owing.billing_balance, 0.0)
        self.assertEqual(currency.compare_amounts(paid.billing_balance, 0.0), 0)
        self.assertTrue(env["account.journal"].search([("code", "=", "CHQ"), ("company_id", "=", company.id)]))
