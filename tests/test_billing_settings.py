"""Accounting → Settings → Billing operations, per company (docs/rules.md §2): defaults for every company,
existing and new, and one company's values never move another's."""
from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install")
class TestBillingSettings(BillingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company()["company"]
        cls.credit_default = cls.env.ref("account_billing_operations.product_billing_credit")
        cls.penalty_default = cls.env.ref("account_billing_operations.product_billing_penalty")

    def settings(self, company):
        return self.env["res.config.settings"].with_company(company).with_context(
            allowed_company_ids=[company.id]).create({})

    def test_every_existing_company_has_the_defaults(self):
        for company in self.env["res.company"].search([]):
            self.assertTrue(company.billing_credit_product_id, company.name)
            self.assertTrue(company.billing_penalty_product_id, company.name)
            self.assertEqual(company.billing_settlement_cutoff, 23.0 + 59.0 / 60.0)
        main = self.env.ref("base.main_company").sudo()
        self.assertEqual(main.billing_credit_product_id, self.credit_default)
        self.assertEqual(main.billing_penalty_product_id, self.penalty_default)
        self.assertIn(main.billing_refund_journal_id.type, ("bank", "cash"))

    def test_new_company_gets_the_defaults(self):
        company = self.env["res.company"].create({"name": "Centre récréatif du Lac"})
        self.assertEqual(company.billing_credit_product_id, self.credit_default)
        self.assertEqual(company.billing_penalty_product_id, self.penalty_default)
        self.assertEqual(company.billing_settlement_cutoff, 23.0 + 59.0 / 60.0)
        self.assertFalse(company.billing_settlement_tz, "empty: the company's address decides (else UTC)")
        self.assertEqual(company._billing_tz().zone, "UTC")
        self.assertFalse(company.billing_refund_journal_id, "no journal before its chart of accounts")
        # Its chart of accounts brings its journals: the refund journal is set then.
        self.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        journal = company.billing_refund_journal_id
        self.assertEqual(journal.company_id, company)
        self.assertEqual(journal.type, "bank")
        self.assertTrue(journal._billing_offline_method_lines("outbound"))
        settings = self.settings(company)
        self.assertEqual(settings.billing_refund_journal_id, journal)
        self.assertEqual(settings.billing_credit_product_id, self.credit_default)

    def test_settings_show_and_change_the_current_company_only(self):
        self.company.write({"billing_settlement_cutoff": 18.0, "billing_settlement_tz": "America/Montreal",
                            "billing_refund_journal_id": self.cash_journal.id})
        bank_b = self.env["account.journal"].search([
            ("company_id", "=", self.company_b.id), ("type", "=", "bank")], limit=1)
        self.company_b.write({"billing_settlement_cutoff": 22.5, "billing_refund_journal_id": bank_b.id})
        settings_a, settings_b = self.settings(self.company), self.settings(self.company_b)
        self.assertRecordValues(settings_a, [{
            "billing_settlement_cutoff": 18.0, "billing_settlement_tz": "America/Montreal",
            "billing_settlement_tz_applied": "America/Montreal", "billing_refund_journal_id": self.cash_journal.id,
            "billing_credit_product_id": self.credit_product.id}])
        self.assertRecordValues(settings_b, [{
            "billing_settlement_cutoff": 22.5, "billing_settlement_tz": False, "billing_refund_journal_id": bank_b.id,
            "billing_credit_product_id": self.credit_default.id}])
        # Company B's change leaves company A as it was.
        settings_b.write({"billing_settlement_cutoff": 6.0, "billing_settlement_tz": "Europe/Paris"})
        settings_b.execute()
        self.assertEqual((self.company_b.billing_settlement_cutoff, self.company_b.billing_settlement_tz),
                         (6.0, "Europe/Paris"))
        self.assertEqual((self.company.billing_settlement_cutoff, self.company.billing_settlement_tz),
                         (18.0, "America/Montreal"))
        self.assertEqual(self.company.billing_refund_journal_id, self.cash_journal)

    def test_product_taxes_per_company(self):
        """The cancellation fee's sales taxes are set per company: the other company's stay."""
        penalty = self.penalty_default
        tax_b = self.env["account.tax"].create({"name": "Tax B 10%", "amount": 10.0, "type_tax_use": "sale",
                                                "company_id": self.company_b.id})
        penalty.sudo().taxes_id = [Command.set(tax_b.ids)]
        self.company.billing_penalty_product_id = penalty
        settings = self.settings(self.company)
        self.assertFalse(settings.billing_penalty_tax_ids)
        settings.billing_penalty_tax_ids = [Command.set((self.tax_gst | self.tax_qst).ids)]
        settings.execute()
        self.assertEqual(penalty.sudo().taxes_id, self.tax_gst | self.tax_qst | tax_b)
        self.assertEqual(self.settings(self.company).billing_penalty_tax_ids, self.tax_gst | self.tax_qst)
        self.assertEqual(self.settings(self.company_b).billing_penalty_tax_ids, tax_b)
        # The penalty of Cancel/refund items uses them.
        product, taxes = self.invoice(100.0)._billing_penalty_product_and_taxes()
        self.assertEqual((product, taxes), (penalty, self.tax_gst | self.tax_qst))

    def test_default_refund_journal_is_proposed_and_checked(self):
        self.company.billing_refund_journal_id = self.cash_journal
        self.client.billing_create_credit(40.0, "Goodwill", tax_ids=[])
        wizard = self.env["account.billing.record.refund.wizard"].with_company(self.company).create({
            "partner_id": self.client.id, "note": "Refund in cash"})
        self.assertEqual(wizard.journal_id, self.cash_journal)
        wizard.action_confirm()
        refund = self.env["account.payment"].search([("partner_id", "=", self.client.id),
                                                     ("payment_type", "=", "outbound")])
        self.assertEqual(refund.journal_id, self.cash_journal)
        self.assertEqual(self.currency.compare_amounts(refund.amount, 40.0), 0)
        # Cancel/refund items proposes it too when no payment is chosen.
        invoice = self.invoice(100.0)
        cancel = self.env["account.billing.cancel.items.wizard"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({})
        self.assertEqual(cancel.refund_journal_id, self.cash_journal)
        # A sale journal is refused.
        with self.assertRaisesRegex(ValidationError, "bank or cash journal"):
            self.company.billing_refund_journal_id = self.company_data["default_journal_sale"]
