"""docs/rules.md §7: refunds raced by real threads, each with its own database cursor and transaction."""
from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo import fields
from odoo.exceptions import UserError
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

    def _refund_after_a_committed_one(self, refund, amount, pattern):
        """A worker whose transaction (snapshot) started before another worker refunded and committed,
        as two HTTP workers do: it must not refund past the cap it cannot see in its snapshot."""
        with self.registry.cursor() as cr_late:
            env_late = api.Environment(cr_late, SUPERUSER_ID, {})
            self.warm_up(env_late)
            with self.registry.cursor() as cr_first:
                refund(api.Environment(cr_first, SUPERUSER_ID, {}), amount, "First")
            with self.assertRaisesRegex(UserError, pattern):
                refund(env_late, amount, "Late")
            cr_late.rollback()

    def test_payment_refund_seen_by_an_older_transaction(self):
        """R4.1 across workers: a refund of 60 committed after the late worker's snapshot was taken;
        the late worker's refund of 60 of the same payment of 100 is refused. The client has no open
        credit, so the refunds reconcile with nothing: only the payment's lock stands between them."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = self.new_client(env)
            invoice = env["account.move"].create({
                "move_type": "out_invoice", "partner_id": partner.id,
                "invoice_line_ids": [Command.create({"name": "Course", "quantity": 1, "price_unit": 100.0,
                                                     "tax_ids": [Command.clear()]})],
            })
            invoice.action_post()
            payment_id = env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids).create({
                    "journal_id": self.cash_id})._create_payments().id
            partner_id = partner.id
        self.addCleanup(self.clean_up_client, partner_id)
        self._refund_after_a_committed_one(
            lambda env, amount, note: env["account.payment"].browse(payment_id).billing_refund(amount, note),
            60.0, "right now. Try again|more than")
        with self.registry.cursor() as cr:
            payment = api.Environment(cr, SUPERUSER_ID, {})["account.payment"].browse(payment_id)
            self.assertEqual(len(payment.billing_refund_ids), 1)
            self.assertAlmostEqual(payment.billing_refunded_amount, 60.0)

    def test_credit_refund_seen_by_an_older_transaction(self):
        """R3 across workers: the late worker cannot refund the credit a committed refund used."""
        self._refund_after_a_committed_one(
            lambda env, amount, note: env["res.partner"].browse(self.partner_id).billing_refund(
                amount, self.bank_id, note),
            60.0, "right now. Try again|more than|no credit")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            refunds = env["account.payment"].search([("partner_id", "=", self.partner_id),
                                                     ("billing_refund_state", "=", "pending")])
            self.assertEqual(len(refunds), 1)
            self.assertAlmostEqual(env["res.partner"].browse(self.partner_id).billing_balance, -40.0)

    def _cancellable_today(self, env):
        """The company's settlement cut-off set to 23:59 in a time zone where it is about noon now, so
        that a refund made now can be cancelled whatever the hour the test runs; restored at clean-up."""
        company = env.company
        saved = {"billing_settlement_tz": company.billing_settlement_tz,
                 "billing_settlement_cutoff": company.billing_settlement_cutoff}
        offset = 12 - fields.Datetime.now().hour
        company.write({"billing_settlement_tz": f"Etc/GMT{-offset:+d}",
                       "billing_settlement_cutoff": 23.0 + 59.0 / 60.0})

        def restore():
            with self.registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {}).company.write(saved)

        self.addCleanup(restore)

    def test_cancels_of_refunds_of_one_credit(self):
        """Four workers each cancel another refund of the same credit: the unreconciliations rewrite
        the credit's line (its matching number), so one at a time cancels, the others get a clear
        error (not a serialization failure); each refund is cancelled entirely or not at all."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self._cancellable_today(env)
            partner = env["res.partner"].browse(self.partner_id)
            refund_ids = [partner.billing_refund(25.0, self.bank_id, f"Refund {index}") for index in range(4)]
            self.assertAlmostEqual(partner.billing_balance, 0.0)
        winners = self.race(lambda env, index: env["account.payment"].browse(refund_ids[index]).billing_cancel_refund(
            f"Cancel {index}") and refund_ids[index], self.warm_up)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            refunds = env["account.payment"].browse(refund_ids)
            self.assertEqual(refunds.filtered(lambda r: r.billing_refund_state == "cancelled").ids, sorted(winners))
            self.assertEqual(set(refunds.filtered(lambda r: r.id in winners).mapped("state")), {"canceled"})
            self.assertLessEqual(set((refunds - refunds.browse(winners)).mapped("billing_refund_state")), {"pending"})
            self.assertAlmostEqual(env["res.partner"].browse(self.partner_id).billing_balance, -25.0 * len(winners))
