import datetime

from odoo import api
from odoo import fields
from odoo import models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.query import Query

RECEIVABLE_ACCOUNTS = SQL("ARRAY(SELECT id FROM account_account WHERE account_type = 'asset_receivable')")
# The columns of _billing_listing_sql: what orders the rows and what the record rules read.
LISTING_COLUMNS = frozenset({"id", "partner_id", "company_id", "date"})


class AccountBillingTimeline(models.Model):
    """One row per billing document of a client (docs/rules.md §3, §6), running balance in SQL.

    Read by the same groups as Odoo's partner credit/debit (security/ir.model.access.csv); a record
    rule shows the current company only, even with several companies selected (docs/rules.md §5), so that
    the newest row's running balance is the client's balance.
    """

    _name = "account.billing.timeline"
    _description = "Client billing timeline"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "reference"
    _depends = {
        "account.move.line": ["move_id", "partner_id", "account_id", "company_id", "date", "balance",
                              "amount_residual", "parent_state"],
        "account.move": ["name", "move_type", "state", "payment_state", "origin_payment_id", "billing_note"],
        "account.payment": ["move_id", "payment_type", "billing_note", "billing_refund_state", "state",
                            "billing_postdated", "partner_id", "company_id", "date", "name", "memo"],
        "account.account": ["account_type"],
        "res.partner": ["commercial_partner_id"],
    }

    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(readonly=True)
    kind = fields.Selection(
        selection=[
            ("invoice", "Invoice"),
            ("credit", "Credit"),
            ("payment", "Payment"),
            ("refund", "Refund"),
            ("scheduled", "Scheduled payment"),
        ],
        readonly=True,
    )
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    payment_id = fields.Many2one("account.payment", readonly=True)
    reference = fields.Char(readonly=True)
    note = fields.Text(readonly=True)
    state = fields.Selection(
        selection=[
            ("not_paid", "Not paid"),
            ("partial", "Partially paid"),
            ("in_payment", "In payment"),
            ("paid", "Paid"),
            ("reversed", "Reversed"),
            ("draft", "Draft"),
            ("in_process", "In process"),
            ("cancelled", "Cancelled"),
            ("rejected", "Rejected"),
            ("scheduled", "Scheduled"),
            ("pending", "Pending settlement"),
            ("settled", "Settled"),
            ("blocked", "Blocked"),
            ("invoicing_legacy", "Invoicing app legacy"),
        ],
        readonly=True,
    )
    amount = fields.Monetary(readonly=True, currency_field="currency_id",
                             help="+ raises the balance, − lowers it.")
    # A balance at a moment: summing it over a group means nothing (no aggregate in grouped lists).
    running_balance = fields.Monetary(readonly=True, currency_field="currency_id", aggregator=None,
                                      help="The client's balance just after this row.")
    running_balance_label = fields.Char(string="Balance after", compute="_compute_running_balance_label",
                                        help="The client's balance just after this row.")

    # -------------------------------------------------------------------------
    # THE SQL (docs/rules.md §6, §7)
    # -------------------------------------------------------------------------
    # A row's running balance is the client's balance now minus the amounts of the rows after it
    # (newest first): the newest row's is the balance, by construction, and the rows of a page need
    # only the rows newer than them, never the client's whole history.

    def _billing_rows_sql(self, scope=None):
        """The timeline's rows. ``scope``: None (every client) or ``[(client id, company id, date)]``:
        those clients' rows in that company from that date on, their running balances included (each
        depends only on the rows after it)."""
        if scope is None:
            client_scope = line_scope = pay_scope = SQL()
        else:
            values = SQL(", ").join(SQL("(%s, %s, %s::date)", partner, company, day) for partner, company, day in scope)
            client_scope = SQL(
                "JOIN (VALUES %s) s(partner_id, company_id, date) ON s.partner_id = p.commercial_partner_id", values)
            line_scope = SQL("AND l.company_id = s.company_id AND l.date >= s.date")
            pay_scope = SQL(
                "JOIN (VALUES %s) s(partner_id, company_id, date) ON s.partner_id = p.commercial_partner_id "
                "AND s.company_id = pay.company_id AND pay.date >= s.date", values)
        # The rows' keys first (client, company, date, amount); their descriptive columns come from
        # LEFT JOINs on unique keys, which PostgreSQL leaves out when those columns are not read (a
        # count), as it leaves out the running balance then.
        return SQL("""
WITH receivable AS (
    %(documents)s
), keys AS (
    SELECT r.line_id * 2 AS id, r.move_id, NULL::integer AS scheduled_id, r.partner_id, r.company_id, r.date,
           r.amount
      FROM receivable r
     UNION ALL
    SELECT pay.id * 2 + 1, NULL, pay.id, p.commercial_partner_id, pay.company_id, pay.date, 0
      FROM account_payment pay
      JOIN res_partner p ON p.id = pay.partner_id
      %(pay_scope)s
     WHERE pay.billing_postdated AND pay.state = 'draft'
), balances AS (
    -- res.partner.billing_balance: the items with a residual (account_move_line_billing_open_idx)
    SELECT p.commercial_partner_id AS partner_id, l.company_id, SUM(l.amount_residual) AS balance
      FROM res_partner p
      %(client_scope)s
     CROSS JOIN LATERAL (
        SELECT l.company_id, l.amount_residual
          FROM account_move_line l
         WHERE l.partner_id = p.id AND l.account_id = ANY(%(receivable_accounts)s)
           AND l.parent_state = 'posted' AND l.amount_residual != 0 %(balance_scope)s
        OFFSET 0) l
  GROUP BY p.commercial_partner_id, l.company_id
)
SELECT k.id, k.move_id, pay.id AS payment_id, k.partner_id, k.company_id, c.currency_id, k.date,
       CASE
           WHEN k.scheduled_id IS NOT NULL THEN 'scheduled'
           WHEN pay.id IS NOT NULL AND pay.payment_type = 'outbound' THEN 'refund'
           WHEN pay.id IS NOT NULL THEN 'payment'
           WHEN m.move_type IN ('out_invoice', 'out_receipt') THEN 'invoice'
           WHEN m.move_type = 'out_refund' THEN 'credit'
           WHEN k.amount >= 0 THEN 'invoice'
           ELSE 'credit'
       END AS kind,
       CASE
           WHEN k.scheduled_id IS NOT NULL THEN COALESCE(pay.name, '') || ' ' || COALESCE(pay.memo, '')
           ELSE COALESCE(m.name, '')
       END AS reference,
       COALESCE(m.billing_note, pay.billing_note) AS note,
       CASE
           WHEN k.scheduled_id IS NOT NULL THEN 'scheduled'
           WHEN pay.billing_refund_state IS NOT NULL THEN pay.billing_refund_state
           WHEN m.state = 'cancel' THEN 'cancelled'
           WHEN m.move_type IN ('out_invoice', 'out_refund') THEN m.payment_state
           WHEN pay.state = 'canceled' THEN 'cancelled'  -- one spelling (Odoo's payment says 'canceled')
           ELSE pay.state
       END AS state,
       CASE WHEN m.state = 'posted' THEN k.amount ELSE 0 END AS amount,
       COALESCE(b.balance, 0) - COALESCE(SUM(CASE WHEN m.state = 'posted' THEN k.amount ELSE 0 END) OVER (
           PARTITION BY k.partner_id, k.company_id ORDER BY k.date DESC, k.id DESC
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS running_balance
  FROM keys k
  LEFT JOIN account_move m ON m.id = k.move_id
  LEFT JOIN account_payment pay ON pay.id = COALESCE(m.origin_payment_id, k.scheduled_id)
  LEFT JOIN res_company c ON c.id = k.company_id
  LEFT JOIN balances b ON b.partner_id = k.partner_id AND b.company_id = k.company_id
""", documents=self._billing_documents_sql(client_scope, line_scope, amounts=True),
           client_scope=client_scope, pay_scope=pay_scope,
           balance_scope=SQL("AND l.company_id = s.company_id") if scope is not None else SQL(),
           receivable_accounts=RECEIVABLE_ACCOUNTS)

    @api.model
    def _billing_documents_sql(self, client_scope, line_scope, amounts):
        """One row per document (journal entry) and client: (line_id: the client's first receivable item
        in it, move_id, partner_id, company_id, date[, amount]). A row is a document of a client: a
        journal entry with items of two clients (a balance transfer) is a row of each.

        A client's items are read partner by partner (LATERAL ... OFFSET 0: an index scan on the
        partner and the receivable accounts, account_move_line_billing_timeline_idx, index only when
        the amounts are not read), never by a merge of every journal item with the partners, which the
        planner may prefer when a few clients hold most of the items."""
        return SQL("""
    SELECT MIN(l.id) AS line_id, l.move_id, p.commercial_partner_id AS partner_id, l.company_id, l.date
           %(amount)s
      FROM res_partner p
      %(client_scope)s
     CROSS JOIN LATERAL (
        SELECT l.id, l.move_id, l.company_id, l.date %(balance)s
          FROM account_move_line l
         WHERE l.partner_id = p.id AND l.account_id = ANY(%(receivable_accounts)s)
           AND l.parent_state IN ('posted', 'cancel') %(line_scope)s
        OFFSET 0) l
  GROUP BY l.move_id, p.commercial_partner_id, l.company_id, l.date""",
                   amount=SQL(", SUM(l.balance) AS amount") if amounts else SQL(),
                   balance=SQL(", l.balance") if amounts else SQL(),
                   client_scope=client_scope, line_scope=line_scope, receivable_accounts=RECEIVABLE_ACCOUNTS)

    @api.model
    def _billing_listing_sql(self, client_ids):
        """The rows of the clients ``client_ids`` reduced to what orders and filters them (id, client,
        company, date): the Billing tab lists every row's id (its pager), from the index alone."""
        return SQL("""
SELECT d.line_id * 2 AS id, d.partner_id, d.company_id, d.date
  FROM (%(documents)s) d
 UNION ALL
SELECT pay.id * 2 + 1, p.commercial_partner_id, pay.company_id, pay.date
  FROM account_payment pay
  JOIN res_partner p ON p.id = pay.partner_id
 WHERE pay.billing_postdated AND pay.state = 'draft' AND p.commercial_partner_id IN %(clients)s""",
                   documents=self._billing_documents_sql(
                       SQL("JOIN unnest(%s::int[]) s(partner_id) ON s.partner_id = p.commercial_partner_id",
                           list(client_ids)), SQL(), amounts=False),
                   clients=tuple(client_ids))

    def _compute_running_balance_label(self):
        for row in self:
            row.running_balance_label = self.env["res.partner"]._billing_format_balance(
                row.running_balance, row.currency_id)

    @property
    def _table_query(self):
        return self._billing_rows_sql()

    # Speed (docs/rules.md §7): a filter on ``partner_id`` goes into the SQL above (an index scan of that
    # client's items), a filter on ``id`` cannot (the running balance is a window over the client's
    # rows). Rows read or searched by id (the Billing tab's page) are read from a copy of the SQL
    # limited to their clients, from the oldest of them on: a page of the newest rows costs a page.

    # The scope is read first, in its own query: known values (VALUES) give the planner the few rows of a
    # page, where a subquery of the scope makes it join every move and payment of a client's history.

    @api.model
    def _billing_scope_of(self, ids):
        """[(client, company, date of the oldest of the rows ``ids``)]: a document's row is 2 × the id of
        the client's first receivable item in it, a scheduled payment's 2 × its id + 1; read through
        the primary keys of those items and payments."""
        ids = [row_id for row_id in ids if isinstance(row_id, int) and row_id > 0]
        line_ids = sorted({row_id // 2 for row_id in ids if row_id % 2 == 0})
        payment_ids = sorted({row_id // 2 for row_id in ids if row_id % 2 == 1})
        self.env["account.move.line"].flush_model(["partner_id", "company_id", "date"])
        self.env["account.payment"].flush_model(["partner_id", "company_id", "date", "billing_postdated", "state"])
        # The items and payments first (their primary keys), then their clients.
        rows = self.env.execute_query(SQL(
            """SELECT p.commercial_partner_id, r.company_id, r.date
                 FROM (SELECT l.partner_id, l.company_id, MIN(l.date) AS date
                         FROM account_move_line l
                        WHERE l.id = ANY(%(lines)s)
                     GROUP BY l.partner_id, l.company_id
                    UNION ALL
                       SELECT pay.partner_id, pay.company_id, MIN(pay.date)
                         FROM account_payment pay
                        WHERE pay.id = ANY(%(payments)s) AND pay.billing_postdated AND pay.state = 'draft'
                     GROUP BY pay.partner_id, pay.company_id) r
                 JOIN res_partner p ON p.id = r.partner_id""",
            lines=line_ids, payments=payment_ids))
        scope = {}
        for partner, company, day in rows:
            scope[partner, company] = min(day, scope.get((partner, company), day))
        return sorted((partner, company, day) for (partner, company), day in scope.items())

    def _billing_table_sql(self, scope):
        """The table of a Query on the rows of ``scope`` (see ``_billing_rows_sql``), with what the
        ORM flushes before reading the timeline."""
        return SQL().join([SQL("(%s)", self._billing_rows_sql(scope)),
                           *(SQL(to_flush=field) for field in self._table_sql.to_flush)])

    @api.model
    def _billing_listing_query(self, client_ids):
        """A Query on the rows of the clients ``client_ids`` in the timeline's order, record rules
        applied: what the Billing tab lists (every id, for its pager), over ``_billing_listing_sql`` (an
        index-only scan of the clients' receivable items; no amount, no running balance). A record rule
        on another column of the timeline reads the whole rows instead."""
        rule = self.env["ir.rule"]._compute_domain(self._name, "read") or []
        if any(isinstance(leaf, (list, tuple)) and str(leaf[0]).split(".")[0] not in LISTING_COLUMNS
               for leaf in rule):
            return self._search([("partner_id", "in", list(client_ids))], order=self._order)
        self.browse().check_access("read")
        query = Query(self.env, self._table, SQL().join([
            SQL("(%s)", self._billing_listing_sql(client_ids)),
            *(SQL(to_flush=field) for field in self._table_sql.to_flush)]))
        self._apply_ir_rules(query, "read")
        query.order = self._order_to_sql(self._order, query)
        return query

    def _billing_query_of(self, ids):
        """A Query on the rows of the clients of ``ids``, from the oldest of them on (see above)."""
        scope = self._billing_scope_of(ids)
        if not scope:
            query = Query(self.env, self._table, self._table_sql)
            query.add_where(SQL("FALSE"))
            return query
        return Query(self.env, self._table, self._billing_table_sql(scope))

    def _as_query(self, ordered=True):
        if not self._ids:
            return super()._as_query(ordered=ordered)
        query = self._billing_query_of(self._ids)
        query.set_result_ids(self._ids, ordered)
        return query

    @api.model
    def _where_calc(self, domain, active_test=True):
        # The web client orders the rows of a one2many it has read with [("id", "in", ids)].
        if (isinstance(domain, (list, tuple)) and len(domain) == 1 and isinstance(domain[0], (list, tuple))
                and tuple(domain[0][:2]) == ("id", "in") and isinstance(domain[0][2], (list, tuple))
                and domain[0][2]):
            query = self._billing_query_of([row_id for row_id in domain[0][2] if isinstance(row_id, int)])
            return expression.expression(domain, self, query=query).query
        return super()._where_calc(domain, active_test=active_test)

    # The client statement (res.partner._billing_statement_data): many rows, read as plain tuples.

    @api.model
    def _billing_period_rows(self, clients, company, date_from=None, date_to=None):
        """[(id, client id, date, kind, reference, note, state, amount, running balance)] of the
        documents of ``clients`` in ``company`` from ``date_from`` to ``date_to`` (either may be
        empty), oldest first, in one query that reads the clients' rows from ``date_from`` on only."""
        self.check_access("read")
        if not clients:
            return []
        start = date_from or datetime.date.min
        query = Query(self.env, self._table, self._billing_table_sql(
            [(client_id, company.id, start) for client_id in clients.ids]))
        query.add_where(SQL("%s != 'scheduled'", SQL.identifier(query.table, "kind")))
        if date_to:
            query.add_where(SQL("%s <= %s", SQL.identifier(query.table, "date"), date_to))
        query.order = SQL("%s, %s, %s", *(SQL.identifier(query.table, name) for name in ("partner_id", "date", "id")))
        return self.env.execute_query(query.select(*(SQL.identifier(query.table, name) for name in (
            "id", "partner_id", "date", "kind", "reference", "note", "state", "amount", "running_balance"))))

    @api.model
    def _billing_scheduled_rows(self, clients, company):
        """[(id, client id, date, reference, note, amount)] of the scheduled payments of ``clients`` in
        ``company`` (not applied yet: 0 in the timeline's amounts), whatever their date."""
        self.check_access("read")
        if not clients:
            return []
        self.env["account.payment"].flush_model(["partner_id", "company_id", "date", "name", "memo", "billing_note",
                                                 "billing_postdated", "state", "amount_company_currency_signed"])
        return self.env.execute_query(SQL(
            """SELECT pay.id * 2 + 1, p.commercial_partner_id, pay.date,
                      TRIM(COALESCE(pay.name, '') || ' ' || COALESCE(pay.memo, '')), pay.billing_note,
                      pay.amount_company_currency_signed
                 FROM account_payment pay
                 JOIN res_partner p ON p.id = pay.partner_id
                WHERE pay.billing_postdated AND pay.state = 'draft' AND pay.company_id = %s
                  AND p.commercial_partner_id IN %s
             ORDER BY pay.date, pay.id""", company.id, tuple(clients.ids)))

    def action_open_document(self):
        self.ensure_one()
        return (self.payment_id or self.move_id)._get_records_action()

    # Row buttons of the Billing tab (docs/rules.md §3): each opens the document's own operation.
    def action_make_payment(self):
        self.ensure_one()
        return self.move_id.action_billing_make_payment()

    def action_cancel_items(self):
        self.ensure_one()
        return self.move_id.action_billing_cancel_items()

    def action_refund(self):
        self.ensure_one()
        return self.payment_id.action_billing_refund_wizard()

    def action_cancel_refund(self):
        self.ensure_one()
        return self.payment_id.action_billing_cancel_refund()
