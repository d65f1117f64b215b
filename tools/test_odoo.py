#!/usr/bin/env python3
"""Odoo's own accounting tests, with and without the module (make test-odoo).

Installs two databases side by side, ``<prefix>_with`` (account_payment + the module) and
``<prefix>_without`` (account_payment only), runs on each the same test classes of Odoo's ``account``
(moves, credit notes, reversal, reconciliation, payments, Register Payment) and the whole of
``account_payment``, and prints the results per class side by side. Exit status 1 when a test that
passes without the module fails with it (or when nothing ran).

Usage: tools/test_odoo.py [--prefix billing_odoo] [--keep] [--classes /account:TestX,...]
Environment: as tools/dev.sh (VENV, PGPORT, ...); TEST_HTTP_PORT and TEST_HTTP_PORT2 for the two runs.
"""
import argparse
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = str(ROOT / "tools" / "dev.sh")
MODULE = "account_billing_operations"

ACCOUNT_CLASSES = [
    "TestAccountMoveOutInvoiceOnchanges",   # customer invoices (incl. Add Credit Note / reversal)
    "TestAccountMoveOutRefundOnchanges",    # customer credit notes
    "TestAccountMove",                      # journal entries: post, reset, reverse, lock dates
    "TestAccountMoveDateAlgorithm",         # reversal and posting dates
    "TestAccountMoveReconcile",             # reconciliation, partials, exchange differences
    "TestAccountMovePaymentsWidget",        # outstanding credits applied to an invoice
    "TestAccountPayment",                   # payments
    "TestAccountPaymentRegister",           # Register Payment
    "TestAccountPaymentItems",
    "TestAccountPaymentDuplicateMoves",
    "TestAccountEarlyPaymentDiscount",
    "TestAccountPartner",
]
TAGS = ",".join([f"/account:{name}" for name in ACCOUNT_CLASSES] + ["/account_payment"])

START = re.compile(r": Starting (?:Subtest )?(\w+)\.(\w+)")
BAD = re.compile(r" ERROR \S+ (odoo\.addons\.(\w+)\.\S+): (FAIL|ERROR): (?:Subtest )?(\S+)")
SKIP = re.compile(r": skipped (\w+)\.(\w+)")
MODULE_OF = re.compile(r" odoo\.addons\.(\w+)\.tests\.")
SETUP = re.compile(r"setUpClass \(odoo\.addons\.(\w+)\.tests\.\w+\.(\w+)\)")


def dev(*args, log=None, env=None):
    out = open(log, "w") if log else subprocess.DEVNULL
    return subprocess.Popen([DEV, *args], stdout=out, stderr=subprocess.STDOUT, env=env)


def parse(path):
    """{'module:Class': {'run': n, 'failed': set(methods), 'skipped': n}}"""
    result = defaultdict(lambda: {"run": set(), "failed": set(), "skipped": set()})
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            module = MODULE_OF.search(line)
            module = module.group(1) if module else "?"
            match = START.search(line)
            if match and "Subtest" not in line:
                result[f"{module}:{match.group(1)}"]["run"].add(match.group(2))
                continue
            match = BAD.search(line)
            if match:
                test = match.group(4)
                setup = SETUP.search(line)
                if setup:
                    result[f"{setup.group(1)}:{setup.group(2)}"]["failed"].add("setUpClass")
                elif "." in test:
                    klass, method = test.split(".", 1)
                    result[f"{match.group(2)}:{klass}"]["failed"].add(method.split(" ")[0])
                continue
            match = SKIP.search(line)
            if match:
                result[f"{module}:{match.group(1)}"]["skipped"].add(match.group(2))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="billing_odoo")
    parser.add_argument("--tags", default=TAGS)
    parser.add_argument("--keep", action="store_true", help="reuse the databases if they exist")
    parser.add_argument("--report-only", action="store_true", help="only compare the logs of the last run")
    args = parser.parse_args()
    started = time.time()
    logdir = ROOT / ".local"
    logdir.mkdir(exist_ok=True)
    if args.report_only:
        return report({side: logdir / f"test_odoo_{side}.log" for side in ("with", "without")}, started, started)
    env = dict(os.environ)
    subprocess.run([DEV, "setup"], check=True, env=env)  # venv and cluster, before the parallel runs
    sides = {"with": f"account_payment,{MODULE}", "without": "account_payment"}
    ports = {"with": env.get("TEST_HTTP_PORT", "8169"), "without": env.get("TEST_HTTP_PORT2", "8170")}
    dbs = {side: f"{args.prefix}_{side}" for side in sides}
    procs = {}
    for side, modules in sides.items():
        if not args.keep:
            subprocess.run(["dropdb", "--if-exists", dbs[side]], check=True, env={
                **env, "PGHOST": env.get("PGHOST", "127.0.0.1"), "PGPORT": env.get("PGPORT", "5433"),
                "PGUSER": env.get("PGUSER", "odoo"), "PGPASSWORD": env.get("PGPASSWORD", "odoo")})
        procs[side] = dev("odoo", "-d", dbs[side], "-i", modules, "--stop-after-init", "--log-level=warn",
                          "--http-port", ports[side], log=logdir / f"test_odoo_install_{side}.log", env=env)
    for side, proc in procs.items():
        if proc.wait():
            print(f"installing {sides[side]} on {dbs[side]} failed: see .local/test_odoo_install_{side}.log")
            return 1
    installed = time.time()
    print(f"test-odoo: both databases installed in {installed - started:.0f}s; running {args.tags}", flush=True)
    logs = {side: logdir / f"test_odoo_{side}.log" for side in sides}
    procs = {side: dev("odoo", "-d", dbs[side], "--test-enable", "--test-tags", args.tags, "--stop-after-init",
                       "--log-level=test", "--http-interface", "127.0.0.1", "--http-port", ports[side],
                       log=logs[side], env=env) for side in sides}
    for proc in procs.values():
        proc.wait()
    return report(logs, started, installed)


def report(logs, started, installed):
    results = {side: parse(logs[side]) for side in ("with", "without")}
    classes = sorted(set(results["with"]) | set(results["without"]))
    print(f"\n{'class':58} {'with the module':>18} {'without':>18}")
    regressions = []
    totals = {side: [0, 0] for side in results}
    for name in classes:
        cells = []
        for side in ("with", "without"):
            data = results[side].get(name)
            if not data:
                cells.append("-")
                continue
            failed = len(data["failed"])
            passed = len(data["run"] - data["failed"] - data["skipped"])
            totals[side][0] += passed
            totals[side][1] += failed
            cells.append(f"{passed} ok, {failed} failed")
        print(f"{name:58} {cells[0]:>18} {cells[1]:>18}")
        without = results["without"].get(name)
        with_ = results["with"].get(name)
        if without:
            passed_without = without["run"] - without["failed"] - without["skipped"]
            broken = (passed_without & with_["failed"]) if with_ else passed_without
            if with_ and "setUpClass" in with_["failed"]:
                broken = passed_without
            regressions += [f"{name}.{method}" for method in sorted(broken)]
    print(f"{'total':58} {totals['with'][0]:>6} ok, {totals['with'][1]} failed "
          f"{totals['without'][0]:>6} ok, {totals['without'][1]} failed")
    print(f"time: {time.time() - started:.0f}s (install {installed - started:.0f}s, tests "
          f"{time.time() - installed:.0f}s); logs: .local/test_odoo_with.log, .local/test_odoo_without.log")
    if regressions:
        print("passing without the module, failing with it:")
        for name in regressions:
            print(f"  {name}")
    if not totals["without"][0] or not totals["with"][0]:
        print("test-odoo: no test ran")
        return 1
    print(f"test-odoo: {len(regressions)} regression(s)")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
