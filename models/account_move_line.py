from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import create_index
from odoo.tools import float_compare

from . import billing_tools

# R1.4 on the journal items of a posted billing credit. Reconciliation fields stay writable.
IMMUTABLE_LINE_FIELDS = frozenset({
    "move_id", "account_id", "partner_id", "product_id", "name", "quantity", "price_unit",
    "discount", "debit", "credit", "balance", "amount_currency", "currency_id", "date",
    "tax_ids", "tax_line_id", "tax_repartition_line_id", "display_type", "analytic_distribution",
    "company_id", "journal_id", "billing_penalty", "price_subtotal", "price_total", "product_uom_id",
    "date_maturity", "tax_tag_ids",
})
# R6.1 / R6.2: set only by Cancel/refund items (account.move._billing_create_cancellation).
CANCELLATION_LINE_FIELDS = ("billing_cancelled_line_id", "billing_penalty")


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _auto_init(self):
        """Speed (docs/rules.md §7): a client's receivable items (balance, timeline, open credit) are read
        through the client and the receivable account, never by scanning every journal item: all of
        them by date (the timeline, a page of its newest rows), the open ones alone (the balance: a
        reconciled item, or an item of an account that is not reconciled, has no residual)."""
        result = super()._auto_init()
        self.env.cr.execute("DROP INDEX IF EXISTS account_move_line_billing_partner_account_idx")  # 18.0.1.1: no date
        # The Billing tab lists a client's rows from this index alone (move_id, id: index-only scan).
        self.env.cr.execute("DROP INDEX IF EXISTS account_move_line_billing_partner_date_idx")  # without move_id, id
        create_index(self.env.cr, "account_move_line_billing_timeline_idx", self._table,
                     ["partner_id", "account_id", "company_id", "date", "move_id", "id"],
                     where="parent_state IN ('posted', 'cancel')")
        create_index(self.env.cr, "account_move_line_billing_open_idx", self._table,
                     ["partner_id", "account_id", "company_id"],
                     where="parent_state = 'posted' AND amount_residual != 0")
        return result

    # R6.1: a credit-note line made by Cancel/refund items points to the invoice line it cancels;
    # the invoice line sums them so that it can never be cancelled beyond its quantity.
    billing_cancelled_line_id = fields.Many2one(
        "account.move.line", string="Cancels invoice line", readonly=True, copy=False,
        index="btree_not_null", ondelete="restrict",
        help="Cancel/refund items: the invoice line this credit-note line cancels.")
    # R6.2: the penalty line of a cancellation is tax included: its taxes are carved out of it
    # (account.move._prepare_product_base_line_for_taxes_computation).
    billing_penalty = fields.Boolean(
        string="Cancellation fee", readonly=True, copy=False,
        help="Cancel/refund items: the penalty line, a tax-included amount whose taxes are carved out.")
    billing_cancellation_line_ids = fields.One2many(
        "account.move.line", "billing_cancelled_line_id", string="Cancelled by", readonly=True)
    billing_cancelled_qty = fields.Float(
        string="Cancelled quantity", digits="Product Unit of Measure", readonly=True, copy=False,
        compute="_compute_billing_cancelled_qty", store=True,
        help="Quantity of this invoice line cancelled by posted credit notes (Cancel/refund items).")
    billing_cancellable_qty = fields.Float(
        string="Cancellable quantity", digits="Product Unit of Measure",
        compute="_compute_billing_cancelled_qty", store=True)
    billing_cancel_state = fields.Selection(
        selection=[("partial", "Partly cancelled"), ("cancelled", "Cancelled")],
        string="Cancellation", readonly=True, copy=False,
        compute="_compute_billing_cancelled_qty", store=True)

    @api.depends("quantity", "billing_cancellation_line_ids.quantity",
                 "billing_cancellation_line_ids.parent_state",
                 "billing_cancellation_line_ids.move_id.move_type",
                 "billing_cancellation_line_ids.move_id.billing_operation")
    def _compute_billing_cancelled_qty(self):
        for line in self:
            rounding = line.product_uom_id.rounding or 0.001
            # Only the positive lines of posted Cancel/refund items credit notes cancel something.
            cancelled = sum(line.billing_cancellation_line_ids.filtered(
                lambda cancel, rounding=rounding: cancel.parent_state == "posted"
                and cancel.move_id.move_type == "out_refund"
                and cancel.move_id.billing_operation == "cancellation"
                and float_compare(cancel.quantity, 0.0, precision_rounding=rounding) > 0).mapped("quantity"))
            line.billing_cancelled_qty = cancelled
            line.billing_cancellable_qty = max(0.0, line.quantity - cancelled) if line.quantity > 0 else 0.0
            if not cancelled or float_compare(cancelled, 0.0, precision_rounding=rounding) <= 0:
                line.billing_cancel_state = False
            elif float_compare(cancelled, line.quantity, precision_rounding=rounding) >= 0:
                line.billing_cancel_state = "cancelled"
            else:
                line.billing_cancel_state = "partial"

    def _billing_check_cancellation_fields(self, vals_list):
        """R6.1 / R6.2: the link to a cancelled invoice line and the penalty flag are set by
        Cancel/refund items only (a flag a client cannot send): never by create or write."""
        if billing_tools.is_internal(self.env, "billing_cancellation"):
            return
        for vals in vals_list:
            for fname in CANCELLATION_LINE_FIELDS:
                if fname in vals and (vals[fname] or self.filtered(fname)):
                    raise UserError(self.env._(
                        "The field %(field)s of a journal item is set only by the Cancel/refund items button "
                        "of a posted customer invoice: it cannot be set or changed by hand. To cancel invoice "
                        "items, open the invoice and click Cancel/refund items.",
                        field=self._fields[fname]._description_string(self.env)))

    @api.model_create_multi
    def create(self, vals_list):
        """R1.4 / R5: no line is added to a posted billing credit or a refund's journal entry; R6.1: the
        cancellation links are set by Cancel/refund items only."""
        self.browse()._billing_check_cancellation_fields(vals_list)
        move_ids = {vals.get("move_id") for vals in vals_list if vals.get("move_id")}
        if move_ids:
            moves = self.env["account.move"].browse(move_ids)
            moves._billing_raise_immutable()
            moves._billing_check_refund_entries()
        return super().create(vals_list)

    def write(self, vals):
        """R1.4: the items of a posted billing credit never change (reconciliation stays allowed); R5:
        those of a refund's entry change only through Cancel refund. The lines of posted billing
        credits are filtered first and only they are asked ``_field_will_change``: a write on any
        other line (tax_ids on a draft invoice) costs no ``new()`` record (TestNarrowOverrides)."""
        self._billing_check_cancellation_fields([vals])
        protected = IMMUTABLE_LINE_FIELDS.intersection(vals)
        if protected:
            locked = self.filtered(lambda line: line.move_id.billing_operation == "credit"
                                   and line.move_id.state == "posted")
            if locked:
                locked.filtered(lambda line: any(
                    self.env["account.move"]._field_will_change(line, vals, fname)
                    for fname in protected)).move_id._billing_raise_immutable()
            self.move_id._billing_check_refund_entries()
        result = super().write(vals)
        if "partner_id" in vals:  # §7: an item matched with a billing document keeps to that document's client
            for partial in self.matched_debit_ids | self.matched_credit_ids:
                (partial.debit_move_id + partial.credit_move_id)._billing_check_same_client()
        return result

    def _billing_check_paid_out(self, counterparts):
        """docs/rules.md §5: matching the module's credit notes (``self``) with money going out (an
        outbound payment, a bank statement line, a journal entry debiting the client) gives money back
        to the client, which is a refund: only the users of "Billing: refunds" may, as with Register
        Payment on the credit note. Customer invoices may use the credit (credit on file), and the
        exchange-difference and cash-basis entries Odoo makes while reconciling are its own."""
        credit_lines = self.filtered(  # the receivable: a cash-basis tax's transition items give nothing back
            lambda line: line.account_id.account_type == "asset_receivable"
            and line.move_id.billing_operation in billing_tools.BILLING_CREDIT_OPERATIONS)
        if not credit_lines or billing_tools.can_refund(self.env):
            return
        paid_out = counterparts.filtered(lambda line: line.balance > 0 and not (
            line.move_id.move_type in ("out_invoice", "out_receipt")
            or line.move_id.journal_id == line.company_id.currency_exchange_journal_id
            or line.move_id.tax_cash_basis_rec_id))
        if paid_out:
            billing_tools.check_refund_access(self.env, self.env._(
                "Money is given back to a client with the Record a refund button on the client's Billing "
                "tab, by a user allowed to make refunds; %(payments)s cannot be matched with %(moves)s.",
                payments=", ".join(paid_out.move_id.mapped("display_name")),
                moves=", ".join(credit_lines.move_id.mapped("display_name"))))

    def _billing_check_matching(self):
        """The checks of a matching of the items ``self`` (the two items of one partial, made or
        re-pointed): the same client, and the refunds group for money given back."""
        self._billing_check_same_client()
        self._billing_check_paid_out(self)

    def _billing_own_documents(self):
        """The items of ``self`` whose journal entry the client's billing operations made: a credit, an
        invoice (charge) or a cancellation credit note (``billing_operation``), or the entry of a payment
        or refund made by Make a payment, Refund or Record a refund."""
        return self.filtered(lambda line: line.move_id.billing_operation or (
            (payment := line.move_id.origin_payment_id) and (
                payment.billing_refund_state or payment.billing_source_payment_id
                or payment.billing_invoice_id or payment.billing_postdated)))

    def _billing_check_same_client(self):
        """docs/rules.md §1, §7: a client's balance is the open amount of its receivable items, its
        ledger their amount: matching one of its items with another client's, or with an item of no
        client, moves the first without the second. ``self`` (the two items of one partial) may be matched
        across two commercial entities only when neither is a document of the module (Odoo's own behaviour
        otherwise). Items of one partner, or of contacts of one company, cost no query here."""
        if all(line.partner_id for line in self) and len(self.partner_id.commercial_partner_id) < 2:
            return
        receivable = self.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        own = receivable._billing_own_documents()
        if not own or len(receivable) < 2:
            return
        line = own[0]
        client = line.partner_id.commercial_partner_id
        others = (receivable - line).filtered(lambda item: item.partner_id.commercial_partner_id != client)
        if not others:
            return
        other = others[0]
        values = {"document": line.move_id.display_name, "client": client.display_name,
                  "other": other.move_id.display_name}
        if not other.partner_id:
            raise UserError(self.env._(
                "%(document)s (%(client)s) cannot be matched with %(other)s, whose receivable item has no client: a "
                "document made by the client's billing operations is matched only with that client's own items, so "
                "that the client's balance stays equal to its ledger. Set the client on %(other)s first, or match "
                "%(document)s with the client's own items.", **values))
        raise UserError(self.env._(
            "%(document)s (%(client)s) cannot be matched with %(other)s of another client, %(other_client)s: a "
            "document made by the client's billing operations is matched only with that client's own items, so "
            "that each client's balance stays equal to its ledger. To move an amount from one client to the "
            "other, create a credit on one (Create a credit on the client's Billing tab) and an invoice on the "
            "other (Create an invoice).", other_client=other.partner_id.commercial_partner_id.display_name,
            **values))

    def unlink(self):
        """R1.4 / R5: no item of a posted billing credit or of a refund's journal entry is deleted."""
        self.move_id._billing_raise_immutable()
        self.move_id._billing_check_refund_entries()
        return super().unlink()



class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        """Why: every matching (the payment widget, Reconcile, reconcile(), a partial made over RPC or
        an import) creates its partials here: a billing credit note matched with money going out needs
        the refunds group (``_billing_check_paid_out``), and a billing document is matched with its own
        client's items only (``_billing_check_same_client``), checked once, at the one place they all pass."""
        Line = self.env["account.move.line"]
        pairs = [Line.browse([vals[key] for key in ("debit_move_id", "credit_move_id") if vals.get(key)])
                 for vals in vals_list]
        for lines in pairs:  # the lines of a reconciliation are in cache already: no query of its own
            lines._billing_check_matching()
        return super().create(vals_list)

    def write(self, vals):
        """Why: a partial re-pointed at other items (``debit_move_id`` / ``credit_move_id`` written over RPC)
        is a new matching: the checks of ``create`` apply to the items it then joins."""
        keys = ("debit_move_id", "credit_move_id")
        if any(key in vals for key in keys):
            Line = self.env["account.move.line"]
            for partial in self:
                ids = [vals[key] if key in vals else partial[key].id for key in keys]
                Line.browse([line_id for line_id in ids if isinstance(line_id, int) and line_id > 0]
                            )._billing_check_matching()
        return super().write(vals)
