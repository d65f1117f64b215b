import hashlib
import json
from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from . import billing_tools

KEY_MAX_LENGTH = 200


class AccountBillingIdempotency(models.Model):
    """Keys of docs/rules.md §6: a retried call with a used key returns the first result.

    A key is scoped by the method and the client. It is claimed first, with an INSERT that waits on
    the unique index while another transaction holds the same key: when that one commits, this
    transaction (REPEATABLE READ) fails with a serialization error, which the RPC layer
    (``odoo.service.model.retrying``) retries in a new transaction, where the first result is read.
    """

    _name = "account.billing.idempotency"
    _inherit = ["account.billing.card.guard"]
    _description = "Billing operation idempotency key"
    _log_access = False

    key = fields.Char(required=True)
    method = fields.Char(required=True, help="Model and method, e.g. res.partner.billing_create_credit.")
    partner_id = fields.Many2one("res.partner", string="Client", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    args_hash = fields.Char(required=True, help="SHA-256 of the call's normalised arguments.")
    result = fields.Json()
    create_date = fields.Datetime(default=fields.Datetime.now, required=True, index=True)

    _sql_constraints = [
        ("key_unique", "UNIQUE(key, method, partner_id)",
         "This idempotency key was already used for this operation."),
    ]

    @api.model
    def _check_key(self, key):
        if isinstance(key, bool) or not isinstance(key, (str, int)) or not str(key).strip() \
                or len(str(key)) > KEY_MAX_LENGTH:
            raise UserError(self.env._(
                "The idempotency key must be a text of at most %(size)s characters (or a number), not %(value)s.",
                size=KEY_MAX_LENGTH, value=billing_tools.shown(key)))
        # Stored with SQL (see _run), so the card guard of create/write is called here too (R7.3).
        billing_tools.check_no_card_number(self.env, str(key), error=ValidationError)
        return str(key).strip()

    @api.model
    def _args_hash(self, args):
        payload = json.dumps([self.env.company.id, args], sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()

    @api.model
    def _run(self, client, method, key, func, args):
        """Run ``func()`` once per (key, method, client); a later call with the same arguments
        (``args``: their normalised, JSON-serialisable value) returns the first result, a later
        call with other arguments is refused."""
        if key is None or key is False or key == "":
            # In a savepoint all the same: an operation refused half-way (Cancel/refund items whose refund
            # is refused after its credit note was made) writes nothing, also for a caller in the same
            # transaction that catches the error (docs/rules.md §6).
            with self.env.cr.savepoint():
                return func()
        key = self._check_key(key)
        client.ensure_one()
        digest = self._args_hash(args)
        cr = self.env.cr
        with cr.savepoint():
            # Claim the key first: a concurrent holder makes this wait, then fail (see the class).
            cr.execute(SQL(
                """INSERT INTO account_billing_idempotency (key, method, partner_id, company_id, args_hash, create_date)
                   VALUES (%s, %s, %s, %s, %s, NOW() AT TIME ZONE 'UTC')
                   ON CONFLICT (key, method, partner_id) DO NOTHING
                   RETURNING id""",
                key, method, client.id, self.env.company.id, digest), log_exceptions=False)
            claimed = cr.fetchall()
            if not claimed:
                [(done_hash, result)] = self.env.execute_query(SQL(
                    "SELECT args_hash, result FROM account_billing_idempotency "
                    "WHERE key = %s AND method = %s AND partner_id = %s",
                    key, method, client.id))
                if done_hash != digest:
                    raise UserError(self.env._(
                        "The idempotency key %(key)s was already used for this operation on %(client)s with "
                        "different values. Use a new key for a new operation; repeat the first call exactly "
                        "to get its result.", key=key, client=client.display_name))
                return result
            result = func()
            self.env.flush_all()
            cr.execute(SQL("UPDATE account_billing_idempotency SET result = %s::jsonb WHERE id = %s",
                           json.dumps(result), claimed[0][0]))
            self.invalidate_model(["result"])
        return result

    @api.autovacuum
    def _gc_old_keys(self):
        """Keys are kept 30 days at least (here: 35)."""
        limit = fields.Datetime.now() - timedelta(days=35)
        self.sudo().search([("create_date", "<", limit)]).unlink()
