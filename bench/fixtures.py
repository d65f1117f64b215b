"""Fast fixtures: SQL copies of real, posted and reconciled documents (issue 10, item 5).

``clone_documents(env, moves, copies)`` copies a group of moves ``copies`` times with everything that
makes them real documents: their journal items, their payments, the reconciliation between them
(partials, full reconciliations, matching numbers) and the invoice/payment links. Every id that points
inside the group is remapped to the copy's own row, so each copy is a group of its own.
"""
from odoo.tools import SQL

# (table, id sequence, map kind) in insertion order; columns pointing inside the group are remapped.
TABLES = [
    ("account_full_reconcile", "full"),
    ("account_move", "move"),
    ("account_payment", "payment"),
    ("account_move_line", "line"),
    ("account_partial_reconcile", "partial"),
]
REMAP = {
    "account_move": {"origin_payment_id": "payment", "reversed_entry_id": "move",
                     "billing_reversed_credit_id": "move"},
    "account_payment": {"move_id": "move", "billing_invoice_id": "move", "billing_source_payment_id": "payment"},
    "account_move_line": {"move_id": "move", "full_reconcile_id": "full"},
    "account_partial_reconcile": {"debit_move_id": "line", "credit_move_id": "line", "full_reconcile_id": "full"},
    "account_full_reconcile": {},
}
# Pointing to a table copied later (circular foreign keys): set once both copies exist.
LATER = {("account_move", "origin_payment_id")}
UNIQUE_TEXT = {"account_move": ("name",), "account_payment": ("name",)}
# The client of a document: copy g of the group belongs to partner_ids[g mod n] when partner_ids are given.
PARTNER_COLUMNS = {"account_move": ("partner_id", "commercial_partner_id"), "account_move_line": ("partner_id",),
                   "account_payment": ("partner_id",)}


def billing_tab_specification():
    """What the web client asks for (web_read) when it opens the client's form on the Billing tab: the
    balance fields and the first page of the timeline (its list shows 20 rows, views/res_partner_views.xml),
    ordered as the list is. The benchmarks time it and TestQueryBudget counts its queries."""
    timeline_fields = {name: {} for name in (
        "currency_id", "date", "kind", "reference", "note", "state", "amount", "running_balance",
        "running_balance_label", "move_id", "payment_id")}
    return {
        "display_name": {}, "name": {}, "billing_balance": {}, "billing_balance_label": {},
        "billing_available_credit": {}, "billing_scheduled_amount": {}, "billing_currency_id": {"fields": {}},
        "billing_timeline_ids": {"fields": timeline_fields, "limit": 20, "order": "date desc, id desc"},
    }


def _columns(cr, table):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
               "AND column_name != 'id' AND is_generated = 'NEVER' ORDER BY ordinal_position", [table])
    return [row[0] for row in cr.fetchall()]


def _copied_column(table, column, spread_days, partner_ids):
    """(value, join or None): what copy ``m.g`` of row ``t`` of ``table`` gets in ``column``."""
    target = REMAP[table].get(column)
    name = SQL.identifier(column)
    value, join = SQL("t.%s", name), None
    if (table, column) in LATER:
        value = SQL("NULL")
    elif target:
        alias = SQL.identifier(f"j_{column}")
        value = SQL("COALESCE(%s.new_id, t.%s)", alias, name)
        join = SQL("LEFT JOIN bench_map %s ON %s.kind = %s AND %s.g = m.g AND %s.old_id = t.%s",
                   alias, alias, target, alias, alias, name)
    elif partner_ids and column in PARTNER_COLUMNS.get(table, ()):
        value = SQL("CASE WHEN t.%s IS NULL THEN NULL ELSE bench_partner.partner_id END", name)
    elif column in UNIQUE_TEXT.get(table, ()):
        value = SQL("t.%s || '/C' || m.g", name)
    elif column == "matching_number":
        value = SQL("CASE WHEN j_match.kind = 'partial' THEN 'P' || j_match.new_id "
                    "WHEN j_match.kind = 'full' THEN j_match.new_id::text ELSE t.matching_number END")
        join = SQL("LEFT JOIN bench_map j_match ON j_match.g = m.g AND ("
                   "(left(t.matching_number, 1) = 'P' AND j_match.kind = 'partial' "
                   "AND j_match.old_id = substr(t.matching_number, 2)::int) OR "
                   "(t.matching_number ~ '^[0-9]+$' AND j_match.kind = 'full' "
                   "AND j_match.old_id = t.matching_number::int))")
    elif spread_days and column in ("date", "invoice_date", "invoice_date_due", "date_maturity", "max_date"):
        value = SQL("t.%s - mod(m.g, %s)", name, spread_days)
    return value, join


def clone_documents(env, moves, copies, spread_days=0, payments=None, partner_ids=None):
    """Copy ``moves`` (posted, with their payments and reconciliations) ``copies`` times in SQL.
    Returns the number of moves created. ``spread_days`` spreads the copies back in time over that
    many days (copy g is dated g mod spread_days days earlier), so a history has many dates.
    ``payments``: payments without a journal entry (scheduled ones) copied with the group.
    ``partner_ids``: the copies are spread over those clients (copy g for partner_ids[g mod n])
    instead of all being the group's client."""
    cr = env.cr
    env.flush_all()
    move_ids = moves.ids
    line_ids = moves.line_ids.ids
    payments = env["account.payment"].search([("move_id", "in", move_ids)]) | (payments or env["account.payment"])
    payment_ids = payments.ids
    partials = env["account.partial.reconcile"].search(
        ["|", ("debit_move_id", "in", line_ids), ("credit_move_id", "in", line_ids)])
    partials = partials.filtered(lambda p: p.debit_move_id.id in line_ids and p.credit_move_id.id in line_ids)
    fulls = partials.full_reconcile_id
    old_ids = {"move": move_ids, "line": line_ids, "payment": payment_ids, "partial": partials.ids,
               "full": fulls.ids}
    cr.execute("DROP TABLE IF EXISTS bench_map")
    cr.execute("CREATE TEMP TABLE bench_map (kind text, g int, old_id int, new_id int, "
               "PRIMARY KEY (kind, g, old_id))")
    for table, kind in TABLES:
        if old_ids[kind]:
            cr.execute(SQL(
                "INSERT INTO bench_map SELECT %s, g, o.id, nextval(%s) "
                "FROM unnest(%s) o(id), generate_series(1, %s) g",
                kind, f"{table}_id_seq", old_ids[kind], copies))
    cr.execute("ANALYZE bench_map")
    if partner_ids:  # copy g for partner_ids[g mod n]
        cr.execute("DROP TABLE IF EXISTS bench_partner")
        cr.execute(SQL("CREATE TEMP TABLE bench_partner AS SELECT n - 1 AS n, partner_id "
                       "FROM unnest(%s::int[]) WITH ORDINALITY p(partner_id, n)", list(partner_ids)))
        cr.execute("ALTER TABLE bench_partner ADD PRIMARY KEY (n)")
    for table, kind in TABLES:
        if not old_ids[kind]:
            continue
        columns = _columns(cr, table)
        select, joins = [], []
        if partner_ids and table in PARTNER_COLUMNS:
            joins.append(SQL("JOIN bench_partner ON bench_partner.n = mod(m.g, %s)", len(partner_ids)))
        for column in columns:
            value, join = _copied_column(table, column, spread_days, partner_ids)
            select.append(value)
            if join:
                joins.append(join)
        cr.execute(SQL(
            "INSERT INTO %s (id, %s) SELECT m.new_id, %s FROM %s t JOIN bench_map m "
            "ON m.kind = %s AND m.old_id = t.id %s",
            SQL.identifier(table), SQL(", ").join(SQL.identifier(c) for c in columns),
            SQL(", ").join(select), SQL.identifier(table), kind, SQL(" ").join(joins)))
    for table, column in LATER:
        target, kind = REMAP[table][column], dict(TABLES)[table]
        cr.execute(SQL(
            "UPDATE %s n SET %s = x.new_id FROM bench_map m JOIN %s o ON o.id = m.old_id "
            "JOIN bench_map x ON x.kind = %s AND x.g = m.g AND x.old_id = o.%s "
            "WHERE m.kind = %s AND n.id = m.new_id",
            SQL.identifier(table), SQL.identifier(column), SQL.identifier(table), target,
            SQL.identifier(column), kind))
    # Invoice <-> payment links (Odoo's matched payments).
    cr.execute(SQL(
        "INSERT INTO account_move__account_payment (invoice_id, payment_id) "
        "SELECT mi.new_id, mp.new_id FROM account_move__account_payment r "
        "JOIN bench_map mi ON mi.kind = 'move' AND mi.old_id = r.invoice_id "
        "JOIN bench_map mp ON mp.kind = 'payment' AND mp.old_id = r.payment_id AND mp.g = mi.g"))
    cr.execute(SQL(
        "INSERT INTO account_move_line_account_tax_rel (account_move_line_id, account_tax_id) "
        "SELECT m.new_id, r.account_tax_id FROM account_move_line_account_tax_rel r "
        "JOIN bench_map m ON m.kind = 'line' AND m.old_id = r.account_move_line_id"))
    cr.execute("DROP TABLE bench_map")
    cr.execute("DROP TABLE IF EXISTS bench_partner")
    env.invalidate_all()
    return len(move_ids) * copies
