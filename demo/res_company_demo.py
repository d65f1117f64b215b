"""Demo layer: the demo documents, loaded by demo/billing_demo.xml (never by a production database).

``_billing_setup_demo_provider`` is also run by ``tools/dev.sh run`` once payment_demo is installed."""
from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _billing_load_demo(self):
        """Demo documents: a 15 % tax, cash / cheque / bank journals, three clients."""
        self.ensure_one()
        company = self.with_company(self)
        tax = company._billing_demo_tax()
        for xmlid in ("product_billing_credit", "demo_product_swim", "demo_product_camp"):
            product = company.env.ref(f"account_billing_operations.{xmlid}")
            product.with_company(self).taxes_id = [(6, 0, tax.ids)]
        bank, cash = company._billing_demo_journals()
        self._billing_setup_demo_provider()
        company._billing_demo_documents(bank, cash)

    def _billing_demo_tax(self):
        """The company's 15 % sales tax, created when its chart has none."""
        Tax = self.env["account.tax"]
        tax = Tax.search([*Tax._check_company_domain(self), ("type_tax_use", "=", "sale"),
                          ("amount_type", "=", "percent"), ("amount", "=", 15.0)], limit=1)
        return tax or Tax.create({
            "name": "Sales tax 15%", "amount": 15.0, "type_tax_use": "sale", "company_id": self.id})

    def _billing_demo_journals(self):
        """A cheque journal and a cash journal next to the chart's bank journal: (bank, cash)."""
        Journal = self.env["account.journal"]
        company_domain = Journal._check_company_domain(self)
        if not Journal.search([*company_domain, ("code", "=", "CHQ")], limit=1):
            Journal.create({"name": "Cheques", "code": "CHQ", "type": "bank", "company_id": self.id})
        if not Journal.search([*company_domain, ("type", "=", "cash")], limit=1):
            Journal.create({"name": "Cash", "code": "CSH1", "type": "cash", "company_id": self.id})
        bank = Journal.search([*company_domain, ("type", "=", "bank"), ("code", "!=", "CHQ")], limit=1)
        cash = Journal.search([*company_domain, ("type", "=", "cash")], limit=1)
        return bank, cash

    def _billing_demo_documents(self, bank, cash):
        """A client in credit, a client owing, a client paid up."""
        env = self.env
        ref = env.ref

        def invoice(partner, product, quantity=1.0):
            move = env["account.move"].create({
                "move_type": "out_invoice", "partner_id": partner.id,
                "invoice_date": fields.Date.context_today(self),
                "invoice_line_ids": [(0, 0, {"product_id": product.id, "quantity": quantity})],
            })
            move.action_post()
            return move

        def pay(move, journal):
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids).create({
                    "journal_id": journal.id}).action_create_payments()

        in_credit = ref("account_billing_operations.demo_client_credit")
        owing = ref("account_billing_operations.demo_client_owing")
        paid = ref("account_billing_operations.demo_client_paid")
        swim = ref("account_billing_operations.demo_product_swim")
        camp = ref("account_billing_operations.demo_product_camp")
        # In credit: a paid invoice, then a goodwill credit of 57.50 (tax included).
        pay(invoice(in_credit, swim), bank)
        in_credit.billing_create_credit(57.50, "Pool closed two weeks: goodwill credit", taxes_included=True)
        # Owing: two open invoices.
        invoice(owing, swim)
        invoice(owing, camp, 2.0)
        # Paid: one invoice paid in cash.
        pay(invoice(paid, camp), cash)

    def _billing_setup_demo_provider(self):
        """Demo only: enable the demo card provider (module payment_demo) on the bank journal."""
        self.ensure_one()
        provider = self.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        if not provider or provider.code != "demo":
            return
        journal = self.env["account.journal"].search([
            *self.env["account.journal"]._check_company_domain(self), ("type", "=", "bank"),
            ("code", "!=", "CHQ")], limit=1)
        provider.write({"state": "test", "is_published": True})
        if journal and provider.company_id == self:
            provider.journal_id = journal
