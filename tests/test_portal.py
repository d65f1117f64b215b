"""docs/rules.md §3 /my/billing, over real HTTP: a client's portal user sees their own commercial partner's
balance, timeline and statement in the current company, nothing of anyone else; a visitor logs in."""
from odoo import Command
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install")
class TestBillingPortal(BillingCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_client = cls.env["res.partner"].create({"name": "Client Tremblay", "is_company": True})
        company = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.user_a = new_test_user(cls.env, login="portal_gagnon", groups="base.group_portal", **company)
        cls.user_b = new_test_user(cls.env, login="portal_tremblay", groups="base.group_portal", **company)
        cls.user_a.partner_id.parent_id = cls.client
        cls.user_b.partner_id.parent_id = cls.other_client
        # Gagnon: an invoice of 115.00 and a credit of 300.00 (in credit 185.00); Tremblay owes 46.00.
        cls.invoice_a = cls.init_invoice("out_invoice", partner=cls.client, amounts=[100.0], taxes=cls.tax_15,
                                         post=True, invoice_date="2024-01-10")
        cls.credit_a = cls.env["account.move"].browse(
            cls.client.billing_create_credit(300.0, "Pool closed two weeks: goodwill credit", tax_ids=[]))
        cls.invoice_b = cls.init_invoice("out_invoice", partner=cls.other_client, amounts=[40.0],
                                         taxes=cls.tax_15, post=True, invoice_date="2024-01-12")
        # Gagnon in another company: not shown on the portal of this company.
        cls.company_b = cls.setup_other_company()["company"]
        cls.invoice_other_company = cls.init_invoice(
            "out_invoice", partner=cls.client, amounts=[999.0], post=True, invoice_date="2024-01-11",
            company=cls.company_b)

    def get(self, url, **kwargs):
        return self.url_open(url, allow_redirects=kwargs.pop("allow_redirects", True), **kwargs)

    def test_each_portal_user_sees_only_their_own(self):
        self.authenticate("portal_gagnon", "portal_gagnon")
        page = self.get("/my/billing")
        self.assertEqual(page.status_code, 200)
        text = page.text.replace("\xa0", " ")
        self.assertIn(self.invoice_a.name, text)
        self.assertIn(self.credit_a.name, text)
        self.assertIn("Credit $ 185.00", text)
        self.assertNotIn(self.invoice_b.name, text)
        # Two rows (the invoice and the credit): nothing of the other company (same invoice number there).
        self.assertEqual(text.count('class="o_billing_portal_row"'), 2)
        self.assertNotIn("999.00", text)
        self.assertNotIn("Tremblay", text)
        # Asking for another client changes nothing.
        forged = self.get(f"/my/billing?partner_id={self.other_client.id}").text
        self.assertNotIn(self.invoice_b.name, forged)
        self.assertIn(self.invoice_a.name, forged)
        # The portal home has the Billing card with the balance.
        home = self.get("/my").text.replace("\xa0", " ")
        self.assertIn('href="/my/billing"', home)
        self.assertIn("Credit $ 185.00", home)

        self.authenticate("portal_tremblay", "portal_tremblay")
        text = self.get("/my/billing").text.replace("\xa0", " ")
        self.assertIn(self.invoice_b.name, text)
        self.assertIn("$ 46.00", text)
        self.assertNotIn(self.invoice_a.name, text)
        self.assertNotIn(self.credit_a.name, text)
        self.assertNotIn("Gagnon", text)

    def test_statement_download_own_only(self):
        self.authenticate("portal_gagnon", "portal_gagnon")
        own = self.get(f"/my/billing/statement/{self.client.id}")
        self.assertEqual(own.status_code, 200)
        self.assertEqual(own.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", own.headers["Content-Disposition"])
        self.assertIn("Statement_Client_Gagnon.pdf", own.headers["Content-Disposition"])
        # Odoo renders reports as HTML in test mode (no wkhtmltopdf inside a test request, see
        # ir.actions.report._pre_render_qweb_pdf); TestStatement renders the same report as a real PDF.
        body = own.content.decode()
        self.assertIn("Client Gagnon", body)
        self.assertIn(self.credit_a.name, body)
        self.assertNotIn(self.invoice_b.name, body)
        self.assertEqual(body.count('class="o_billing_statement_row"'), 2)
        self.assertNotIn("999.00", body)
        # Another client's statement: not found, nothing of it in the answer.
        other = self.get(f"/my/billing/statement/{self.other_client.id}")
        self.assertEqual(other.status_code, 404)
        self.assertNotIn(self.invoice_b.name, other.text)
        self.assertNotIn("Tremblay", other.text)
        # A contact of the client is not a way in either.
        contact = self.user_a.partner_id
        self.assertEqual(self.get(f"/my/billing/statement/{contact.id}").status_code, 404)

    def test_public_visitor_is_sent_to_log_in(self):
        self.authenticate(None, None)
        for url in ("/my/billing", f"/my/billing/statement/{self.client.id}"):
            with self.subTest(url=url):
                response = self.get(url, allow_redirects=False)
                self.assertIn(response.status_code, (302, 303))
                self.assertIn("/web/login", response.headers["Location"])
                followed = self.get(url)
                self.assertNotIn(self.invoice_a.name, followed.text)
                self.assertNotIn("185.00", followed.text)
