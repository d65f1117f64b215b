"""docs/rules.md §7: Make a payment and Cancel/refund items raced by real threads, each with its own cursor."""
from datetime import timedelta

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests.common import tagged

from .common import RaceCase


@tagged("post_install", "-at_install")
class TestInvoiceOpsConcurrency(RaceCase):

    LOSER_MESSAGES = ("right now. Try again", "more than", "already cancelled", "can still be cancelled",
                      "no open credit", "already scheduled")

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Journal = env["account.journal"]
            self.bank_id = Journal.search([*Journal._check_company_domain(env.company), ("type", "=", "bank")],
                                          limit=1).id
            partner = self.new_client(env)
            self.partner_id = partner.id
            self.invoice_ids = []
            for _index in range(self.THREADS):
                invoice = env["account.move"].create({
                    "move_type": "out_invoice", "partner_id": partner.id,
                    "invoice_line_ids": [Command.create({"name": "Course", "quantity": 1, "price_unit": 100.0,
                                                         "tax_ids": [Command.clear()]})],
                })
                invoice.action_post()
                self.invoice_ids.append(invoice.id)
        self.addCleanup(self.clean_up_client, self.partner_id)

    def warm_up(self, env):
        env["account.move"].browse(self.invoice_ids).mapped("amount_residual")

    def test_race_payments_on_one_invoice(self):
        """Four workers pay 60.00 of the same invoice of 100.00: only one can."""
        invoice_id = self.invoice_ids[0]
        winners = self.race(lambda env, index: env["account.move"].browse(invoice_id).billing_make_payment(
            60.0, self.bank_id, payer_name=f"Race {index}"), self.warm_up)
        self.assertEqual(len(winners), 1)
        with self.registry.cursor() as cr:
            invoice = api.Environment(cr, SUPERUSER_ID, {})["account.move"].browse(invoice_id)
            self.assertAlmostEqual(invoice.amount_residual, 40.0)

    def test_race_schedules_of_the_whole_amount(self):
        """Four workers schedule the whole amount due of the same invoice: one schedule only (R7.1)."""
        invoice_id = self.invoice_ids[0]
        later = fields.Date.to_string(fields.Date.today() + timedelta(days=30))
        winners = self.race(lambda env, index: env["account.move"].browse(invoice_id).billing_make_payment(
            100.0, self.bank_id, postdated_date=later, payer_name=f"Race {index}"), self.warm_up)
        self.assertEqual(len(winners), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoice = env["account.move"].browse(invoice_id)
            self.assertEqual(len(invoice.billing_payment_ids), 1)
            self.assertAlmostEqual(invoice.billing_scheduled_amount, 100.0)

    def test_schedule_seen_by_an_older_transaction(self):
        """A worker whose transaction started before another one scheduled the whole amount and
        committed cannot schedule it again: its snapshot does not show the first schedule, so the
        schedule writes the invoice's row and the lock refuses the late worker (R7.1)."""
        invoice_id = self.invoice_ids[0]
        later = fields.Date.to_string(fields.Date.today() + timedelta(days=30))
        with self.registry.cursor() as cr_late:
            env_late = api.Environment(cr_late, SUPERUSER_ID, {})
            self.warm_up(env_late)
            with self.registry.cursor() as cr_first:
                env_first = api.Environment(cr_first, SUPERUSER_ID, {})
                env_first["account.move"].browse(invoice_id).billing_make_payment(
                    100.0, self.bank_id, postdated_date=later)
            with self.assertRaisesRegex(UserError, "right now. Try again|already scheduled"):
                env_late["account.move"].browse(invoice_id).billing_make_payment(
                    100.0, self.bank_id, postdated_date=later)
            cr_late.rollback()
        with self.registry.cursor() as cr:
            invoice = api.Environment(cr, SUPERUSER_ID, {})["account.move"].browse(invoice_id)
            self.assertEqual(len(invoice.billing_payment_ids), 1)
            self.assertAlmostEqual(invoice.billing_scheduled_amount, 100.0)

    def test_race_cancel_one_line(self):
        """Four workers cancel the same invoice line: one credit note only."""
        invoice_id = self.invoice_ids[0]

        def cancel(env, _index):
            invoice = env["account.move"].browse(invoice_id)
            return invoice.billing_cancel_items(invoice.invoice_line_ids.ids)
        winners = self.race(cancel, self.warm_up)
        self.assertEqual(len(winners), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoice = env["account.move"].browse(invoice_id)
            self.assertEqual(invoice.invoice_line_ids.billing_cancelled_qty, 1.0)
            notes = env["account.move"].search([("reversed_entry_id", "=", invoice_id)])
            self.assertEqual(len(notes), 1)

    def test_race_one_credit_on_file(self):
        """A credit of 100.00 and four invoices of 100.00 paid with it at once: it is used once."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.partner"].browse(self.partner_id).billing_create_credit(100.0, "Race credit", tax_ids=[])
        winners = self.race(lambda env, index: env["account.move"].browse(
            self.invoice_ids[index]).billing_make_payment(0.0, self.bank_id, use_credit=True), self.warm_up)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            applied = sum(result["credit_applied"] for result in winners)
            self.assertLessEqual(applied, 100.0)
            residuals = env["account.move"].browse(self.invoice_ids).mapped("amount_residual")
            self.assertAlmostEqual(sum(residuals), 400.0 - applied)
            self.assertAlmostEqual(env["res.partner"].browse(self.partner_id).billing_balance, 300.0)
