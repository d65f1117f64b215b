"""docs/rules.md §3: the client statement is the Billing tab's timeline for a period, printed (HTML, and PDF
with wkhtmltopdf) in the client's language, for one or several clients, and emailed with Odoo's
mail composer."""
import io
import shutil
from datetime import timedelta

from lxml import html as lxml_html
from PyPDF2 import PdfReader

from odoo import fields
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tools import format_amount

from .common import BillingCommon

REPORT = "account_billing_operations.action_report_billing_statement"


class StatementCommon(BillingCommon):
    """A client with history before the period (an invoice of 115.00, a payment of 100.00: 15.00
    owed on 2024-02-01), then in the period an invoice of 230.00, a credit of 300.00, a refund of
    20.00 and a postdated payment of 50.00 (scheduled, not applied)."""

    PERIOD_START = fields.Date.to_date("2024-02-01")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client.write({"street": "12 rue des Érables", "city": "Québec"})
        cls.other_client = cls.env["res.partner"].create({"name": "Client Tremblay", "is_company": True})
        cls.build_history(cls.client)
        cls.today = fields.Date.context_today(cls.client)

    @classmethod
    def build_history(cls, client):
        old = cls.init_invoice("out_invoice", partner=client, amounts=[100.0], taxes=cls.tax_15, post=True,
                               invoice_date="2024-01-10")
        cls.env["account.payment.register"].with_context(active_model="account.move", active_ids=old.ids).create({
            "journal_id": cls.bank_journal.id, "amount": 100.0, "payment_date": "2024-01-20"})._create_payments()
        invoice = cls.init_invoice("out_invoice", partner=client, amounts=[200.0], taxes=cls.tax_15, post=True,
                                   invoice_date="2024-03-01")
        client.billing_create_credit(300.0, "Pool closed two weeks: goodwill credit", tax_ids=[])
        client.billing_refund(20.0, cls.bank_journal.id, "Part of the credit back, in cash")
        postdated = fields.Date.context_today(client) + timedelta(days=10)
        invoice.billing_make_payment(50.0, cls.bank_journal.id, payer_name="M. Gagnon", payer_reference="Cheque 12",
                                     postdated_date=fields.Date.to_string(postdated))
        return invoice

    def money(self, amount):
        return format_amount(self.env, amount, self.currency)

    def timeline(self, client, **domain):
        search = [("partner_id", "=", client.id), ("company_id", "=", self.company.id)]
        if "date_from" in domain:
            search.append(("date", ">=", domain["date_from"]))
        return self.env["account.billing.timeline"].search(search, order="date, id")

    def render_html(self, clients, data=None):
        content, kind = self.env["ir.actions.report"]._render_qweb_html(REPORT, clients.ids, data=data)
        self.assertEqual(kind, "html")
        return lxml_html.fromstring(content)

    @staticmethod
    def text(node):
        return " ".join(node.text_content().split())

    def norm(self, label):
        return " ".join(label.replace("\xa0", " ").split())


@tagged("post_install", "-at_install")
class TestStatement(StatementCommon):

    def test_statement_html_figures_come_from_the_timeline(self):
        client = self.client.with_company(self.company)
        data = {"date_from": "2024-02-01", "date_to": False}
        doc = self.render_html(client, data)
        timeline = self.timeline(client, date_from=self.PERIOD_START)
        period_rows = timeline.filtered(lambda row: row.kind != "scheduled")
        scheduled_rows = timeline.filtered(lambda row: row.kind == "scheduled")
        # The period's rows, oldest first: the invoice of 230, the credit of 300, the refund of 20.
        self.assertEqual(period_rows.mapped("kind"), ["invoice", "credit", "refund"])
        self.assertEqual([round(amount, 2) for amount in period_rows.mapped("amount")], [230.0, -300.0, 20.0])
        rows = doc.xpath("//tr[contains(@class, 'o_billing_statement_row')]")
        self.assertEqual([int(row.get("data-row-id")) for row in rows], period_rows.ids)
        for row, record in zip(rows, period_rows, strict=True):
            cells = row.xpath("./td")
            self.assertEqual(self.norm(self.text(cells[2])), record.reference)
            self.assertEqual(self.norm(self.text(cells[5])), self.norm(self.money(record.amount)))
            self.assertEqual(self.norm(self.text(cells[6])),
                             self.norm(client._billing_format_balance(record.running_balance, self.currency)))
        # Opening: what the timeline says just before the period (115 - 100 = 15 owed).
        opening = period_rows[0].running_balance - period_rows[0].amount
        self.assertEqual(self.currency.compare_amounts(opening, 15.0), 0)
        opening_cell = doc.xpath("//tr[contains(@class, 'o_billing_statement_opening')]/td")[-1]
        self.assertEqual(self.norm(self.text(opening_cell)), self.norm(self.money(15.0)))
        # Running balances: 245 owed, then credit 55, then credit 35 (= the client's balance).
        self.assertEqual([round(b, 2) for b in period_rows.mapped("running_balance")], [245.0, -55.0, -35.0])
        self.assertEqual(self.currency.compare_amounts(client.billing_balance, -35.0), 0)
        closing = self.text(doc.xpath("//td[contains(@class, 'o_billing_closing')]")[0])
        self.assertEqual(self.norm(closing), self.norm(client.billing_balance_label))
        self.assertTrue(self.norm(closing).startswith("Credit"), closing)
        available = self.text(doc.xpath("//td[contains(@class, 'o_billing_available_credit')]")[0])
        self.assertEqual(self.norm(available), self.norm(self.money(client.billing_available_credit)))
        self.assertEqual(self.currency.compare_amounts(client.billing_available_credit, 35.0), 0)
        # Scheduled payments: the postdated cheque of 50, not applied (0 in the timeline's amounts).
        planned = doc.xpath("//tr[contains(@class, 'o_billing_statement_planned')]")
        self.assertEqual([int(row.get("data-row-id")) for row in planned], scheduled_rows.ids)
        self.assertEqual(self.norm(self.text(planned[0].xpath("./td")[-1])), self.norm(self.money(50.0)))
        total = self.text(doc.xpath("//td[contains(@class, 'o_billing_scheduled_total')]")[0])
        self.assertEqual(self.norm(total), self.norm(self.money(client.billing_scheduled_amount)))
        self.assertEqual(self.currency.compare_amounts(client.billing_scheduled_amount, 50.0), 0)
        # Header: the company and the client, the period.
        page = self.norm(self.text(doc))
        self.assertIn(self.company.name, page)
        self.assertIn("Client Gagnon", page)
        self.assertIn("Québec", page)
        self.assertIn("Statement of account", page)

    def test_statement_data_matches_the_timeline(self):
        """The figures of the model method the report prints, against the timeline and the tab."""
        client = self.client.with_company(self.company)
        [statement] = client._billing_statement_data("2024-02-01")
        self.assertEqual(statement["opening_balance"], 15.0)
        self.assertEqual([line["amount"] for line in statement["rows"]], [230.0, -300.0, 20.0])
        self.assertEqual([line["running_balance"] for line in statement["rows"]], [245.0, -55.0, -35.0])
        self.assertEqual(statement["closing_balance"], client.billing_balance)
        self.assertEqual(statement["available_credit"], client.billing_available_credit)
        self.assertEqual(statement["scheduled_total"], client.billing_scheduled_amount)
        # closing = opening + the period's amounts
        self.assertEqual(self.currency.compare_amounts(
            statement["closing_balance"],
            statement["opening_balance"] + sum(line["amount"] for line in statement["rows"])), 0)
        # Everything: opening 0, five rows (both invoices, the payment, the credit and the refund).
        [everything] = client._billing_statement_data()
        self.assertEqual(everything["opening_balance"], 0.0)
        self.assertEqual([line["kind"] for line in everything["rows"]],
                         ["invoice", "payment", "invoice", "credit", "refund"])
        self.assertEqual(everything["closing_balance"], statement["closing_balance"])
        # A period that ends before the period's documents: opening = closing = 15 owed, no row.
        [before] = client._billing_statement_data("2024-01-15", "2024-02-28")
        self.assertEqual([line["kind"] for line in before["rows"]], ["payment"])
        self.assertEqual(before["opening_balance"], 115.0)
        self.assertEqual(before["closing_balance"], 15.0)
        self.assertEqual(before["available_credit"], 0.0)
        [empty] = client._billing_statement_data("2024-02-01", "2024-02-28")
        self.assertEqual((empty["rows"], empty["opening_balance"], empty["closing_balance"]), ([], 15.0, 15.0))

    def test_statement_of_a_contact_is_its_company_and_other_clients_are_apart(self):
        contact = self.env["res.partner"].create({"name": "Julie Gagnon", "parent_id": self.client.id})
        self.other_client.billing_create_credit(10.0, "Goodwill", tax_ids=[])
        statements = (contact | self.other_client).with_company(self.company)._billing_statement_data()
        self.assertEqual([s["partner"] for s in statements], [self.client, self.other_client])
        self.assertEqual(len(statements[0]["rows"]), 5)
        self.assertEqual([line["amount"] for line in statements[1]["rows"]], [-10.0])
        doc = self.render_html(contact | self.other_client)
        pages = doc.xpath("//div[contains(@class, 'o_billing_statement')]")
        self.assertEqual(len(pages), 2)
        self.assertIn("Client Gagnon", self.text(pages[0]))
        self.assertIn("Client Tremblay", self.text(pages[1]))
        self.assertNotIn("Pool closed", self.text(pages[1]))

    def test_statement_in_the_clients_language(self):
        self.env["res.lang"]._activate_lang("fr_CA")
        self.env["ir.module.module"]._load_module_terms(["account_billing_operations"], ["fr_CA"], overwrite=True)
        self.client.lang = "fr_CA"
        doc = self.render_html(self.client.with_company(self.company))
        closing = self.norm(self.text(doc.xpath("//td[contains(@class, 'o_billing_closing')]")[0]))
        french = self.client.with_context(lang="fr_CA").with_company(self.company)
        self.assertEqual(closing, self.norm(french._billing_format_balance(-35.0, self.currency)))
        self.assertTrue(closing.startswith("Créditeur"), closing)
        self.assertIn("35,00", closing)
        # The rows' types are the timeline's labels in French.
        kinds = dict(self.env["account.billing.timeline"].with_context(lang="fr_CA")
                     ._fields["kind"]._description_selection(self.env(context={"lang": "fr_CA"})))
        first = doc.xpath("//tr[contains(@class, 'o_billing_statement_row')]/td")[1]
        self.assertEqual(self.text(first), kinds["invoice"])

    def test_statement_queries_do_not_grow_with_history(self):
        client = self.client.with_company(self.company)

        def count():
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            client._billing_statement_data("2024-02-01")
            return self.cr.sql_log_count - before

        count()  # warm-up
        small = count()
        for _index in range(15):
            self.init_invoice("out_invoice", partner=client, amounts=[10.0], taxes=self.tax_15, post=True,
                              invoice_date="2024-04-01")
            client.billing_create_credit(5.0, "Goodwill", tax_ids=[])
        large = count()
        self.assertEqual(len(client._billing_statement_data("2024-02-01")[0]["rows"]), 33)
        self.assertEqual(small, large, "the statement's queries must not grow with the client's history")

    def test_statement_button_proposes_last_month_to_today(self):
        """The Statement button's wizard proposes the previous month and the current one (what a
        monthly statement shows, and a short report for a long history); the user may clear it."""
        action = self.client.action_billing_statement_wizard()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        today = fields.Date.context_today(self.client)
        self.assertEqual(wizard.date_from, fields.Date.start_of(fields.Date.subtract(today, months=1), "month"))
        self.assertFalse(wizard.date_to)
        self.assertEqual(wizard.partner_ids, self.client)

    def test_statement_period_reads_the_rows_from_its_start_only(self):
        """The rows of a period come with the running balances of the whole timeline, and the opening and
        closing balances agree with them, for any period (before, inside, after the documents)."""
        client = self.client.with_company(self.company)
        everything = self.timeline(client).filtered(lambda row: row.kind != "scheduled")
        for date_from, date_to in (("2024-01-15", "2024-02-28"), ("2024-01-20", None), (None, "2024-01-31"),
                                   ("2024-03-01", "2024-03-01"), ("2030-01-01", None)):
            [statement] = client._billing_statement_data(date_from, date_to)
            start, end = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
            expected = everything.filtered(lambda row, start=start, end=end: (not start or row.date >= start)
                                           and (not end or row.date <= end))
            self.assertEqual([line["id"] for line in statement["rows"]], expected.ids)
            for line, row in zip(statement["rows"], expected, strict=True):
                self.assertEqual(self.currency.compare_amounts(line["running_balance"], row.running_balance), 0)
            running = statement["opening_balance"]
            for line in statement["rows"]:
                running = self.currency.round(running + line["amount"])
                self.assertEqual(self.currency.compare_amounts(line["running_balance"], running), 0)
            self.assertEqual(self.currency.compare_amounts(statement["closing_balance"], running), 0)

    def test_print_menu_and_wizard(self):
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        report = self.env.ref(REPORT)
        self.assertEqual(report.binding_model_id.model, "res.partner")
        self.assertEqual(report.report_type, "qweb-pdf")
        wizard = self.env["account.billing.statement.wizard"].with_context(
            active_model="res.partner", active_ids=(self.client | self.other_client).ids).create({
                "date_from": "2024-02-01", "date_to": "2024-12-31"})
        self.assertEqual(wizard.partner_ids, self.client | self.other_client)
        action = wizard.action_print()
        self.assertEqual(action["report_name"], "account_billing_operations.report_billing_statement")
        self.assertEqual(action["data"], {"date_from": "2024-02-01", "date_to": "2024-12-31"})
        self.assertEqual(action["context"]["active_ids"], (self.client | self.other_client).ids)
        with self.assertRaisesRegex(UserError, "one client at a time"):
            wizard.action_send()
        with self.assertRaisesRegex(ValidationError, "after its To date"):
            wizard.copy({"date_from": "2024-05-01", "date_to": "2024-04-01"})

    def test_statement_for_a_period_by_email(self):
        wizard = self.env["account.billing.statement.wizard"].with_context(
            active_model="res.partner", active_ids=self.client.ids).create({"date_from": "2024-02-01"})
        action = wizard.action_send()
        self.assertEqual(action["context"]["billing_statement_date_from"], "2024-02-01")
        composer = Form(self.env["mail.compose.message"].with_context(**action["context"])).save()
        # In the test mode the report is rendered as HTML: its period is the wizard's.
        doc = lxml_html.fromstring(composer.attachment_ids.raw)
        rows = doc.xpath("//tr[contains(@class, 'o_billing_statement_row')]")
        self.assertEqual(len(rows), 3)


@tagged("post_install", "-at_install")
class TestStatementPdf(StatementCommon, HttpCase):
    """wkhtmltopdf fetches the report's styles from the server: an HttpCase serves them during the
    test (a TransactionCase holds the registry the server needs)."""

    def test_statement_pdf_with_wkhtmltopdf(self):
        """The real PDF: wkhtmltopdf must be installed (the set-up installs it); never skipped."""
        self.assertTrue(shutil.which("wkhtmltopdf"), "wkhtmltopdf is missing: run make setup")
        self.assertEqual(self.env["ir.actions.report"].get_wkhtmltopdf_state(), "ok")
        content, kind = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
            REPORT, self.client.ids, data={"date_from": "2024-02-01"})
        self.assertEqual(kind, "pdf")
        self.assertTrue(content.startswith(b"%PDF-"), content[:40])
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
        self.assertIn("Client Gagnon", text)
        self.assertIn("Statement of account", text)
        self.assertIn("300.00", text)

    def test_send_by_email_with_the_mail_composer(self):
        self.client.email = "gagnon@example.com"
        action = self.client.action_billing_send_statement()
        self.assertEqual(action["res_model"], "mail.compose.message")
        template = self.env.ref("account_billing_operations.mail_template_billing_statement")
        self.assertEqual(action["context"]["default_template_id"], template.id)
        composer = Form(self.env["mail.compose.message"].with_context(
            **action["context"], force_report_rendering=True)).save()
        self.assertEqual(composer.partner_ids, self.client)
        self.assertIn(self.company.name, composer.subject)
        self.assertEqual(len(composer.attachment_ids), 1)
        attachment = composer.attachment_ids
        self.assertEqual(attachment.name, "Statement - Client Gagnon.pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF-"))
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(attachment.raw)).pages).split())
        self.assertIn("Client Gagnon", text)
        messages = self.client.message_ids
        composer._action_send_mail()
        sent = self.client.message_ids - messages
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.attachment_ids.mimetype, "application/pdf")
        self.assertEqual(sent.partner_ids, self.client)
