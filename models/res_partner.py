from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_amount

from . import billing_tools


class ResPartner(models.Model):
    _inherit = "res.partner"

    billing_balance = fields.Monetary(
        string="Current balance", compute="_compute_billing_amounts",
        currency_field="billing_currency_id",
        help="Sum of the open amounts of the client's posted receivable items in the current "
        "company. Positive: the client owes; negative: the client is in credit.",
    )
    billing_balance_label = fields.Char(string="Balance", compute="_compute_billing_amounts")
    billing_available_credit = fields.Monetary(
        string="Available credit", compute="_compute_billing_amounts",
        currency_field="billing_currency_id",
    )
    billing_scheduled_amount = fields.Monetary(
        string="Scheduled payments", compute="_compute_billing_amounts",
        currency_field="billing_currency_id",
        help="Postdated payments recorded and not yet applied.",
    )
    billing_currency_id = fields.Many2one(
        "res.currency", compute="_compute_billing_amounts", string="Billing currency")
    billing_timeline_ids = fields.One2many(
        "account.billing.timeline", "partner_id", string="Billing timeline", readonly=True)

    # -------------------------------------------------------------------------
    # COMPUTES
    # -------------------------------------------------------------------------

    def _billing_balances(self):
        """{commercial partner id: balance} in one SQL aggregate for the whole batch."""
        commercial_ids = tuple({p.commercial_partner_id.id for p in self if p.commercial_partner_id})
        if not commercial_ids:
            return {}
        self.env["account.move.line"].flush_model(
            ["amount_residual", "parent_state", "account_id", "company_id", "partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id, SUM(l.amount_residual)
              FROM account_move_line l
              JOIN res_partner p ON p.id = l.partner_id
              JOIN account_account a ON a.id = l.account_id
             WHERE l.parent_state = 'posted'
               AND a.account_type = 'asset_receivable'
               AND l.company_id = %(company)s
               AND p.commercial_partner_id IN %(partners)s
          GROUP BY p.commercial_partner_id
            """,
            company=self.env.company.id, partners=commercial_ids,
        ))
        return dict(rows)

    def _billing_scheduled(self):
        commercial_ids = tuple({p.commercial_partner_id.id for p in self if p.commercial_partner_id})
        if not commercial_ids:
            return {}
        groups = self.env["account.payment"]._read_group(
            [("billing_postdated", "=", True), ("state", "=", "draft"),
             ("company_id", "=", self.env.company.id),
             ("partner_id", "in", commercial_ids)],
            ["partner_id"], ["amount_company_currency_signed:sum"],
        )
        return {partner.id: amount for partner, amount in groups}

    @api.depends_context("company")
    def _compute_billing_amounts(self):
        balances = self._billing_balances()
        scheduled = self._billing_scheduled()
        currency = self.env.company.currency_id
        for partner in self:
            balance = currency.round(balances.get(partner.commercial_partner_id.id, 0.0))
            partner.billing_currency_id = currency
            partner.billing_balance = balance
            partner.billing_available_credit = max(0.0, -balance)
            partner.billing_scheduled_amount = scheduled.get(partner.commercial_partner_id.id, 0.0)
            partner.billing_balance_label = partner._billing_format_balance(balance, currency)

    def _billing_format_balance(self, balance, currency):
        """SPEC §1: a negative balance reads 'Credit 25.00', never '-25.00 owed'."""
        if currency.compare_amounts(balance, 0.0) < 0:
            return self.env._("Credit %(amount)s", amount=format_amount(self.env, -balance, currency))
        return format_amount(self.env, balance, currency)

    # -------------------------------------------------------------------------
    # HELPERS
    # -------------------------------------------------------------------------

    def _billing_client(self):
        """The commercial entity the operation is booked on, once it may be billed."""
        self.ensure_one()
        client = self.commercial_partner_id
        if not client.active or not self.active:
            raise UserError(self.env._(
                "%(client)s is archived: restore the client before recording a billing operation.",
                client=self.display_name,
            ))
        if client.company_id and client.company_id not in self.env.company.parent_ids:
            raise UserError(self.env._(
                "%(client)s belongs to the company %(other)s; switch to that company to bill it.",
                client=client.display_name, other=client.company_id.name,
            ))
        return client

    def _billing_post_audit(self, records, operation, amount, note, extra=None):
        """SPEC §4: who, when, which operation, amounts and note, on the client and the documents."""
        currency = self.env.company.currency_id
        body = self.env._(
            "%(operation)s of %(amount)s by %(user)s on %(when)s. Note: %(note)s",
            operation=operation, amount=format_amount(self.env, amount, currency),
            user=self.env.user.name,
            when=fields.Datetime.context_timestamp(self, fields.Datetime.now()).strftime("%Y-%m-%d %H:%M"),
            note=note or "-",
        )
        if extra:
            body = f"{body} {extra}"
        for record in records:
            record.message_post(body=body)
        # An invoicing user may bill a client without being allowed to edit contacts: the audit
        # message is posted anyway, still in that user's name (sudo keeps the user).
        self.sudo().message_post(body=self.env._("%(body)s Document(s): %(docs)s", body=body,
                                 docs=", ".join(records.mapped("display_name"))))

    def _billing_open_credit_lines(self):
        """SPEC §1 open credit: the client's posted receivable items with a negative residual in
        the current company, oldest first (``with_company`` chooses the company)."""
        self.ensure_one()
        return self.env["account.move.line"].search([
            ("partner_id", "child_of", self.commercial_partner_id.id),
            ("company_id", "=", self.env.company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual", "<", 0.0),
        ], order="date, id")

    def _billing_refund_journal(self, journal_id, payment_method_line_id):
        """R3.3: a bank or cash journal of the company and an offline outbound method of it."""
        journal = self.env["account.journal"].browse(int(journal_id)).exists() if journal_id else None
        if not journal:
            raise UserError(self.env._("Choose the journal the refund is paid from."))
        billing_tools.check_company(self.env, journal, self.env.company, self.env._("The journal"))
        if journal.type not in ("bank", "cash"):
            raise UserError(self.env._("%(journal)s is not a bank or cash journal: choose the one the money "
                              "leaves from.", journal=journal.display_name))
        Payment = self.env["account.payment"]
        if not payment_method_line_id:
            return journal, Payment._billing_outbound_method_line(journal)
        method_line = self.env["account.payment.method.line"].browse(int(payment_method_line_id)).exists()
        if not method_line:
            raise UserError(self.env._("The payment method given does not exist."))
        if method_line.payment_provider_id:
            raise UserError(self.env._(
                "%(method)s is an online payment provider: a card payment made through it is refunded "
                "from the payment itself (open the payment, then Refund). Choose an offline method "
                "(cash, cheque, bank transfer, card terminal) here.", method=method_line.display_name))
        if method_line not in journal._get_available_payment_method_lines("outbound"):
            raise UserError(self.env._("%(method)s is not an outgoing payment method of the journal %(journal)s.",
                              method=method_line.display_name, journal=journal.display_name))
        return journal, method_line

    def _billing_taxes(self, tax_ids, product):
        company = self.env.company
        if tax_ids is None or tax_ids is False:
            taxes = product.taxes_id.filtered(lambda t: t.company_id in company.parent_ids)
            return self.env["account.fiscal.position"]._get_fiscal_position(self).map_tax(taxes)
        if isinstance(tax_ids, models.BaseModel):
            tax_ids = tax_ids.ids
        taxes = self.env["account.tax"].browse(tax_ids).exists()
        if len(taxes) != len(set(tax_ids)):
            raise UserError(self.env._("Some of the taxes given do not exist."))
        billing_tools.check_company(self.env, taxes, company, self.env._("The tax"))
        wrong = taxes.filtered(lambda t: t.type_tax_use != "sale" or not t.active)
        if wrong:
            raise UserError(self.env._("%(taxes)s cannot be used: choose active sales taxes.",
                              taxes=", ".join(wrong.mapped("name"))))
        return taxes

    def _billing_included_taxes(self, amount, taxes, currency):
        """R1.2, taxes included: {tax: amount} carved out of ``amount`` as Odoo does for a
        price-included tax; the untaxed amount is what is left, so the total is exact."""
        details = taxes._get_tax_details(amount, 1.0, precision_rounding=currency.rounding,
                                         rounding_method="round_per_line", special_mode="total_included")
        per_tax = {}
        for data in details["taxes_data"]:
            per_tax[data["tax"]] = currency.round(per_tax.get(data["tax"], 0.0) + data["tax_amount"])
        return per_tax

    def _billing_fix_included_taxes(self, move, amount, per_tax, currency):
        """Set the tax lines of the draft ``move`` to the carved-out amounts (as a user may do in
        the invoice form) so that its total is exactly ``amount``."""
        sign = move.direction_sign  # tax lines: debit on a credit note, credit on an invoice
        for tax, tax_amount in per_tax.items():
            lines = move.line_ids.filtered(lambda line, tax=tax: line.tax_line_id == tax)
            if len(lines) == 1 and currency.compare_amounts(abs(lines.amount_currency), tax_amount):
                lines.write({"amount_currency": sign * tax_amount, "balance": sign * tax_amount})
        if currency.compare_amounts(move.amount_total, amount):
            raise UserError(self.env._(
                "These taxes cannot give a total of exactly %(amount)s; enter the untaxed amount "
                "instead (untick Taxes included).", amount=format_amount(self.env, amount, currency)))

    def _billing_create_manual_move(self, move_type, amount, note, taxes_included, tax_ids, operation):
        """One posted customer invoice or credit note with one line on the credit product."""
        client = self._billing_client()
        company = self.env.company
        currency = company.currency_id
        amount = billing_tools.check_amount(self.env, amount, currency)
        what = self.env._("a credit") if move_type == "out_refund" else self.env._("a charge")
        note = billing_tools.check_note(self.env, note, what)
        product = company._billing_credit_product()
        if not product:
            raise UserError(self.env._("Configure the billing credit product in Accounting settings first."))
        taxes = client._billing_taxes(tax_ids, product)
        per_tax = client._billing_included_taxes(amount, taxes, currency) if taxes_included and taxes else {}
        price_unit = currency.round(amount - sum(per_tax.values())) if per_tax else amount
        move = self.env["account.move"].with_company(company).create({
            "move_type": move_type,
            "partner_id": client.id,
            "currency_id": currency.id,
            "invoice_date": fields.Date.context_today(self),
            "billing_operation": operation,
            "billing_note": note,
            "ref": note[:64],
            "invoice_line_ids": [Command.create({
                "product_id": product.id,
                "name": note,
                "quantity": 1.0,
                "price_unit": price_unit,
                "tax_ids": [Command.set(taxes.ids)],
            })],
        })
        if per_tax:
            client._billing_fix_included_taxes(move, amount, per_tax, currency)
        move.action_post()
        return move

    # -------------------------------------------------------------------------
    # PUBLIC API (SPEC §6)
    # -------------------------------------------------------------------------

    def billing_create_credit(self, amount, note, taxes_included=False, tax_ids=None, idempotency_key=None):
        """R1: a posted billing credit note; returns its id."""
        self.ensure_one()
        client = self._billing_client()

        def create():
            move = client._billing_create_manual_move(
                "out_refund", amount, note, taxes_included, tax_ids, "credit")
            client._billing_post_audit(move, self.env._("Credit"), move.amount_total, move.billing_note)
            return move.id
        return self.env["account.billing.idempotency"]._run(client, "billing_create_credit", idempotency_key, create)

    def billing_create_charge(self, amount, note, taxes_included=False, tax_ids=None,
                              reversed_credit_id=None, idempotency_key=None):
        """R2: a posted invoice, reconciled with the credit it reverses while that is open."""
        self.ensure_one()
        client = self._billing_client()
        credit = self.env["account.move"]
        if reversed_credit_id:
            credit = self.env["account.move"].browse(int(reversed_credit_id)).exists()
            if not credit or credit.move_type != "out_refund" or credit.state != "posted":
                raise UserError(self.env._("The credit to reverse must be a posted customer credit note."))
            if credit.commercial_partner_id != client:
                raise UserError(self.env._("The credit %(credit)s is not %(client)s's.",
                                  credit=credit.display_name, client=client.display_name))
            billing_tools.check_company(self.env, credit, self.env.company, self.env._("The credit"))

        def create():
            if credit:
                billing_tools.lock_rows(credit)
            move = client._billing_create_manual_move(
                "out_invoice", amount, note, taxes_included, tax_ids, "charge")
            if credit:
                move.billing_reversed_credit_id = credit
                lines = (move + credit)._billing_receivable_lines()
                if len(lines) == 2:
                    lines.reconcile()
            extra = self.env._("Reverses %(credit)s.", credit=credit.display_name) if credit else None
            client._billing_post_audit(move, self.env._("Charge"), move.amount_total, move.billing_note, extra)
            if credit:
                credit.message_post(body=self.env._("Reversed by %(move)s.", move=move.display_name))
            return move.id
        return self.env["account.billing.idempotency"]._run(client, "billing_create_charge", idempotency_key, create)

    def billing_refund(self, amount, journal_id, note, payment_method_line_id=None, idempotency_key=None):
        """R3: give back the client's available credit; returns the id of the refund payment,
        reconciled with the open credit items, oldest first."""
        self.ensure_one()
        self.env["account.payment"]._billing_check_refund_access()
        client = self._billing_client()
        currency = self.env.company.currency_id
        amount = billing_tools.check_amount(self.env, amount, currency)
        note = billing_tools.check_note(self.env, note, self.env._("a refund"))
        journal, method_line = client._billing_refund_journal(journal_id, payment_method_line_id)

        def create():
            # Lock what the check reads, then read it again (SPEC §7): a concurrent refund of the
            # same credit either waits for nothing (NOWAIT: clear error) or is seen here.
            credit_lines = client._billing_open_credit_lines()
            billing_tools.lock_rows(credit_lines, self.env._(
                "Another user is working on %(client)s's credit right now. Try again in a moment.",
                client=client.display_name))
            balance = currency.round(client._billing_balances().get(client.id, 0.0))
            if currency.compare_amounts(balance, 0.0) >= 0:
                raise UserError(self.env._(
                    "%(client)s has no credit to refund (balance: %(balance)s). Create a credit first "
                    "(Operations > Create a credit), then refund it.",
                    client=client.display_name, balance=client._billing_format_balance(balance, currency)))
            if currency.compare_amounts(amount, -balance) > 0:
                raise UserError(self.env._(
                    "%(amount)s is more than %(client)s's available credit (%(credit)s). Refund at most "
                    "%(credit)s.", amount=format_amount(self.env, amount, currency),
                    client=client.display_name, credit=format_amount(self.env, -balance, currency)))
            payment = self.env["account.payment"]._billing_create_refund(
                client, amount, journal, method_line, note)
            payment._billing_reconcile_with_credit(credit_lines)
            client._billing_post_audit(payment, self.env._("Refund"), amount, note)
            return payment.id
        return self.env["account.billing.idempotency"]._run(client, "billing_refund", idempotency_key, create)

    # -------------------------------------------------------------------------
    # ACTIONS
    # -------------------------------------------------------------------------

    def _billing_wizard_action(self, model, name, context=None):
        self.ensure_one()
        return billing_tools.wizard_action(
            model, name, {"default_partner_id": self.commercial_partner_id.id, **(context or {})})

    def action_billing_create_credit(self):
        return self._billing_wizard_action("billing.credit.wizard", self.env._("Create a credit"),
                                           {"default_operation": "credit"})

    def action_billing_create_charge(self):
        return self._billing_wizard_action("billing.credit.wizard", self.env._("Create an invoice"),
                                           {"default_operation": "charge"})

    def action_billing_record_refund(self):
        return self._billing_wizard_action("billing.refund.wizard", self.env._("Record a refund"))

    def action_billing_open_timeline(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Billing timeline of %(client)s", client=self.commercial_partner_id.display_name),
            "res_model": "account.billing.timeline",
            "view_mode": "list",
            "domain": [("partner_id", "=", self.commercial_partner_id.id)],
            "context": {"create": False},
        }
