"""SPEC §7: refunds raced by real threads, each with its own database cursor and transaction.

The data the threads race on must be committed, so this class is a BaseCase (no enclosing test
transaction) working on the database's main company; what it created is removed (or cancelled and
archived when Odoo refuses the removal of posted entries) afterwards.
"""
import logging
import threading
import uuid

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase
from odoo.tests.common import get_db_name
from odoo.tests.common import tagged

_logger = logging.getLogger(__name__)

THREADS = 4
LOSER_MESSAGES = ("right now. Try again", "more than", "no credit to refund")


@tagged("post_install", "-at_install")
class TestRefundsConcurrency(BaseCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            Journal = env["account.journal"]
            self.bank_id = Journal.search([*Journal._check_company_domain(company), ("type", "=", "bank")], limit=1).id
            self.cash_id = Journal.search([*Journal._check_company_domain(company), ("type", "=", "cash")], limit=1).id
            partner = env["res.partner"].create({"name": f"Race client {uuid.uuid4().hex[:8]}", "is_company": True})
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
        self.addCleanup(self.clean_up)

    def clean_up(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].browse(self.partner_id)
            payments = env["account.payment"].search([("partner_id", "=", partner.id)])
            moves = env["account.move"].search([("partner_id", "=", partner.id)]) | payments.move_id
            try:
                with cr.savepoint():
                    payments.filtered(lambda p: p.state != "draft").action_draft()
                    payments.with_context(force_delete=True).unlink()
                    moves = moves.exists()
                    moves.filtered(lambda m: m.state in ("posted", "cancel")).button_draft()
                    moves.with_context(force_delete=True).unlink()
                    env["account.payment.register"].search([("partner_id", "=", partner.id)]).unlink()
                    partner.unlink()
            except Exception as error:
                _logger.info("Race data kept (cancelled, archived): %s", error)
                try:
                    with cr.savepoint():
                        moves = moves.exists()
                        moves.filtered(lambda m: m.state == "posted").button_draft()
                        moves.filtered(lambda m: m.state == "draft").button_cancel()
                        partner.active = False
                except Exception as error2:
                    _logger.info("Race data left as is: %s", error2)

    def race(self, call):
        """Run ``call(env, index)`` in THREADS threads started together, each with its own cursor;
        return their outcomes. The environments are made here: making one in a thread would wait for
        the registry lock that the test runner holds."""
        envs = [api.Environment(self.registry.cursor(), SUPERUSER_ID, {}) for _index in range(THREADS)]
        barrier = threading.Barrier(THREADS)
        outcomes = [None] * THREADS

        def run(index):
            env = envs[index]
            try:
                # Start every transaction (and its snapshot) before anyone refunds.
                env["res.partner"].browse(self.partner_id).billing_balance  # noqa: B018
                barrier.wait(timeout=30)
                try:
                    result = call(env, index)
                    env.cr.commit()
                    outcomes[index] = ("ok", result)
                except UserError as error:
                    env.cr.rollback()
                    outcomes[index] = ("refused", str(error))
            except Exception as error:
                env.cr.rollback()
                outcomes[index] = ("crashed", repr(error))

        threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(THREADS)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            self.assertFalse([thread for thread in threads if thread.is_alive()], "a worker is stuck")
        finally:
            for env in envs:
                if not any(thread.is_alive() for thread in threads):
                    env.cr.close()
        return outcomes

    def check_losers(self, outcomes):
        _logger.info("Race outcomes: %s", outcomes)
        winners = [result for state, result in outcomes if state == "ok"]
        losers = [result for state, result in outcomes if state == "refused"]
        self.assertGreaterEqual(len(winners), 1, outcomes)
        self.assertEqual(len(winners) + len(losers), THREADS, outcomes)
        for message in losers:
            self.assertTrue(any(words in message for words in LOSER_MESSAGES), message)
        return winners

    def test_race_on_one_credit(self):
        """Four workers refund 40 each of a credit of 100: at most two can, the others get a clear error."""
        outcomes = self.race(lambda env, index: env["res.partner"].browse(self.partner_id).billing_refund(
            40.0, self.bank_id, f"Race {index}"))
        winners = self.check_losers(outcomes)
        self.assertLessEqual(len(winners), 2, outcomes)
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
        outcomes = self.race(lambda env, index: env["account.payment"].browse(self.payment_id).billing_refund(
            60.0, f"Race {index}"))
        winners = self.check_losers(outcomes)
        self.assertEqual(len(winners), 1, outcomes)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            payment = env["account.payment"].browse(self.payment_id)
            self.assertEqual(payment.billing_refund_ids.ids, winners)
            self.assertLessEqual(payment.billing_refunded_amount, payment.amount)
