#!/usr/bin/env bash
# Set-up from any folder (make test-lifecycle): as root, a clone in a folder other users cannot
# enter (mode 0700) starts its embedded PostgreSQL, answers `select 1`, stops it, and `pg-clean`
# removes the cluster kept outside the checkout. A fallback folder the cluster's user cannot reach
# either gives one clear message. Prints "setup-anywhere: N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
passed=0 failed=0
ok() { echo "  ok: $*"; passed=$((passed + 1)); }
ko() { echo "  FAILED: $*"; failed=$((failed + 1)); }

if [ "$(id -u)" != 0 ]; then
    echo "setup-anywhere: not root, nothing to check (the cluster then runs as the checkout's owner)"
    echo "setup-anywhere: 0 passed, 0 failed"
    exit 0
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
closed="$(mktemp -d)"   # mode 0700: billingpg cannot enter it
chmod 0700 "$closed"
git clone -q "$ROOT" "$closed/clone" || { echo "git clone failed"; exit 1; }
clone="$closed/clone"
fallback="/var/lib/account_billing_operations-pg/$(printf %s "$clone" | sha1sum | cut -c1-12)"
export PGPORT="$port" PGHOST=127.0.0.1 PGUSER=odoo PGPASSWORD=odoo

echo "clone in $closed (mode $(stat -c %a "$closed")), PostgreSQL on port $port"
if (cd "$clone" && tools/dev.sh pg-start) > "$closed/start.log" 2>&1; then ok "pg-start in a 0700 folder"
else ko "pg-start in a 0700 folder: $(tail -n 3 "$closed/start.log")"; fi
if [ "$(psql -qtA -d postgres -c 'select 1' 2>&1)" = 1 ]; then ok "psql select 1"; else ko "psql select 1"; fi
if [ -f "$fallback/pgdata/PG_VERSION" ]; then ok "cluster kept in $fallback"; else ko "no cluster in $fallback"; fi
grep -q "cannot enter" "$closed/start.log" && ok "the start says where the cluster is" || ko "no message on the cluster's place"
(cd "$clone" && tools/dev.sh pg-start) > /dev/null 2>&1 && ok "a second pg-start reuses it" || ko "second pg-start"
(cd "$clone" && tools/dev.sh pg-stop) > /dev/null 2>&1
if psql -qtA -d postgres -c 'select 1' > /dev/null 2>&1; then ko "pg-stop: still answering"; else ok "pg-stop"; fi
(cd "$clone" && tools/dev.sh pg-clean) > /dev/null 2>&1
if [ -e "$fallback" ]; then ko "pg-clean left $fallback"; else ok "pg-clean removed $fallback"; fi

# Impossible: the fallback folder itself is closed to the cluster's user -> one clear message.
out="$(cd "$clone" && PG_HOME_FALLBACK="$closed/pg" tools/dev.sh pg-start 2>&1)"
if [ $? -ne 0 ] && grep -q "cannot enter" <<<"$out" && grep -q "EMBEDDED_PG=0" <<<"$out"; then
    ok "unreachable fallback: clear message"
else
    ko "unreachable fallback: $out"
fi
[ "$(grep -c ERROR <<<"$out")" = 1 ] && ok "one message" || ko "more than one error: $out"
rm -rf "$closed"
echo "setup-anywhere: $passed passed, $failed failed"
[ "$failed" = 0 ]
