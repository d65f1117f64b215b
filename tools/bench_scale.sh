#!/usr/bin/env bash
# make bench-scale: the Billing tab and the statement at scale (issue 10 item 3), tag billing_bench_scale,
# on a database of its own (BENCH_SCALE_DB, default billing_scale: a copy of TEST_DB, kept between runs, so
# the data is built once). BENCH_PARTNERS=100000 BENCH_ITEMS=1000000: the client among 100,000 partners with
# 1,000,000 journal items in all. Figures: the log and bench/results.json ("billing_tab_scale").
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB="${BENCH_SCALE_DB:-billing_scale}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5433}" PGUSER="${PGUSER:-odoo}" PGPASSWORD="${PGPASSWORD:-odoo}"
LOG="$ROOT/.local/bench-scale.log"
"$ROOT/tools/dev.sh" pg-start
if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    createdb -T "${TEST_DB:-billing_test}" "$DB" || { echo "make test first: $DB is a copy of its database" >&2; exit 1; }
    rm -rf "$ROOT/.local/filestore/filestore/$DB"
    [ ! -d "$ROOT/.local/filestore/filestore/${TEST_DB:-billing_test}" ] \
        || cp -a "$ROOT/.local/filestore/filestore/${TEST_DB:-billing_test}" "$ROOT/.local/filestore/filestore/$DB"
fi
"$ROOT/tools/dev.sh" odoo -d "$DB" -u account_billing_operations --test-enable --test-tags billing_bench_scale \
    --stop-after-init --http-interface 127.0.0.1 --http-port "${TEST_HTTP_PORT:-8169}" --log-level=test \
    ${ODOO_ARGS:-} > "$LOG" 2>&1
rc=$?
grep -E 'BENCH|ERROR|FAIL|tests when loading' "$LOG" | grep -v 'BENCH plan' >&2
exit $rc
