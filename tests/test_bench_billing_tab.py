"""Benchmark of the Billing tab and the statement at scale (issue 10 item 3; tag ``billing_bench_scale``, never
in `make test`; tools/bench_scale.sh runs it on a database of its own).

A client with 10,000 documents (invoices paid by payments, SQL copies of real documents, bench/fixtures.py)
and, with BENCH_PARTNERS / BENCH_ITEMS, 100,000 partners with 1,000,000 journal items in all. The data is
committed (the database is kept and the next run measures again without rebuilding), vacuumed and
analysed as autovacuum would. Measured: the partner form read with the Billing tab as the web client asks
for it, the statement's HTML for its default period, and the SQL plans of the timeline and balance
queries. Timings are logged and written to bench/results.json ("billing_tab_scale") with the machine's
load, never asserted: the figures are checked instead.
"""
import cProfile
import io
import itertools
import json
import logging
import os
import pstats
import statistics
import time

import psycopg2

from odoo import SUPERUSER_ID
from odoo import api
from odoo import fields
from odoo.addons.account_billing_operations.bench.fixtures import billing_tab_specification
from odoo.addons.account_billing_operations.bench.fixtures import clone_documents
from odoo.modules.registry import Registry
from odoo.sql_db import connection_info_for
from odoo.tests import tagged
from odoo.tests.common import BaseCase
from odoo.tests.common import get_db_name
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

BENCH_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")
DOCUMENTS = int(os.environ.get("BENCH_DOCUMENTS", "10000"))
PARTNERS = int(os.environ.get("BENCH_PARTNERS", "0"))      # 100000: the client is one of 100,000 partners
ITEMS = int(os.environ.get("BENCH_ITEMS", "0"))            # 1000000: journal items in all
REPEAT = int(os.environ.get("BENCH_REPEAT", "9"))
BATCH = 20000                                              # copies committed together
CLIENT = "Bench tab client"
FILLER = "Bench filler client"
STATEMENT = "account_billing_operations.action_report_billing_statement"


def load_average():
    return round(os.getloadavg()[0], 2)


@tagged("billing_bench_scale", "-standard", "post_install", "-at_install")
class TestBillingTabScale(BaseCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.env = api.Environment(self.registry.cursor(), SUPERUSER_ID, {})
        self.addCleanup(self.env.cr.close)
        self.company = self.env.ref("base.main_company")
        self.env = self.env(context={"allowed_company_ids": self.company.ids, "lang": "en_US"})

    # ---- the data (committed, built once) ------------------------------------------

    def paid_invoice(self, client, day):
        """An invoice of 100 + the company's default sales tax, paid by Register Payment, as a user does."""
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": client.id, "invoice_date": day, "date": day,
            "invoice_line_ids": [fields.Command.create({"name": "Bench course", "price_unit": 100.0})]})
        invoice.action_post()
        journal = self.env["account.journal"].search([("company_id", "=", self.company.id), ("type", "=", "bank")],
                                                     limit=1)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"journal_id": journal.id, "payment_date": day})._create_payments()
        return invoice | invoice.matched_payment_ids.move_id

    def client(self):
        Partner = self.env["res.partner"]
        client = Partner.search([("name", "=", CLIENT)], limit=1)
        if client:
            return client
        start = time.perf_counter()
        client = Partner.create({"name": CLIENT, "is_company": True})
        group = self.paid_invoice(client, fields.Date.context_today(client))
        clone_documents(self.env, group, DOCUMENTS // 2 - 1, spread_days=700)
        self.env.cr.commit()  # pylint: disable=invalid-commit
        _logger.info("BENCH scale: client with %s documents built in %.1f s", DOCUMENTS, time.perf_counter() - start)
        return client

    def fillers(self):
        """PARTNERS partners in all (SQL copies of one), and ITEMS journal items in all: paid invoices of
        the other partners, copied in batches of BATCH (each committed: an interrupted build resumes)."""
        cr = self.env.cr
        cr.execute("SELECT count(*) FROM res_partner")
        missing = PARTNERS - cr.fetchone()[0]
        if missing > 0:
            template = self.env["res.partner"].create({"name": FILLER, "is_company": True})
            cr.execute("""SELECT column_name FROM information_schema.columns WHERE table_name = 'res_partner'
                          AND column_name NOT IN ('id', 'name', 'complete_name', 'commercial_partner_id')
                          AND is_generated = 'NEVER'""")
            columns = [SQL.identifier(row[0]) for row in cr.fetchall()]
            cr.execute(SQL("""INSERT INTO res_partner (name, complete_name, %(columns)s)
                              SELECT name || ' ' || g, complete_name || ' ' || g, %(columns)s
                                FROM res_partner, generate_series(1, %(missing)s) g WHERE id = %(template)s""",
                           columns=SQL(", ").join(columns), missing=missing - 1, template=template.id))
            cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
            cr.commit()  # pylint: disable=invalid-commit
            _logger.info("BENCH scale: %s partners", PARTNERS)
        cr.execute("SELECT count(*) FROM account_move_line")
        items = cr.fetchone()[0]
        if items >= ITEMS:
            return
        cr.execute(SQL("SELECT array_agg(id) FROM res_partner WHERE name LIKE %s", f"{FILLER}%"))
        partner_ids = cr.fetchone()[0]
        template = self.env["res.partner"].browse(partner_ids[0])
        while items < ITEMS:
            # A template of its own per batch: the copies' names (name/C<copy>) stay unique.
            group = self.paid_invoice(template, fields.Date.context_today(template))
            per_copy = len(group.line_ids)
            copies = min(BATCH, (ITEMS - items) // per_copy + 1)
            start = time.perf_counter()
            clone_documents(self.env, group, copies, spread_days=700,
                            partner_ids=partner_ids[(items // per_copy) % len(partner_ids):] + partner_ids)
            cr.commit()  # pylint: disable=invalid-commit
            items += copies * per_copy
            _logger.info("BENCH scale: %s journal items (%s copies in %.1f s)", items, copies,
                         time.perf_counter() - start)

    def vacuum(self):
        """What autovacuum keeps up to date on a production database: statistics and visibility map."""
        self.env.cr.commit()  # pylint: disable=invalid-commit
        connection = psycopg2.connect(**connection_info_for(get_db_name())[1])
        try:
            connection.autocommit = True
            connection.cursor().execute("VACUUM ANALYZE account_move_line, account_move, account_payment, "
                                        "res_partner, account_partial_reconcile, account_full_reconcile")
        finally:
            connection.close()

    # ---- measuring -----------------------------------------------------------------

    def measure(self, key, func, results):
        """Median and p95 of REPEAT runs after a warm-up, each a new request (caches of records emptied)."""
        samples = []
        result = None
        for index in range(REPEAT + 1):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            start = time.perf_counter()
            result = func()
            elapsed = (time.perf_counter() - start) * 1000
            if index:
                samples.append((elapsed, self.env.cr.sql_log_count - before))
        times = sorted(sample[0] for sample in samples)
        entry = {"median_ms": round(statistics.median(times), 1),
                 "p95_ms": round(times[round(0.95 * (len(times) - 1))], 1), "min_ms": round(times[0], 1),
                 "queries": samples[-1][1], "load": load_average()}
        results[key] = entry
        _logger.info("BENCH %-45s median %7.1f ms p95 %7.1f ms min %7.1f ms %3d queries (load %s)", key,
                     entry["median_ms"], entry["p95_ms"], entry["min_ms"], entry["queries"], entry["load"])
        if os.environ.get("BENCH_PROFILE"):
            self.env.invalidate_all()
            profile = cProfile.Profile()
            profile.runcall(func)
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
            _logger.info("BENCH profile of %s:\n%s", key, out.getvalue())
        return result

    def explain(self, key, sql, plans):
        self.env.flush_all()
        self.env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) %s", sql))
        plan = [row[0] for row in self.env.cr.fetchall()]
        plans[key] = plan
        _logger.info("BENCH plan of %s:\n%s", key, "\n".join(plan))

    def plans(self, client, plans):
        Timeline = self.env["account.billing.timeline"]
        if hasattr(Timeline, "_billing_listing_query"):
            ids_query = Timeline._billing_listing_query(client.ids)
        else:  # the module before the lean listing (figures before / after)
            ids_query = Timeline._search([("partner_id", "=", client.id)], order=Timeline._order)
        self.explain("timeline ids (the Billing tab's one2many)", ids_query.select(
            SQL.identifier(ids_query.table, "id"), SQL.identifier(ids_query.table, "partner_id")), plans)
        page = Timeline.browse(list(Timeline.browse(ids_query)._ids)[:20])
        page_query = page._as_query(ordered=False)
        self.explain("timeline first page read by id (running balances)", page_query.select(*(
            SQL.identifier(page_query.table, name) for name in ("id", "date", "kind", "state", "amount",
                                                                 "running_balance"))), plans)
        self.explain("balance", self.env["res.partner"]._billing_balances_sql(self.company.id, client.ids), plans)

    def test_billing_tab_at_scale(self):
        client = self.client()
        if PARTNERS or ITEMS:
            self.fillers()
        self.vacuum()
        self.env.cr.execute("SELECT (SELECT count(*) FROM res_partner), (SELECT count(*) FROM account_move_line)")
        partners, items = self.env.cr.fetchone()
        admin = self.env.ref("base.user_admin")
        user_client = client.with_user(admin).with_context(allowed_company_ids=self.company.ids)
        rows = self.env["account.billing.timeline"].search_count([("partner_id", "=", client.id)])
        self.assertGreaterEqual(rows, DOCUMENTS)
        label = f"{rows} documents, {partners} partners, {items} journal items"
        results = {}
        spec = billing_tab_specification()
        form = self.measure(f"partner form read, Billing tab ({label})", lambda: user_client.web_read(spec), results)
        timeline = form[0]["billing_timeline_ids"]
        self.assertEqual(len(timeline), rows)
        self.assertAlmostEqual(timeline[0]["running_balance"], form[0]["billing_balance"], places=2)
        for newer, older in itertools.pairwise(timeline[:20]):
            self.assertAlmostEqual(newer["running_balance"] - newer["amount"], older["running_balance"], places=2)
        default = self.env["res.partner"]._billing_statement_default_period()
        data = {"date_from": fields.Date.to_string(default["date_from"]), "date_to": False}
        report = self.env["ir.actions.report"].with_user(admin).with_context(allowed_company_ids=self.company.ids)
        html = self.measure(f"statement HTML, default period ({label})",
                            lambda: report._render_qweb_html(STATEMENT, client.ids, data=data)[0], results)
        self.assertIn(b"o_billing_statement_closing", html)
        plans = {}
        self.plans(client, plans)
        for plan in plans.values():
            self.assertNotIn("Seq Scan on account_move_line", "\n".join(plan))
        path = os.path.join(BENCH_DIR, "results.json")
        stored = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as file:
                stored = json.load(file)
        stored.setdefault("billing_tab_scale", {}).update(results)
        stored.setdefault("billing_tab_scale_plans", {})[label] = plans
        with open(path, "w", encoding="utf-8") as file:
            json.dump(stored, file, indent=1, sort_keys=True)
