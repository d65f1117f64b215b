import datetime

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import float_compare
from odoo.tools import float_is_zero
from odoo.tools import float_round
from odoo.tools import format_amount
from odoo.tools import format_date

from . import billing_tools

# R1.4: what a posted billing credit never lets anyone change.
IMMUTABLE_MOVE_FIELDS = frozenset({
    "state", "move_type", "name", "partner_id", "commercial_partner_id", "company_id",
    "journal_id", "currency_id", "date", "invoice_date", "invoice_date_due",
    "line_ids", "invoice_line_ids", "amount_untaxed", "amount_tax", "amount_total",
    "billing_operation", "invoice_payment_term_id", "fiscal_position_id", "ref",
})
# Set by the client's billing operations only (res.partner._billing_create_manual_move, the charge's
# reversal link, _billing_create_cancellation), never by a client's create or write.
BILLING_DOCUMENT_FIELDS = ("billing_operation", "billing_reversed_credit_id", "billing_note")


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "account.billing.card.guard"]

    billing_operation = fields.Selection(
        selection=[
            ("credit", "Billing credit"),
            ("charge", "Billing charge"),
            ("cancellation", "Items cancellation"),
        ],
        string="Billing operation", readonly=True, copy=False, index="btree_not_null",
        help="Set on the documents made by the client's billing operations.",
    )
    billing_note = fields.Text(string="Billing note", readonly=True, copy=False)
    billing_reversed_credit_id = fields.Many2one(
        "account.move", string="Reverses credit", readonly=True, copy=False, index="btree_not_null",
        check_company=True,
        help="The erroneous credit this charge reverses (Create an invoice).",
    )
    billing_reversal_ids = fields.One2many(
        "account.move", "billing_reversed_credit_id", string="Reversed by", readonly=True)
    billing_reversal_move_ids = fields.Many2many(
        "account.move", compute="_compute_billing_reversal_move_ids", string="Reversed by (display)")

    billing_payment_ids = fields.One2many(
        "account.payment", "billing_invoice_id", string="Billing payments", readonly=True,
        help="Payments made with Make a payment from this invoice.")
    # Stored: scheduling a payment writes the invoice's row, so that two workers scheduling on the
    # same invoice conflict on it (R7.1) instead of both reading "nothing scheduled yet".
    billing_scheduled_amount = fields.Monetary(
        string="Scheduled payments", compute="_compute_billing_scheduled_amount", store=True,
        currency_field="currency_id",
        help="Postdated payments recorded for this invoice and not applied yet: they are not "
        "deducted from the amount due until their date.")
    billing_scheduled_label = fields.Char(compute="_compute_billing_scheduled_label")
    billing_has_cancellations = fields.Boolean(compute="_compute_billing_has_cancellations")

    @api.depends("billing_reversal_ids")
    def _compute_billing_reversal_move_ids(self):
        for move in self:
            move.billing_reversal_move_ids = move.billing_reversal_ids

    @api.depends("billing_payment_ids.state", "billing_payment_ids.amount", "billing_payment_ids.billing_postdated")
    def _compute_billing_scheduled_amount(self):
        for move in self:
            move.billing_scheduled_amount = sum(move.billing_payment_ids._billing_scheduled_payments().mapped("amount"))

    @api.depends("billing_payment_ids.state", "billing_payment_ids.amount", "billing_payment_ids.date")
    def _compute_billing_scheduled_label(self):
        for move in self:
            move.billing_scheduled_label = ", ".join(
                self.env._("%(amount)s on %(date)s", amount=format_amount(self.env, pay.amount, pay.currency_id),
                           date=format_date(self.env, pay.date))
                for pay in move.billing_payment_ids._billing_scheduled_payments().sorted("date"))

    @api.depends("invoice_line_ids.billing_cancel_state")
    def _compute_billing_has_cancellations(self):
        for move in self:
            move.billing_has_cancellations = any(move.invoice_line_ids.mapped("billing_cancel_state"))

    # -------------------------------------------------------------------------
    # R1.4: a posted billing credit is immutable
    # -------------------------------------------------------------------------

    def _billing_locked_credits(self):
        return self.filtered(lambda m: m.billing_operation == "credit" and m.state == "posted")

    def _billing_raise_immutable(self):
        locked = self._billing_locked_credits()
        if locked:
            raise UserError(self.env._(
                "The billing credit %(credits)s is posted and can never be changed, cancelled or "
                "deleted. To reverse it, create an invoice with the Reverse an erroneous credit button of "
                "the credit (or Create an invoice on the client's Billing tab, choosing this credit as the "
                "one it reverses).",
                credits=", ".join(locked.mapped("display_name")),
            ))

    def _billing_check_document_fields(self, vals_list):
        """What makes a move a billing document is set by the module's own code only (a flag a
        client cannot send over RPC)."""
        if billing_tools.is_internal(self.env, "billing_document"):
            return
        for vals in vals_list:
            names = [fname for fname in BILLING_DOCUMENT_FIELDS
                     if fname in vals and (vals[fname] or self.filtered(fname))]
            if names:
                self._billing_check_card_numbers(vals_list)  # a card number is refused as such first
                raise UserError(self.env._(
                    "%(fields)s of a journal entry are set only by the client's billing operations (the "
                    "Create a credit and Create an invoice buttons on the client's Billing tab, the "
                    "Cancel/refund items button of an invoice): they cannot be set or changed by hand.",
                    fields=", ".join(self._fields[fname]._description_string(self.env) for fname in names)))

    def _billing_check_refund_entries(self):
        """R5: the posted journal entry of a pending or settled refund changes only through the
        refund's Cancel refund button."""
        entries = self.filtered(lambda move: move.state == "posted" and move.origin_payment_id)
        if entries:
            entries.origin_payment_id._billing_check_refund_reset()

    @api.model
    def _billing_check_line_commands(self, vals_list):
        """The lines' own checks (account.move.line._billing_check_cancellation_fields) made on the
        line commands first, so that a refusal comes before the move is written."""
        line_vals = [command[2] for vals in vals_list for fname in ("line_ids", "invoice_line_ids")
                     for command in (vals.get(fname) or ())
                     if isinstance(command, (list, tuple)) and len(command) == 3 and command[0] in (0, 1)
                     and isinstance(command[2], dict)]
        if line_vals:
            self.env["account.move.line"].browse()._billing_check_cancellation_fields(line_vals)

    @api.model_create_multi
    def create(self, vals_list):
        """The billing marks of a move (and the cancellation links of its lines) are set by the module's
        own code only, never by a client's create."""
        self.browse()._billing_check_document_fields(vals_list)
        self._billing_check_line_commands(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        """R1.4: a posted billing credit never changes; R5: a refund's journal entry changes only through
        Cancel refund. Only the module's own documents are looked at: the posted billing credits are
        filtered first and only they are asked ``_field_will_change`` (held by TestNarrowOverrides)."""
        self._billing_check_document_fields([vals])
        self._billing_check_line_commands([vals])
        protected = IMMUTABLE_MOVE_FIELDS.intersection(vals)
        if protected:
            locked = self._billing_locked_credits()
            if locked:
                locked.filtered(lambda move: any(
                    self._field_will_change(move, vals, fname) for fname in protected))._billing_raise_immutable()
            if ("state" in vals and vals["state"] != "posted") or "line_ids" in vals or "invoice_line_ids" in vals:
                self._billing_check_refund_entries()
        return super().write(vals)

    def unlink(self):
        """R1.4 / R5: neither a posted billing credit nor a refund's journal entry is deleted."""
        self._billing_raise_immutable()
        self._billing_check_refund_entries()
        return super().unlink()

    def button_draft(self):
        """R1.4: a posted billing credit is never reset to draft."""
        self._billing_raise_immutable()
        # A refund's journal entry follows its refund: reset only by Cancel refund (R5).
        self.origin_payment_id._billing_check_refund_reset()
        return super().button_draft()

    def button_cancel(self):
        """R1.4 / R5: neither a billing credit nor a refund's journal entry is cancelled from the move."""
        self._billing_raise_immutable()
        self.origin_payment_id._billing_check_refund_reset()
        return super().button_cancel()

    def button_request_cancel(self):
        """R1.4: no cancellation request either (the e-invoicing path of Odoo's Cancel)."""
        self._billing_raise_immutable()
        return super().button_request_cancel()

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """Odoo's Reverse button (and its Reverse and create invoice) on the module's documents:
        a billing credit is reversed only by an invoice (R2.4), a cancellation credit note is
        undone by an invoice too, and a refund's journal entry only by its Cancel refund button (R5).
        The module's own cancellation reverses customer invoices, never these."""
        credits = self.filtered(lambda move: move.billing_operation == "credit")
        if credits:
            raise UserError(self.env._(
                "The billing credit %(credits)s cannot be reversed with the Reverse button. To reverse it, "
                "use its Reverse an erroneous credit button (or Create an invoice on the client's Billing "
                "tab, choosing this credit as the one it reverses).",
                credits=", ".join(credits.mapped("display_name"))))
        cancellations = self.filtered(lambda move: move.billing_operation == "cancellation")
        if cancellations:
            raise UserError(self.env._(
                "The credit note %(notes)s cancels invoice items and cannot be reversed with the Reverse "
                "button. To charge the client again, use the Create an invoice button on the client's "
                "Billing tab.", notes=", ".join(cancellations.mapped("display_name"))))
        self.origin_payment_id._billing_check_refund_reset()
        return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)

    # -------------------------------------------------------------------------
    # ACTIONS
    # -------------------------------------------------------------------------

    def action_billing_reverse_credit(self):
        """Open Create an invoice prefilled to reverse this credit (R2.4): its open residual, taxes
        included, with its taxes, so that the invoice's total is what it reverses."""
        self.ensure_one()
        client = self.commercial_partner_id
        residual = client._billing_reversible_residual(self)
        action = client.action_billing_create_charge()
        action["name"] = self.env._("Reverse an erroneous credit")
        action["context"].update({
            "default_reversed_credit_id": self.id,
            "default_amount": residual,
            "default_taxes_included": True,
            "default_tax_ids": [Command.set(self.invoice_line_ids.tax_ids.ids)],
        })
        return action

    def action_billing_make_payment(self):
        self.ensure_one()
        self._billing_check_customer_invoice()
        return self._billing_invoice_wizard_action("account.billing.make.payment.wizard", self.env._("Make a payment"))

    def action_billing_cancel_items(self):
        self.ensure_one()
        self._billing_check_customer_invoice()
        return self._billing_invoice_wizard_action(
            "account.billing.cancel.items.wizard", self.env._("Cancel/refund items"))

    def _billing_invoice_wizard_action(self, model, name):
        return billing_tools.wizard_action(model, name, {
            "active_model": "account.move", "active_id": self.id, "active_ids": self.ids,
            "default_invoice_id": self.id})

    # -------------------------------------------------------------------------
    # HELPERS
    # -------------------------------------------------------------------------

    def _billing_check_customer_invoice(self):
        """R6 / R7 work on one posted customer invoice of the current company."""
        if len(self) != 1 or self.move_type != "out_invoice" or self.state != "posted":
            raise UserError(self.env._(
                "%(move)s is not a posted customer invoice: this operation works only on posted "
                "customer invoices.", move=", ".join(self.mapped("display_name")) or self.env._("This document"),
            ))
        billing_tools.check_company(self.env, self, self.env.company, self.env._("The invoice"))

    def _billing_receivable_lines(self):
        """The invoice's open receivable items (what a payment or a credit is reconciled with)."""
        return self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled)

    def _billing_open_credit_lines(self):
        """R7.5: the client's open credit items usable on this invoice, oldest first."""
        self.ensure_one()
        accounts = self.line_ids.account_id.filtered(lambda account: account.account_type == "asset_receivable")
        credit_lines = self.commercial_partner_id.with_company(self.company_id)._billing_open_credit_lines()
        return credit_lines.filtered(lambda line: line.account_id in accounts and line.move_id != self)

    def _billing_credit_amount(self, lines):
        """Open credit of ``lines`` expressed in the invoice's currency (positive)."""
        self.ensure_one()
        total = 0.0
        for line in lines:
            if line.currency_id == self.currency_id:
                total += -line.amount_residual_currency
            else:
                total += self.company_currency_id._convert(
                    -line.amount_residual, self.currency_id, self.company_id, fields.Date.context_today(self))
        return self.currency_id.round(total)

    def _billing_paid_amount(self):
        """R6.4: what was paid on this invoice by payments, in its currency."""
        self.ensure_one()
        paid = 0.0
        for line in self.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable"):
            for partial in line.matched_credit_ids:
                if partial.credit_move_id.move_id.origin_payment_id:
                    paid += partial.debit_amount_currency
        return self.currency_id.round(paid)

    def _billing_paying_payments(self):
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        return lines.matched_credit_ids.credit_move_id.move_id.origin_payment_id

    # -------------------------------------------------------------------------
    # R7 MAKE A PAYMENT
    # -------------------------------------------------------------------------

    def _billing_payment_method_line(self, journal, payment_method_line_id=None):
        """R7.2: the method of a payment made at the front desk: the given one, or an offline one of
        the journal (manual first). A method tied to an online payment provider is refused."""
        offline = journal._billing_offline_method_lines("inbound")
        if not payment_method_line_id:
            if not offline:
                raise UserError(self.env._(
                    "The journal %(journal)s has no offline method to receive payments (cash, cheque, manual card "
                    "terminal): choose another payment mode, or add a Manual method in the journal's Incoming "
                    "Payments tab.", journal=journal.display_name))
            return offline[:1]
        method_id = billing_tools.to_id(self.env, payment_method_line_id, self.env._("The payment method"))
        method = self.env["account.payment.method.line"].browse(method_id).exists()
        if method and method.payment_provider_id and method.journal_id == journal:
            raise UserError(self.env._(
                "The payment method %(method)s belongs to the online payment provider %(provider)s: the client pays "
                "with it online, not at the front desk. Choose an offline method: %(methods)s.",
                method=method.name, provider=method.payment_provider_id.name,
                methods=", ".join(offline.mapped("name")) or "-"))
        if not method or method not in offline:
            raise UserError(self.env._(
                "The payment method must be one of the journal %(journal)s's methods to receive payments: "
                "%(methods)s.", journal=journal.display_name, methods=", ".join(offline.mapped("name")) or "-"))
        return method

    def _billing_default_payment_journal(self):
        """The payment mode proposed by Make a payment: a bank journal of the invoice's company (else a
        cash one) that can take the invoice's currency."""
        self.ensure_one()
        Journal = self.env["account.journal"]
        journals = Journal.search([
            *Journal._check_company_domain(self.company_id),
            ("type", "in", ("bank", "cash")),
            "|", ("currency_id", "=", False), ("currency_id", "=", self.currency_id.id),
        ])
        return journals.filtered(lambda journal: journal.type == "bank")[:1] or journals[:1]

    def _billing_payment_journal(self, journal_id):
        """R7.2: the payment mode, a bank or cash journal of the company in the invoice's currency."""
        return billing_tools.check_journal(self.env, journal_id, self.env._("a payment mode"), self.currency_id)

    def _billing_prepare_payment_vals(self, amount, journal, method, payer_name, payer_reference, date,
                                      postdated):
        """Values of the payment, as Register Payment builds them (account.payment.register)."""
        self.ensure_one()
        return {
            "date": date,
            "amount": amount,
            "payment_type": "inbound",
            "partner_type": "customer",
            "memo": self.payment_reference or self.name,
            "journal_id": journal.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "partner_id": self.commercial_partner_id.id,
            "payment_method_line_id": method.id,
            "destination_account_id": self.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable")[:1].account_id.id,
            "billing_payer_name": payer_name or False,
            "billing_payer_reference": payer_reference or False,
            "billing_postdated": postdated,
            "billing_invoice_id": self.id,
            "invoice_ids": [Command.set(self.ids)],
        }

    def _billing_credit_plan(self, credit_lines, cap):
        """R7.5 with R7.1: the open credit items applied to this invoice, oldest first, and the amount
        they apply, without going over ``cap`` (the amount due less the scheduled payments). The last
        item may be applied in part only when nothing is scheduled (the invoice's amount due caps it);
        with schedules, an item larger than what is left stays on file."""
        self.ensure_one()
        currency = self.currency_id
        partial_allowed = currency.is_zero(self.billing_scheduled_amount)
        plan = self.env["account.move.line"]
        left = cap
        for line in credit_lines:
            if currency.compare_amounts(left, 0.0) <= 0:
                break
            amount = self._billing_credit_amount(line)
            if currency.compare_amounts(amount, left) <= 0:
                plan |= line
                left = currency.round(left - amount)
            elif partial_allowed:
                plan |= line
                left = 0.0
        return plan, currency.round(cap - left)

    def _billing_payment_figures(self, use_credit=False):
        """R7.1 / R7.5: what Make a payment shows and checks: the amount due, the scheduled payments,
        the credit on file and what of it applies, the amount proposed (what is left to pay). Returns
        (figures, credit items to apply)."""
        self.ensure_one()
        currency = self.currency_id
        due = self.amount_residual
        scheduled = self.billing_scheduled_amount
        open_lines = self._billing_open_credit_lines()
        available = self._billing_credit_amount(open_lines) if open_lines else 0.0
        cap = max(0.0, currency.round(due - scheduled))
        plan, to_apply = self._billing_credit_plan(open_lines, cap) if use_credit else (open_lines.browse(), 0.0)
        figures = {
            "amount_due": currency.round(due),
            "scheduled": currency.round(scheduled),
            "credit_available": available,
            "credit_to_apply": to_apply,
            "amount": max(0.0, currency.round(cap - to_apply)),
        }
        return figures, plan

    def _billing_payment_preview(self, use_credit=False):
        """What the Make a payment wizard shows, from the same code as billing_make_payment."""
        return self._billing_payment_figures(use_credit)[0]

    def _billing_check_pay_amount(self, pay_amount, figures):
        """R7.1: the amount is at most the amount due less the scheduled payments (and less the credit
        on file applied)."""
        currency = self.currency_id
        if currency.compare_amounts(pay_amount, figures["amount"]) <= 0:
            return
        fmt = lambda amount: format_amount(self.env, amount, currency)  # noqa: E731
        if not currency.is_zero(figures["scheduled"]):
            raise UserError(self.env._(
                "%(scheduled)s is already scheduled on %(invoice)s (postdated payments, applied on their date): "
                "%(amount)s is more than what is left to pay, %(left)s. Lower the amount, or cancel a "
                "scheduled payment first.", scheduled=fmt(figures["scheduled"]), invoice=self.display_name,
                amount=fmt(pay_amount), left=fmt(figures["amount"])))
        if figures["credit_to_apply"]:
            raise UserError(self.env._(
                "The amount %(amount)s is more than what is left to pay once the credit on file "
                "(%(credit)s) is applied: %(rest)s. Lower the amount.",
                amount=fmt(pay_amount), credit=fmt(figures["credit_to_apply"]), rest=fmt(figures["amount"])))
        raise UserError(self.env._(
            "The amount %(amount)s is more than the amount due on %(invoice)s (%(due)s). Lower the "
            "amount; to keep money in advance, create a credit instead.",
            amount=fmt(pay_amount), invoice=self.display_name, due=fmt(figures["amount_due"])))

    def _billing_postdated_date(self, postdated_date):
        """R7.4: a postdated date is a date (YYYY-MM-DD) after today; empty means: pay now."""
        if postdated_date in (None, False, ""):
            return False
        if isinstance(postdated_date, (datetime.date, str)):
            try:
                postdated = fields.Date.to_date(postdated_date)
            except (TypeError, ValueError):
                postdated = None
        else:
            postdated = None
        if not postdated:
            raise UserError(self.env._("The date of a postdated payment must be a date (YYYY-MM-DD), not %(value)s.",
                                       value=billing_tools.shown(postdated_date)))
        today = self.company_id._billing_today()  # the company's day, whoever calls (R7.4)
        if postdated <= today:
            raise UserError(self.env._(
                "A postdated payment must be dated after today (%(today)s); leave the date empty to pay now.",
                today=format_date(self.env, today)))
        return postdated

    def billing_make_payment(self, amount, journal_id, payment_method_line_id=None, payer_name=None,
                             payer_reference=None, postdated_date=None, use_credit=False,
                             idempotency_key=None):
        """R7: pay this posted customer invoice: open credit first (``use_credit``), then ``amount``
        with one payment mode, now or postdated. Returns {'payment_id', 'credit_applied'}.

        Split the way Register Payment is: the inputs checked (``_billing_payment_inputs``), then,
        under the invoice's lock, the credit applied and the payment created (``_billing_pay``)."""
        billing_tools.check_single(self, self.env._("invoice"))
        self._billing_check_customer_invoice()
        inputs = self._billing_payment_inputs(amount, journal_id, payment_method_line_id, payer_name,
                                              payer_reference, postdated_date, use_credit)
        return self.env["account.billing.idempotency"]._run(
            inputs["client"], "account.move.billing_make_payment", idempotency_key,
            lambda: self._billing_pay(inputs),
            [self.id, amount, journal_id, payment_method_line_id, payer_name, payer_reference, postdated_date,
             use_credit])

    def _billing_payment_inputs(self, amount, journal_id, payment_method_line_id, payer_name, payer_reference,
                                postdated_date, use_credit):
        """R7's inputs, checked before anything is written: a dict of what ``_billing_pay`` books."""
        self.ensure_one()
        payer_name = billing_tools.to_text(self.env, payer_name, self.env._("The payer name"))
        payer_reference = billing_tools.to_text(self.env, payer_reference, self.env._("The payer reference"))
        # R7.3 first: a card number must never reach a record, a message or a log line.
        billing_tools.check_no_card_number(self.env, payer_name, payer_reference)
        if not isinstance(use_credit, bool):
            raise UserError(self.env._("Use the credit on file must be true or false, not %(value)s.",
                                       value=billing_tools.shown(use_credit)))
        postdated = self._billing_postdated_date(postdated_date)
        if postdated and use_credit:
            raise UserError(self.env._(
                "Credit on file and a postdated payment cannot be combined: use the credit now and "
                "schedule the rest in a second operation, or untick Use the credit on file."))
        # With the credit on file, no amount (or 0) means: the credit only.
        credit_only = use_credit and (amount is None or (billing_tools.is_number(amount) and not amount))
        pay_amount = 0.0 if credit_only else billing_tools.to_amount(self.env, amount, self.currency_id)
        figures, credit_lines = self._billing_payment_figures(use_credit)
        self._billing_check_pay_amount(pay_amount, figures)
        if use_credit and not credit_lines and not pay_amount:
            raise UserError(self._billing_no_credit_to_use_message(figures))
        journal = method = None
        if pay_amount:
            journal = self._billing_payment_journal(journal_id)
            method = self._billing_payment_method_line(journal, payment_method_line_id)
        return {
            "client": self.partner_id._billing_client(), "pay_amount": pay_amount, "journal": journal,
            "method": method, "payer_name": payer_name, "payer_reference": payer_reference,
            "postdated": postdated, "use_credit": use_credit, "credit_lines": credit_lines,
        }

    def _billing_no_credit_to_use_message(self, figures):
        """Why Use the credit on file, with no amount, would apply nothing."""
        if not self.currency_id.is_zero(figures["credit_available"]):
            return self.env._(
                "The scheduled payments of %(invoice)s already cover what is left to pay: the credit on file "
                "stays on file. Untick Use the credit on file, or cancel a scheduled payment first.",
                invoice=self.display_name)
        return self.env._("%(client)s has no open credit to use on %(invoice)s: enter an amount to pay.",
                          client=self.partner_id._billing_client().display_name, invoice=self.display_name)

    def _billing_pay(self, inputs):
        """R7 booked, under the lock of the invoice and of the credit used: the figures read again (another
        worker may have paid meanwhile), the credit on file applied, the payment made, the audit note."""
        self.ensure_one()
        credit_lines = inputs["credit_lines"]
        billing_tools.lock_rows(self + credit_lines.move_id)
        billing_tools.lock_rows(self._billing_receivable_lines() + credit_lines)
        self.invalidate_recordset(["amount_residual", "billing_scheduled_amount"])
        credit_lines.invalidate_recordset(["amount_residual", "amount_residual_currency"])
        locked, plan = self._billing_payment_figures(inputs["use_credit"])
        self._billing_check_pay_amount(inputs["pay_amount"], locked)
        credit_applied = self._billing_apply_credit(plan) if plan else 0.0
        payment = self.env["account.payment"]
        if inputs["pay_amount"]:
            payment = self._billing_create_payment(
                inputs["pay_amount"], inputs["journal"], inputs["method"], inputs["payer_name"],
                inputs["payer_reference"], inputs["postdated"])
        self._billing_audit_payment(inputs["client"], payment, credit_applied, inputs["postdated"])
        billing_tools.crash_point("make_payment")
        return {"payment_id": payment.id or False, "credit_applied": credit_applied}

    def _billing_apply_credit(self, credit_lines):
        """R7.5: apply the open credit items oldest first, the way the invoice's outstanding-credit
        widget does (js_assign_outstanding_line), up to the amount due. Returns the amount applied."""
        self.ensure_one()
        before = self.amount_residual
        for line in credit_lines:
            if self.currency_id.is_zero(self.amount_residual):
                break
            self.js_assign_outstanding_line(line.id)
        return self.currency_id.round(before - self.amount_residual)

    def _billing_create_payment(self, amount, journal, method, payer_name, payer_reference, postdated):
        """One payment (one mode, R7.2): posted and reconciled now, or a scheduled draft (R7.4)."""
        self.ensure_one()
        vals = self._billing_prepare_payment_vals(
            amount, journal, method, payer_name, payer_reference,
            postdated or self.company_id._billing_today(), bool(postdated))
        payment = billing_tools.internal(self.env["account.payment"], "billing_make_payment").with_context(
            skip_invoice_sync=True).create(vals)
        payment._billing_ensure_outstanding_account()
        if not postdated:
            payment._billing_post_and_reconcile()
        return payment

    def _billing_audit_payment(self, client, payment, credit_applied, postdated):
        currency = self.currency_id
        parts = []
        if credit_applied:
            parts.append(self.env._("Credit on file applied: %(amount)s.",
                                    amount=format_amount(self.env, credit_applied, currency)))
        if payment:
            parts.append(self.env._("Paid with %(mode)s: %(amount)s.", mode=payment.journal_id.display_name,
                                    amount=format_amount(self.env, payment.amount, currency)))
            if postdated:
                parts.append(self.env._("Postdated to %(date)s: scheduled, applied on its date.",
                                        date=format_date(self.env, postdated)))
            if payment.billing_payer_name or payment.billing_payer_reference:
                parts.append(self.env._("Payer: %(name)s %(reference)s.", name=payment.billing_payer_name or "",
                                        reference=payment.billing_payer_reference or ""))
        total = currency.round(credit_applied + (payment.amount if payment else 0.0))
        if currency != self.company_currency_id:
            total = currency._convert(total, self.company_currency_id, self.company_id,
                                      self.company_id._billing_today())
        extra = " ".join(parts)
        client._billing_post_audit(self, self.env._("Payment of %(invoice)s", invoice=self.display_name),
                                   total, None, extra, more=[(payment, self.env._(
                                       "Made from %(invoice)s by %(user)s. %(details)s",
                                       invoice=self.display_name, user=self.env.user.name, details=extra))]
                                   if payment else None)

    # -------------------------------------------------------------------------
    # R6 CANCEL / REFUND ITEMS
    # -------------------------------------------------------------------------

    def _billing_parse_cancel_lines(self, lines):
        """``lines``: invoice line ids or [line_id, quantity] pairs -> [(line, quantity)].
        The quantity defaults to what can still be cancelled of the line (R6.1)."""
        self.ensure_one()
        if lines is None or (isinstance(lines, (list, tuple)) and not lines):
            raise UserError(self.env._("Tick at least one invoice line to cancel."))
        if not isinstance(lines, (list, tuple)):
            raise UserError(self.env._(
                "Give the lines to cancel as a list of invoice line ids or of [line id, quantity] pairs, "
                "not %(value)s.", value=billing_tools.shown(lines)))
        # Odoo's own credit notes (the Reverse button) do not count in the cancelled quantities (R6.1).
        native = self.reversal_move_ids.filtered(
            lambda move: move.state == "posted" and move.billing_operation != "cancellation")
        if native:
            raise UserError(self.env._(
                "The invoice %(invoice)s already has a posted credit note made with the Reverse button "
                "(%(notes)s): its items cannot also be cancelled with Cancel/refund items. To give the "
                "client more back, use the Create a credit button on the client's Billing tab.",
                invoice=self.display_name, notes=", ".join(native.mapped("display_name"))))
        selection = []
        for item in lines:
            line, quantity = self._billing_parse_cancel_item(item)
            if any(line == chosen for chosen, _quantity in selection):
                raise UserError(self.env._("The line %(line)s is given twice: give it once with its quantity.",
                                           line=line.name or line.product_id.display_name))
            selection.append((line, self._billing_check_cancel_quantity(line, quantity)))
        return selection

    def _billing_parse_cancel_item(self, item):
        """One item of ``lines``: a line id or a [line id, quantity] pair -> (product line of this invoice,
        quantity or None)."""
        if isinstance(item, (list, tuple)) and len(item) == 2:
            line_id, quantity = item
            quantity = billing_tools.to_number(self.env, quantity, self.env._("The quantity to cancel"))
        elif isinstance(item, (list, tuple, dict)):
            raise UserError(self.env._(
                "Give each line as a line id or as a [line id, quantity] pair, not %(value)s.",
                value=billing_tools.shown(item)))
        else:
            line_id, quantity = item, None
        line_id = billing_tools.to_id(self.env, line_id, self.env._("Each invoice line"))
        line = self.env["account.move.line"].browse(line_id).exists()
        if not line or line.move_id != self or line.display_type != "product":
            raise UserError(self.env._("Line %(line)s is not a product line of %(invoice)s.",
                                       line=line_id, invoice=self.display_name))
        return line, quantity

    def _billing_check_cancel_quantity(self, line, quantity):
        """R6.1: the quantity to cancel of ``line`` (None: all that is left), in steps of its unit of
        measure, above 0 and at most what was not cancelled yet."""
        name = line.name or line.product_id.display_name
        rounding = line.product_uom_id.rounding or 0.001
        left = line.billing_cancellable_qty
        if quantity is None:
            quantity = left
        elif not float_is_zero(quantity - float_round(quantity, precision_rounding=rounding), precision_digits=9):
            raise UserError(self.env._(
                "The quantity to cancel of %(line)s (%(qty)s) has more decimals than its unit of measure "
                "%(uom)s allows (steps of %(rounding)s): round it.",
                line=name, qty=quantity, uom=line.product_uom_id.display_name, rounding=rounding))
        if float_compare(quantity, 0.0, precision_rounding=rounding) <= 0:
            if float_compare(left, 0.0, precision_rounding=rounding) <= 0:
                raise UserError(self.env._(
                    "The line %(line)s is already cancelled (%(done)s of %(qty)s): it cannot be cancelled twice.",
                    line=name, done=line.billing_cancelled_qty, qty=line.quantity))
            raise UserError(self.env._("The quantity to cancel of %(line)s must be greater than 0.", line=name))
        if float_compare(quantity, left, precision_rounding=rounding) > 0:
            raise UserError(self.env._(
                "Only %(left)s of %(line)s can still be cancelled (%(done)s of %(qty)s already are); "
                "lower the quantity.", left=left, line=name, done=line.billing_cancelled_qty, qty=line.quantity))
        return quantity

    def _billing_cancel_base(self, selection):
        """R6.2: the tax-included total of the cancelled quantities, computed by Odoo's tax engine
        exactly as the credit note will compute it, with the invoice's cash rounding."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        base_lines = []
        for line, quantity in selection:
            base_line = self._prepare_product_base_line_for_taxes_computation(line)
            base_line["quantity"] = quantity
            base_lines.append(base_line)
        AccountTax._add_tax_details_in_base_lines(base_lines, self.company_id)
        AccountTax._round_base_lines_tax_details(base_lines, self.company_id)
        summary = AccountTax._get_tax_totals_summary(base_lines, self.currency_id, self.company_id,
                                                     cash_rounding=self.invoice_cash_rounding_id)
        return self.currency_id.round(abs(summary["total_amount_currency"]))

    def _billing_penalty_amount(self, base, penalty_type, penalty_value, currency):
        """R6.2: the penalty (tax included) for ``base``; refused when it is larger than the base. With
        a cash rounding method, the penalty is an amount of that rounding (a percentage is rounded
        with it), so that the credit note's total is base - penalty."""
        if penalty_type in (None, False, "none"):
            return 0.0
        if penalty_type not in ("amount", "percent"):
            raise UserError(self.env._("The penalty type must be none, amount or percent, not %(value)s.",
                                       value=billing_tools.shown(penalty_type)))
        value = billing_tools.to_number(self.env, penalty_value, self.env._("The penalty"))
        cash_rounding = self.invoice_cash_rounding_id
        if penalty_type == "percent":
            if float_compare(value, 0.0, precision_digits=4) < 0 or float_compare(value, 100.0, precision_digits=4) > 0:
                raise UserError(self.env._("A penalty percentage must be between 0 and 100."))
            penalty = currency.round(base * value / 100.0)
            if cash_rounding:
                penalty = currency.round(float_round(base * value / 100.0, precision_rounding=cash_rounding.rounding,
                                                     rounding_method=cash_rounding.rounding_method))
        else:
            if currency.compare_amounts(value, 0.0) < 0:
                raise UserError(self.env._("The penalty cannot be negative."))
            penalty = billing_tools.to_amount(self.env, value, currency, self.env._("The penalty"), allow_zero=True)
            if cash_rounding and not float_is_zero(
                    penalty - float_round(penalty, precision_rounding=cash_rounding.rounding),
                    precision_rounding=currency.rounding):
                raise UserError(self.env._(
                    "%(invoice)s is rounded to %(rounding)s (cash rounding %(method)s): the penalty must be a "
                    "multiple of %(rounding)s. Round the penalty.", invoice=self.display_name,
                    rounding=cash_rounding.rounding, method=cash_rounding.name))
        if currency.compare_amounts(penalty, base) > 0:
            raise UserError(self.env._(
                "The penalty %(penalty)s is larger than what is cancelled (%(base)s, taxes included): the "
                "credit cannot be negative. Lower the penalty.",
                penalty=format_amount(self.env, penalty, currency), base=format_amount(self.env, base, currency)))
        return penalty

    def _billing_penalty_product_and_taxes(self):
        """R6.2: the cancellation-fee product and its sales taxes of the invoice's company, mapped by
        the invoice's fiscal position."""
        self.ensure_one()
        product = self.company_id._billing_penalty_product()
        if not product:
            raise UserError(self.env._(
                "Choose a Cancellation fee product in Settings > Invoicing, section Billing operations, first."))
        taxes = product.taxes_id._filter_taxes_by_company(self.company_id)
        return product, self.fiscal_position_id.map_tax(taxes)

    @api.model
    def _billing_penalty_tax_details(self, taxes, price_unit, quantity, currency, product):
        """R6.2: the penalty's taxes carved out of its tax-included amount by Odoo's tax engine, each
        tax rounded on its own so that the penalty's untaxed amount plus its taxes is exactly the
        penalty, whatever the taxes' "Included in price" setting and the company's rounding method."""
        return taxes._get_tax_details(
            price_unit=price_unit, quantity=quantity, precision_rounding=currency.rounding,
            rounding_method="round_per_line", product=product, special_mode="total_included")

    def _prepare_product_base_line_for_taxes_computation(self, product_line):
        """R6.2: the penalty line of a cancellation credit note is tax included, its taxes carved out
        (see _billing_penalty_tax_details); every other line, of any other move, is left to Odoo."""
        base_line = super()._prepare_product_base_line_for_taxes_computation(product_line)
        if product_line.billing_penalty and self.billing_operation == "cancellation" \
                and self.is_invoice(include_receipts=True):
            details = self._billing_penalty_tax_details(
                base_line["tax_ids"], base_line["price_unit"] * (1 - (base_line["discount"] / 100.0)),
                base_line["quantity"], base_line["currency_id"], base_line["product_id"])
            base_line["special_mode"] = "total_included"
            base_line["manual_tax_amounts"] = {
                str(tax_data["tax"].id): {"tax_amount_currency": tax_data["tax_amount"],
                                          "base_amount_currency": tax_data["base_amount"]}
                for tax_data in details["taxes_data"]
            }
        return base_line

    def _billing_cancel_amounts(self, selection, penalty_type, penalty_value):
        """R6.2: base, penalty (and its untaxed amount and tax) and credit of a cancellation: what the
        wizard shows and what the credit note books."""
        self.ensure_one()
        currency = self.currency_id
        base = self._billing_cancel_base(selection)
        penalty = self._billing_penalty_amount(base, penalty_type, penalty_value, currency)
        untaxed = 0.0
        if not currency.is_zero(penalty):
            product, taxes = self._billing_penalty_product_and_taxes()
            details = self._billing_penalty_tax_details(taxes, penalty, 1.0, currency, product)
            untaxed = currency.round(details["total_excluded"])
        return {
            "base": base,
            "penalty": penalty,
            "penalty_untaxed": untaxed,
            "penalty_tax": currency.round(penalty - untaxed),
            "credit": currency.round(base - penalty),
        }

    def _billing_cancel_preview(self, lines, penalty_type="none", penalty_value=0.0):
        """What the Cancel/refund items wizard shows, from the same code as billing_cancel_items:
        {'base', 'penalty', 'penalty_untaxed', 'penalty_tax', 'credit', 'error'}; 'error' is the
        message the button would raise (the amounts are then 0)."""
        billing_tools.check_single(self, self.env._("invoice"))
        try:
            selection = self._billing_parse_cancel_lines(lines)
            amounts = self._billing_cancel_amounts(selection, penalty_type, penalty_value)
        except UserError as error:
            return {"base": 0.0, "penalty": 0.0, "penalty_untaxed": 0.0, "penalty_tax": 0.0, "credit": 0.0,
                    "error": str(error)}
        return {**amounts, "error": False}

    def _billing_cancel_line_vals(self, selection):
        """Credit-note lines reversing the cancelled quantities: the invoice lines copied the way
        Odoo's reversal copies them (same product, account, taxes, analytic distribution)."""
        vals_list = []
        for line, quantity in selection:
            vals = line.with_context(include_business_fields=True).copy_data({
                "quantity": quantity,
                "billing_cancelled_line_id": line.id,
            })[0]
            for fname in ("move_id", "balance", "amount_currency", "debit", "credit", "price_subtotal",
                          "price_total", "reconciled", "matched_debit_ids", "matched_credit_ids",
                          "full_reconcile_id"):
                vals.pop(fname, None)
            vals_list.append(Command.create(vals))
        return vals_list

    def _billing_penalty_line_vals(self, penalty):
        """R6.2: the penalty is its own negative line on the cancellation-fee product's income
        account, tax included with the product's sales taxes, so that the credit note's total is
        base - penalty and the tax kept on the penalty stays in the tax report."""
        product, taxes = self._billing_penalty_product_and_taxes()
        account = product.with_company(self.company_id).product_tmpl_id.get_product_accounts(
            fiscal_pos=self.fiscal_position_id)["income"] or self.journal_id.default_account_id
        if not account:
            raise UserError(self.env._("The cancellation fee product %(product)s has no income account: set one on the "
                                       "product or its category.", product=product.display_name))
        return Command.create({
            "product_id": product.id,
            "name": self.env._("Cancellation fee"),
            "quantity": 1.0,
            "price_unit": -penalty,
            "account_id": account.id,
            "tax_ids": [Command.set(taxes.ids)],
            "billing_penalty": True,
        })

    def _billing_check_refund(self, refund_amount, refund_payment_id, refund_journal_id, note):
        """R6.4 checks made here, before anything is written; the refund itself is R3 / R4. The
        amount is in the invoice's currency (R4.4). Returns (amount, payment, journal)."""
        self.ensure_one()
        currency = self.currency_id
        label = self.env._("The refund amount")
        refund_amount = billing_tools.to_amount(
            self.env, 0.0 if refund_amount is None else refund_amount, currency, label, allow_zero=True)
        if currency.is_zero(refund_amount):
            return 0.0, self.env["account.payment"], self.env["account.journal"]
        billing_tools.check_refund_access(self.env, self.env._(
            "Refunding money needs the group Billing: refunds. Cancel the items with a credit only "
            "(refund amount 0) or ask a user of that group."))
        self._billing_check_invoice_refund_cap(refund_amount)
        billing_tools.check_note(self.env, note, self.env._("a refund"))
        payment, journal = self._billing_refund_source(refund_amount, refund_payment_id, refund_journal_id)
        return refund_amount, payment, journal

    def _billing_check_invoice_refund_cap(self, refund_amount):
        """R6.4: at most what was paid on the invoice minus what Cancel/refund items already refunded
        for it (the caller holds the invoice's lock, so no other refund of it is being made)."""
        currency = self.currency_id
        fmt = lambda amount: format_amount(self.env, amount, currency)  # noqa: E731
        paid = self._billing_paid_amount()
        refunded = self.env["account.payment"]._billing_invoice_refunded_amounts(self).get(self.id, 0.0)
        if currency.compare_amounts(refund_amount, paid) > 0:
            raise UserError(self.env._(
                "The refund %(amount)s is more than what was paid on %(invoice)s (%(paid)s). Lower the refund; "
                "to give back more, use Record a refund on the client's Billing tab.",
                amount=fmt(refund_amount), invoice=self.display_name, paid=fmt(paid)))
        if currency.compare_amounts(refund_amount, paid - refunded) > 0:
            raise UserError(self.env._(
                "The refund %(amount)s is more than what is left to refund on %(invoice)s: %(paid)s was paid "
                "on it and %(refunded)s already refunded with Cancel/refund items, so %(left)s at most. Lower "
                "the refund; to give back more, use Record a refund on the client's Billing tab.",
                amount=fmt(refund_amount), invoice=self.display_name, paid=fmt(paid), refunded=fmt(refunded),
                left=fmt(max(0.0, currency.round(paid - refunded)))))

    def _billing_refund_source(self, refund_amount, refund_payment_id, refund_journal_id):
        """R6.4: where the money comes back from: one of the invoice's payments in its currency (R4,
        within the payment's own cap), else a journal (R3). Returns (payment, journal)."""
        currency = self.currency_id
        if refund_payment_id:
            payment = self.env["account.payment"].browse(
                billing_tools.to_id(self.env, refund_payment_id, self.env._("The payment to refund"))).exists()
            if not payment or payment not in self._billing_paying_payments():
                raise UserError(self.env._("The payment to refund must be one of the payments of %(invoice)s.",
                                           invoice=self.display_name))
            if payment.currency_id != currency:
                # R4.4: a payment refunds in its own currency; the amount here is in the invoice's.
                raise UserError(self.env._(
                    "The payment %(payment)s is in %(payment_currency)s, the invoice in %(currency)s: refund it "
                    "with the Refund button of the payment (an amount in %(payment_currency)s), or choose the "
                    "journal the refund is paid from to refund %(amount)s here.",
                    payment=payment.display_name, payment_currency=payment.currency_id.name,
                    currency=currency.name, amount=format_amount(self.env, refund_amount, currency)))
            payment._billing_check_refund_cap(refund_amount)
            return payment, self.env["account.journal"]
        if refund_journal_id:
            journal = billing_tools.check_journal(
                self.env, refund_journal_id, self.env._("the journal the refund is paid from"), currency)
            return self.env["account.payment"], journal
        raise UserError(self.env._("Choose the payment to refund or the journal the refund is paid from."))

    def billing_cancel_items(self, lines, penalty_type="none", penalty_value=0.0, refund_amount=0.0,
                             refund_payment_id=None, refund_journal_id=None, note=None, idempotency_key=None):
        """R6: cancel invoice items with one posted credit note (minus an optional penalty),
        reconciled with the invoice's unpaid part first, and optionally refund money.
        Returns {'credit_note_id', 'refund_payment_id'}."""
        billing_tools.check_single(self, self.env._("invoice"))
        self._billing_check_customer_invoice()
        invoice = self
        client = invoice.partner_id._billing_client()
        note = billing_tools.to_text(self.env, note, self.env._("The note"))
        billing_tools.check_no_card_number(self.env, note)
        # Shapes and types first, before anything is locked or written.
        invoice._billing_parse_cancel_lines(lines)

        def cancel():
            billing_tools.lock_rows(invoice)
            selection = invoice._billing_parse_cancel_lines(lines)
            billing_tools.lock_rows(self.env["account.move.line"].union(*[line for line, _qty in selection]))
            amounts = invoice._billing_cancel_amounts(selection, penalty_type, penalty_value)
            amount, payment, journal = invoice._billing_check_refund(
                refund_amount, refund_payment_id, refund_journal_id, note)
            credit_note = invoice._billing_create_cancellation(selection, amounts["penalty"], amounts["credit"], note)
            refund = invoice._billing_refund_after_cancel(client, amount, payment, journal, note)
            invoice._billing_post_cancel_audit(client, selection, amounts, credit_note, refund, amount, note)
            billing_tools.crash_point("cancel_items")
            return {"credit_note_id": credit_note.id, "refund_payment_id": refund.id or False}
        return self.env["account.billing.idempotency"]._run(
            client, "account.move.billing_cancel_items", idempotency_key, cancel,
            [invoice.id, lines, penalty_type, penalty_value, refund_amount, refund_payment_id,
             refund_journal_id, note])

    def _billing_post_cancel_audit(self, client, selection, amounts, credit_note, refund, refund_amount, note):
        """§4: the audit note of Cancel/refund items on the client, the credit note and the invoice."""
        fmt = lambda amount: format_amount(self.env, amount, self.currency_id)  # noqa: E731
        extra = self.env._(
            "Cancelled items of %(invoice)s: %(items)s. Base %(base)s, penalty %(penalty)s, credit %(credit)s.",
            invoice=self.display_name,
            items=", ".join(f"{line.name or line.product_id.display_name} x {qty:g}" for line, qty in selection),
            base=fmt(amounts["base"]), penalty=fmt(amounts["penalty"]), credit=fmt(amounts["credit"]))
        if refund:
            extra += " " + self.env._("Refunded: %(amount)s (%(refund)s).",
                                      amount=fmt(refund_amount), refund=refund.display_name)
        client._billing_post_audit(credit_note + self, self.env._("Items cancellation"),
                                   abs(credit_note.amount_total_signed), note, extra)

    def _billing_create_cancellation(self, selection, penalty, credit, note):
        """R6.3: one posted credit note, reconciled with the invoice's unpaid part first."""
        self.ensure_one()
        today = self.company_id._billing_today()  # the company's day, whoever calls
        line_vals = self._billing_cancel_line_vals(selection)
        if not self.currency_id.is_zero(penalty):
            line_vals.append(self._billing_penalty_line_vals(penalty))
        reason = note or self.env._("items cancelled")
        # The module's own flags: the credit note's billing fields and its lines' links (R6.1, R6.2).
        own = billing_tools.internal(billing_tools.internal(self, "billing_document"), "billing_cancellation")
        credit_note = own._reverse_moves([{
            "ref": self.env._("Cancellation of: %(invoice)s, %(reason)s", invoice=self.name, reason=reason),
            "date": today,
            "invoice_date": today,
            "invoice_date_due": today,
            "invoice_payment_term_id": False,
            "invoice_user_id": self.invoice_user_id.id,
            "invoice_cash_rounding_id": self.invoice_cash_rounding_id.id,
            "billing_operation": "cancellation",
            "billing_note": note,
            "line_ids": line_vals,
        }], cancel=False).with_env(self.env)
        if self.currency_id.compare_amounts(credit_note.amount_total, credit):
            raise UserError(self.env._(
                "The credit note's total (%(total)s) differs from the credit computed (%(credit)s): check the "
                "invoice lines' taxes and try again.",
                total=format_amount(self.env, credit_note.amount_total, self.currency_id),
                credit=format_amount(self.env, credit, self.currency_id)))
        credit_note.action_post()
        invoice_lines = self._billing_receivable_lines()
        note_lines = credit_note._billing_receivable_lines()
        if invoice_lines and note_lines and not self.currency_id.is_zero(self.amount_residual):
            (invoice_lines + note_lines).reconcile()
        return credit_note

    def _billing_refund_after_cancel(self, client, amount, payment, journal, note):
        """R6.4: money back through R4 (a payment of the invoice) or R3 (an offline journal), in
        the invoice's currency (R4.4): ``amount`` is in it. The refund is linked to the invoice (it
        counts against what is left to refund on it)."""
        Payment = self.env["account.payment"]
        if not amount:
            return Payment
        if payment:
            refund = Payment.browse(payment.billing_refund(amount, note))
            refund._billing_link_refund_invoice(self)
            return refund
        if self.currency_id == self.company_currency_id:
            refund = Payment.browse(client.billing_refund(amount, journal.id, note))
            refund._billing_link_refund_invoice(self)
            return refund
        # The rules of R3 (no more than the client's credit, in company currency), the refund in
        # the invoice's currency, reconciled with the client's open credit, oldest first.
        client = client.with_company(self.company_id)
        journal, method_line = client._billing_refund_journal(journal.id, None)
        company_currency = self.company_currency_id
        credit_lines = client._billing_open_credit_lines()
        billing_tools.lock_rows(credit_lines, self.env._(
            "Another user is working on %(client)s's credit right now. Try again in a moment.",
            client=client.display_name))
        available = max(0.0, -company_currency.round(client._billing_balances().get(client.id, 0.0)))
        in_company = self.currency_id._convert(amount, company_currency, self.company_id,
                                               self.company_id._billing_today())
        if company_currency.compare_amounts(in_company, available) > 0:
            raise UserError(self.env._(
                "%(amount)s (%(company_amount)s) is more than %(client)s's available credit (%(credit)s). "
                "Lower the refund.", amount=format_amount(self.env, amount, self.currency_id),
                company_amount=format_amount(self.env, in_company, company_currency),
                client=client.display_name, credit=format_amount(self.env, available, company_currency)))
        refund = Payment._billing_create_refund(client, amount, journal, method_line, note, currency=self.currency_id)
        refund._billing_link_refund_invoice(self)
        refund._billing_reconcile_with_credit(credit_lines)
        client._billing_post_audit(refund, self.env._("Refund"), refund._billing_company_amount(), note,
                                   self.env._("Refund of %(amount)s.",
                                              amount=format_amount(self.env, amount, self.currency_id)))
        return refund
