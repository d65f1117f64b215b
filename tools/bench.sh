#!/usr/bin/env bash
# make bench: the benchmarks of issue 10 on a fresh database (tag billing_bench, never in make test),
# then the table of bench/results.json. BENCH_SIZES, BENCH_REPEAT, BENCH_CRON_COUNT tune the run.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# BENCH_OPERATIONS=0: the Billing tab, the statement and the plans only, the other figures of
# bench/results.json kept (with TEST_TAGS=billing_bench/account_billing_operations:TestBillingBenchmark).
[ "${BENCH_OPERATIONS:-1}" = 0 ] || rm -f "$ROOT/bench/results.json"
TEST_TAGS="${TEST_TAGS:-billing_bench}" TEST_DB="${TEST_DB:-billing_bench}" "$ROOT/tools/dev.sh" test
rc=$?
[ -f "$ROOT/bench/results.json" ] && python3 "$ROOT/bench/report.py" "$ROOT/bench/results.json" \
    | tee "$ROOT/bench/results.md"
exit $rc
