#!/usr/bin/env bash
# make bench: the benchmarks of issue 10 on a fresh database (tag billing_bench, never in make test),
# then the table of bench/results.json. BENCH_SIZES, BENCH_REPEAT, BENCH_CRON_COUNT tune the run.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rm -f "$ROOT/bench/results.json"
TEST_TAGS="${TEST_TAGS:-billing_bench}" TEST_DB="${TEST_DB:-billing_bench}" "$ROOT/tools/dev.sh" test
rc=$?
[ -f "$ROOT/bench/results.json" ] && python3 "$ROOT/bench/report.py" "$ROOT/bench/results.json" \
    | tee "$ROOT/bench/results.md"
exit $rc
