#!/usr/bin/env python3
"""Multi-process stress of the billing operations on a real multi-worker Odoo (docs/rules.md §7).

Starts Odoo with --workers=N --max-cron-threads=0 on the project's PostgreSQL (tools/dev.sh odoo),
creates its own clients and a billing user (refunds group) over JSON-RPC, then from --clients
processes (plain HTTP JSON-RPC, as an integration) races operations round after round for --seconds:

  layout A: two refunds for one credit (R3) | two refunds of one payment (R4) |
            two Cancel/refund items of one line (R6) | two payments of one invoice (R7)
  layout B: credit on file against a refund of the same credit (R7.5, R3) |
            the same idempotency key from two clients (§6) |
            settlement while the refunds are cancelled (R5)

Then it checks the invariants of docs/rules.md §7 in SQL and over RPC, that every refusal was a clean
UserError/ValidationError (no HTTP 500, no other server error) and that the server log has no
Traceback/ERROR. With --crash it also kills a worker (kill -9) in the middle of each operation and
of the settlement and postdated scheduled actions run mid-batch (ir.cron's Run Manually; the crash
points of models/billing_tools.py), and checks
that each happened entirely or not at all and that a re-run settles or applies nothing twice and
misses nothing. The last line is ``stress: N passed, N failed`` (invariant checks).

Usage: tools/stress.py --db billing_stress [--install] [--seconds 60] [--min-rounds 2] [--clients 8]
                       [--workers 4] [--http-port 8342] [--crash] [--admin-password admin]
Environment: as tools/dev.sh (VENV, PGPORT, PGHOST, PGUSER, PGPASSWORD).
"""
import argparse
import functools
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from project_python import DEV
from project_python import ROOT
from project_python import use_project_python

MODULE_NAME = "account_billing_operations"
CLEAN_ERRORS = ("odoo.exceptions.UserError", "odoo.exceptions.ValidationError")
USER_LOGIN = "stress_billing"
USER_PASSWORD = "stress-billing-pw"

psycopg2 = use_project_python()


# ---------------------------------------------------------------------------------------------
# JSON-RPC, as an integration calls it
# ---------------------------------------------------------------------------------------------

class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Rpc:
    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url, db, password
        self.uid = self.call("common", "login", db, login, password)
        if not self.uid:
            raise RpcError("login", f"cannot log in as {login}")

    def call(self, service, method, *args, timeout=150):
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                              "params": {"service": service, "method": method, "args": args}}).encode()
        request = urllib.request.Request(f"{self.url}/jsonrpc", payload, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise RpcError(f"HTTP {error.code}", error.reason) from None
        if data.get("error"):
            info = data["error"].get("data") or {}
            raise RpcError(info.get("name") or str(data["error"].get("code")),
                           info.get("message") or data["error"].get("message"))
        return data["result"]

    def __call__(self, model, method, *args, **kwargs):
        return self.call("object", "execute_kw", self.db, self.uid, self.password, model, method, list(args), kwargs)


def outcome(func):
    """('accepted', result) | ('refused', message) | ('error', message) | ('crashed', message)."""
    try:
        return "accepted", func()
    except RpcError as error:
        if error.name in CLEAN_ERRORS:
            return "refused", error.message
        return "error", str(error)
    except (ConnectionError, urllib.error.URLError, TimeoutError, OSError) as error:
        return "crashed", repr(error)


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------

class Server:
    def __init__(self, args, log_path, control_file):
        self.args, self.log_path = args, log_path
        env = dict(os.environ, BILLING_TEST_DELAY_FILE=control_file)
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [DEV, "odoo", "-d", args.db, "--db-filter", f"^{args.db}$", "--workers", str(args.workers),
             "--max-cron-threads", "0", "--http-interface", "127.0.0.1", "--http-port", str(args.http_port),
             "--limit-time-real", "300", "--limit-time-cpu", "300", "--log-level", "info"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.url = f"http://127.0.0.1:{args.http_port}"

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server stopped: see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/web/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"the server did not answer in {timeout}s: see {self.log_path}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group (start_new_session)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------
# Fixture (admin, once)
# ---------------------------------------------------------------------------------------------

def xmlid(rpc, module, name):
    [row] = rpc("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], ["res_id"])
    return row["res_id"]


def setup_fixture(admin, run):
    [me] = admin("res.users", "read", [admin.uid], ["company_id"])
    company_id = me["company_id"][0]
    groups = [xmlid(admin, "base", "group_user"), xmlid(admin, "account", "group_account_invoice"),
              xmlid(admin, "account_billing_operations", "group_billing_refund")]
    users = admin("res.users", "search", [("login", "=", USER_LOGIN)], context={"active_test": False})
    values = {"password": USER_PASSWORD, "active": True, "company_id": company_id,
              "company_ids": [(6, 0, [company_id])], "groups_id": [(4, group) for group in groups]}
    if users:
        admin("res.users", "write", users, values)
    else:
        admin("res.users", "create", {"name": "Stress billing clerk", "login": USER_LOGIN, **values})
    journal = {}
    for kind in ("bank", "cash"):
        journal[kind] = admin("account.journal", "search", [("type", "=", kind), ("company_id", "=", company_id)],
                              limit=1, order="id")[0]
    product = admin("product.product", "create", {"name": f"Stress activity {run}", "type": "service",
                                                   "list_price": 50.0, "taxes_id": [(6, 0, [])]})
    clients = admin("res.partner", "create", [{"name": f"Stress client {run} K{index}", "company_id": False}
                                              for index in range(7)])
    return {"company_id": company_id, "journal": journal, "product_id": product, "clients": clients}


# ---------------------------------------------------------------------------------------------
# The racing processes
# ---------------------------------------------------------------------------------------------

LAYOUT_A = ("refund_credit", "refund_payment", "cancel_items", "pay_invoice")
LAYOUT_B = ("credit_on_file", "idempotent", "settle_cancel", "settle_cancel")


def group_of(slot, clients):
    """(group index, rank in the group, group size) of a racing process."""
    group = (slot // 2) % 4
    members = [s for s in range(clients) if (s // 2) % 4 == group]
    return group, members.index(slot), len(members)


def invoice(rpc, client, product, lines):
    move = rpc("account.move", "create", {
        "move_type": "out_invoice", "partner_id": client,
        "invoice_line_ids": [(0, 0, {"product_id": product, "quantity": qty, "price_unit": price,
                                     "tax_ids": [(6, 0, [])]}) for qty, price in lines]})
    rpc("account.move", "action_post", [move])
    return move


def prepare(rpc, scenario, fx, round_no):
    """The leader of a group creates what its group races on; returns what the racers need."""
    return PREPARE[scenario](rpc, fx, f"stress round {round_no}", round_no)


def _prepare_refund_credit(rpc, fx, note, _round_no):
    client = fx["clients"][0]
    rpc("res.partner", "billing_create_credit", [client], 100.0, note)
    [row] = rpc("res.partner", "read", [client], ["billing_available_credit"])
    available = row["billing_available_credit"]
    return {"client": client, "available": available, "amount": round(available * 0.6, 2)}


def _prepare_refund_payment(rpc, fx, _note, _round_no):
    client = fx["clients"][1]
    move = invoice(rpc, client, fx["product_id"], [(1, 100.0)])
    paid = rpc("account.move", "billing_make_payment", [move], 100.0, fx["journal"]["cash"])
    return {"client": client, "payment": paid["payment_id"], "cap": 100.0, "amount": 70.0}


def _prepare_cancel_items(rpc, fx, _note, _round_no):
    client = fx["clients"][2]
    move = invoice(rpc, client, fx["product_id"], [(2, 50.0), (1, 30.0)])
    [row] = rpc("account.move", "read", [move], ["invoice_line_ids"])
    return {"client": client, "invoice": move, "line": min(row["invoice_line_ids"]), "quantity": 2.0}


def _prepare_pay_invoice(rpc, fx, _note, _round_no):
    client = fx["clients"][3]
    move = invoice(rpc, client, fx["product_id"], [(1, 100.0)])
    return {"client": client, "invoice": move, "total": 100.0, "amount": 70.0}


def _prepare_credit_on_file(rpc, fx, note, _round_no):
    client = fx["clients"][4]
    move = invoice(rpc, client, fx["product_id"], [(1, 100.0)])
    rpc("res.partner", "billing_create_credit", [client], 150.0, note)
    [row] = rpc("res.partner", "read", [client], ["billing_available_credit"])
    return {"client": client, "invoice": move, "refund": row["billing_available_credit"]}


def _prepare_idempotent(_rpc, fx, _note, round_no):
    return {"client": fx["clients"][5], "key": f"stress-{uuid.uuid4().hex}", "round": round_no}


def _prepare_settle_cancel(rpc, fx, note, _round_no):
    client = fx["clients"][6]
    rpc("res.partner", "billing_create_credit", [client], 90.0, note)
    refunds = [rpc("res.partner", "billing_refund", [client], 30.0, fx["journal"]["bank"], f"{note} refund {index}")
               for index in range(3)]
    return {"client": client, "refunds": refunds}


PREPARE = {
    "refund_credit": _prepare_refund_credit, "refund_payment": _prepare_refund_payment,
    "cancel_items": _prepare_cancel_items, "pay_invoice": _prepare_pay_invoice,
    "credit_on_file": _prepare_credit_on_file, "idempotent": _prepare_idempotent,
    "settle_cancel": _prepare_settle_cancel,
}


def race(rpc, scenario, fx, data, rank, round_no):
    """One racing call; returns (operation name, outcome, value)."""
    operation, call = RACE[scenario](rpc, fx["journal"], data, rank, f"stress race {round_no}.{rank}")
    return (operation, *outcome(call))


def _race_refund_credit(rpc, journal, data, _rank, note):
    return "billing_refund (R3)", lambda: rpc(
        "res.partner", "billing_refund", [data["client"]], data["amount"], journal["bank"], note)


def _race_refund_payment(rpc, _journal, data, _rank, note):
    return "payment.billing_refund (R4)", lambda: rpc(
        "account.payment", "billing_refund", [data["payment"]], data["amount"], note)


def _race_cancel_items(rpc, _journal, data, _rank, note):
    return "billing_cancel_items (R6)", lambda: rpc(
        "account.move", "billing_cancel_items", [data["invoice"]], [[data["line"], data["quantity"]]], note=note)


def _race_pay_invoice(rpc, journal, data, _rank, _note):
    return "billing_make_payment (R7)", lambda: rpc(
        "account.move", "billing_make_payment", [data["invoice"]], data["amount"], journal["cash"])


def _race_credit_on_file(rpc, journal, data, rank, note):
    if rank % 2 == 0:
        return "billing_make_payment use_credit (R7.5)", lambda: rpc(
            "account.move", "billing_make_payment", [data["invoice"]], 0, journal["cash"], use_credit=True)
    return "billing_refund of the same credit (R3)", lambda: rpc(
        "res.partner", "billing_refund", [data["client"]], data["refund"], journal["bank"], note)


def _race_idempotent(rpc, _journal, data, _rank, _note):
    note = f"stress key {data['key']}"
    if data["round"] % 4 == 1:
        return "billing_create_credit same key", lambda: rpc(
            "res.partner", "billing_create_credit", [data["client"]], 25.0, note, idempotency_key=data["key"])
    return "billing_create_charge same key", lambda: rpc(
        "res.partner", "billing_create_charge", [data["client"]], 10.0, note, idempotency_key=data["key"])


def _race_settle_cancel(rpc, _journal, data, rank, note):
    if rank == 0:
        return "billing_settle_refunds (R5.4)", lambda: rpc("account.payment", "billing_settle_refunds")
    refund = data["refunds"][(rank - 1) % len(data["refunds"])]
    return "billing_cancel_refund (R5)", lambda: rpc("account.payment", "billing_cancel_refund", [refund], note)


RACE = {
    "refund_credit": _race_refund_credit, "refund_payment": _race_refund_payment,
    "cancel_items": _race_cancel_items, "pay_invoice": _race_pay_invoice,
    "credit_on_file": _race_credit_on_file, "idempotent": _race_idempotent,
    "settle_cancel": _race_settle_cancel,
}


def racer(slot, args, url, fx, barrier, stop, shared, results):
    try:
        _racer(slot, args, url, fx, barrier, stop, shared, results)
    except threading.BrokenBarrierError:
        pass  # another racer failed: it reported why
    except Exception as error:
        results.put({"round": -1, "scenario": "racer", "setup": True, "status": "error", "value": repr(error)})
        barrier.abort()


def _racer(slot, args, url, fx, barrier, stop, shared, results):
    rpc = Rpc(url, args.db, USER_LOGIN, USER_PASSWORD)
    group, rank, _size = group_of(slot, args.clients)
    settlers = [s for s in range(args.clients) if (s // 2) % 4 in (2, 3)]
    round_no = 0
    while True:
        barrier.wait(timeout=600)
        if stop.value:
            break
        layout = LAYOUT_A if round_no % 2 == 0 else LAYOUT_B
        scenario = layout[group]
        # settle_cancel spans groups 2 and 3: one leader, one settlement, the others cancel.
        racer_rank = settlers.index(slot) if scenario == "settle_cancel" else rank
        if racer_rank == 0:
            started = time.time()
            status, value = outcome(functools.partial(prepare, rpc, scenario, fx, round_no))
            shared[round_no, scenario] = value if status == "accepted" else None
            results.put({"round": round_no, "scenario": scenario, "setup": True, "status": status,
                         "value": None if status == "accepted" else value, "seconds": time.time() - started})
        barrier.wait(timeout=600)
        data = shared.get((round_no, scenario))
        if data is not None:
            started = time.time()
            operation, status, value = race(rpc, scenario, fx, data, racer_rank, round_no)
            results.put({"round": round_no, "scenario": scenario, "setup": False, "slot": slot,
                         "rank": racer_rank, "operation": operation, "status": status, "value": value,
                         "data": data, "seconds": time.time() - started})
        barrier.wait(timeout=600)
        round_no += 1


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []

    verbose = False

    def check(self, ok, name):
        if ok:
            self.passed += 1
            if self.verbose:
                print(f"  ok: {name}", flush=True)
        else:
            self.failed.append(name)
            print(f"  BREACH: {name}", flush=True)
        return ok


def pg_connect(db):
    return psycopg2.connect(dbname=db, host=os.environ.get("PGHOST", "127.0.0.1"),
                            port=os.environ.get("PGPORT", "5433"), user=os.environ.get("PGUSER", "odoo"),
                            password=os.environ.get("PGPASSWORD", "odoo"))


def sql(cr, query, *params):
    cr.execute(query, params)
    return cr.fetchall()


def check_races(checks, records, cr):
    """The cap of each race: how many racers at most could win it."""
    rounds = {}
    for record in records:
        if not record["setup"]:
            rounds.setdefault((record["round"], record["scenario"]), []).append(record)
    for (round_no, scenario), racers in sorted(rounds.items()):
        won = [r for r in racers if r["status"] == "accepted"]
        data = racers[0]["data"]
        where = f"round {round_no} {scenario}"
        if scenario == "refund_credit":
            allowed = int(data["available"] // data["amount"]) if data["amount"] else 0
            checks.check(len(won) <= allowed, f"{where}: {len(won)} refunds of {data['amount']} accepted "
                         f"for an available credit of {data['available']}")
        elif scenario == "refund_payment":
            checks.check(len(won) * data["amount"] <= data["cap"] + 1e-6,
                         f"{where}: {len(won)} refunds of {data['amount']} on a payment of {data['cap']}")
        elif scenario == "cancel_items":
            checks.check(len(won) <= 1, f"{where}: the same line cancelled {len(won)} times")
        elif scenario == "pay_invoice":
            checks.check(len(won) * data["amount"] <= data["total"] + 1e-6,
                         f"{where}: {len(won)} payments of {data['amount']} on an invoice of {data['total']}")
        elif scenario == "idempotent":
            results = {json.dumps(r["value"]) for r in won}
            [(count,)] = sql(cr, "SELECT count(*) FROM account_move WHERE billing_note = %s",
                             f"stress key {data['key']}")
            checks.check(len(results) <= 1 and count == (1 if won else 0),
                         f"{where}: the same key gave {len(results)} results and {count} documents")
        elif scenario == "settle_cancel":
            cancelled = {r["data"]["refunds"][(r["rank"] - 1) % 3] for r in won
                         if r["operation"].startswith("billing_cancel_refund")}
            rows = sql(cr, "SELECT id, billing_refund_state, state FROM account_payment WHERE id IN %s",
                       tuple(data["refunds"]))
            bad = [row for row in rows if (row[0] in cancelled) != (row[1] == "cancelled")
                   or (row[1] == "cancelled") != (row[2] == "canceled")]
            checks.check(not bad, f"{where}: refunds in an inconsistent state {bad}")
        elif scenario == "credit_on_file":
            checks.check(True, where)  # checked by the receivable invariants below


def check_invariants(checks, cr, admin, clerk, fx):
    """docs/rules.md §7 on the run's clients (every posted entry of the database must be balanced)."""
    clients = tuple(fx["clients"] + fx.get("crash_clients", []))
    rows = sql(cr, """SELECT m.id FROM account_move m JOIN account_move_line l ON l.move_id = m.id
                       WHERE m.state = 'posted' GROUP BY m.id
                      HAVING abs(sum(l.debit) - sum(l.credit)) > 0.0001 OR abs(sum(l.balance)) > 0.0001""")
    checks.check(not rows, f"every posted entry balanced ({len(rows)} unbalanced: {rows[:5]})")
    rows = sql(cr, """SELECT s.id, s.amount, sum(r.amount) FROM account_payment r
                        JOIN account_payment s ON s.id = r.billing_source_payment_id
                       WHERE r.billing_refund_state IN ('pending', 'settled') AND s.partner_id IN %s
                       GROUP BY s.id, s.amount HAVING sum(r.amount) > s.amount + 0.001""", clients)
    checks.check(not rows, f"no payment refunded above its amount ({rows[:5]})")
    rows = sql(cr, """SELECT il.id, il.quantity, sum(cl.quantity) FROM account_move_line cl
                        JOIN account_move cm ON cm.id = cl.move_id AND cm.state = 'posted'
                        JOIN account_move_line il ON il.id = cl.billing_cancelled_line_id
                       WHERE il.partner_id IN %s
                       GROUP BY il.id, il.quantity HAVING sum(cl.quantity) > il.quantity + 0.000001""", clients)
    checks.check(not rows, f"no invoice line cancelled beyond its quantity ({rows[:5]})")
    rows = sql(cr, """SELECT id, amount_total, amount_residual FROM account_move
                       WHERE move_type = 'out_invoice' AND state = 'posted' AND commercial_partner_id IN %s
                         AND (amount_residual < -0.001 OR amount_residual > amount_total + 0.001)""", clients)
    checks.check(not rows, f"no invoice paid above its total ({rows[:5]})")
    rows = sql(cr, """SELECT l.id, l.balance, l.amount_residual FROM account_move_line l
                        JOIN account_account a ON a.id = l.account_id
                       WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted' AND l.partner_id IN %s
                         AND ((l.balance >= 0
                               AND (l.amount_residual < -0.001 OR l.amount_residual > l.balance + 0.001))
                           OR (l.balance < 0
                               AND (l.amount_residual > 0.001 OR l.amount_residual < l.balance - 0.001)))""", clients)
    checks.check(not rows, f"no receivable item applied beyond its amount (credit, payment, invoice) ({rows[:5]})")
    rows = sql(cr, """SELECT p.id, p.billing_refund_state, p.state, m.state FROM account_payment p
                        LEFT JOIN account_move m ON m.id = p.move_id
                       WHERE p.billing_refund_state IS NOT NULL AND p.partner_id IN %s AND (
                             (p.billing_refund_state = 'cancelled') != (p.state = 'canceled')
                          OR (p.billing_refund_state = 'cancelled' AND m.state = 'posted')
                          OR (p.billing_refund_state != 'cancelled' AND m.state IS DISTINCT FROM 'posted'))""",
               clients)
    checks.check(not rows, f"every refund's state matches its payment and entry ({rows[:5]})")
    rows = sql(cr, "SELECT id, key FROM account_billing_idempotency WHERE result IS NULL AND partner_id IN %s",
               clients)
    checks.check(not rows, f"no idempotency key claimed without its result ({rows[:5]})")
    company = fx["company_id"]
    for client in clients:
        [row] = clerk("res.partner", "read", [client], ["billing_balance", "name"])
        balance = row["billing_balance"]
        timeline = clerk("account.billing.timeline", "search_read", [("partner_id", "=", client)],
                         ["amount", "running_balance"], order="date desc, id desc")
        total = round(sum(line["amount"] for line in timeline), 2)
        newest = timeline[0]["running_balance"] if timeline else 0.0
        [(ledger,)] = sql(cr, """SELECT coalesce(sum(l.balance), 0) FROM account_move_line l
                                   JOIN account_account a ON a.id = l.account_id
                                   JOIN res_partner p ON p.id = l.partner_id
                                  WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
                                    AND l.company_id = %s AND p.commercial_partner_id = %s""", company, client)
        [odoo_row] = admin("res.partner", "read", [client], ["credit"])
        name = row["name"]
        checks.check(abs(balance - total) < 0.005 and abs(balance - newest) < 0.005,
                     f"{name}: balance {balance} = timeline sum {total} = newest running balance {newest}")
        checks.check(abs(balance - float(ledger)) < 0.005,
                     f"{name}: balance {balance} = partner ledger {float(ledger)}")
        checks.check(abs(balance - odoo_row["credit"]) < 0.005,
                     f"{name}: balance {balance} = Odoo's Total Receivable {odoo_row['credit']}")


# Another process's log line in the middle of a traceback.
INTERLEAVED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (INFO|DEBUG|WARNING) ")


def log_problems(path):
    """Traceback/ERROR/CRITICAL lines of the server log."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = handle.read().splitlines()
    problems, block = [], None
    for line in lines:
        if line.startswith("Traceback"):
            block = [line]
            continue
        if block is not None:
            if INTERLEAVED.match(line):
                continue
            block.append(line)
            if line.startswith((" ", "\t")):
                continue
            problems += block
            block = None
            continue
        if " ERROR " in line or " CRITICAL " in line:
            problems.append(line)
    if block:
        problems += block
    return problems


# ---------------------------------------------------------------------------------------------
# Crash runs (kill -9 a worker inside each operation)
# ---------------------------------------------------------------------------------------------

class Crasher:
    def __init__(self, control, admin, clerk, cr, checks):
        self.control, self.admin, self.clerk, self.cr, self.checks = control, admin, clerk, cr, checks

    def kill_at(self, point, call, nth=1):
        """Run ``call`` with the crash point ``point`` armed; kill -9 the worker stopped there.
        Returns whether the worker was found and killed."""
        marker = Path(f"{self.control}.pid")
        marker.unlink(missing_ok=True)
        Path(self.control).write_text(f"{point} {nth}")
        ctx_queue = multiprocessing.Queue()
        process = multiprocessing.Process(target=_call_in_process, args=(call, ctx_queue))
        process.start()
        deadline = time.time() + 90
        killed = False
        while time.time() < deadline and process.is_alive():
            if marker.exists() and marker.read_text().strip():
                pid, _point = marker.read_text().split()
                os.kill(int(pid), signal.SIGKILL)  # the worker stopped at the crash point
                killed = True
                break
            time.sleep(0.05)
        process.join(120)
        Path(self.control).write_text("")
        marker.unlink(missing_ok=True)
        status = ctx_queue.get(timeout=5) if not ctx_queue.empty() else ("?", None)
        return killed, status

    def counts(self, client):
        [(moves,)] = sql(self.cr, "SELECT count(*) FROM account_move WHERE commercial_partner_id = %s", client)
        [(payments,)] = sql(self.cr, "SELECT count(*) FROM account_payment WHERE partner_id = %s", client)
        [(lines,)] = sql(self.cr, """SELECT count(*) FROM account_partial_reconcile pr
                                      JOIN account_move_line l ON l.id = pr.debit_move_id
                                     WHERE l.partner_id = %s""", client)
        [(keys,)] = sql(self.cr, "SELECT count(*) FROM account_billing_idempotency WHERE partner_id = %s", client)
        [row] = self.clerk("res.partner", "read", [client], ["billing_balance"])
        return {"moves": moves, "payments": payments, "reconciliations": lines, "keys": keys,
                "balance": row["billing_balance"]}

    def operation(self, name, client, make_call, expected_delta):
        """Kill inside ``name``: nothing of it is left; the same call again (same idempotency key)
        then does it once, entirely."""
        key = f"crash-{name}-{uuid.uuid4().hex[:8]}"
        before = self.counts(client)
        killed, status = self.kill_at(name, make_call(key))
        self.cr.connection.rollback()
        after_kill = self.counts(client)
        self.checks.check(killed, f"crash {name}: the worker stopped at the crash point and was killed")
        self.checks.check(status[0] in ("crashed", "error"), f"crash {name}: the client saw the crash ({status})")
        self.checks.check(after_kill == before, f"crash {name}: nothing of it left after the kill "
                          f"(before {before}, after {after_kill})")
        status = outcome(lambda: make_call(key)(self.clerk))
        self.cr.connection.rollback()
        after = self.counts(client)
        delta = {field: round(after[field] - before[field], 2) for field in before}
        ok = status[0] == "accepted" and all(delta[field] == value for field, value in expected_delta.items())
        self.checks.check(ok, f"crash {name}: the retry did it once, entirely ({status[0]}, changes {delta}, "
                          f"expected {expected_delta})")
        return status


def _call_in_process(call, queue):
    queue.put(outcome(call))


def crash_runs(args, url, fx, cr, checks, control):
    print("crash runs: kill -9 a worker inside each operation, then the same call again", flush=True)
    admin = Rpc(url, args.db, "admin", args.admin_password)
    clerk = Rpc(url, args.db, USER_LOGIN, USER_PASSWORD)
    crasher = Crasher(control, admin, clerk, cr, checks)
    checks.verbose = True
    run = uuid.uuid4().hex[:6]
    clients = admin("res.partner", "create", [{"name": f"Crash client {run} C{i}", "company_id": False}
                                              for i in range(6)])
    fx["crash_clients"] = clients
    product, bank, cash = fx["product_id"], fx["journal"]["bank"], fx["journal"]["cash"]

    def rpc_call(*call_args, **kwargs):
        def bind(key):
            def do(rpc=None):
                return (rpc or Rpc(url, args.db, USER_LOGIN, USER_PASSWORD))(*call_args, **kwargs,
                                                                            idempotency_key=key)
            return do
        return bind

    c_credit, c_refund, c_pay, c_cancel, c_batch, c_post = clients
    crasher.operation("create_credit", c_credit, rpc_call("res.partner", "billing_create_credit", [c_credit],
                                                          40.0, "crash credit", taxes_included=True),
                      {"moves": 1, "balance": -40.0, "keys": 1})
    crasher.operation("create_charge", c_credit, rpc_call("res.partner", "billing_create_charge", [c_credit],
                                                          15.0, "crash charge", taxes_included=True),
                      {"moves": 1, "balance": 15.0, "keys": 1})
    clerk("res.partner", "billing_create_credit", [c_refund], 100.0, "crash refund fixture")
    crasher.operation("refund", c_refund, rpc_call("res.partner", "billing_refund", [c_refund], 60.0, bank,
                                                   "crash refund"),
                      {"moves": 1, "payments": 1, "reconciliations": 1, "balance": 60.0, "keys": 1})
    move = invoice(clerk, c_pay, product, [(1, 100.0)])
    crasher.operation("make_payment", c_pay, rpc_call("account.move", "billing_make_payment", [move], 100.0, cash),
                      {"moves": 1, "payments": 1, "reconciliations": 1, "balance": -100.0, "keys": 1})
    [payment] = clerk("account.payment", "search", [("partner_id", "=", c_pay), ("payment_type", "=", "inbound")])
    refund = crasher.operation("payment_refund", c_pay, rpc_call("account.payment", "billing_refund", [payment],
                                                                  30.0, "crash payment refund"),
                               {"moves": 1, "payments": 1, "balance": 30.0, "keys": 1})
    move = invoice(clerk, c_cancel, product, [(2, 50.0)])
    [row] = clerk("account.move", "read", [move], ["invoice_line_ids"])
    crasher.operation("cancel_items", c_cancel, rpc_call("account.move", "billing_cancel_items", [move],
                                                         [[row["invoice_line_ids"][0], 1]], note="crash cancel"),
                      {"moves": 1, "reconciliations": 1, "balance": -50.0, "keys": 1})
    # Cancel refund (no idempotency key): killed, then done once.
    if refund[0] == "accepted":
        refund_id = refund[1]
        before = crasher.counts(c_pay)
        killed, status = crasher.kill_at("cancel_refund", lambda: Rpc(url, args.db, USER_LOGIN, USER_PASSWORD)(
            "account.payment", "billing_cancel_refund", [refund_id], "crash cancel refund"))
        cr.connection.rollback()
        [(state, pstate)] = sql(cr, "SELECT billing_refund_state, state FROM account_payment WHERE id = %s", refund_id)
        checks.check(killed and state == "pending" and pstate in ("in_process", "paid"),
                     f"crash cancel_refund: the refund is still pending after the kill ({state}, {pstate})")
        checks.check(crasher.counts(c_pay) == before, "crash cancel_refund: nothing changed after the kill")
        status = outcome(lambda: clerk("account.payment", "billing_cancel_refund", [refund_id], "again"))
        cr.connection.rollback()
        [(state, pstate)] = sql(cr, "SELECT billing_refund_state, state FROM account_payment WHERE id = %s", refund_id)
        after = crasher.counts(c_pay)
        checks.check(status[0] == "accepted" and (state, pstate) == ("cancelled", "canceled")
                     and round(after["balance"] - before["balance"], 2) == -30.0,
                     f"crash cancel_refund: cancelled once by the retry ({status[0]}, {state}, {pstate})")
    settlement_crash(args, url, cr, checks, crasher, admin, clerk, c_batch, fx)
    postdated_crash(args, url, cr, checks, crasher, admin, clerk, c_post, fx)


def settlement_crash(args, url, cr, checks, crasher, admin, clerk, client, fx):
    """Kill the settlement on its 3rd refund: the first two stay settled (committed), the rest pending;
    a re-run settles the rest; no refund is sent to the provider twice."""
    clerk("account.payment", "billing_settle_refunds")  # nothing else pending
    setup = (
        "import uuid\n"
        "from odoo import Command\n"
        f"client = env['res.partner'].browse({client})\n"
        "company = env.company\n"
        f"journal = env['account.journal'].browse({fx['journal']['bank']})\n"
        "provider = env.ref('payment.payment_provider_demo').copy({'name': 'Stress card ' + uuid.uuid4().hex[:6], "
        "'company_id': company.id})\n"
        "method = env.ref('payment_demo.payment_method_demo')\n"
        "provider.write({'state': 'test', 'journal_id': journal.id, 'payment_method_ids': [Command.set(method.ids)]})\n"
        "txs = []\n"
        "for index in range(4):\n"
        "    inv = env['account.move'].create({'move_type': 'out_invoice', 'partner_id': client.id, "
        "'invoice_line_ids': [Command.create({'name': 'Course', 'quantity': 1, 'price_unit': 40.0, "
        "'tax_ids': [Command.clear()]})]})\n"
        "    inv.action_post()\n"
        "    tx = env['payment.transaction'].create({'provider_id': provider.id, 'payment_method_id': method.id, "
        "'reference': 'STRESS-' + uuid.uuid4().hex[:10], 'amount': 40.0, 'currency_id': company.currency_id.id, "
        "'partner_id': client.id, 'operation': 'online_direct', 'invoice_ids': [Command.set(inv.ids)]})\n"
        "    tx._set_done()\n"
        "    tx._post_process()\n"
        "    tx.payment_id.billing_refund(40.0 if index % 2 else 25.0, 'stress card refund %s' % index)\n"
        "    txs.append(tx.id)\n"
        "env.cr.commit()\n"
        "print('TXS', txs)\n"
    )
    out = subprocess.run([DEV, "odoo", "shell", "-d", args.db, "--no-http", "--log-level=warn"], input=setup,
                         capture_output=True, text=True, env=dict(os.environ), check=False)
    txs = next((json.loads(line[4:]) for line in out.stdout.splitlines() if line.startswith("TXS ")), None)
    if not checks.check(bool(txs), f"settlement crash: card payments and refunds created ({out.stderr[-500:]})"):
        return
    cr.connection.rollback()
    pending = [row[0] for row in sql(cr, "SELECT id FROM account_payment WHERE billing_refund_state = 'pending' "
                                         "ORDER BY id")]
    # Made yesterday: their day's cut-off has passed, the scheduled action settles them (R5.4).
    cr.execute("UPDATE account_payment SET create_date = create_date - interval '1 day' WHERE id IN %s",
               (tuple(pending),))
    cr.connection.commit()
    cron = xmlid(admin, MODULE_NAME, "ir_cron_billing_settle_refunds")
    killed, status = crasher.kill_at("settle", lambda: Rpc(url, args.db, "admin", args.admin_password)(
        "ir.cron", "method_direct_trigger", [cron]), nth=3)
    cr.connection.rollback()
    states = dict(sql(cr, "SELECT id, billing_refund_state FROM account_payment WHERE id IN %s", tuple(pending)))
    settled = [pid for pid in pending if states[pid] == "settled"]
    checks.check(killed and settled == pending[:2],
                 f"settlement scheduled action killed on its 3rd refund: the first two committed settled, the "
                 f"others pending "
                 f"({len(settled)} of {len(pending)} settled)")
    sent = dict(sql(cr, """SELECT s.id, count(r.id) FROM payment_transaction s
                             LEFT JOIN payment_transaction r ON r.source_transaction_id = s.id
                            WHERE s.id IN %s GROUP BY s.id""", tuple(txs)))
    checks.check(all(count <= 1 for count in sent.values()), f"settlement crash: no refund sent twice {sent}")
    status = outcome(lambda: admin("ir.cron", "method_direct_trigger", [cron]))
    cr.connection.rollback()
    states = dict(sql(cr, "SELECT id, billing_refund_state FROM account_payment WHERE id IN %s", tuple(pending)))
    sent = dict(sql(cr, """SELECT s.id, count(r.id) FROM payment_transaction s
                             LEFT JOIN payment_transaction r ON r.source_transaction_id = s.id
                            WHERE s.id IN %s GROUP BY s.id""", tuple(txs)))
    checks.check(status[0] == "accepted", f"settlement scheduled action re-run ({status})")
    status = outcome(lambda: clerk("account.payment", "billing_settle_refunds"))
    checks.check(status == ("accepted", 0), f"settlement: nothing left for a third run ({status})")
    checks.check(all(state == "settled" for state in states.values()), f"settlement re-run: none missed {states}")
    checks.check(all(count == 1 for count in sent.values()),
                 f"settlement re-run: each card refund sent to the provider exactly once {sent}")
    [(linked,)] = sql(cr, """SELECT count(*) FROM account_payment WHERE id IN %s AND billing_source_payment_id
                             IN (SELECT payment_id FROM payment_transaction WHERE id IN %s)
                             AND payment_transaction_id IS NOT NULL""", tuple(pending), tuple(txs))
    checks.check(linked == len(txs), f"settlement: each card refund linked to its provider transaction ({linked})")


def postdated_crash(args, url, cr, checks, crasher, admin, clerk, client, fx):
    """Kill the postdated run on its 2nd payment: nothing applied (one transaction); a re-run
    applies each exactly once."""
    tomorrow = time.strftime("%Y-%m-%d", time.localtime(time.time() + 2 * 86400))
    payments = []
    invoices = []
    for amount in (20.0, 30.0, 45.0):
        move = invoice(clerk, client, fx["product_id"], [(1, 100.0)])
        result = clerk("account.move", "billing_make_payment", [move], amount, fx["journal"]["cash"],
                       postdated_date=tomorrow)
        payments.append(result["payment_id"])
        invoices.append(move)
    # Their date has come: what the calendar does (the payments' date is fixed by the module).
    cr.execute("UPDATE account_payment SET date = current_date - 1 WHERE id IN %s", (tuple(payments),))
    cr.execute("""UPDATE account_move SET date = current_date - 1 WHERE id IN
                  (SELECT move_id FROM account_payment WHERE id IN %s)""", (tuple(payments),))
    cr.connection.commit()
    [(others,)] = sql(cr, "SELECT count(*) FROM account_payment WHERE billing_postdated AND state = 'draft' "
                          "AND date <= current_date AND id NOT IN %s", tuple(payments))
    killed, status = crasher.kill_at("postdated", lambda: Rpc(url, args.db, USER_LOGIN, USER_PASSWORD)(
        "account.payment", "billing_apply_postdated"), nth=2)
    cr.connection.rollback()
    states = sql(cr, "SELECT id, state FROM account_payment WHERE id IN %s ORDER BY id", tuple(payments))
    checks.check(killed and all(state == "draft" for _id, state in states),
                 f"postdated run killed on its 2nd payment: none applied ({states})")
    status = outcome(lambda: clerk("account.payment", "billing_apply_postdated"))
    cr.connection.rollback()
    states = sql(cr, "SELECT id, state FROM account_payment WHERE id IN %s ORDER BY id", tuple(payments))
    residuals = sql(cr, "SELECT amount_residual FROM account_move WHERE id IN %s ORDER BY id", tuple(invoices))
    checks.check(status[0] == "accepted" and status[1] == 3 + others
                 and all(state in ("in_process", "paid") for _id, state in states),
                 f"postdated re-run: applies the 3 ({status}, {states})")
    checks.check([float(r[0]) for r in residuals] == [80.0, 70.0, 55.0],
                 f"postdated re-run: each applied once to its invoice (residuals {residuals})")
    status = outcome(lambda: clerk("account.payment", "billing_apply_postdated"))
    checks.check(status == ("accepted", 0), f"postdated: a third run applies nothing ({status})")
    # The same through the scheduled action (its batches are committed chunk by chunk).
    payments, invoices = [], []
    for amount in (15.0, 25.0, 35.0):
        move = invoice(clerk, client, fx["product_id"], [(1, 100.0)])
        result = clerk("account.move", "billing_make_payment", [move], amount, fx["journal"]["cash"],
                       postdated_date=tomorrow)
        payments.append(result["payment_id"])
        invoices.append(move)
    cr.execute("UPDATE account_payment SET date = current_date - 1 WHERE id IN %s", (tuple(payments),))
    cr.execute("""UPDATE account_move SET date = current_date - 1 WHERE id IN
                  (SELECT move_id FROM account_payment WHERE id IN %s)""", (tuple(payments),))
    cr.connection.commit()
    cron = xmlid(admin, MODULE_NAME, "ir_cron_billing_apply_postdated")
    killed, status = crasher.kill_at("postdated", lambda: Rpc(url, args.db, "admin", args.admin_password)(
        "ir.cron", "method_direct_trigger", [cron]), nth=2)
    cr.connection.rollback()
    states = sql(cr, "SELECT id, state FROM account_payment WHERE id IN %s ORDER BY id", tuple(payments))
    checks.check(killed and all(state == "draft" for _id, state in states),
                 f"postdated scheduled action killed on its 2nd payment: none applied ({states})")
    for run in ("re-run", "third run"):
        status = outcome(lambda: admin("ir.cron", "method_direct_trigger", [cron]))
        cr.connection.rollback()
        states = sql(cr, "SELECT id, state FROM account_payment WHERE id IN %s ORDER BY id", tuple(payments))
        residuals = sql(cr, "SELECT amount_residual FROM account_move WHERE id IN %s ORDER BY id", tuple(invoices))
        checks.check(status[0] == "accepted" and all(state in ("in_process", "paid") for _id, state in states)
                     and [float(r[0]) for r in residuals] == [85.0, 75.0, 65.0],
                     f"postdated scheduled action {run}: each applied once to its invoice ({status}, {states}, "
                     f"residuals {residuals})")


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="billing_stress")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("STRESS_HTTP_PORT", "8342")))
    parser.add_argument("--min-rounds", type=int, default=2,
                        help="rounds run even past --seconds (2: both layouts, every scenario once)")
    parser.add_argument("--crash", action="store_true", help="also kill workers inside each operation")
    parser.add_argument("--admin-password", default="admin")
    parser.add_argument("--install", action="store_true",
                        help="first drop the database and install the module with its demo data on it")
    args = parser.parse_args()
    if args.clients < 2:
        parser.error("--clients: at least 2 (races need two)")
    os.environ.setdefault("PGHOST", "127.0.0.1")
    os.environ.setdefault("PGPORT", "5433")
    os.environ.setdefault("PGUSER", "odoo")
    os.environ.setdefault("PGPASSWORD", "odoo")
    started = time.time()
    logdir = ROOT / ".local"
    logdir.mkdir(exist_ok=True)
    log_path = logdir / f"stress_{args.db}.log"
    if args.install:
        subprocess.run([DEV, "setup"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["dropdb", "--if-exists", args.db], check=True)
        print(f"stress: installing {MODULE_NAME} and payment_demo on a fresh {args.db}", flush=True)
        subprocess.run([DEV, "odoo", "-d", args.db, "-i", f"{MODULE_NAME},payment_demo", "--stop-after-init",
                        "--log-level=warn", "--no-http"], check=True)
        print(f"stress: installed in {time.time() - started:.0f}s", flush=True)
        started = time.time()
    control = tempfile.NamedTemporaryFile(prefix="billing_crash_", delete=False).name
    server = Server(args, log_path, control)
    checks = Checks()
    try:
        server.wait_ready()
        admin = Rpc(server.url, args.db, "admin", args.admin_password)
        run = time.strftime("%H%M%S") + uuid.uuid4().hex[:4]
        fx = setup_fixture(admin, run)
        # Every worker loads the registry once before the clock starts.
        warm = [multiprocessing.Process(target=Rpc, args=(server.url, args.db, USER_LOGIN, USER_PASSWORD))
                for _ in range(args.workers * 2)]
        for process in warm:
            process.start()
        for process in warm:
            process.join()
        ready = time.time()
        print(f"stress: {args.db}, {args.workers} workers, {args.clients} clients, {args.seconds:.0f}s "
              f"(server ready in {ready - started:.0f}s)", flush=True)
        manager = multiprocessing.Manager()
        shared = manager.dict()
        results = multiprocessing.Queue()
        stop = multiprocessing.Value("b", 0)
        deadline = time.time() + args.seconds
        barriers_passed = multiprocessing.Value("i", 0)

        def at_barrier():  # three barriers a round; the first of a round reads stop
            barriers_passed.value += 1
            if time.time() >= deadline and barriers_passed.value >= 3 * args.min_rounds:
                stop.value = 1

        barrier = multiprocessing.Barrier(args.clients, action=at_barrier)
        racers = [multiprocessing.Process(target=racer, args=(slot, args, server.url, fx, barrier, stop, shared,
                                                              results)) for slot in range(args.clients)]
        for process in racers:
            process.start()
        records = []
        while any(process.is_alive() for process in racers) or not results.empty():
            try:
                records.append(results.get(timeout=1))
            except Exception:  # queue.Empty
                pass
        for process in racers:
            process.join()
        load_seconds = time.time() - ready
        races = [r for r in records if not r["setup"]]
        setups = [r for r in records if r["setup"]]
        counts = {status: sum(1 for r in races if r["status"] == status)
                  for status in ("accepted", "refused", "error", "crashed")}
        setup_errors = [r for r in setups if r["status"] != "accepted"]
        rounds = len({r["round"] for r in records})
        print(f"load: {rounds} rounds in {load_seconds:.0f}s; racing operations attempted {len(races)}, "
              f"accepted {counts['accepted']}, refused {counts['refused']}, errors "
              f"{counts['error'] + counts['crashed']}; set-up operations {len(setups)} "
              f"({len(setup_errors)} failed)", flush=True)
        by_operation = {}
        for r in races:
            row = by_operation.setdefault(r["operation"], {"accepted": 0, "refused": 0, "error": 0, "crashed": 0})
            row[r["status"]] += 1
        for name, row in sorted(by_operation.items()):
            print(f"  {name:42} accepted {row['accepted']:4}  refused {row['refused']:4}  "
                  f"errors {row['error'] + row['crashed']}")
        refusals = {}
        for r in races:
            if r["status"] == "refused":
                text = r["value"].split(":")[0][:70]
                refusals[text] = refusals.get(text, 0) + 1
        for text, count in sorted(refusals.items(), key=lambda item: -item[1])[:6]:
            print(f"    refused x{count}: {text}")
        for r in [r for r in records if r["status"] in ("error", "crashed")][:10]:
            print(f"  ERROR in {r['scenario']} ({'set-up' if r['setup'] else r['operation']}): {r['value']}")
        conn = pg_connect(args.db)
        cr = conn.cursor()
        checks.check(len(races) > 0, f"operations ran ({len(races)} racing, {rounds} rounds)")
        checks.check(counts["error"] + counts["crashed"] + len(setup_errors) == 0,
                     "no HTTP 500 and no server error other than a clean UserError/ValidationError")
        check_races(checks, records, cr)
        clerk = Rpc(server.url, args.db, USER_LOGIN, USER_PASSWORD)
        check_invariants(checks, cr, admin, clerk, fx)
        if args.crash:
            crash_runs(args, server.url, fx, cr, checks, control)
            checks.verbose = False
            conn.rollback()
            check_invariants(checks, cr, admin, clerk, fx)
        conn.close()
    finally:
        server.stop()
        Path(control).unlink(missing_ok=True)
    problems = log_problems(log_path)
    checks.check(not problems, f"no Traceback/ERROR in the server log ({len(problems)}: {problems[:6]})")
    print(f"invariant checks: {checks.passed} passed, {len(checks.failed)} failed; total {time.time() - started:.0f}s; "
          f"server log: {log_path}")
    print(f"stress: {checks.passed} passed, {len(checks.failed)} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
