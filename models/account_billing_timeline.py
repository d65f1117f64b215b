from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL


class AccountBillingTimeline(models.Model):
    """One row per billing document of a client (SPEC §3, §6), running balance in SQL.

    Read by the same groups as Odoo's partner credit/debit (security/ir.model.access.csv); a record
    rule shows the current company only, even with several companies selected (SPEC §5), so that
    the newest row's running balance is the client's balance.
    """

    _name = "account.billing.timeline"
    _description = "Client billing timeline"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "reference"
    _depends = {
        "account.move.line": ["move_id", "partner_id", "account_id", "company_id", "balance", "parent_state"],
        "account.move": ["name", "ref", "move_type", "state", "payment_state", "date", "billing_note"],
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
            ("canceled", "Cancelled"),
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
    running_balance = fields.Monetary(readonly=True, currency_field="currency_id",
                                      help="The client's balance just after this row.")
    running_balance_label = fields.Char(string="Balance after", compute="_compute_running_balance_label",
                                        help="The client's balance just after this row.")

    def _table_query_sql(self):
        return SQL("""
WITH receivable AS (
    SELECT l.move_id, p.commercial_partner_id AS partner_id, l.company_id,
           SUM(l.balance) AS amount
      FROM account_move_line l
      JOIN account_account a ON a.id = l.account_id
      JOIN res_partner p ON p.id = l.partner_id
     WHERE a.account_type = 'asset_receivable'
       AND l.parent_state IN ('posted', 'cancel')
  GROUP BY l.move_id, p.commercial_partner_id, l.company_id
), documents AS (
    SELECT m.id * 2 AS id, m.id AS move_id, pay.id AS payment_id, r.partner_id, r.company_id,
           c.currency_id, m.date,
           CASE
               WHEN pay.id IS NOT NULL AND pay.payment_type = 'outbound' THEN 'refund'
               WHEN pay.id IS NOT NULL THEN 'payment'
               WHEN m.move_type IN ('out_invoice', 'out_receipt') THEN 'invoice'
               WHEN m.move_type = 'out_refund' THEN 'credit'
               WHEN r.amount >= 0 THEN 'invoice'
               ELSE 'credit'
           END AS kind,
           COALESCE(m.name, '') AS reference,
           COALESCE(m.billing_note, pay.billing_note) AS note,
           CASE
               WHEN pay.billing_refund_state IS NOT NULL THEN pay.billing_refund_state
               WHEN m.state = 'cancel' THEN 'cancelled'
               WHEN m.move_type IN ('out_invoice', 'out_refund') THEN m.payment_state
               ELSE pay.state
           END AS state,
           CASE WHEN m.state = 'posted' THEN r.amount ELSE 0 END AS amount
      FROM receivable r
      JOIN account_move m ON m.id = r.move_id
      JOIN res_company c ON c.id = r.company_id
 LEFT JOIN account_payment pay ON pay.move_id = m.id
     UNION ALL
    SELECT pay.id * 2 + 1, NULL, pay.id, p.commercial_partner_id, pay.company_id, c.currency_id, pay.date,
           'scheduled', COALESCE(pay.name, '') || ' ' || COALESCE(pay.memo, ''),
           pay.billing_note, 'scheduled', 0
      FROM account_payment pay
      JOIN res_partner p ON p.id = pay.partner_id
      JOIN res_company c ON c.id = pay.company_id
     WHERE pay.billing_postdated AND pay.state = 'draft'
)
SELECT d.*,
       SUM(d.amount) OVER (PARTITION BY d.partner_id, d.company_id
                           ORDER BY d.date, d.id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_balance
  FROM documents d
""")

    def _compute_running_balance_label(self):
        for row in self:
            row.running_balance_label = row.partner_id._billing_format_balance(row.running_balance, row.currency_id)

    @property
    def _table_query(self):
        return self._table_query_sql()

    # Speed (SPEC §7): the running balance is a window over each client's rows, so a filter on
    # ``partner_id`` is pushed into the view (an index scan of that client's items), but a filter on
    # ``id`` alone is not: reading rows by id (the Billing tab's first page) would compute the view
    # for every client of the database. Rows read or searched by id are restricted to their clients.

    @api.model
    def _billing_partners_of(self, ids):
        """The clients of the rows ``ids`` (a move's row is 2 × its id, a scheduled payment's 2 × its
        id + 1), read from the indexed move and payment tables."""
        move_ids = tuple({row_id // 2 for row_id in ids if row_id and row_id % 2 == 0})
        payment_ids = tuple({row_id // 2 for row_id in ids if row_id and row_id % 2 == 1})
        self.env["account.move.line"].flush_model(["move_id", "partner_id"])
        self.env["account.payment"].flush_model(["partner_id"])
        rows = self.env.execute_query(SQL(
            """SELECT p.commercial_partner_id FROM account_move_line l JOIN res_partner p ON p.id = l.partner_id
                WHERE l.move_id IN %(moves)s
               UNION
               SELECT p.commercial_partner_id FROM account_payment pay JOIN res_partner p ON p.id = pay.partner_id
                WHERE pay.id IN %(payments)s""",
            moves=move_ids or (0,), payments=payment_ids or (0,)))
        return tuple(row[0] for row in rows)

    def _billing_restrict_to_partners(self, query, ids):
        partners = self._billing_partners_of(ids)
        query.add_where(SQL("%s IN %s", SQL.identifier(query.table, "partner_id"), partners or (0,)))
        return query

    def _as_query(self, ordered=True):
        query = super()._as_query(ordered=ordered)
        if self._ids:
            self._billing_restrict_to_partners(query, self._ids)
        return query

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        query = super()._search(domain, offset=offset, limit=limit, order=order)
        # The web client orders the rows of a one2many it has read with [("id", "in", ids)].
        if (isinstance(domain, (list, tuple)) and len(domain) == 1 and isinstance(domain[0], (list, tuple))
                and tuple(domain[0][:2]) == ("id", "in") and isinstance(domain[0][2], (list, tuple))
                and domain[0][2] and not query.is_empty()):
            self._billing_restrict_to_partners(query, [row_id for row_id in domain[0][2] if isinstance(row_id, int)])
        return query

    def action_open_document(self):
        self.ensure_one()
        return (self.payment_id or self.move_id)._get_records_action()

    # Row buttons of the Billing tab (SPEC §3): each opens the document's own operation.
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
