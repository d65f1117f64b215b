import datetime
import functools
from collections import defaultdict

from markupsafe import Markup

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_amount
from odoo.tools import format_date

from . import billing_tools

# docs/rules.md §5: the same readers as Odoo's own partner credit/debit fields (account/models/partner.py).
BILLING_GROUPS = "account.group_account_invoice,account.group_account_readonly"


class ResPartner(models.Model):
    _inherit = "res.partner"

    billing_balance = fields.Monetary(
        string="Current balance", compute="_compute_billing_amounts",
        currency_field="billing_currency_id", groups=BILLING_GROUPS,
        help="Sum of the open amounts of the client's posted receivable items in the current "
        "company. Positive: the client owes; negative: the client is in credit.",
    )
    billing_balance_label = fields.Char(string="Balance", compute="_compute_billing_amounts", groups=BILLING_GROUPS)
    billing_available_credit = fields.Monetary(
        string="Available credit", compute="_compute_billing_amounts",
        currency_field="billing_currency_id", groups=BILLING_GROUPS,
    )
    billing_scheduled_amount = fields.Monetary(
        string="Scheduled payments", compute="_compute_billing_amounts",
        currency_field="billing_currency_id", groups=BILLING_GROUPS,
        help="Postdated payments recorded and not yet applied.",
    )
    billing_currency_id = fields.Many2one(
        "res.currency", compute="_compute_billing_amounts", string="Billing currency", groups=BILLING_GROUPS)
    billing_timeline_ids = fields.One2many(
        "account.billing.timeline", "partner_id", string="Billing timeline", readonly=True, groups=BILLING_GROUPS)

    # -------------------------------------------------------------------------
    # COMPUTES
    # -------------------------------------------------------------------------

    def _billing_balances(self):
        """{commercial partner id: balance} in one SQL aggregate for the whole batch, over the items
        with a residual only (account_move_line_billing_open_idx): however long the client's history."""
        commercial_ids = tuple({p.commercial_partner_id.id for p in self if p.commercial_partner_id})
        if not commercial_ids:
            return {}
        self.env["account.move.line"].flush_model(
            ["amount_residual", "parent_state", "account_id", "company_id", "partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(self._billing_balances_sql(self.env.company.id, commercial_ids))
        return dict(rows)

    @api.model
    def _billing_balances_sql(self, company_id, commercial_ids):
        """The balance of each commercial partner of ``commercial_ids`` in the company: partner by
        partner (LATERAL ... OFFSET 0), an index scan of each partner's items with a residual on the
        receivable accounts (account_move_line_billing_open_idx), see account.billing.timeline."""
        return SQL(
            """
            SELECT p.commercial_partner_id, SUM(l.amount_residual)
              FROM res_partner p
             CROSS JOIN LATERAL (
                SELECT l.amount_residual
                  FROM account_move_line l
                 WHERE l.partner_id = p.id AND l.company_id = %(company)s AND l.parent_state = 'posted'
                   AND l.amount_residual != 0
                   AND l.account_id = ANY(ARRAY(SELECT id FROM account_account WHERE account_type = 'asset_receivable'))
                OFFSET 0) l
             WHERE p.commercial_partner_id IN %(partners)s
          GROUP BY p.commercial_partner_id
            """,
            company=company_id, partners=tuple(commercial_ids),
        )

    def _billing_amounts(self):
        """{commercial partner id: (balance, scheduled payments)} in one query for the whole batch: the
        balance of ``_billing_balances_sql`` and the postdated payments not applied yet
        (account_payment_billing_scheduled_idx), in the current company."""
        commercial_ids = tuple({p.commercial_partner_id.id for p in self if p.commercial_partner_id})
        if not commercial_ids:
            return {}
        self.env["account.move.line"].flush_model(
            ["amount_residual", "parent_state", "account_id", "company_id", "partner_id"])
        self.env["account.payment"].flush_model(
            ["partner_id", "company_id", "billing_postdated", "state", "amount_company_currency_signed"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        company_id = self.env.company.id
        rows = self.env.execute_query(SQL(
            """SELECT c.id, COALESCE(b.balance, 0), COALESCE(s.amount, 0)
                 FROM unnest(%(partners)s::int[]) c(id)
                 LEFT JOIN (%(balances)s) b(partner_id, balance) ON b.partner_id = c.id
                 LEFT JOIN LATERAL (
                    SELECT SUM(pay.amount_company_currency_signed) AS amount
                      FROM account_payment pay
                     WHERE pay.partner_id = c.id AND pay.company_id = %(company)s
                       AND pay.billing_postdated AND pay.state = 'draft') s ON TRUE""",
            partners=list(commercial_ids), company=company_id,
            balances=self._billing_balances_sql(company_id, commercial_ids)))
        return {partner_id: (balance, scheduled) for partner_id, balance, scheduled in rows}

    @api.depends_context("company")
    def _compute_billing_amounts(self):
        amounts = self._billing_amounts()
        currency = self.env.company.currency_id
        for partner in self:
            balance, scheduled = amounts.get(partner.commercial_partner_id.id, (0.0, 0.0))
            balance = currency.round(balance)
            partner.billing_currency_id = currency
            partner.billing_balance = balance
            partner.billing_available_credit = max(0.0, -balance)
            partner.billing_scheduled_amount = scheduled
            partner.billing_balance_label = partner._billing_format_balance(balance, currency)

    def _fetch_query(self, query, fields):
        timeline = self._fields["billing_timeline_ids"]
        if timeline not in fields:
            return super()._fetch_query(query, fields)
        fetched = super()._fetch_query(query, [field for field in fields if field is not timeline])
        if fetched:
            fetched._billing_fetch_timeline_ids()
        return fetched

    def _billing_fetch_timeline_ids(self):
        """The Billing tab's timeline: the ids of every row (the list pages them), in the timeline's
        order, as Odoo's one2many reads them (record rules included) but in one query whose rows are
        not made records one by one and which reads the index of the clients' receivable items only
        (account.billing.timeline._billing_listing_query): a client with 10,000 documents costs a
        query, not 10,000 records."""
        field = self._fields["billing_timeline_ids"]
        Timeline = self.env["account.billing.timeline"].with_context(active_test=False, **field.context)
        query = Timeline._billing_listing_query(self.ids)
        if len(self) == 1:  # the client's form
            ids = self.env.execute_query(query.select(SQL.identifier(query.table, "id")))
            self.env.cache.insert_missing(self, field, [tuple(row_id for (row_id,) in ids)])
            return
        rows = self.env.execute_query(query.select(
            SQL.identifier(query.table, "id"), SQL.identifier(query.table, "partner_id")))
        by_client = defaultdict(list)
        for row_id, client_id in rows:
            by_client[client_id].append(row_id)
        self.env.cache.insert_missing(self, field, [tuple(by_client[client_id]) for client_id in self._ids])

    def web_read(self, specification):
        """The Billing tab (docs/rules.md §3, §7): its timeline comes in the timeline's own order (the one2many
        reads it so); the web client's request to order it again, by id, is left out."""
        timeline = specification.get("billing_timeline_ids")
        if timeline and timeline.get("order"):
            def terms(order):
                return [" ".join(term.lower().split()) for term in order.split(",")]
            if terms(timeline["order"]) == terms(self.env["account.billing.timeline"]._order):
                specification = {**specification, "billing_timeline_ids": {
                    key: value for key, value in timeline.items() if key != "order"}}
        return super().web_read(specification)

    def _billing_format_balance(self, balance, currency):
        """docs/rules.md §1: a negative balance reads 'Credit 25.00', never '-25.00 owed'."""
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

    def _billing_post_audit(self, records, operation, amount, note, extra=None, more=None):
        """docs/rules.md §4: who, when, which operation, amounts and note, as internal notes on the client and
        the documents: no email is sent and the user needs no email address. ``more``: other notes of the
        operation, [(record, text)] (a refunded payment's "Refunded ..."), written in the same batch: the
        notes of one model are one INSERT."""
        text = self._billing_audit_text(operation, amount, note, extra)
        # An invoicing user may bill a client without being allowed to edit contacts: _message_log_batch
        # writes the note without asking for that right, still in the user's name.
        notes = [(record, text) for record in records] + list(more or []) + [(self, self.env._(
            "%(body)s Document(s): %(docs)s", body=text, docs=", ".join(records.mapped("display_name"))))]
        batches = []  # [(model, {id: body})], a record's second note in a batch of its own
        for record, body in notes:
            batch = next((bodies for model, bodies in batches if model == record._name and record.id not in bodies),
                         None)
            if batch is None:
                batch = {}
                batches.append((record._name, batch))
            batch[record.id] = Markup("<p>%s</p>") % body
        author = self.env.user.partner_id.id
        for model, bodies in batches:
            self.env[model].browse(bodies)._message_log_batch(bodies, author_id=author)

    @api.model
    def _billing_audit_when(self):
        """The moment of an audit note, in the user's time zone (docs/rules.md §4)."""
        return fields.Datetime.context_timestamp(self, fields.Datetime.now()).strftime("%Y-%m-%d %H:%M")

    @api.model
    def _billing_audit_text(self, operation, amount, note, extra=None, when=None):
        """docs/rules.md §4: the audit line of an operation (who, when, the amount in company currency, the
        note), followed by ``extra``; the batched notes of the scheduled actions write the same line."""
        text = self.env._(
            "%(operation)s of %(amount)s by %(user)s on %(when)s. Note: %(note)s",
            operation=operation, amount=format_amount(self.env, amount, self.env.company.currency_id),
            user=self.env.user.name, when=when or self._billing_audit_when(), note=note or "-",
        )
        return f"{text} {extra}" if extra else text

    def _billing_open_credit_lines(self):
        """docs/rules.md §1 open credit: the client's posted receivable items with a negative residual in
        the current company, oldest first (``with_company`` chooses the company). The client's items are
        those of its contacts, archived ones included, as its balance counts them (``_billing_balances``):
        a contact that is a company of its own is a client of its own."""
        self.ensure_one()
        # The client's contacts as the balance finds them: whatever company a contact is restricted to
        # (the contacts' record rules would hide it) and archived ones; one subquery, not a query.
        contacts = self.env["res.partner"].sudo().with_context(active_test=False)._search(
            [("commercial_partner_id", "=", self.commercial_partner_id.id)])
        return self.env["account.move.line"].search([
            ("partner_id", "in", contacts),
            ("company_id", "=", self.env.company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual", "<", 0.0),
        ], order="date, id")

    def _billing_balance_after(self, delta):
        """What the wizards show before confirmation: the balance once ``delta`` is booked."""
        currency = self.env.company.currency_id
        balance = currency.round(self._billing_balances().get(self.commercial_partner_id.id, 0.0) + delta)
        return {"balance_after": balance, "balance_after_label": self._billing_format_balance(balance, currency)}

    # ---- R3: journal and method of a refund -------------------------------------------

    @api.model
    def _billing_default_refund_journal(self):
        """The journal Record a refund proposes: the company's Default refund journal (Accounting
        settings), else its first bank (then cash) journal with an offline outgoing method."""
        return self.env.company._billing_refund_journal()

    def _billing_refund_journal(self, journal_id, payment_method_line_id):
        """R3.3: a bank or cash journal of the company and an offline outbound method of it."""
        journal = billing_tools.check_journal(self.env, journal_id, self.env._("the journal the refund is paid from"))
        if not payment_method_line_id:
            return journal, self.env["account.payment"]._billing_outbound_method_line(journal)
        method_line = self.env["account.payment.method.line"].browse(payment_method_line_id).exists()
        if not method_line:
            raise UserError(self.env._("The payment method given does not exist."))
        if method_line.payment_provider_id:
            raise UserError(self.env._(
                "%(method)s is an online payment provider: a card payment made through it is refunded "
                "from the payment itself (open the payment, then Refund). Choose an offline method "
                "(cash, cheque, bank transfer, card terminal) here.", method=method_line.display_name))
        if method_line not in journal._billing_offline_method_lines("outbound"):
            raise UserError(self.env._("%(method)s is not an outgoing payment method of the journal %(journal)s.",
                                       method=method_line.display_name, journal=journal.display_name))
        return journal, method_line

    def _billing_refund_preview(self, amount):
        """Record a refund, before confirmation: the balance after the refund."""
        return self._billing_balance_after(amount or 0.0)

    # ---- R1 / R2: a credit or an invoice for an amount ------------------------------------

    def _billing_taxes(self, tax_ids, product):
        company = self.env.company
        if tax_ids is None or tax_ids is False:
            taxes = product.taxes_id.filtered(lambda t: t.company_id in company.parent_ids)
            return self.env["account.fiscal.position"]._get_fiscal_position(self).map_tax(taxes)
        if isinstance(tax_ids, models.BaseModel) and tax_ids._name == "account.tax":
            tax_ids = tax_ids.ids
        if not isinstance(tax_ids, (list, tuple)) or any(
                isinstance(tax_id, bool) or not isinstance(tax_id, int) for tax_id in tax_ids):
            raise UserError(self.env._("The taxes must be given as a list of tax ids (numbers), not %(value)s.",
                                       value=billing_tools.shown(tax_ids)))
        taxes = self.env["account.tax"].browse(tax_ids).exists()
        if len(taxes) != len(set(tax_ids)):
            raise UserError(self.env._("Some of the taxes given do not exist."))
        billing_tools.check_company(self.env, taxes, company, self.env._("The tax"))
        wrong = taxes.filtered(lambda t: t.type_tax_use != "sale" or not t.active)
        if wrong:
            raise UserError(self.env._("%(taxes)s cannot be used: choose active sales taxes.",
                                       taxes=", ".join(wrong.mapped("name"))))
        return taxes

    def _billing_credit_product(self):
        product = self.env.company._billing_credit_product()
        if not product:
            raise UserError(self.env._("Configure the billing credit product in Accounting settings first."))
        return product

    @api.model
    def _billing_tax_split(self, price_unit, taxes, product, special_mode, is_refund):
        """(untaxed, {tax: amount}) of one line of ``price_unit``, computed by Odoo's tax engine the
        way an invoice computes its lines (company rounding method included)."""
        AccountTax = self.env["account.tax"]
        company = self.env.company
        base_line = AccountTax._prepare_base_line_for_taxes_computation(
            None, price_unit=price_unit, quantity=1.0, tax_ids=taxes, product_id=product,
            currency_id=company.currency_id, special_mode=special_mode, is_refund=is_refund)
        AccountTax._add_tax_details_in_base_lines([base_line], company)
        AccountTax._round_base_lines_tax_details([base_line], company)
        details = base_line["tax_details"]
        per_tax = {}
        for data in details["taxes_data"]:
            per_tax[data["tax"]] = per_tax.get(data["tax"], 0.0) + data["tax_amount_currency"]
        untaxed = details["total_excluded_currency"] + details["delta_total_excluded_currency"]
        return untaxed, per_tax

    def _billing_manual_move_plan(self, amount, taxes_included, taxes, operation):
        """R1.2: the line of a credit or an invoice of ``amount``, whatever the taxes' own "Included
        in price" setting: the checkbox decides.

        The amounts come from the tax engine forced to the checkbox's convention (special mode
        total_included / total_excluded); the line's price is then written in the taxes' own
        convention (price-included taxes inside it) and checked against what the invoice will
        compute from it. When no price gives the amounts exactly (a total that a tax added on top
        cannot reach to the cent), the tax lines are set to them, as a user may do in the invoice."""
        currency = self.env.company.currency_id
        amount = currency.round(amount)
        if not taxes:
            return {"price_unit": amount, "untaxed": amount, "taxes": {}, "total": amount, "forced": False}
        product = self._billing_credit_product()
        is_refund = operation == "credit"
        mode = "total_included" if taxes_included else "total_excluded"
        untaxed, per_tax = self._billing_tax_split(amount, taxes, product, mode, is_refund)
        per_tax = {tax: currency.round(tax_amount) for tax, tax_amount in per_tax.items()}
        tax_total = currency.round(sum(per_tax.values()))
        if taxes_included:
            total, untaxed = amount, currency.round(amount - tax_total)
        else:
            total, untaxed = currency.round(amount + tax_total), amount
        start = currency.round(untaxed + sum(v for tax, v in per_tax.items() if tax.price_include))
        close = None
        for step in (0, -1, 1, -2, 2):
            price = currency.round(start + step * currency.rounding)
            got_untaxed, got_taxes = self._billing_tax_split(price, taxes, product, False, is_refund)
            if currency.compare_amounts(got_untaxed, untaxed):
                continue
            got_taxes = {tax: got_taxes.get(tax, 0.0) for tax in per_tax}
            if all(not currency.compare_amounts(got_taxes[tax], tax_amount) for tax, tax_amount in per_tax.items()):
                return {"price_unit": price, "untaxed": untaxed, "taxes": per_tax, "total": total, "forced": False}
            # A tax line can be set to another amount, but a tax that rounds to 0.00 has no line.
            if close is None and all(currency.is_zero(got_taxes[tax]) == currency.is_zero(tax_amount)
                                     for tax, tax_amount in per_tax.items()):
                close = price
        if close is None:
            raise UserError(self._billing_inexact_message(amount))
        return {"price_unit": close, "untaxed": untaxed, "taxes": per_tax, "total": total, "forced": True}

    def _billing_inexact_message(self, amount):
        return self.env._(
            "With these taxes, %(amount)s cannot be booked to the cent: its tax rounds differently on the "
            "invoice. Change the amount by a cent, or untick Taxes included and enter the untaxed amount.",
            amount=format_amount(self.env, amount, self.env.company.currency_id))

    def _billing_manual_move_preview(self, amount, taxes_included, taxes, operation):
        """What Create a credit / Create an invoice will book for ``amount`` (docs/rules.md §6: the wizard
        shows it, the button books it): untaxed, tax and total amounts and the balance after."""
        currency = self.env.company.currency_id
        plan = self._billing_manual_move_plan(amount, taxes_included, taxes, operation)
        sign = -1 if operation == "credit" else 1
        return {
            "amount_untaxed": plan["untaxed"],
            "amount_tax": currency.round(plan["total"] - plan["untaxed"]),
            "amount_total": plan["total"],
            **self._billing_balance_after(sign * plan["total"]),
        }

    def _billing_manual_move_inputs(self, amount, note, taxes_included, tax_ids, operation):
        """The checked inputs of R1 / R2: (amount, note, taxes_included, taxes)."""
        amount = billing_tools.to_amount(self.env, amount, self.env.company.currency_id)
        what = self.env._("a credit") if operation == "credit" else self.env._("an invoice")
        note = billing_tools.check_note(self.env, note, what)
        if taxes_included not in (None, False, True, 0, 1) or isinstance(taxes_included, float):
            raise UserError(self.env._("Taxes included must be true or false, not %(value)s.",
                                       value=billing_tools.shown(taxes_included)))
        taxes = self._billing_taxes(tax_ids, self._billing_credit_product())
        return amount, note, bool(taxes_included), taxes

    def _billing_force_tax_lines(self, move, per_tax):
        """Set the tax lines of the draft ``move`` to ``per_tax`` (as a user may do in the invoice)."""
        sign = move.direction_sign  # tax lines: debit on a credit note, credit on an invoice
        for tax, tax_amount in per_tax.items():
            lines = move.line_ids.filtered(lambda line, tax=tax: line.tax_line_id == tax)
            delta = move.currency_id.round(tax_amount - sign * sum(lines.mapped("amount_currency")))
            if lines and not move.currency_id.is_zero(delta):
                line = lines[0]
                line.write({"amount_currency": line.amount_currency + sign * delta,
                            "balance": line.balance + sign * delta})

    def _billing_create_manual_move(self, operation, amount, note, taxes_included, taxes):
        """One posted customer credit note (``operation`` credit) or invoice (charge) with one line
        on the credit product, booked as ``_billing_manual_move_preview`` shows it."""
        self.ensure_one()
        plan = self._billing_manual_move_plan(amount, taxes_included, taxes, operation)
        with self.env.cr.savepoint():  # a refusal below leaves nothing written
            move = billing_tools.internal(self, "billing_document")._billing_create_planned_move(
                operation, note, taxes, plan)
        return move.with_env(self.env)

    def _billing_create_planned_move(self, operation, note, taxes, plan):
        company = self.env.company
        currency = company.currency_id
        move = self.env["account.move"].with_company(company).create({
            "move_type": "out_refund" if operation == "credit" else "out_invoice",
            "partner_id": self.id,
            "currency_id": currency.id,
            "invoice_date": company._billing_today(),  # the company's day, whoever calls
            "billing_operation": operation,
            "billing_note": note,
            "ref": note[:64],
            "invoice_line_ids": [Command.create({
                "product_id": self._billing_credit_product().id,
                "name": note,
                "quantity": 1.0,
                "price_unit": plan["price_unit"],
                "tax_ids": [Command.set(taxes.ids)],
            })],
        })
        if plan["forced"]:
            self._billing_force_tax_lines(move, plan["taxes"])
        if currency.compare_amounts(move.amount_total, plan["total"]) or currency.compare_amounts(
                move.amount_untaxed, plan["untaxed"]):
            raise UserError(self._billing_inexact_message(plan["total"]))
        return move

    def _billing_reversible_residual(self, credit):
        """R2.4: what is left open on ``credit`` to reverse (> 0), or a clear refusal."""
        currency = credit.currency_id
        if currency != self.env.company.currency_id:
            raise UserError(self.env._(
                "The credit %(credit)s is in %(currency)s: only a credit in %(company_currency)s can be "
                "reversed here.", credit=credit.display_name, currency=currency.name,
                company_currency=self.env.company.currency_id.name))
        # At most the open residual, and in total never more than the credit: a reconciliation undone
        # by hand reopens the credit but does not undo the invoices that already reversed it.
        reversed_total = sum(credit.billing_reversal_ids.filtered(lambda move: move.state == "posted")
                             .mapped("amount_total"))
        residual = currency.round(min(credit.amount_residual, credit.amount_total - reversed_total))
        if currency.compare_amounts(residual, 0.0) <= 0:
            raise UserError(self.env._(
                "The credit %(credit)s has nothing left to reverse: it is fully reversed or already applied "
                "to invoices.", credit=credit.display_name))
        return residual

    def _billing_check_reversed_credit(self, reversed_credit_id):
        """R2: the posted customer credit note of this client that an invoice reverses."""
        credit_id = billing_tools.to_id(self.env, reversed_credit_id, self.env._("The credit to reverse"))
        credit = self.env["account.move"].browse(credit_id).exists()
        if not credit or credit.move_type != "out_refund" or credit.state != "posted":
            raise UserError(self.env._("The credit to reverse must be a posted customer credit note."))
        if credit.commercial_partner_id != self:
            raise UserError(self.env._("The credit %(credit)s is not %(client)s's.",
                                       credit=credit.display_name, client=self.display_name))
        billing_tools.check_company(self.env, credit, self.env.company, self.env._("The credit"))
        self._billing_reversible_residual(credit)
        return credit

    def _billing_lock_reversed_credit(self, credit, total):
        """R2.4, under a row lock on the credit: an invoice of ``total`` (taxes included) reverses at
        most what is left open on it."""
        billing_tools.lock_rows(credit, self.env._(
            "Another user is working on the credit %(credit)s right now. Try again in a moment.",
            credit=credit.display_name))
        credit.invalidate_recordset(["amount_residual", "payment_state", "billing_reversal_ids"])
        credit.line_ids.invalidate_recordset(["amount_residual", "reconciled"])
        residual = self._billing_reversible_residual(credit)
        currency = credit.currency_id
        if currency.compare_amounts(total, residual) > 0:
            raise UserError(self.env._(
                "The invoice's total %(total)s (taxes included) is more than what is left open on the credit "
                "%(credit)s: %(left)s. Lower the amount to at most %(left)s, taxes included.",
                total=format_amount(self.env, total, currency), credit=credit.display_name,
                left=format_amount(self.env, residual, currency)))

    def _billing_reverse_credit(self, move, credit):
        """R2.2: the invoice ``move`` (draft) reverses ``credit`` (locked and checked): same
        receivable account, reconciled once posted."""
        credit_lines = credit._billing_receivable_lines()
        move_lines = move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        if move_lines.account_id != credit_lines.account_id:
            raise UserError(self.env._(
                "The credit %(credit)s is on the receivable account %(credit_account)s, but %(client)s's "
                "invoices now go to %(account)s: an invoice cannot reverse it. Set the client's Account "
                "Receivable (Accounting tab) back to %(credit_account)s, then try again.",
                credit=credit.display_name, credit_account=credit_lines.account_id.display_name,
                client=self.display_name, account=move_lines.account_id.display_name))
        billing_tools.internal(move, "billing_document").billing_reversed_credit_id = credit
        move.action_post()
        (move._billing_receivable_lines() + credit_lines).reconcile()

    # -------------------------------------------------------------------------
    # PUBLIC API (docs/rules.md §6)
    # -------------------------------------------------------------------------

    def billing_create_credit(self, amount, note, taxes_included=False, tax_ids=None, idempotency_key=None):
        """R1: a posted billing credit note; returns its id."""
        billing_tools.check_single(self, self.env._("client"))
        client = self._billing_client()
        amount, note, taxes_included, taxes = client._billing_manual_move_inputs(
            amount, note, taxes_included, tax_ids, "credit")

        def create():
            move = client._billing_create_manual_move("credit", amount, note, taxes_included, taxes)
            move.action_post()
            client._billing_post_audit(move, self.env._("Credit"), move.amount_total, move.billing_note)
            billing_tools.crash_point("create_credit")
            return move.id
        return self.env["account.billing.idempotency"]._run(
            client, "res.partner.billing_create_credit", idempotency_key, create,
            {"amount": amount, "note": note, "taxes_included": taxes_included, "tax_ids": taxes.ids})

    def billing_create_charge(self, amount, note, taxes_included=False, tax_ids=None,
                              reversed_credit_id=None, idempotency_key=None):
        """R2: a posted invoice, reconciled with the credit it reverses (at most its open residual)."""
        billing_tools.check_single(self, self.env._("client"))
        client = self._billing_client()
        amount, note, taxes_included, taxes = client._billing_manual_move_inputs(
            amount, note, taxes_included, tax_ids, "charge")
        credit = self.env["account.move"]
        if reversed_credit_id not in (None, False):
            credit = client._billing_check_reversed_credit(reversed_credit_id)

        def create():
            with self.env.cr.savepoint():  # a refusal below leaves nothing written
                if credit:
                    client._billing_lock_reversed_credit(credit, client._billing_manual_move_plan(
                        amount, taxes_included, taxes, "charge")["total"])
                move = client._billing_create_manual_move("charge", amount, note, taxes_included, taxes)
                if credit:
                    client._billing_reverse_credit(move, credit)
                else:
                    move.action_post()
            extra = self.env._("Reverses %(credit)s.", credit=credit.display_name) if credit else None
            client._billing_post_audit(move, self.env._("Charge"), move.amount_total, move.billing_note, extra)
            if credit:
                credit._message_log(author_id=self.env.user.partner_id.id, body=self.env._(
                    "Reversed by %(move)s.", move=move.display_name))
            billing_tools.crash_point("create_charge")
            return move.id
        return self.env["account.billing.idempotency"]._run(
            client, "res.partner.billing_create_charge", idempotency_key, create,
            {"amount": amount, "note": note, "taxes_included": taxes_included, "tax_ids": taxes.ids,
             "reversed_credit_id": credit.id or None})

    def billing_refund(self, amount, journal_id, note, payment_method_line_id=None, idempotency_key=None):
        """R3: give back the client's available credit; returns the id of the refund payment,
        reconciled with the open credit items, oldest first."""
        billing_tools.check_single(self, self.env._("client"))
        billing_tools.check_refund_access(self.env)
        client = self._billing_client()
        currency = self.env.company.currency_id
        amount = billing_tools.to_amount(self.env, amount, currency)
        note = billing_tools.check_note(self.env, note, self.env._("a refund"))
        journal_id = billing_tools.to_id(self.env, journal_id, self.env._("The journal"))
        if payment_method_line_id not in (None, False):
            payment_method_line_id = billing_tools.to_id(
                self.env, payment_method_line_id, self.env._("The payment method"))
        journal, method_line = client._billing_refund_journal(journal_id, payment_method_line_id)

        def create():
            # Lock what the check reads, then read it again (docs/rules.md §7): a concurrent refund of the
            # same credit either waits for nothing (NOWAIT: clear error) or is seen here.
            credit_lines = client._billing_open_credit_lines()
            billing_tools.lock_rows(credit_lines, self.env._(
                "Another user is working on %(client)s's credit right now. Try again in a moment.",
                client=client.display_name))
            client._billing_check_available_credit(amount)
            payment = self.env["account.payment"]._billing_create_refund(
                client, amount, journal, method_line, note)
            payment._billing_reconcile_with_credit(credit_lines)
            client._billing_post_audit(payment, self.env._("Refund"), amount, note)
            billing_tools.crash_point("refund")
            return payment.id
        return self.env["account.billing.idempotency"]._run(
            client, "res.partner.billing_refund", idempotency_key, create,
            {"amount": amount, "note": note, "journal_id": journal.id, "payment_method_line_id": method_line.id})

    def _billing_check_available_credit(self, amount):
        """R3.1 / R3.2: the client is in credit, and ``amount`` (company currency) is at most its
        available credit; read after the caller locked the credit items."""
        currency = self.env.company.currency_id
        balance = currency.round(self._billing_balances().get(self.id, 0.0))
        if currency.compare_amounts(balance, 0.0) >= 0:
            raise UserError(self.env._(
                "%(client)s has no credit to refund (balance: %(balance)s). Create a credit first "
                "(the Create a credit button on the client's Billing tab), then refund it.",
                client=self.display_name, balance=self._billing_format_balance(balance, currency)))
        if currency.compare_amounts(amount, -balance) > 0:
            raise UserError(self.env._(
                "%(amount)s is more than %(client)s's available credit (%(credit)s). Refund at most "
                "%(credit)s.", amount=format_amount(self.env, amount, currency),
                client=self.display_name, credit=format_amount(self.env, -balance, currency)))

    # -------------------------------------------------------------------------
    # ACTIONS
    # -------------------------------------------------------------------------

    def _billing_client_wizard_action(self, model, name, context=None):
        self.ensure_one()
        return billing_tools.wizard_action(
            model, name, {"default_partner_id": self.commercial_partner_id.id, **(context or {})})

    def action_billing_create_credit(self):
        return self._billing_client_wizard_action("account.billing.credit.wizard", self.env._("Create a credit"),
                                           {"default_operation": "credit"})

    def action_billing_create_charge(self):
        return self._billing_client_wizard_action("account.billing.credit.wizard", self.env._("Create an invoice"),
                                           {"default_operation": "charge"})

    def action_billing_record_refund(self):
        return self._billing_client_wizard_action("account.billing.record.refund.wizard", self.env._("Record a refund"))

    # -------------------------------------------------------------------------
    # CLIENT STATEMENT (docs/rules.md §3): the figures of the Billing tab's timeline, for a period
    # -------------------------------------------------------------------------

    def _billing_statement_data(self, date_from=None, date_to=None):
        """One statement per commercial partner of ``self`` (in the current company), with the figures
        of the Billing tab's timeline (``account.billing.timeline``): opening balance, the rows of the
        period with their running balance, closing balance, available credit at the end of the period
        and the scheduled payments not yet applied; labels in each client's language. A fixed number of
        queries, whatever the length of the clients' history; they name the clients and the company,
        so the portal may call this as superuser for its own client only."""
        date_from = self._billing_statement_date(date_from, self.env._("The statement's From date"))
        date_to = self._billing_statement_date(date_to, self.env._("The statement's To date"))
        clients = self.commercial_partner_id
        if not clients:
            return []
        company = self.env.company
        Timeline = self.env["account.billing.timeline"]
        balances = clients._billing_statement_balances(date_from, date_to)
        rows = defaultdict(list)
        for row in Timeline._billing_period_rows(clients, company, date_from, date_to):
            rows[row[1]].append(row)
        scheduled = defaultdict(list)
        for row in Timeline._billing_scheduled_rows(clients, company):
            scheduled[row[1]].append(row)
        return [client._billing_statement(date_from, date_to, *balances[client.id], rows[client.id],
                                          scheduled[client.id]) for client in clients]

    def _billing_statement_balances(self, date_from, date_to):
        """{client id: (opening, closing)} by one SQL aggregate: the balance now minus the amounts
        booked from ``date_from`` on (opening) and after ``date_to`` (closing), as the timeline's running
        balances are counted; no limit: 0 before the first document, the balance now after the last."""
        balances = self._billing_balances()
        self.env["account.move.line"].flush_model(["balance", "parent_state", "account_id", "company_id",
                                                  "partner_id", "date"])
        since = SQL("l.date >= %s", date_from) if date_from else SQL("TRUE")
        after = SQL("l.date > %s", date_to) if date_to else SQL("FALSE")
        sums = {client_id: (since_start, after_end) for client_id, since_start, after_end in self.env.execute_query(SQL(
            """SELECT p.commercial_partner_id,
                      COALESCE(SUM(l.balance) FILTER (WHERE %(since)s), 0),
                      COALESCE(SUM(l.balance) FILTER (WHERE %(after)s), 0)
                 FROM res_partner p
                CROSS JOIN LATERAL (
                   SELECT l.date, l.balance
                     FROM account_move_line l
                    WHERE l.partner_id = p.id AND l.company_id = %(company)s AND l.parent_state = 'posted'
                      AND l.account_id = ANY(ARRAY(SELECT id FROM account_account
                                                    WHERE account_type = 'asset_receivable'))
                      AND (%(since)s OR %(after)s)
                   OFFSET 0) l
                WHERE p.commercial_partner_id IN %(clients)s
             GROUP BY p.commercial_partner_id""",
            since=since, after=after, company=self.env.company.id, clients=tuple(self.ids)))}
        currency = self.env.company.currency_id
        result = {}
        for client in self:
            balance = balances.get(client.id, 0.0)
            since_start, after_end = sums.get(client.id, (0.0, 0.0))
            result[client.id] = (currency.round(balance - since_start), currency.round(balance - after_end))
        return result

    def _billing_statement(self, date_from, date_to, opening, closing, rows, scheduled):
        """The statement of one client, labelled in its language: ``rows`` and ``scheduled`` are the
        tuples of ``account.billing.timeline._billing_period_rows`` / ``_billing_scheduled_rows``."""
        self.ensure_one()
        company = self.env.company
        currency = company.currency_id
        lang = self.lang or self.env.lang or "en_US"
        client = self.with_context(lang=lang)
        env = client.env
        Timeline = env["account.billing.timeline"]
        kinds = dict(Timeline._fields["kind"]._description_selection(env))
        states = dict(Timeline._fields["state"]._description_selection(env))
        # Odoo's own formatting, once per value and language: a long history repeats dates and amounts.
        money = functools.cache(lambda amount: format_amount(env, amount, currency))
        balance_label = functools.cache(lambda amount: client._billing_format_balance(amount, currency))
        date_label = functools.cache(lambda day: format_date(env, day))
        # The amounts are sums of journal items in SQL: exact in the currency's decimals already.
        lines = [{
            "id": row_id, "date": day, "date_label": date_label(day),
            "kind": kind, "kind_label": kinds.get(kind, kind),
            "reference": reference or "", "note": note or "",
            "state": state, "state_label": states.get(state, state or ""),
            "amount": amount, "amount_label": money(amount),
            "running_balance": running, "running_balance_label": balance_label(running),
        } for row_id, _client_id, day, kind, reference, note, state, amount, running in rows]
        planned = [{
            "id": row_id, "date": day, "date_label": date_label(day), "reference": reference or "",
            "note": note or "", "amount": amount, "amount_label": money(amount),
        } for row_id, _client_id, day, reference, note, amount in scheduled]
        scheduled_total = currency.round(sum(line["amount"] for line in planned))
        available = currency.round(max(0.0, -closing))
        return {
            "partner": client,
            "company": company,
            "currency": currency,
            "lang": lang,
            "date_from": date_from,
            "date_to": date_to,
            "date_from_label": date_label(date_from) if date_from else "",
            "date_to_label": date_label(date_to) if date_to else "",
            "printed_label": date_label(company._billing_today()),
            "opening_balance": opening,
            "opening_label": balance_label(opening),
            "rows": lines,
            "closing_balance": closing,
            "closing_label": balance_label(closing),
            "available_credit": available,
            "available_credit_label": money(available),
            "scheduled": planned,
            "scheduled_total": scheduled_total,
            "scheduled_total_label": money(scheduled_total),
        }

    @api.model
    def _billing_statement_date(self, value, label):
        """A date of the statement's period (a date or YYYY-MM-DD; empty: no limit). It also comes from a
        URL (/report/...?options=) or the mail composer's context: a bad one is a clear error, not a crash."""
        if not value:
            return False
        try:
            day = fields.Date.to_date(value) if isinstance(value, (datetime.date, str)) else None
        except ValueError:
            day = None
        if not day:
            raise UserError(self.env._("%(label)s must be a date (YYYY-MM-DD), not %(value)s.",
                                       label=label, value=billing_tools.shown(value)))
        return day

    def _billing_statement_report(self):
        return self.env.ref("account_billing_operations.action_report_billing_statement")

    @api.model
    def _billing_statement_default_period(self):
        """The period a statement proposes: the previous month and the current one up to today (a
        monthly statement and what has happened since); the user may widen it to the whole history."""
        today = self.env.company._billing_today()
        return {"date_from": fields.Date.start_of(fields.Date.subtract(today, months=1), "month"), "date_to": False}

    def action_billing_statement_wizard(self):
        """Print or email a statement for a period (the Billing tab's Statement button)."""
        period = self._billing_statement_default_period()
        return billing_tools.wizard_action(
            "account.billing.statement.wizard", self.env._("Client statement"),
            {"active_model": "res.partner", "active_ids": self.ids,
             "default_date_from": fields.Date.to_string(period["date_from"])})

    def action_billing_send_statement(self, date_from=None, date_to=None):
        """Odoo's mail composer with the statement attached (mail template of the module)."""
        self.ensure_one()
        client = self.commercial_partner_id
        template = self.env.ref("account_billing_operations.mail_template_billing_statement",
                                raise_if_not_found=False)
        context = {
            "default_model": "res.partner",
            "default_res_ids": client.ids,
            "default_composition_mode": "comment",
            "default_template_id": template.id if template else False,
            "default_email_layout_xmlid": "mail.mail_notification_light",
            "billing_statement_date_from": fields.Date.to_string(date_from) if date_from else False,
            "billing_statement_date_to": fields.Date.to_string(date_to) if date_to else False,
        }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send the statement"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }
