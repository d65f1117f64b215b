"""SPEC §7: refunds raced by real threads, each with its own database cursor and transaction."""
from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo.tests.common import tagged

from .common import RaceCase


@tagged("post_install", "-at_install")
class TestRefundsConcurrency(RaceCase):

    LOSER_MESSAGES = ("right now. Try again", "more than", "no credit to refund")

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            Journal = env["account.journal"]
            self.bank_id = Journal.search([*Journal._check_company_domain(company), ("type", "=", "bank")], limit=1).id
            self.cash_id = Journal.search([*Journal._check_company_domain(company), ("type", "=", "cash")], limit=1).id
            partner = self.new_client(env)
            self.partner_id = partner.id
            credit = env["account.move"].create({
                "move_type": "out_refund", "partner_id": partner.id,
                "invoice_line_ids": [Command.create({"name": "Credit", "quantity": 1, "price_unit": 100.0,
                                                     "tax_ids": [Command.clear()]})],
            })
            credit.action_post()
            invoice = env["account.move"].create({
                "move_type": "out_invoice", "partner_id": partner.id,
                "invoice_line_ids": [Command.create({"name": "Course", "quantity": 1, "price_unit": 100.0,
                                                     "tax_ids": [Command.clear()]})],
            })
            invoice.action_post()
            payment = env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids).create({
                    "journal_id": self.cash_id})._create_payments()
            self.payment_id = payment.id
            self.assertAlmostEqual(partner.billing_balance, -100.0)
        self.addCleanup(self.clean_up_client, self.partner_id)

    def warm_up(self, env):
        env["res.partner"].browse(self.partner_id).billing_balance  # noqa: B018

    def test_race_on_one_credit(self):
        """Four workers refund 40 each of a credit of 100: at most two can, the others get a clear error."""
        winners = self.race(lambda env, index: env["res.partner"].browse(self.partner_id).billing_refund(
            40.0, self.bank_id, f"Race {index}"), self.warm_up)
        self.assertLessEqual(len(winners), 2, winners)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            refunds = env["account.payment"].search([
                ("partner_id", "=", self.partner_id), ("billing_refund_state", "=", "pending")])
            self.assertEqual(sorted(refunds.ids), sorted(winners))
            self.assertLessEqual(sum(refunds.mapped("amount")), 100.0)
            partner = env["res.partner"].browse(self.partner_id)
            self.assertAlmostEqual(partner.billing_balance, -100.0 + 40.0 * len(winners))
            self.assertLessEqual(partner.billing_balance, 0.0)

    def test_race_on_one_payment(self):
        """Four workers refund 60 each of a cash payment of 100: only one can."""
        winners = self.race(lambda env, index: env["account.payment"].browse(self.payment_id).billing_refund(
            60.0, f"Race {index}"), self.warm_up)
        self.assertEqual(len(winners), 1, winners)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            payment = env["account.payment"].browse(self.payment_id)
            self.assertEqual(payment.billing_refund_ids.ids, winners)
            self.assertLessEqual(payment.billing_refunded_amount, payment.amount)
