import secrets
import string

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL


class AccountBillingBulkCreditWizard(models.TransientModel):
    """Bulk credit (docs/rules.md §3): from the client list, one credit per selected client with the same
    amount, taxes and note, each made by ``res.partner.billing_create_credit``; all or nothing."""

    _name = "account.billing.bulk.credit.wizard"
    _inherit = ["account.billing.credit.input", "account.billing.clients.wizard"]
    _description = "Create the same credit for several clients"

    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft", required=True)
    key = fields.Char(
        string="Operation key", required=True, readonly=True, copy=False,
        default=lambda self: self._new_key(),
        help="Makes a retry of this operation create nothing twice (one key per client is derived from it).")
    credit_ids = fields.Many2many("account.move", string="Credits created", readonly=True)
    credit_count = fields.Integer(compute="_compute_credit_count")
    credit_total = fields.Monetary(compute="_compute_credit_count", currency_field="currency_id")

    @api.model
    def _new_key(self):
        # Letters only: a run of digits in a free-text field could look like a card number (R7.3).
        return "bulk-credit-" + "".join(secrets.choice(string.ascii_lowercase) for _index in range(24))

    @api.depends("credit_ids")
    def _compute_credit_count(self):
        for wizard in self:
            wizard.credit_count = len(wizard.credit_ids)
            wizard.credit_total = sum(wizard.credit_ids.mapped("amount_total"))

    # -------------------------------------------------------------------------
    # BUSINESS
    # -------------------------------------------------------------------------

    def _clients(self):
        """The commercial entities of the selection, once each (a contact and its company: one credit)."""
        self.ensure_one()
        # Every selected client, archived ones included (refused by name in _check_all): a client left
        # out of the read without a word would break the all or nothing.
        selected = self.with_context(active_test=False).partner_ids
        # The selection as saved (the field's read leaves out the clients of companies the user cannot use).
        field = self._fields["partner_ids"]
        self.flush_recordset(["partner_ids"])
        saved = self.env.execute_query(SQL(
            "SELECT %s FROM %s WHERE %s = %s", SQL.identifier(field.column2), SQL.identifier(field.relation),
            SQL.identifier(field.column1), self.id))
        hidden = {partner_id for (partner_id,) in saved} - set(selected.ids)
        if hidden:
            raise UserError(self.env._(
                "No credit was created: %(count)s of the selected clients cannot be billed in %(company)s (they "
                "belong to a company you cannot use). Remove them from the selection, then try again.",
                count=len(hidden), company=self.company_id.name))
        clients = self.env["res.partner"]
        for partner in selected:
            if partner.commercial_partner_id not in clients:
                clients |= partner.commercial_partner_id
        return clients.with_company(self.company_id)

    def _client_key(self, client):
        return f"{self.key}-{client.id}"

    def _check_all(self, clients):
        """Every client's inputs checked by the checks ``billing_create_credit`` runs first, before
        anything is written; the refusals of all clients are given together, by client name."""
        errors = []
        for client in clients:
            try:
                client._billing_client()._billing_manual_move_inputs(
                    self.amount, self.note, self.taxes_included, self.tax_ids.ids, "credit")
            except UserError as error:
                errors.append(self.env._("%(client)s: %(error)s", client=client.display_name, error=error.args[0]))
        if errors:
            raise UserError(self.env._(
                "No credit was created: fix these clients or remove them from the selection, then try again.\n"
                "%(errors)s", errors="\n".join(errors)))

    def action_confirm(self):
        """One credit per client, all or nothing; a retry of the same wizard returns the same credits."""
        self.ensure_one()
        clients = self._clients()
        if not clients:
            raise UserError(self.env._("Select at least one client."))
        self._check_all(clients)
        move_ids = []
        with self.env.cr.savepoint():  # one client refused at creation: nothing is kept for anyone
            for client in clients:
                try:
                    move_ids.append(client.billing_create_credit(
                        self.amount, self.note, taxes_included=self.taxes_included, tax_ids=self.tax_ids.ids,
                        idempotency_key=self._client_key(client)))
                except UserError as error:
                    raise UserError(self.env._(
                        "No credit was created: %(client)s was refused: %(error)s",
                        client=client.display_name, error=error.args[0])) from error
        self.write({"state": "done", "credit_ids": [Command.set(move_ids)]})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credits created"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_credits(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credits created"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_out_credit_note_tree").id, "list"), (False, "form")],
            "domain": [("id", "in", self.credit_ids.ids)],
            "context": {"create": False},
        }
