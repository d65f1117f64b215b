"""SPEC §7: Make a payment and Cancel/refund items raced by real threads, each with its own cursor.

The data the threads race on must be committed, so this class is a BaseCase (no enclosing test
transaction) working on the database's main company; what it created is cancelled and archived
afterwards (posted entries cannot always be removed).
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
LOSER_MESSAGES = ("right now. Try again", "more than", "already cancelled", "can still be cancelled",
                  "no open credit")


@tagged("post_install", "-at_install")
class TestInvoiceOpsConcurrency(BaseCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Journal = env["account.journal"]
            self.bank_id = Journal.search([*Journal._check_company_domain(env.company), ("type", "=", "bank")],
                                          limit=1).id
            partner = env["res.partner"].create({"name": f"Race client {uuid.uuid4().hex[:8]}", "is_company": True})
            self.partner_id = partner.id
            self.invoice_ids = []
            for _index in range(THREADS):
                invoice = env["account.move"].create({
                    "move_type": "out_invoice", "partner_id": partner.id,
                    "invoice_line_ids": [Command.create({"name": "Course", "quantity": 1, "price_unit": 100.0,
                                                         "tax_ids": [Command.clear()]})],
                })
                invoice.action_post()
                self.invoice_ids.append(invoice.id)
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
                    payments.action_cancel()
                    moves = moves.exists()
                    moves.filtered(lambda m: m.state == "posted").button_draft()
                    moves.filtered(lambda m: m.state == "draft").button_cancel()
                    partner.active = False
            except Exception as error:
                _logger.info("Race data left as is: %s", error)

    def race(self, call):
        """Run ``call(env, index)`` in THREADS threads started together, each with its own cursor."""
        envs = [api.Environment(self.registry.cursor(), SUPERUSER_ID, {}) for _index in range(THREADS)]
        barrier = threading.Barrier(THREADS)
        outcomes = [None] * THREADS

        def run(index):
            env = envs[index]
            try:
                # Start every transaction (and its snapshot) before anyone writes.
                env["account.move"].browse(self.invoice_ids).mapped("amount_residual")
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
        _logger.info("Race outcomes: %s", outcomes)
        winners = [result for state, result in outcomes if state == "ok"]
        losers = [result for state, result in outcomes if state == "refused"]
        self.assertGreaterEqual(len(winners), 1, outcomes)
        self.assertEqual(len(winners) + len(losers), THREADS, outcomes)
        for message in losers:
            self.assertTrue(any(words in message for words in LOSER_MESSAGES), message)
        return winners

    def test_race_payments_on_one_invoice(self):
        """Four workers pay 60.00 of the same invoice of 100.00: only one can."""
        invoice_id = self.invoice_ids[0]
        winners = self.race(lambda env, index: env["account.move"].browse(invoice_id).billing_make_payment(
            60.0, self.bank_id, payer_name=f"Race {index}"))
        self.assertEqual(len(winners), 1)
        with self.registry.cursor() as cr:
            invoice = api.Environment(cr, SUPERUSER_ID, {})["account.move"].browse(invoice_id)
            self.assertAlmostEqual(invoice.amount_residual, 40.0)

    def test_race_cancel_one_line(self):
        """Four workers cancel the same invoice line: one credit note only."""
        invoice_id = self.invoice_ids[0]

        def cancel(env, _index):
            invoice = env["account.move"].browse(invoice_id)
            return invoice.billing_cancel_items(invoice.invoice_line_ids.ids)
        winners = self.race(cancel)
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
            self.invoice_ids[index]).billing_make_payment(0.0, self.bank_id, use_credit=True))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            applied = sum(result["credit_applied"] for result in winners)
            self.assertLessEqual(applied, 100.0)
            residuals = env["account.move"].browse(self.invoice_ids).mapped("amount_residual")
            self.assertAlmostEqual(sum(residuals), 400.0 - applied)
            self.assertAlmostEqual(env["res.partner"].browse(self.partner_id).billing_balance, 300.0)
