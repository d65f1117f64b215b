"""Benchmarks (`make bench`, tag ``billing_bench``, never in `make test`): issue 10.

Every operation of docs/rules.md §2 beside Odoo's native equivalent done the way Odoo's own UI does it, on the
same database in the same run, for clients with 10, 1,000 and 10,000 earlier documents; the Billing
tab of the 10,000-document client with the SQL plans of its queries. Results: bench/results.json and
bench/results.md (the table the Makefile prints). Timings are logged and written, never asserted:
the results of every operation are checked instead.
"""
import difflib
import json
import logging
import os
import re
import statistics
import time
from contextlib import contextmanager
from unittest.mock import patch

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo import fields
from odoo.addons.account_billing_operations.bench.fixtures import billing_tab_specification
from odoo.addons.account_billing_operations.bench.fixtures import clone_documents
from odoo.addons.account_billing_operations.bench.report import render
from odoo.addons.account_billing_operations.models import billing_tools
from odoo.addons.account_billing_operations.models.account_payment import POSTDATED_CHUNK
from odoo.addons.payment.models.payment_transaction import PaymentTransaction as CorePaymentTransaction
from odoo.modules.registry import Registry
from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tests.common import BaseCase
from odoo.tests.common import get_db_name
from odoo.tools import SQL
from odoo.tools import split_every

from .test_refunds import RefundCase

_logger = logging.getLogger(__name__)

BENCH_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")
SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "10,1000,10000").split(","))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
NOTE = "bench"


def load_average():
    """The machine's 1-minute load average, written beside every figure (2 cores shared: times inflate)."""
    return round(os.getloadavg()[0], 2)


@contextmanager
def recorded_queries(queries):
    """Append the shape of every SQL query run inside the block to ``queries`` (numbers and savepoint
    names left out): what differs between two runs that should cost the same."""
    execute = Cursor.execute

    def recording(cursor, query, params=None, log_exceptions=True):
        queries.append(re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "N", str(query)[:240]).replace("\n", " "))
        return execute(cursor, query, params, log_exceptions)

    with patch.object(Cursor, "execute", recording):
        yield queries


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@tagged("billing_bench", "-standard", "post_install", "-at_install")
class TestBillingBenchmark(RefundCase):
    """The operations (R1-R7) against native, flat in the client's history, and the Billing tab."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref("account_billing_operations.group_billing_refund")
        cls.results = {"operations": {}, "billing_tab": {}, "statement": {}, "plans": {}, "fixtures": {},
                       "flat_differences": {}}
        cls.query_lists = {}
        cls.clients = {}
        for size in SIZES:
            start = time.perf_counter()
            cls.clients[size] = cls._client_with_history(size)
            cls.results["fixtures"][str(size)] = round(time.perf_counter() - start, 2)
            _logger.info("BENCH fixture: client with %s earlier documents built in %.1f s", size,
                         cls.results["fixtures"][str(size)])
        # Production tables are analysed by autovacuum; a test transaction must ask for it.
        cls.env.cr.execute("ANALYZE account_move, account_move_line, account_payment, res_partner, "
                           "account_partial_reconcile, account_full_reconcile")

    @classmethod
    def _client_with_history(cls, size):
        """A client with ``size`` earlier documents: invoices paid by payments (fully reconciled),
        made once through the ORM and copied in SQL (bench/fixtures.py), spread over the two years up to
        today (the statement's default period, last month to today, holds about 1/12 of them)."""
        client = cls.env["res.partner"].create({"name": f"Bench client {size}", "is_company": True})
        today = fields.Date.context_today(client)
        invoice = cls.init_invoice("out_invoice", partner=client, amounts=[100.0], taxes=cls.tax_15,
                                   post=True, invoice_date=today)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create(
            {"journal_id": cls.bank_journal.id, "payment_date": today})._create_payments()
        if size > 2:
            clone_documents(cls.env, invoice | invoice.matched_payment_ids.move_id, size // 2 - 1,
                            spread_days=700)
        return client

    # -------------------------------------------------------------------------
    # measuring
    # -------------------------------------------------------------------------

    def run_once(self, setup, func, queries=None):
        """One run of ``func`` after ``setup``: (seconds, queries, result). ``queries``: a list that
        receives the shape of each query of ``func`` (not timed then: recording costs time)."""
        if getattr(self, "current_client", None):
            self.clean_slate(self.current_client)
        context = setup() if setup else None
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        start = time.perf_counter()
        if queries is None:
            result = func(context)
        else:
            with recorded_queries(queries):
                result = func(context)
                self.env.flush_all()
        self.env.flush_all()
        elapsed = time.perf_counter() - start
        return elapsed, self.cr.sql_log_count - before, result

    def measure_pair(self, key, size, ours, native, check=None):
        """``ours``/``native``: (setup, func); one warm-up each, then REPEAT runs, interleaved so that
        the load of the machine hits both alike. Median and p95 of the wall time, median of the
        query count (server-side work of the whole call, flush included)."""
        runs = {"ours": [], "native": []}
        for index in range(REPEAT + 1):
            for side, (setup, func) in (("ours", ours), ("native", native)):
                elapsed, queries, result = self.run_once(setup, func)
                if check and side == "ours":
                    check(result)
                if index:
                    runs[side].append((elapsed, queries))
        entry = {}
        for side, samples in runs.items():
            times = [sample[0] * 1000 for sample in samples]
            entry[side] = {"median_ms": round(statistics.median(times), 1),
                           "p95_ms": round(percentile(times, 0.95), 1),
                           "queries": int(statistics.median(sample[1] for sample in samples)),
                           "queries_min": min(sample[1] for sample in samples),
                           "queries_max": max(sample[1] for sample in samples)}
        entry["ratio_time"] = round(entry["ours"]["median_ms"] / entry["native"]["median_ms"], 2)
        entry["ratio_queries"] = round(entry["ours"]["queries"] / entry["native"]["queries"], 2)
        entry["load"] = load_average()
        # One more run of ours, its queries kept: the sizes' lists are compared at the end (flat).
        queries = []
        self.run_once(*ours, queries=queries)
        self.query_lists.setdefault(key, {})[size] = queries
        self.results["operations"].setdefault(key, {})[str(size)] = entry
        _logger.info("BENCH %-22s %6s docs: ours %7.1f ms %4d q | native %7.1f ms %4d q | ratio %.2f / %.2f",
                     key, size, entry["ours"]["median_ms"], entry["ours"]["queries"],
                     entry["native"]["median_ms"], entry["native"]["queries"],
                     entry["ratio_time"], entry["ratio_queries"])
        return entry

    # -------------------------------------------------------------------------
    # documents made the native way (Odoo's own UI)
    # -------------------------------------------------------------------------

    def native_move(self, client, move_type, price=100.0):
        move = self.env["account.move"].create({
            "move_type": move_type, "partner_id": client.id,
            "invoice_line_ids": [Command.create({"product_id": self.credit_product.id, "price_unit": price,
                                                 "tax_ids": [Command.set(self.tax_15.ids)]})]})
        move.action_post()
        return move

    def native_outbound_payment(self, client, amount, journal=None):
        payment = self.env["account.payment"].create({
            "payment_type": "outbound", "partner_type": "customer", "partner_id": client.id,
            "amount": amount, "journal_id": (journal or self.bank_journal).id})
        payment.action_post()
        return payment

    def receivable_line(self, move):
        return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def five_line_invoice(self, client):
        return self.init_invoice("out_invoice", partner=client, amounts=[20.0, 30.0, 40.0, 50.0, 60.0],
                                 taxes=self.tax_15, post=True)

    def ours_refund(self, client):
        self.ours_credit(client)
        return self.env["account.payment"].browse(client.billing_refund(115.0, self.bank_journal.id, NOTE))

    def clean_slate(self, client):
        """Close every open receivable item the operations measured before left on the client (each
        measure starts from the same state: no open invoice, no open credit): reconcile them together,
        then close what is left with a credit note or an invoice of the rest."""
        domain = [("partner_id", "=", client.id), ("account_id.account_type", "=", "asset_receivable"),
                  ("parent_state", "=", "posted"), ("reconciled", "=", False), ("company_id", "=", self.company.id)]
        Line = self.env["account.move.line"]
        lines = Line.search(domain)
        if len(lines) > 1 and lines.filtered(lambda line: line.balance > 0) and lines.filtered(
                lambda line: line.balance < 0):
            lines.reconcile()
        rest = Line.search(domain)
        total = self.currency.round(sum(rest.mapped("amount_residual")))
        if not self.currency.is_zero(total):
            move = self.init_invoice("out_refund" if total > 0 else "out_invoice", partner=client,
                                     amounts=[abs(total)], taxes=[], post=True)
            (rest + self.receivable_line(move)).reconcile()

    def ours_credit(self, client, amount=100.0):
        return self.env["account.move"].browse(client.billing_create_credit(amount, NOTE, tax_ids=self.tax_15.ids))

    # -------------------------------------------------------------------------
    # the operations
    # -------------------------------------------------------------------------

    def operations(self, client):
        """{key: (ours (setup, func), native (setup, func), check of ours' result)}."""
        env = self.env
        bank, cash = self.bank_journal, self.cash_journal
        Move, Payment = env["account.move"], env["account.payment"]

        def check_posted(move_id):
            self.assertEqual(Move.browse(move_id).state, "posted")

        def native_reverse(context):
            invoice = self.native_move(client, "out_invoice")
            invoice.js_assign_outstanding_line(self.receivable_line(context).id)
            return invoice

        def native_refund(credit):
            payment = self.native_outbound_payment(client, credit.amount_total)
            credit.js_assign_outstanding_line(self.receivable_line(payment.move_id).id)
            return payment

        def native_card_refund(payment):
            # Odoo's Refund button (payment.refund.wizard) ends in the transaction's action_refund,
            # which the module sends to its own Refund button: Odoo's own method is called here,
            # then the refund transaction is post-processed as Odoo's cron does (the refund payment).
            tx = payment.payment_transaction_id
            CorePaymentTransaction.action_refund(tx, amount_to_refund=50.0)
            refund_tx = tx.child_transaction_ids.sorted("id")[-1:]
            refund_tx._post_process()
            return refund_tx

        def native_cancel_items(invoice):
            reversal = env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids).create(
                {"reason": NOTE, "journal_id": invoice.journal_id.id})
            credit_note = Move.browse(reversal.refund_moves()["res_id"])
            keep = credit_note.invoice_line_ids.sorted("id")[:2]
            penalty = sum(keep.mapped("price_total")) * 0.10
            credit_note.write({"invoice_line_ids": [
                *[Command.unlink(line.id) for line in credit_note.invoice_line_ids - keep],
                Command.create({"product_id": self.product_a.id, "name": "Penalty", "quantity": 1.0,
                                "price_unit": -penalty / 1.15, "tax_ids": [Command.set(self.tax_15.ids)]})]})
            credit_note.action_post()
            line = self.receivable_line(credit_note)
            if not line.reconciled:  # posting a reversal may reconcile it with its invoice already
                invoice.js_assign_outstanding_line(line.id)
            return credit_note

        def native_register(invoice, credit=None):
            if credit:
                invoice.js_assign_outstanding_line(self.receivable_line(credit).id)
            return env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids).create(
                {"journal_id": bank.id}).action_create_payments()

        return {
            "R1 credit": (
                (None, lambda _c: client.billing_create_credit(100.0, NOTE, tax_ids=self.tax_15.ids)),
                (None, lambda _c: self.native_move(client, "out_refund")),
                check_posted),
            "R2 invoice": (
                (None, lambda _c: client.billing_create_charge(100.0, NOTE, tax_ids=self.tax_15.ids)),
                (None, lambda _c: self.native_move(client, "out_invoice")),
                check_posted),
            "R2 reversing a credit": (
                (lambda: self.ours_credit(client), lambda credit: client.billing_create_charge(
                    115.0, NOTE, taxes_included=True, tax_ids=self.tax_15.ids, reversed_credit_id=credit.id)),
                (lambda: self.native_move(client, "out_refund"), native_reverse),
                lambda move_id: self.assertIn(Move.browse(move_id).payment_state, ("paid", "reversed"))),
            "R3 record a refund": (
                (lambda: self.ours_credit(client), lambda _c: client.billing_refund(115.0, bank.id, NOTE)),
                (lambda: self.native_move(client, "out_refund"), native_refund),
                lambda payment_id: self.assertEqual(Payment.browse(payment_id).billing_refund_state, "pending")),
            "R4 refund cash payment": (
                (lambda: self.cash_payment(115.0, journal=cash), lambda payment: payment.billing_refund(50.0, NOTE)),
                (lambda: self.cash_payment(115.0, journal=cash),
                 lambda _p: self.native_outbound_payment(client, 50.0, cash)),
                lambda refund_id: self.assertAlmostEqual(Payment.browse(refund_id).amount, 50.0)),
            "R4 card refund": (
                (lambda: self.card_payment(115.0, f"BENCH-{self.next_reference()}"),
                 lambda payment: payment.billing_refund(50.0, NOTE)),
                (lambda: self.card_payment(115.0, f"BENCH-{self.next_reference()}"), native_card_refund),
                lambda refund_id: self.assertEqual(Payment.browse(refund_id).billing_refund_state, "pending")),
            "R5 cancel a refund": (
                (lambda: self.ours_refund(client), lambda refund: refund.billing_cancel_refund(NOTE)),
                (lambda: native_refund(self.native_move(client, "out_refund")),
                 lambda payment: (payment.action_draft(), payment.action_cancel())),
                None),
            "R6 cancel/refund items": (
                (lambda: self.five_line_invoice(client), lambda invoice: invoice.billing_cancel_items(
                    invoice.invoice_line_ids.sorted("id")[:2].ids, penalty_type="percent", penalty_value=10.0,
                    note=NOTE)),
                (lambda: self.five_line_invoice(client), native_cancel_items),
                lambda result: self.assertEqual(Move.browse(result["credit_note_id"]).state, "posted")),
            "R7 make a payment": (
                (lambda: self.invoice(100.0, partner=client),
                 lambda invoice: invoice.billing_make_payment(115.0, bank.id)),
                (lambda: self.invoice(100.0, partner=client), native_register),
                lambda result: self.assertTrue(result["payment_id"])),
            "R7 with credit on file": (
                (lambda: (self.invoice(100.0, partner=client), self.ours_credit(client, 50.0)),
                 lambda pair: pair[0].billing_make_payment(57.5, bank.id, use_credit=True)),
                (lambda: (self.invoice(100.0, partner=client), self.native_move(client, "out_refund", 50.0)),
                 lambda pair: native_register(*pair)),
                lambda result: self.assertEqual(result["credit_applied"], 57.5)),
        }

    _reference = 0

    def next_reference(self):
        TestBillingBenchmark._reference += 1
        return f"{self.cr.now().timestamp():.0f}-{TestBillingBenchmark._reference}"

    def card_payment(self, amount, reference, client=None):
        """The demo card payment of RefundCase, for the client being measured."""
        client = client or self.current_client
        saved, self.client = self.client, client
        try:
            return super().card_payment(amount, reference)
        finally:
            self.client = saved

    def cash_payment(self, amount, invoice_amount=None, journal=None):
        invoice = self.invoice(invoice_amount or amount, taxes=[], partner=self.current_client)
        return self.pay_invoice(invoice, amount=amount, journal=journal or self.cash_journal)

    # -------------------------------------------------------------------------
    # the Billing tab
    # -------------------------------------------------------------------------

    def measure_plain(self, key, func, repeat=REPEAT, section="billing_tab"):
        samples = []
        result = None
        for index in range(repeat + 1):
            elapsed, queries, result = self.run_once(None, lambda _c: func())
            if index:
                samples.append((elapsed * 1000, queries))
        times = [sample[0] for sample in samples]
        entry = {"median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
                 "queries": int(statistics.median(sample[1] for sample in samples)), "load": load_average()}
        self.results[section][key] = entry
        _logger.info("BENCH %-40s median %7.1f ms p95 %7.1f ms %3d queries", key, entry["median_ms"],
                     entry["p95_ms"], entry["queries"])
        return result

    def explain(self, key, sql):
        self.env.flush_all()
        self.cr.execute(SQL("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) %s", sql))
        plan = [row[0] for row in self.cr.fetchall()]
        self.results["plans"][key] = plan
        _logger.info("BENCH plan of %s:\n%s", key, "\n".join(plan))
        return "\n".join(plan)

    def billing_tab(self, client, size):
        Timeline = self.env["account.billing.timeline"]
        rows = Timeline.search_count([("partner_id", "=", client.id)])
        self.assertGreaterEqual(rows, size)
        balance = self.measure_plain(f"balance ({size} documents)", lambda: client.billing_balance)
        page = self.measure_plain(f"timeline first page ({size} documents)", lambda: Timeline.search_read(
            [("partner_id", "=", client.id)], ["date", "kind", "reference", "state", "amount", "running_balance"],
            limit=80))
        self.assertAlmostEqual(page[0]["running_balance"], balance, places=2)
        form = self.measure_plain(f"partner form read, Billing tab ({size} documents)",
                                  lambda: client.web_read(billing_tab_specification()))
        self.assertEqual(len(form[0]["billing_timeline_ids"]), rows)
        first = form[0]["billing_timeline_ids"][0]
        self.assertAlmostEqual(first["running_balance"], balance, places=2)
        self.statement(client, size)
        return rows

    def statement(self, client, size):
        """The statement's HTML: the statement wizard's default period (from the first day of the
        previous month, opened from the client's Statement button) and the client's whole history."""
        report = self.env["ir.actions.report"]
        name = "account_billing_operations.action_report_billing_statement"
        default = self.env["res.partner"]._billing_statement_default_period()
        periods = {"default period": {"date_from": fields.Date.to_string(default["date_from"]), "date_to": False},
                   "full history": {}}
        for label, data in periods.items():
            html = self.measure_plain(f"statement HTML, {label} ({size} documents)",
                                      lambda data=data: report._render_qweb_html(name, client.ids, data=data)[0],
                                      repeat=min(REPEAT, 3), section="statement")
            self.assertIn(b"o_billing_statement_closing", html)
            [statement] = client._billing_statement_data(data.get("date_from"))
            self.results["statement"][f"statement HTML, {label} ({size} documents)"]["rows"] = len(statement["rows"])

    def plans(self, client):
        """The plans of what the Billing tab and the statement run for the client (index scans on its
        receivable items, not a scan of every journal item)."""
        Timeline = self.env["account.billing.timeline"]
        ids_query = Timeline._search([("partner_id", "=", client.id)], order=Timeline._order)
        self.explain("timeline ids (the Billing tab's one2many)", ids_query.select(
            SQL.identifier(ids_query.table, "id"), SQL.identifier(ids_query.table, "partner_id")))
        page = Timeline.browse(list(Timeline.browse(ids_query)._ids)[:20])
        page_query = page._as_query(ordered=False)
        self.explain("timeline first page read by id (running balances)", page_query.select(*(
            SQL.identifier(page_query.table, name) for name in ("id", "date", "kind", "state", "amount",
                                                                 "running_balance"))))
        self.explain("balance", self.env["res.partner"]._billing_balances_sql(self.env.company.id, client.ids))
        self.explain("open credit items", self.env["account.move.line"]._search([
            ("partner_id", "child_of", client.id), ("company_id", "=", self.env.company.id),
            ("parent_state", "=", "posted"), ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False), ("amount_residual", "<", 0.0)], order="date, id").select())

    def flat_differences(self):
        """For each operation whose query count is not the same at every size: the queries that differ
        between the smallest and the largest client (from the recorded runs)."""
        for key, by_size in self.query_lists.items():
            counts = {size: len(queries) for size, queries in by_size.items()}
            if len(set(counts.values())) <= 1:
                continue
            small, large = by_size[min(by_size)], by_size[max(by_size)]
            diff = [line for line in difflib.unified_diff(small, large, lineterm="", n=0)
                    if line[:1] in "+-" and line[:3] not in ("+++", "---")]
            self.results["flat_differences"][key] = {"counts": {str(k): v for k, v in counts.items()}, "diff": diff}
            _logger.info("BENCH %s: %s queries by size; differing queries:\n%s", key, counts, "\n".join(diff))

    # -------------------------------------------------------------------------
    # the run
    # -------------------------------------------------------------------------

    def test_operations_against_native(self):
        for size in SIZES:
            client = self.current_client = self.clients[size]
            documents = self.billing_tab(client, size)
            self.results["fixtures"][f"timeline rows {size}"] = documents
            if os.environ.get("BENCH_OPERATIONS", "1") == "0":  # the Billing tab and the plans only
                continue
            for key, (ours, native, check) in self.operations(client).items():
                self.measure_pair(key, size, ours, native, check)
        self.plans(self.clients[SIZES[-1]])
        self.flat_differences()
        self.write_results()

    def write_results(self):
        self.results["repeat"] = REPEAT
        self.results["sizes"] = list(SIZES)
        self.results["cpus"] = os.cpu_count()
        path = os.path.join(BENCH_DIR, "results.json")
        if os.path.exists(path):  # keep the figures of the scheduled actions (TestBillingCronScale)
            with open(path, encoding="utf-8") as file:
                previous = json.load(file)
            self.results.setdefault("crons", previous.get("crons", {}))
            if os.environ.get("BENCH_OPERATIONS", "1") == "0":  # the Billing tab only: keep the operations
                for key in ("operations", "flat_differences"):
                    self.results[key] = previous.get(key, {})
        with open(path, "w", encoding="utf-8") as file:
            json.dump(self.results, file, indent=1, sort_keys=True)
        table = render(self.results)
        with open(os.path.join(BENCH_DIR, "results.md"), "w", encoding="utf-8") as file:
            file.write(table)
        _logger.info("BENCH results\n%s", table)


@tagged("billing_bench", "-standard", "post_install", "-at_install")
class TestBillingCronScale(BaseCase):
    """Issue 10 item 4: 10,000 pending refunds settled and 10,000 scheduled payments applied by the
    scheduled actions, on committed data (real cursors, as the cron worker runs them), in batches
    that are committed: a run cut short loses nothing and the next run resumes."""

    COUNT = int(os.environ.get("BENCH_CRON_COUNT", "10000"))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def new_env(self):
        return api.Environment(self.registry.cursor(), SUPERUSER_ID, {})

    def company_env(self, env):
        company = env.ref("base.main_company")
        return env(context=dict(env.context, allowed_company_ids=company.ids)), company

    def cron_runs(self, env, method, name):
        """Run the scheduled action the way the cron worker does: again while it reports records
        remaining (ir.cron progress), each call committing its own work. Returns (runs, seconds)."""
        cron = env.ref(f"account_billing_operations.{name}")
        runs = 0
        start = time.perf_counter()
        while True:
            progress = env["ir.cron.progress"].create({"cron_id": cron.id, "done": 0, "remaining": 0})
            env.cr.commit()
            # The commits of a real cron run (a test's transaction is otherwise never committed).
            model = billing_tools.internal(env["account.payment"], "billing_settle_commit").with_context(
                ir_cron_progress_id=progress.id, cron_id=cron.id)
            getattr(model, method)()
            env.cr.commit()
            runs += 1
            progress.invalidate_recordset()
            if not progress.remaining or runs > 100:
                break
        return runs, time.perf_counter() - start

    def test_settle_10000_refunds(self):
        env = self.new_env()
        try:
            env, company = self.company_env(env)
            company.billing_settlement_cutoff = 0.0  # every refund made today is due
            env.user.groups_id += env.ref("account_billing_operations.group_billing_refund")
            client = env["res.partner"].create({"name": "Bench settlement client", "is_company": True})
            journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")],
                                                    limit=1)
            credit = env["account.move"].browse(client.billing_create_credit(100.0, NOTE, tax_ids=[]))
            refund = env["account.payment"].browse(client.billing_refund(100.0, journal.id, NOTE))
            start = time.perf_counter()
            clone_documents(env, credit | refund.move_id, self.COUNT - 1)
            env.cr.commit()
            built = time.perf_counter() - start
            pending = env["account.payment"].search_count([("billing_refund_state", "=", "pending")])
            self.assertGreaterEqual(pending, self.COUNT)
            runs, seconds = self.cron_runs(env, "_billing_cron_settle_refunds", "ir_cron_billing_settle_refunds")
            env.invalidate_all()
            self.assertEqual(env["account.payment"].search_count([("billing_refund_state", "=", "pending")]), 0)
            self.assertEqual(env["account.payment"].search_count(
                [("partner_id", "=", client.id), ("billing_refund_state", "=", "settled")]), self.COUNT)
            _logger.info("BENCH cron: %s refunds settled in %.1f s (%s runs; fixture %.1f s)",
                         pending, seconds, runs, built)
            self.record("settle refunds", pending, seconds, runs, built)
        finally:
            env.cr.rollback()
            env.cr.close()

    def posted_invoice(self, env, company, name):
        """A new client ``name``, the company's bank journal and a posted invoice of 100.00 (no tax) of
        that client: what the scheduled payments and their native equivalent are measured on."""
        client = env["res.partner"].create({"name": name, "is_company": True})
        journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
        product = env["product.product"].create({"name": "Bench course", "lst_price": 100.0, "taxes_id": []})
        invoice = env["account.move"].create({
            "move_type": "out_invoice", "partner_id": client.id,
            "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": 100.0, "tax_ids": []})]})
        invoice.action_post()
        return client, journal, invoice

    def test_apply_10000_scheduled_payments(self):
        env = self.new_env()
        try:
            env, company = self.company_env(env)
            client, journal, invoice = self.posted_invoice(env, company, "Bench postdated client")
            tomorrow = fields.Date.add(fields.Date.context_today(invoice), days=1)
            result = invoice.billing_make_payment(100.0, journal.id, postdated_date=tomorrow)
            scheduled = env["account.payment"].browse(result["payment_id"])
            start = time.perf_counter()
            clone_documents(env, invoice, self.COUNT - 1, payments=scheduled)
            env.cr.execute("UPDATE account_payment SET date = %s WHERE billing_postdated AND state = 'draft' "
                           "AND partner_id = %s", [fields.Date.subtract(tomorrow, days=1), client.id])
            env.cr.commit()
            built = time.perf_counter() - start
            Payment = env["account.payment"]
            due = Payment.search_count([("billing_postdated", "=", True), ("state", "=", "draft"),
                                        ("partner_id", "=", client.id)])
            self.assertEqual(due, self.COUNT)
            runs, seconds = self.cron_runs(env, "billing_apply_postdated", "ir_cron_billing_apply_postdated")
            env.invalidate_all()
            self.assertEqual(Payment.search_count([("billing_postdated", "=", True), ("state", "=", "draft"),
                                                   ("partner_id", "=", client.id)]), 0)
            paid = env["account.move"].search_count([("partner_id", "=", client.id), ("move_type", "=", "out_invoice"),
                                                     ("payment_state", "in", ("paid", "in_payment"))])
            self.assertEqual(paid, self.COUNT)
            _logger.info("BENCH cron: %s scheduled payments applied in %.1f s (%s runs; fixture %.1f s)",
                         due, seconds, runs, built)
            self.record("apply scheduled payments", due, seconds, runs, built)
        finally:
            env.cr.rollback()
            env.cr.close()

    def test_apply_scheduled_payments_native(self):
        """Odoo's native equivalent of the scheduled payments applied: the same client with COUNT posted
        invoices of 100.00 (no scheduled payment), paid with Register Payment (account.payment.register,
        one payment per invoice, the same bank journal) as a batch job would run it: POSTDATED_CHUNK
        invoices per wizard, tracking off as our scheduled action, committed after each chunk."""
        env = self.new_env()
        try:
            env, company = self.company_env(env)
            client, journal, invoice = self.posted_invoice(env, company, "Bench native register client")
            start = time.perf_counter()
            clone_documents(env, invoice, self.COUNT - 1)
            env.cr.commit()
            built = time.perf_counter() - start
            Move, Payment = env["account.move"], env["account.payment"]
            invoices = Move.search([("partner_id", "=", client.id), ("move_type", "=", "out_invoice"),
                                    ("state", "=", "posted"), ("payment_state", "=", "not_paid")], order="id")
            self.assertEqual(len(invoices), self.COUNT)
            self.assertEqual(Payment.search_count([("partner_id", "=", client.id)]), 0)
            runs = 0
            start = time.perf_counter()
            for chunk_ids in split_every(POSTDATED_CHUNK, invoices.ids):
                wizard = env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=list(chunk_ids), tracking_disable=True,
                ).create({"group_payment": False, "journal_id": journal.id})
                wizard._create_payments()
                env.cr.commit()
                env.invalidate_all()  # a batch job's memory stays flat: the next chunk reads afresh
                runs += 1
            seconds = time.perf_counter() - start
            env.invalidate_all()
            paid = Move.search_count([("id", "in", invoices.ids), ("payment_state", "in", ("paid", "in_payment"))])
            self.assertEqual(paid, self.COUNT)
            payments = Payment.search([("partner_id", "=", client.id)])
            self.assertEqual(len(payments), self.COUNT)
            self.assertLessEqual(set(payments.mapped("state")), {"in_process", "paid"})
            self.assertFalse(payments.filtered(lambda pay: pay.currency_id.compare_amounts(pay.amount, 100.0)))
            receivable = env["account.move.line"]._read_group(
                [("move_id", "in", invoices.ids), ("account_type", "=", "asset_receivable")],
                aggregates=["amount_residual:sum", "id:count"])
            self.assertEqual(receivable[0][1], self.COUNT)
            self.assertTrue(company.currency_id.is_zero(receivable[0][0]))
            _logger.info("BENCH cron: native Register Payment of %s invoices in %.1f s (%s chunks; fixture %.1f s)",
                         self.COUNT, seconds, runs, built)
            self.record("native: Register Payment, one payment per invoice", len(payments), seconds, runs, built)
        finally:
            env.cr.rollback()
            env.cr.close()

    def record(self, key, count, seconds, runs, built):
        path = os.path.join(BENCH_DIR, "results.json")
        results = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as file:
                results = json.load(file)
        results.setdefault("crons", {})[key] = {"count": count, "seconds": round(seconds, 1), "runs": runs,
                                                "fixture_seconds": round(built, 1), "load": load_average()}
        with open(path, "w", encoding="utf-8") as file:
            json.dump(results, file, indent=1, sort_keys=True)
