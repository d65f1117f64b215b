#!/usr/bin/env bash
# Set-up, demo server and test run for account_billing_operations.
# Usage: tools/dev.sh setup|pg-start|pg-stop|run|test|shell|bench
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE=account_billing_operations
LOCAL="$ROOT/.local"
VENV="${VENV:-$ROOT/.venv}"
ODOO_SRC="${ODOO_SRC:-/opt/odoo-18.0}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
# The cluster lives in .local/ unless, as root, its system user cannot enter the checkout (a folder
# of mode 0700, /root/...): then in a folder of its own named after the checkout (see pg_locate).
PG_HOME_FALLBACK="${PG_HOME_FALLBACK:-/var/lib/account_billing_operations-pg/$(printf %s "$ROOT" | sha1sum | cut -c1-12)}"
PGDATA_DIR="$LOCAL/pgdata"
PGSOCK="$LOCAL/pgrun"
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5433}"
export PGUSER="${PGUSER:-odoo}"
export PGPASSWORD="${PGPASSWORD:-odoo}"
PG_OS_USER="${PG_OS_USER:-billingpg}"
EMBEDDED_PG="${EMBEDDED_PG:-1}"   # 0: use the PostgreSQL server given by PGHOST/PGPORT/PGUSER/PGPASSWORD
DEMO_DB="${DEMO_DB:-billing_demo}"
TEST_DB="${TEST_DB:-billing_test}"
HTTP_PORT="${HTTP_PORT:-8069}"

log() { printf '\033[1m[%s]\033[0m %s\n' "$MODULE" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$MODULE" "$*" >&2; exit 1; }
as_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
    as_root || die "missing system packages ($*); install them with apt-get as root"
    if [ ! -f "$LOCAL/.apt-updated" ]; then apt-get update -qq; mkdir -p "$LOCAL"; touch "$LOCAL/.apt-updated"; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_system() {
    local missing=()
    [ -x "$PGBIN/initdb" ] || [ "$EMBEDDED_PG" = 0 ] || missing+=(postgresql-15)
    command -v psql >/dev/null || missing+=(postgresql-client)
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    command -v chromium >/dev/null || missing+=(chromium)
    fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
    if [ ${#missing[@]} -gt 0 ]; then log "apt-get install ${missing[*]}"; apt_install "${missing[@]}"; fi
}

ensure_venv() {
    local stamp="$VENV/.stamp" want
    want="$(cat "$ROOT/requirements.txt" "$ROOT/tools/constraints.txt" "$ROOT/tools/dev.sh" | sha1sum | cut -c1-12)"
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
    [ -x "$VENV/bin/python" ] || { log "creating $VENV"; python3 -m venv "$VENV"; }
    local py="$VENV/bin/python"
    if ! "$py" -c 'import odoo.release' 2>/dev/null; then
        local sys_odoo
        sys_odoo="$(python3 -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))' 2>/dev/null || true)"
        if [ -n "$sys_odoo" ] && [ -f "$sys_odoo/requirements.txt" ]; then ODOO_SRC="$sys_odoo"; fi
        [ -f "$ODOO_SRC/odoo/release.py" ] && [ -f "$ODOO_SRC/requirements.txt" ] || die \
"Odoo 18.0 not found. Provide it one of two ways:
  - a Python environment where 'import odoo' works (Odoo 18.0 installed), or
  - the Odoo 18.0 source tree (odoo/, addons/, odoo-bin, setup.py, requirements.txt) at \$ODOO_SRC (now: $ODOO_SRC)."
        grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" || die "$ODOO_SRC is not Odoo 18.0"
        # Odoo's pins that do not build on this Python are replaced by tools/constraints.txt;
        # python-ldap (auth_ldap only) needs LDAP headers and is left out.
        local pinned
        pinned="$(grep -oE '^[A-Za-z0-9_.-]+' "$ROOT/tools/constraints.txt" | paste -sd'|')"
        grep -viE "^(${pinned}|python-ldap)\b" "$ODOO_SRC/requirements.txt" > "$VENV/odoo-requirements.txt"
        log "installing Odoo's Python requirements (from $ODOO_SRC)"
        pip_install -r "$VENV/odoo-requirements.txt" -c "$ROOT/tools/constraints.txt"
        log "installing Odoo from $ODOO_SRC (editable)"
        pip_install --no-deps -e "$ODOO_SRC"
    fi
    log "installing the module's requirements"
    pip_install -r "$ROOT/requirements.txt" -c "$ROOT/tools/constraints.txt"
    echo "$want" > "$stamp"
}

# The addons path holds a link named after the module to this checkout. It lives outside the
# checkout: a link inside it would point at its own parent (Odoo's file walks follow links).
ADDONS_LINK_DIR="${ADDONS_LINK_DIR:-${TMPDIR:-/tmp}/$MODULE-addons-$(printf %s "$ROOT" | sha1sum | cut -c1-10)}"

ensure_addons_link() {
    mkdir -p "$ADDONS_LINK_DIR"
    [ "$(readlink "$ADDONS_LINK_DIR/$MODULE" 2>/dev/null)" = "$ROOT" ] || ln -sfn "$ROOT" "$ADDONS_LINK_DIR/$MODULE"
}

pip_install() {  # pip, without the warnings about this machine's local index folders
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$@" 2> >(grep -v 'is ignored: it is neither' >&2)
}

pg_run() {  # run a PostgreSQL binary as the cluster's owner (from /: the caller's folder may be closed to it)
    if as_root; then (cd / && runuser -u "$PG_OS_USER" -- "$@"); else "$@"; fi
}

pg_user_reaches() {  # whether the cluster's system user can enter the folder $1 (and all its parents)
    ! as_root || (cd / && runuser -u "$PG_OS_USER" -- test -x "$1") 2>/dev/null
}

pg_locate() {  # PGDATA_DIR / PGSOCK: .local/, or PG_HOME_FALLBACK when the cluster's user cannot reach .local/
    local home="$LOCAL"
    if [ ! -f "$LOCAL/pgdata/PG_VERSION" ]; then
        if [ -f "$PG_HOME_FALLBACK/pgdata/PG_VERSION" ]; then
            home="$PG_HOME_FALLBACK"
        elif as_root && [ "${1:-}" = create ] && ! pg_user_reaches "$LOCAL"; then
            home="$PG_HOME_FALLBACK"
            mkdir -p "$home" 2>/dev/null && chown "$PG_OS_USER" "$home" && chmod 0700 "$home" \
                && pg_user_reaches "$home" || die \
"PostgreSQL runs as the system user $PG_OS_USER, which cannot enter $LOCAL (this checkout or one of its
parent folders is closed to other users, e.g. mode 0700), and its cluster could not be kept in $home
instead. Either clone the project into a folder other users can traverse (chmod o+x on its parents),
set PG_HOME_FALLBACK to a folder $PG_OS_USER can write, or use your own server with EMBEDDED_PG=0."
            log "$PG_OS_USER cannot enter $LOCAL: the cluster is kept in $home"
        fi
    fi
    PGDATA_DIR="$home/pgdata"
    PGSOCK="$home/pgrun"
}

pg_start() {
    [ "$EMBEDDED_PG" = 1 ] || return 0
    mkdir -p "$LOCAL"
    if as_root; then
        id "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    pg_locate create
    if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
        log "initdb $PGDATA_DIR"
        mkdir -p "$PGDATA_DIR" "$PGSOCK"
        as_root && chown "$PG_OS_USER" "$PGDATA_DIR" "$PGSOCK"
        pg_run "$PGBIN/initdb" -D "$PGDATA_DIR" -U "$PG_OS_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >> "$PGDATA_DIR/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGSOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
max_connections = 100
CONF
    fi
    mkdir -p "$PGSOCK"; as_root && chown "$PG_OS_USER" "$PGSOCK"
    if ! pg_run "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
        log "starting PostgreSQL on 127.0.0.1:$PGPORT"
        pg_run "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -o "-p $PGPORT" -l "$PGDATA_DIR/server.log" -w -t 60 start >/dev/null \
            || { tail -n 5 "$PGDATA_DIR/server.log" >&2; die "PostgreSQL did not start on port $PGPORT (in use? set PGPORT)"; }
    fi
    if ! psql -qtA -d postgres -c 'select 1' >/dev/null 2>&1; then
        psql -qtA -U "$PG_OS_USER" -d postgres -c "CREATE ROLE $PGUSER LOGIN CREATEDB PASSWORD '$PGPASSWORD'" >/dev/null
    fi
}

pg_stop() {
    pg_locate
    [ -f "$PGDATA_DIR/PG_VERSION" ] || return 0
    pg_run "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast stop >/dev/null 2>&1 || true
}

pg_clean() {  # make clean: stop the cluster and remove it when it lives outside .local/
    pg_stop
    if [ -d "$PG_HOME_FALLBACK" ]; then log "removing $PG_HOME_FALLBACK"; rm -rf "$PG_HOME_FALLBACK"; fi
}

odoo() {
    # The odoo script rather than "python -m odoo": with --workers, Odoo starts its websocket (gevent)
    # process by running sys.argv[0] again, which "-m odoo" makes a failing odoo/__main__.py.
    local cmd=("$VENV/bin/python" -m odoo)
    [ -x "$VENV/bin/odoo" ] && cmd=("$VENV/bin/odoo")
    "${cmd[@]}" "$@" --db_host "$PGHOST" --db_port "$PGPORT" --db_user "$PGUSER" \
        --db_password "$PGPASSWORD" --addons-path "$(odoo_addons_path)" --data-dir "$LOCAL/filestore"
}

odoo_addons_path() {
    local src
    src="$("$VENV/bin/python" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')"
    echo "$src/odoo/addons,$src/addons,$ADDONS_LINK_DIR"
}

db_has_module() {
    psql -qtA -d "$1" -c "SELECT 1 FROM ir_module_module WHERE name='$MODULE' AND state='installed'" 2>/dev/null | grep -q 1
}

prepare() { ensure_system; ensure_venv; ensure_addons_link; pg_start; }

module_hash() {  # what the demo database was last updated with
    local paths=() p
    for p in __manifest__.py __init__.py models wizards views security data demo report i18n static; do
        [ -e "$ROOT/$p" ] && paths+=("$p")
    done
    (cd "$ROOT" && find "${paths[@]}" -type f \( -name '*.py' -o -name '*.xml' -o -name '*.csv' -o -name '*.po' \
        -o -name '*.js' \) | sort | xargs cat | sha1sum | cut -c1-16)
}

cmd_run() {
    prepare
    local stamp="$LOCAL/$DEMO_DB.stamp"
    if ! db_has_module "$DEMO_DB"; then
        log "creating demo database $DEMO_DB (Odoo + $MODULE + demo data)"
        dropdb --if-exists "$DEMO_DB"
        odoo -d "$DEMO_DB" -i "$MODULE,payment_demo" --stop-after-init --log-level=warn
        # partner_autocomplete (auto-installed) calls odoo.com when a contact is opened: not here.
        # The demo card provider (payment_demo) may be installed after this module: enable it now.
        printf '%s\n' \
            "env.ref('base.main_company')._billing_setup_demo_provider()" "env.cr.commit()" \
            "env['ir.module.module'].search([('name', '=', 'partner_autocomplete'), ('state', '=', 'installed')]).button_immediate_uninstall()" \
            | odoo shell -d "$DEMO_DB" --log-level=warn --no-http >/dev/null
        module_hash > "$stamp"
    elif [ "$(cat "$stamp" 2>/dev/null)" != "$(module_hash)" ]; then
        log "updating $MODULE in $DEMO_DB"
        odoo -d "$DEMO_DB" -u "$MODULE" --stop-after-init --log-level=warn
        module_hash > "$stamp"
    fi
    log "Odoo: http://localhost:$HTTP_PORT  database: $DEMO_DB  login: admin  password: admin"
    exec "$VENV/bin/python" -m odoo -d "$DEMO_DB" --db-filter="^${DEMO_DB}\$" \
        --db_host "$PGHOST" --db_port "$PGPORT" --db_user "$PGUSER" --db_password "$PGPASSWORD" \
        --addons-path "$(odoo_addons_path)" --data-dir "$LOCAL/filestore" \
        --http-interface 127.0.0.1 --http-port "$HTTP_PORT" ${ODOO_ARGS:-}
}

cmd_test() {
    prepare
    local logf="$LOCAL/test.log" rc=0
    dropdb --if-exists "$TEST_DB"
    if [ -n "${TEST_TAGS:-}" ] || [ "${TEST_SHARDS:-2}" = 1 ]; then  # a chosen subset: one process
        local tags="${TEST_TAGS:-/$MODULE}"
        log "testing $MODULE on a fresh database $TEST_DB (tags: $tags); log: $logf"
        odoo -d "$TEST_DB" -i "$MODULE,payment_demo" --test-enable --test-tags "$tags" --stop-after-init \
            --http-interface 127.0.0.1 --http-port "${TEST_HTTP_PORT:-8169}" --log-level=test ${ODOO_ARGS:-} \
            > "$logf" 2>&1 || rc=$?
        grep -E ' (ERROR|CRITICAL) |^(FAIL|ERROR):|Traceback|tests when loading' "$logf" | tail -n 60 >&2 || true
        "$VENV/bin/python" "$ROOT/tools/summary.py" "$logf" || rc=1
        return $rc
    fi
    # The whole suite: install once, copy the database, and run two shards side by side (2 cores).
    local db_b="${TEST_DB}_b" log_i="$LOCAL/test-install.log" log_a="$LOCAL/test-a.log" log_b="$LOCAL/test-b.log"
    local db_s="${TEST_DB}_stress" log_s="$LOCAL/test-stress.log" logs
    local tags_a tags_b pid_a rc_a=0 rc_b=0
    log "installing $MODULE on a fresh database $TEST_DB; log: $log_i"
    odoo -d "$TEST_DB" -i "$MODULE,payment_demo" --test-enable --test-tags '-*' --stop-after-init \
        --http-interface 127.0.0.1 --http-port "${TEST_HTTP_PORT:-8169}" --log-level=info ${ODOO_ARGS:-} \
        > "$log_i" 2>&1 || { tail -n 40 "$log_i" >&2; die "the module did not install (see $log_i)"; }
    dropdb --if-exists "$db_b"
    createdb -T "$TEST_DB" "$db_b"
    rm -rf "$LOCAL/filestore/filestore/$db_b"
    [ ! -d "$LOCAL/filestore/filestore/$TEST_DB" ] || cp -a "$LOCAL/filestore/filestore/$TEST_DB" "$LOCAL/filestore/filestore/$db_b"
    dropdb --if-exists "$db_s"
    [ "${TEST_STRESS:-1}" = 0 ] || createdb -T "$TEST_DB" "$db_s"
    { read -r tags_a; read -r tags_b; } < <("$VENV/bin/python" "$ROOT/tools/shards.py" "$MODULE" "$ROOT/tests")
    log "running the tests in two shards ($TEST_DB, $db_b); logs: $log_a $log_b"
    odoo -d "$TEST_DB" --test-enable --test-tags "$tags_a" --stop-after-init --http-interface 127.0.0.1 \
        --http-port "${TEST_HTTP_PORT:-8169}" --log-level=test ${ODOO_ARGS:-} > "$log_a" 2>&1 &
    pid_a=$!
    odoo -d "$db_b" --test-enable --test-tags "$tags_b" --stop-after-init --http-interface 127.0.0.1 \
        --http-port "${TEST_HTTP_PORT_B:-$(( ${TEST_HTTP_PORT:-8169} + 1000 ))}" --log-level=test ${ODOO_ARGS:-} \
        > "$log_b" 2>&1 || rc_b=$?
    wait "$pid_a" || rc_a=$?
    cat "$log_i" "$log_a" "$log_b" > "$logf"
    grep -hE ' (ERROR|CRITICAL) |^(FAIL|ERROR):|Traceback|tests when loading' "$log_i" "$log_a" "$log_b" \
        | tail -n 60 >&2 || true
    logs=("$log_i" "$log_a" "$log_b")
    if [ "${TEST_STRESS:-1}" != 0 ]; then  # docs/rules.md §7 on Odoo --workers: the short run of make test-stress (TEST_STRESS=0 skips it)
        log "short multi-worker stress on $db_s (10 s); log: $log_s"
        "$VENV/bin/python" "$ROOT/tools/stress.py" --db "$db_s" --seconds 10 \
            --http-port "${TEST_STRESS_PORT:-$(( ${TEST_HTTP_PORT:-8169} + 2000 ))}" > "$log_s" 2>&1 || rc=1
        tail -n 12 "$log_s" >&2
        logs+=("$log_s")
    fi
    "$VENV/bin/python" "$ROOT/tools/summary.py" "${logs[@]}" || rc=1
    [ "$rc_a" = 0 ] && [ "$rc_b" = 0 ] || rc=1
    return $rc
}

cmd_pytest() {  # pytest-odoo on the last test database, from any checkout folder: the fast inner loop
    prepare
    local conf="$LOCAL/pytest-odoo.conf" db="${PYTEST_DB:-$TEST_DB}"
    db_has_module "$db" || die "no database $db with $MODULE installed: run 'make test' once (or set PYTEST_DB)"
    if [ "${UPDATE:-0}" = 1 ]; then
        log "updating $MODULE in $db"
        odoo -d "$db" -u "$MODULE" --stop-after-init --log-level=warn
    fi
    cat > "$conf" <<CONF
[options]
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = $PGPASSWORD
addons_path = $(odoo_addons_path)
data_dir = $LOCAL/filestore
http_interface = 127.0.0.1
http_port = ${TEST_HTTP_PORT:-8169}
CONF
    # The test files are given through the addons path's link, named after the module, so that
    # pytest-odoo imports them as odoo.addons.$MODULE.tests whatever this checkout's folder is called
    # (a relative path would resolve to the real folder: the working directory is always physical).
    local args=() word
    # shellcheck disable=SC2086
    for word in ${ARGS:-tests}; do
        if [ "${word#-}" = "$word" ] && [ -e "$ROOT/${word%%::*}" ]; then word="$ADDONS_LINK_DIR/$MODULE/$word"; fi
        args+=("$word")
    done
    cd "$ADDONS_LINK_DIR"
    "$VENV/bin/python" -m pytest -p no:cacheprovider --odoo-config "$conf" --odoo-database "$db" \
        --odoo-log-level=warn "${args[@]}"
}

cmd_pot() {  # i18n/<module>.pot from a clean copy of the module (no .venv/.local in the walk)
    prepare
    local copy db=billing_pot
    copy="$(mktemp -d)"
    mkdir -p "$copy/$MODULE"
    (cd "$ROOT" && git ls-files -co --exclude-standard | tar -cf - -T -) | tar -xf - -C "$copy/$MODULE"
    dropdb --if-exists "$db"
    ADDONS_LINK_DIR="$copy" odoo -d "$db" -i "$MODULE" --without-demo=all --stop-after-init --log-level=warn
    mkdir -p "$ROOT/i18n"
    ADDONS_LINK_DIR="$copy" odoo -d "$db" --i18n-export="$ROOT/i18n/$MODULE.pot" --modules="$MODULE" \
        --stop-after-init --log-level=warn
    "$VENV/bin/python" "$ROOT/tools/make_fr_po.py"
    dropdb --if-exists "$db"
    rm -rf "$copy"
}

case "${1:-}" in
    pot) cmd_pot ;;
    setup) prepare ;;
    pg-start) ensure_system; pg_start ;;
    pg-stop) pg_stop ;;
    pg-clean) pg_clean ;;
    run) cmd_run ;;
    test) cmd_test ;;
    pytest) cmd_pytest ;;
    shell) prepare; odoo shell -d "${2:-$DEMO_DB}" ;;
    odoo) shift; prepare; odoo "$@" ;;
    *) echo "usage: $0 setup|pg-start|pg-stop|run|test|shell [db]|odoo ARGS" >&2; exit 2 ;;
esac
