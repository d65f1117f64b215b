"""Benchmarks (`make bench`): a client with 10,000 billing documents.

Run only with the `billing_bench` tag; they log timings and check results, never wall-clock limits.
"""
import logging
import time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import BillingCommon

_logger = logging.getLogger(__name__)


@tagged("billing_bench", "-standard", "post_install", "-at_install")
class TestBillingBenchmark(BillingCommon):

    def clone_move(self, move, copies):
        """Copy a posted move and its journal items ``copies`` times in SQL (fast, realistic rows)."""
        cr = self.env.cr
        self.env.flush_all()

        def columns(table):
            cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                       "AND column_name != 'id' AND is_generated = 'NEVER'", [table])
            return [row[0] for row in cr.fetchall()]

        move_cols = columns("account_move")
        select_move = ", ".join("name || '-' || g" if c == "name" else c for c in move_cols)
        cr.execute(SQL(
            f"INSERT INTO account_move ({', '.join(move_cols)}) "
            f"SELECT {select_move} FROM account_move, generate_series(1, %s) g WHERE id = %s RETURNING id",
            copies, move.id))
        new_ids = [row[0] for row in cr.fetchall()]
        line_cols = columns("account_move_line")
        select_line = ", ".join("m.id" if c == "move_id" else f"l.{c}" for c in line_cols)
        cr.execute(SQL(
            f"INSERT INTO account_move_line ({', '.join(line_cols)}) "
            f"SELECT {select_line} FROM account_move_line l, unnest(%s) AS m(id) WHERE l.move_id = %s",
            new_ids, move.id))
        self.env.invalidate_all()
        return new_ids

    def measure(self, label, func, repeat=5):
        timings = []
        result = None
        for _i in range(repeat):
            self.env.invalidate_all()
            start = time.perf_counter()
            queries = self.cr.sql_log_count
            result = func()
            timings.append((time.perf_counter() - start, self.cr.sql_log_count - queries))
        best = min(timings)
        _logger.info("BENCH %-45s best %7.1f ms, %3d queries", label, best[0] * 1000, best[1])
        return result

    def test_client_with_10000_documents(self):
        invoice = self.invoice(100.0)
        credit = self.env["account.move"].browse(self.client.billing_create_credit(10.0, "bench", tax_ids=[]))
        self.clone_move(invoice, 5000)
        self.clone_move(credit, 4998)
        # Production tables are analysed by autovacuum; a test transaction must ask for it.
        self.env.cr.execute("ANALYZE account_move, account_move_line, account_payment, res_partner")
        client = self.client
        rows = self.env["account.billing.timeline"].search_count([("partner_id", "=", client.id)])
        self.assertEqual(rows, 10000)
        expected = 5001 * 115.0 - 4999 * 10.0
        balance = self.measure("balance of a client (10,000 documents)", lambda: client.billing_balance)
        self.assertAlmostEqual(balance, expected, places=2)

        def first_page():
            return self.env["account.billing.timeline"].search_read(
                [("partner_id", "=", client.id)], ["date", "kind", "reference", "state", "amount",
                                                   "running_balance"], limit=80)
        page = self.measure("Billing tab: timeline first page (80 rows)", first_page)
        self.assertAlmostEqual(page[0]["running_balance"], expected, places=2)
        self.measure("Billing tab: timeline count", lambda: self.env["account.billing.timeline"].search_count(
            [("partner_id", "=", client.id)]))
        self.measure("Billing tab: partner form read", lambda: client.web_read({
            "billing_balance": {}, "billing_balance_label": {}, "billing_available_credit": {},
            "billing_scheduled_amount": {},
            "billing_timeline_ids": {"fields": {"date": {}, "kind": {}, "reference": {}, "state": {}, "amount": {},
                                                "running_balance": {}, "running_balance_label": {}},
                                     "limit": 20, "order": "date desc, id desc"}}))
        self.measure("R1 create a credit (10,000 documents)",
                     lambda: client.billing_create_credit(10.0, "bench", tax_ids=[]), repeat=3)

        def native_credit_note():
            move = self.env["account.move"].create({
                "move_type": "out_refund", "partner_id": client.id,
                "invoice_line_ids": [(0, 0, {"product_id": self.credit_product.id, "price_unit": 10.0,
                                             "tax_ids": [(6, 0, [])]})]})
            move.action_post()
            return move
        self.measure("native credit note create + post", native_credit_note, repeat=3)
