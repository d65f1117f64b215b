"""Findings of the review of 2026-11-30 (client statement, portal, bulk credit, per-company settings,
billing_tools.check_journal, scheduled actions in batches): each test failed on the code as it was."""
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install")
class TestReviewFindings(BillingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b_data = cls.setup_other_company()
        cls.company_b = cls.company_b_data["company"]
        company = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.invoicing_user = new_test_user(
            cls.env, login="review_invoicing", groups="base.group_user,account.group_account_invoice", **company)
        cls.refund_user = new_test_user(
            cls.env, login="review_refunds",
            groups="base.group_user,account_billing_operations.group_billing_refund", **company)

    def refunds(self):
        return self.env["account.payment"].search_count([("partner_id", "=", self.client.id),
                                                         ("payment_type", "=", "outbound")])

    # ---- per-company settings: Default refund journal ------------------------------------------

    def test_default_refund_journal_of_another_company_is_refused(self):
        """docs/rules.md §5: another company's journal is refused, here in the company's settings written over RPC
        (res.company has no automatic company check)."""
        before = self.company.billing_refund_journal_id
        journal_b = self.company_b_data["default_journal_bank"]
        self.assertTrue(journal_b._billing_offline_method_lines("outbound"))
        with self.assertRaisesRegex(UserError, "belongs to another company") as caught, self.env.cr.savepoint():
            self.company.write({"billing_refund_journal_id": journal_b.id})
        self.assertIn(journal_b.display_name, str(caught.exception))
        self.company.invalidate_recordset(["billing_refund_journal_id"])
        self.assertEqual(self.company.billing_refund_journal_id, before)
        # The same through Accounting settings.
        with self.assertRaisesRegex(UserError, "belongs to another company"), self.env.cr.savepoint():
            self.env["res.config.settings"].with_company(self.company).create(
                {"billing_refund_journal_id": journal_b.id}).execute()
        self.company.invalidate_recordset(["billing_refund_journal_id"])
        self.assertEqual(self.company.billing_refund_journal_id, before)

    def test_default_refund_journal_never_proposes_another_companys_journal(self):
        """A foreign journal stored before the check existed is not proposed by Record a refund /
        Cancel/refund items (their button would refuse it): the first usable journal of the company is."""
        journal_b = self.company_b_data["default_journal_bank"]
        self.env.cr.execute("UPDATE res_company SET billing_refund_journal_id = %s WHERE id = %s",
                            (journal_b.id, self.company.id))
        self.company.invalidate_recordset(["billing_refund_journal_id"])
        proposed = self.env["res.partner"].with_company(self.company)._billing_default_refund_journal()
        self.assertTrue(proposed)
        self.assertEqual(proposed.company_id, self.company)
        self.assertIn(proposed.type, ("bank", "cash"))
        # A user of this company only opens Cancel/refund items (it failed with an access error).
        invoice = self.invoice(100.0)
        wizard = self.env["account.billing.cancel.items.wizard"].with_user(self.invoicing_user).with_context(
            active_model="account.move", active_ids=invoice.ids).create({})
        self.assertEqual(wizard.refund_journal_id, proposed)

    # ---- billing_apply_postdated: the scheduled action's context cannot be forged ---------------

    def test_apply_postdated_by_hand_ignores_a_forged_cron_context(self):
        """An RPC client sending {'ir_cron_progress_id': n, 'cron_id': n} is not the scheduled action:
        it must not write (as superuser) the progress row it names, nor be cut to a batch and committed."""
        cron = self.env.ref("account_billing_operations.ir_cron_billing_apply_postdated")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id, "done": 7, "remaining": 5})
        Payment = self.env["account.payment"].with_user(self.invoicing_user).with_context(
            ir_cron_progress_id=progress.id, cron_id=cron.id)
        self.assertEqual(Payment.billing_apply_postdated(), 0)
        progress.invalidate_recordset()
        self.assertEqual((progress.done, progress.remaining), (7, 5))

    # ---- bulk credit: every selected client, or nothing -----------------------------------------

    def bulk_credits(self):
        return self.env["account.move"].sudo().search_count([("billing_operation", "=", "credit")])

    def test_bulk_credit_never_skips_a_selected_client_silently(self):
        """docs/rules.md §3 all or nothing: an archived client, or a client of a company the user cannot see, given
        over RPC in the selection was left out without a word and the others got their credit."""
        archived = self.env["res.partner"].create({"name": "Client Archivé", "is_company": True})
        archived.action_archive()
        client_b = self.env["res.partner"].create({"name": "Client of B", "is_company": True,
                                                   "company_id": self.company_b.id})
        # As over RPC: the user's own companies only (no company of the test's context).
        Wizard = self.env(user=self.invoicing_user, context={})["account.billing.bulk.credit.wizard"]
        self.assertFalse(client_b.with_env(Wizard.env).exists()._filtered_access("read"))
        for other, words in ((archived, "Client Archivé is archived"), (client_b, "cannot be billed")):
            with self.subTest(client=other.name):
                before = self.bulk_credits()
                wizard = Wizard.create({"partner_ids": [Command.set((self.client | other).ids)], "amount": 10.0,
                                        "note": "Goodwill", "tax_ids": [Command.set([])]})
                wizard.env.invalidate_all()  # confirmed in another request, as over RPC or in the form
                with self.assertRaisesRegex(UserError, words), self.env.cr.savepoint():
                    wizard.action_confirm()
                self.assertEqual(self.bulk_credits(), before)
                self.assertEqual(wizard.sudo().state, "draft")

    # ---- statement: the period given in the URL / the composer's context ------------------------

    def test_statement_period_of_wrong_shape_is_a_clear_error(self):
        """/report/html/<statement>/<id>?options={"date_from": "bogus"} was an Internal Server Error
        (ValueError in fields.Date.to_date): a clear UserError naming the date instead."""
        Report = self.env["report.account_billing_operations.report_billing_statement"]
        for data in ({"date_from": "bogus"}, {"date_to": "2024-13-45"}, {"date_from": 20240101},
                     {"date_to": ["2024-01-01"]}):
            with self.subTest(data=data), self.assertRaisesRegex(UserError, "date"):
                Report._get_report_values(self.client.ids, data)
        values = Report._get_report_values(self.client.ids, {"date_from": "2024-01-01", "date_to": False})
        self.assertEqual(str(values["statements"][0]["date_from"]), "2024-01-01")
