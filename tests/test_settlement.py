"""R5.4 settlement timing (each company at its own cut-off, in its own time zone, across DST) and
R5.5 crash safety (each card refund settled and committed on its own before the next is sent, offline
refunds committed chunk by chunk; a failure leaves a refund pending, the others go on)."""
import logging
import uuid
from datetime import datetime
from unittest.mock import patch

import pytz
from freezegun import freeze_time

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo.addons.payment.models.payment_transaction import PaymentTransaction
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import billing_tools
from .common import RaceCase
from .test_refunds import RefundCase

MONTREAL = "America/Montreal"
PARIS = "Europe/Paris"


def utc(tz, local_datetime):
    """Naive UTC (a frozen clock value, a stored datetime) of ``local_datetime`` in ``tz``."""
    return pytz.timezone(tz).localize(local_datetime).astimezone(pytz.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestSettlementTiming(RefundCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"billing_settlement_tz": MONTREAL, "billing_settlement_cutoff": 18.0})
        cls.other = cls.setup_other_company(name="Paris club")
        cls.company_b = cls.other["company"]
        cls.company_b.write({"billing_settlement_tz": PARIS, "billing_settlement_cutoff": 23.0 + 59.0 / 60.0})
        cls.cron = cls.env.ref("account_billing_operations.ir_cron_billing_settle_refunds")

    def refund_in(self, company, journal, amount=10.0):
        """An R3 refund of ``amount`` in ``company`` (a credit of ``amount`` first)."""
        client = self.client.with_company(company)
        credit = self.env["account.move"].with_company(company).create({
            "move_type": "out_refund", "partner_id": self.client.id, "invoice_date": "2024-01-10",
            "invoice_line_ids": [Command.create({"name": "Credit", "quantity": 1, "price_unit": amount,
                                                 "tax_ids": [Command.clear()]})],
        })
        credit.action_post()
        return self.Payment.browse(client.billing_refund(amount, journal.id, "Leaving"))

    def created_at(self, record, tz, local_datetime):
        self.env.flush_all()
        self.env.cr.execute("UPDATE account_payment SET create_date = %s WHERE id = %s",
                            [utc(tz, local_datetime), record.id])
        record.invalidate_recordset()

    def run_cron(self, moment):
        with freeze_time(moment):
            self.cron.sudo().method_direct_trigger()
        self.env.invalidate_all()

    def test_the_settings(self):
        self.assertEqual(self.company._billing_tz().zone, MONTREAL)
        # Default: the time zone of the company's partner, else UTC; never the user's.
        self.env.user.tz = "Asia/Tokyo"
        company = self.env["res.company"].create({"name": "No time zone"})
        self.assertFalse(company.billing_settlement_tz)
        self.assertEqual(company._billing_tz().zone, "UTC")
        company.partner_id.tz = "America/Vancouver"
        self.assertEqual(company._billing_tz().zone, "America/Vancouver")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.billing_settlement_tz, MONTREAL)
        # The scheduled action runs often, as the superuser, and no company moves it.
        self.assertEqual(self.cron.user_id, self.env.ref("base.user_root"))
        self.assertEqual(self.cron.interval_type, "minutes")
        self.assertLessEqual(self.cron.interval_number, 60)
        nextcall = self.cron.nextcall
        self.company.billing_settlement_cutoff = 6.0
        self.company_b.billing_settlement_tz = "Asia/Tokyo"
        self.assertEqual(self.cron.nextcall, nextcall)

    def test_each_company_at_its_own_cutoff(self):
        refund_a = self.refund_in(self.company, self.cash_journal)
        refund_b = self.refund_in(self.company_b, self.other["default_journal_cash"])
        # Both made on 2026-06-10 at 10:00 local time.
        self.created_at(refund_a, MONTREAL, datetime(2026, 6, 10, 10, 0))
        self.created_at(refund_b, PARIS, datetime(2026, 6, 10, 10, 0))
        # 23:30 in Paris (17:30 in Montreal): nothing is due.
        self.run_cron(utc(PARIS, datetime(2026, 6, 10, 23, 30)))
        self.assertEqual((refund_a | refund_b).mapped("billing_refund_state"), ["pending", "pending"])
        with freeze_time(utc(PARIS, datetime(2026, 6, 10, 23, 30))):
            self.assertTrue(refund_b.with_company(self.company_b).billing_refund_cancellable)
            self.assertTrue(refund_a.billing_refund_cancellable)
        # 23:59:30 in Paris = 17:59:30 in Montreal: Paris settles, Montreal does not yet.
        self.run_cron(utc(PARIS, datetime(2026, 6, 10, 23, 59, 30)))
        self.assertEqual((refund_a | refund_b).mapped("billing_refund_state"), ["pending", "settled"])
        self.assertIn("Refund settlement", self.client.with_company(self.company_b).message_ids[:1].body)
        # 18:00:30 in Montreal: Montreal settles.
        self.run_cron(utc(MONTREAL, datetime(2026, 6, 10, 18, 0, 30)))
        self.assertEqual(refund_a.billing_refund_state, "settled")

    def test_one_company_never_moves_another(self):
        refund_a = self.refund_in(self.company, self.cash_journal)
        refund_b = self.refund_in(self.company_b, self.other["default_journal_cash"])
        self.created_at(refund_a, MONTREAL, datetime(2026, 6, 10, 10, 0))
        self.created_at(refund_b, PARIS, datetime(2026, 6, 10, 10, 0))
        cutoff_b = self.company_b._billing_cutoff_local(datetime(2026, 6, 10).date())
        # Montreal moves its cut-off to 11:00 and its time zone to Tokyo: Paris does not move.
        self.company.write({"billing_settlement_cutoff": 11.0, "billing_settlement_tz": "Asia/Tokyo"})
        self.assertEqual(self.company_b._billing_cutoff_local(datetime(2026, 6, 10).date()), cutoff_b)
        self.created_at(refund_a, "Asia/Tokyo", datetime(2026, 6, 10, 10, 0))
        self.run_cron(utc("Asia/Tokyo", datetime(2026, 6, 10, 11, 1)))
        self.assertEqual((refund_a | refund_b).mapped("billing_refund_state"), ["settled", "pending"])
        # The public API still settles every refund pending at the time of the call.
        self.assertEqual(self.Payment.with_context(
            allowed_company_ids=(self.company | self.company_b).ids).billing_settle_refunds(), 1)
        self.assertEqual(refund_b.billing_refund_state, "settled")

    def test_daylight_saving_changes(self):
        self.company.billing_settlement_cutoff = 23.0 + 59.0 / 60.0
        for day, after_utc_offset in ((datetime(2026, 3, 8), 4), (datetime(2026, 11, 1), 5)):
            with self.subTest(day=day):
                refund = self.refund_in(self.company, self.cash_journal)
                self.created_at(refund, MONTREAL, day.replace(hour=1, minute=30))
                # The cut-off is 23:59 local time, whatever the offset that day.
                cutoff = self.company._billing_cutoff_local(day.date())
                self.assertEqual(cutoff.utcoffset().total_seconds(), -after_utc_offset * 3600)
                just_before = utc(MONTREAL, day.replace(hour=23, minute=58))
                with freeze_time(just_before):
                    self.assertTrue(refund.billing_refund_cancellable)
                self.run_cron(just_before)
                self.assertEqual(refund.billing_refund_state, "pending")
                # A fixed offset of the other season would be one hour off either way.
                wrong = utc("EST" if after_utc_offset == 4 else "EST5EDT", day.replace(hour=23, minute=30))
                self.run_cron(min(wrong, just_before))
                self.assertEqual(refund.billing_refund_state, "pending")
                just_after = utc(MONTREAL, day.replace(hour=23, minute=59, second=30))
                with freeze_time(just_after):
                    refund.invalidate_recordset(["billing_refund_cancellable"])
                    self.assertFalse(refund.billing_refund_cancellable)
                self.run_cron(just_after)
                self.assertEqual(refund.billing_refund_state, "settled")


@tagged("post_install", "-at_install")
class TestSettlementFailures(RefundCase):
    """R5.5: a refund that fails stays pending, logged on it and on the client; the others go on."""

    def test_provider_failing_on_one_refund_of_three(self):
        cards = [self.card_payment(100.0, f"TEST-FAIL-{index}") for index in range(3)]
        refunds = [self.refund_payment(card, 40.0) for card in cards]
        failing = cards[1].payment_transaction_id
        send = PaymentTransaction._send_refund_request

        def flaky(tx, **kwargs):
            if tx == failing:
                raise ConnectionError("provider unreachable")
            return send(tx, **kwargs)

        with patch.object(PaymentTransaction, "_send_refund_request", flaky), \
                mute_logger("odoo.addons.account_billing_operations.models.account_payment"):
            self.assertEqual(self.Payment.billing_settle_refunds(), 2)
        self.env.invalidate_all()
        self.assertEqual([r.billing_refund_state for r in refunds], ["settled", "pending", "settled"])
        self.assertTrue(refunds[0].payment_transaction_id)
        self.assertFalse(refunds[1].payment_transaction_id)
        self.assertIn("provider unreachable", refunds[1].message_ids[:1].body)
        self.assertTrue(any("provider unreachable" in body for body in self.client.message_ids.mapped("body")))
        # The next run sends the one left, and only it.
        Tx = self.env["payment.transaction"].sudo()
        self.assertEqual(self.Payment.billing_settle_refunds(), 1)
        for card in cards:
            self.assertEqual(Tx.search_count([("source_transaction_id", "=", card.payment_transaction_id.id)]), 1)
        self.assertEqual([r.billing_refund_state for r in refunds], ["settled"] * 3)
        self.assertEqual(self.Payment.billing_settle_refunds(), 0)


    def test_offline_refund_failing_in_a_chunk(self):
        """Offline refunds are settled together; one that fails sends the chunk refund by refund: it
        stays pending, logged, and the others are settled."""
        self.credit(60.0)
        refunds = [self.refund_from_client(20.0, journal=self.cash_journal) for _index in range(3)]
        failing = refunds[1]
        text = type(failing)._billing_settlement_text

        def flaky(refund):
            if refund == failing:
                raise ValueError("ledger unreachable")
            return text(refund)

        with patch.object(type(failing), "_billing_settlement_text", flaky), \
                mute_logger("odoo.addons.account_billing_operations.models.account_payment"):
            self.assertEqual(self.Payment.browse([r.id for r in refunds])._billing_settle(), 2)
        self.env.invalidate_all()
        self.assertEqual([r.billing_refund_state for r in refunds], ["settled", "pending", "settled"])
        self.assertIn("ledger unreachable", failing.message_ids[:1].body)
        self.assertIn("Refund settlement of", refunds[0].message_ids[:1].body)
        self.assertEqual(self.Payment.browse(failing.id)._billing_settle(), 1)
        self.assertEqual(failing.billing_refund_state, "settled")


class StopTheWorker(BaseException):
    """Not an Exception: like a worker killed in the middle of the run, nothing catches it."""


@tagged("post_install", "-at_install")
class TestSettlementCommits(RaceCase):
    """R5.5 with real committed transactions: a run stopped after its first refund, then run again."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            journal = env["account.journal"].search([*env["account.journal"]._check_company_domain(company),
                                                     ("type", "=", "bank")], limit=1)
            provider = env.ref("payment.payment_provider_demo").copy({
                "name": f"Demo card {uuid.uuid4().hex[:6]}", "company_id": company.id})
            provider.write({"state": "test", "journal_id": journal.id,
                            "payment_method_ids": [Command.set(env.ref("payment_demo.payment_method_demo").ids)]})
            self.provider_id = provider.id
            partner = self.new_client(env)
            self.partner_id = partner.id
            self.refund_ids, self.tx_ids = [], []
            for index in range(3):
                invoice = env["account.move"].create({
                    "move_type": "out_invoice", "partner_id": partner.id,
                    "invoice_line_ids": [Command.create({"name": "Course", "quantity": 1, "price_unit": 50.0,
                                                         "tax_ids": [Command.clear()]})],
                })
                invoice.action_post()
                tx = env["payment.transaction"].create({
                    "provider_id": provider.id, "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
                    "reference": f"COMMIT-{uuid.uuid4().hex[:8]}-{index}", "amount": 50.0,
                    "currency_id": company.currency_id.id, "partner_id": partner.id,
                    "operation": "online_direct", "invoice_ids": [Command.set(invoice.ids)],
                })
                tx._set_done()
                tx._post_process()
                self.tx_ids.append(tx.id)
                self.refund_ids.append(tx.payment_id.billing_refund(50.0, f"Commit {index}"))
        self.addCleanup(self.clean_up)

    def clean_up(self):
        self.clean_up_client(self.partner_id)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["payment.provider"].browse(self.provider_id).write({"state": "disabled"})

    def sent(self, env):
        return {tx_id: env["payment.transaction"].search_count([("source_transaction_id", "=", tx_id)])
                for tx_id in self.tx_ids}

    def test_stopped_run_then_run_again(self):
        send = PaymentTransaction._send_refund_request
        calls = []

        def stop_on_second(tx, **kwargs):
            calls.append(tx.id)
            if len(calls) == 2:
                raise StopTheWorker()
            return send(tx, **kwargs)

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"billing_settle_commit": billing_tools.INTERNAL})
            refunds = env["account.payment"].browse(self.refund_ids)
            with patch.object(PaymentTransaction, "_send_refund_request", stop_on_second), \
                    self.assertRaises(StopTheWorker):
                refunds._billing_settle()
            cr.rollback()  # what the worker's transaction becomes once it dies
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            refunds = env["account.payment"].browse(self.refund_ids)
            self.assertEqual(refunds.mapped("billing_refund_state"), ["settled", "pending", "pending"])
            self.assertEqual(list(self.sent(env).values()), [1, 0, 0])
        # Run again (all pending refunds of the database): nothing is sent twice, nothing missed.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"billing_settle_commit": billing_tools.INTERNAL})
            env["account.payment"].browse(self.refund_ids)._billing_settle()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            refunds = env["account.payment"].browse(self.refund_ids)
            self.assertEqual(refunds.mapped("billing_refund_state"), ["settled"] * 3)
            self.assertEqual(list(self.sent(env).values()), [1, 1, 1])
            self.assertEqual(refunds.payment_transaction_id.mapped("source_transaction_id").ids, self.tx_ids)

    def test_refund_locked_by_a_cancellation_is_left_for_the_next_run(self):
        """A refund another worker is cancelling (its row locked) is an expected race, not a failure:
        the run leaves it pending quietly (no warning, no "settlement failure" note) and the next run
        settles it; the others are settled."""
        busy_id = self.refund_ids[1]
        logger = "odoo.addons.account_billing_operations.models.account_payment"
        with self.registry.cursor() as holder:
            holder.execute("SELECT id FROM account_payment WHERE id = %s FOR NO KEY UPDATE", [busy_id])
            with self.registry.cursor() as cr, self.assertLogs(logger, logging.INFO) as logs:
                env = api.Environment(cr, SUPERUSER_ID, {"billing_settle_commit": billing_tools.INTERNAL})
                self.assertEqual(env["account.payment"].browse(self.refund_ids)._billing_settle(), 2)
            holder.rollback()
        self.assertEqual([(record.levelno, bool(record.exc_info)) for record in logs.records], [(logging.INFO, False)])
        self.assertIn("left pending for the next run", logs.output[0])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            refunds = env["account.payment"].browse(self.refund_ids)
            self.assertEqual(refunds.mapped("billing_refund_state"), ["settled", "pending", "settled"])
            self.assertEqual(list(self.sent(env).values()), [1, 0, 1])
            client = env["res.partner"].browse(self.partner_id)
            bodies = (refunds[1].message_ids | client.message_ids).mapped("body")
            self.assertFalse([body for body in bodies if "could not be settled" in body], bodies)
        # Once the other worker is done, the next run settles it, and only it.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"billing_settle_commit": billing_tools.INTERNAL})
            self.assertEqual(env["account.payment"].browse(self.refund_ids)._billing_settle(), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env["account.payment"].browse(self.refund_ids).mapped("billing_refund_state"),
                             ["settled"] * 3)
            self.assertEqual(list(self.sent(env).values()), [1, 1, 1])

    def test_offline_chunk_stopped_then_run_again(self):
        """Offline refunds are committed chunk by chunk: a worker killed in the middle of a chunk leaves
        its refunds pending (nothing of it committed), the card refunds untouched; the next run settles
        each refund once and sends each card refund once."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            client = self.new_client(env)
            self.addCleanup(self.clean_up_client, client.id)
            journal = env["account.journal"].search([*env["account.journal"]._check_company_domain(env.company),
                                                     ("type", "=", "cash")], limit=1)
            client.billing_create_credit(30.0, "Offline chunk", tax_ids=[])
            offline_ids = [client.billing_refund(10.0, journal.id, f"Offline {index}") for index in range(3)]
        crash_point = billing_tools.crash_point
        hits = []

        def stop_on_second(point):
            hits.append(point)
            if len(hits) == 2:
                raise StopTheWorker()
            return crash_point(point)

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"billing_settle_commit": billing_tools.INTERNAL})
            with patch.object(billing_tools, "crash_point", stop_on_second), self.assertRaises(StopTheWorker):
                env["account.payment"].browse(offline_ids + self.refund_ids)._billing_settle()
            cr.rollback()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env["account.payment"].browse(offline_ids + self.refund_ids).mapped(
                "billing_refund_state"), ["pending"] * 6)
            self.assertEqual(list(self.sent(env).values()), [0, 0, 0])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"billing_settle_commit": billing_tools.INTERNAL})
            self.assertEqual(env["account.payment"].browse(offline_ids + self.refund_ids)._billing_settle(), 6)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            refunds = env["account.payment"].browse(offline_ids + self.refund_ids)
            self.assertEqual(refunds.mapped("billing_refund_state"), ["settled"] * 6)
            self.assertEqual(list(self.sent(env).values()), [1, 1, 1])
            for refund in refunds[:3]:
                self.assertEqual(len(refund.message_ids.filtered(lambda m: "Refund settlement of" in m.body)), 1)
