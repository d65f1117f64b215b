from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models


class AccountBillingIdempotency(models.Model):
    """Keys of SPEC §6: a retried call with a used key returns the first result."""

    _name = "account.billing.idempotency"
    _description = "Billing operation idempotency key"
    _log_access = False

    key = fields.Char(required=True)
    method = fields.Char(required=True)
    res_model = fields.Char(required=True)
    res_id = fields.Integer(required=True, help="Client (res.partner), invoice or payment the method ran on.")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    result = fields.Json()
    create_date = fields.Datetime(default=fields.Datetime.now, required=True, index=True)

    _sql_constraints = [
        ("key_unique", "UNIQUE(key, method, res_model, res_id)",
         "This idempotency key was already used for this operation."),
    ]

    @api.model
    def _run(self, record, method, key, func):
        """Run ``func()`` once per (key, method, record); later calls return its result."""
        if not key:
            return func()
        record.ensure_one()
        domain = [("key", "=", str(key)), ("method", "=", method),
                  ("res_model", "=", record._name), ("res_id", "=", record.id)]
        # Serialise concurrent calls with the same key on a transaction-level advisory lock.
        self.env.cr.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                            [f"{method}:{record._name}:{record.id}:{key}"])
        done = self.sudo().search(domain, limit=1)
        if done:
            return done.result
        result = func()
        self.sudo().create({
            "key": str(key), "method": method, "res_model": record._name, "res_id": record.id,
            "company_id": self.env.company.id, "result": result,
        })
        return result

    @api.autovacuum
    def _gc_old_keys(self):
        """Keys are kept 30 days at least (here: 35)."""
        limit = fields.Datetime.now() - timedelta(days=35)
        self.sudo().search([("create_date", "<", limit)]).unlink()
