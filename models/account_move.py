from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

# R1.4: what a posted billing credit never lets anyone change.
IMMUTABLE_MOVE_FIELDS = frozenset({
    "state", "move_type", "name", "partner_id", "commercial_partner_id", "company_id",
    "journal_id", "currency_id", "date", "invoice_date", "invoice_date_due",
    "line_ids", "invoice_line_ids", "amount_untaxed", "amount_tax", "amount_total",
    "billing_operation", "invoice_payment_term_id", "fiscal_position_id",
})


class AccountMove(models.Model):
    _inherit = "account.move"

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
        help="The erroneous credit this charge reverses (R2).",
    )
    billing_reversal_ids = fields.One2many(
        "account.move", "billing_reversed_credit_id", string="Reversed by", readonly=True)
    billing_reversal_move_ids = fields.Many2many(
        "account.move", compute="_compute_billing_reversal_move_ids", string="Reversed by (display)")

    @api.depends("billing_reversal_ids")
    def _compute_billing_reversal_move_ids(self):
        for move in self:
            move.billing_reversal_move_ids = move.billing_reversal_ids

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
                "deleted. To reverse it, create an invoice from the client's Operations menu "
                "(Create an invoice) and choose this credit as the one it reverses.",
                credits=", ".join(locked.mapped("display_name")),
            ))

    def write(self, vals):
        protected = IMMUTABLE_MOVE_FIELDS.intersection(vals)
        if protected:
            changing = self.filtered(lambda move: any(
                self._field_will_change(move, vals, fname) for fname in protected))
            changing._billing_raise_immutable()
        return super().write(vals)

    def unlink(self):
        self._billing_raise_immutable()
        return super().unlink()

    def button_draft(self):
        self._billing_raise_immutable()
        return super().button_draft()

    def button_cancel(self):
        self._billing_raise_immutable()
        return super().button_cancel()

    def button_request_cancel(self):
        self._billing_raise_immutable()
        return super().button_request_cancel()

    # -------------------------------------------------------------------------
    # ACTIONS
    # -------------------------------------------------------------------------

    def action_billing_reverse_credit(self):
        """Open Create an invoice prefilled to reverse this credit (R2)."""
        self.ensure_one()
        action = self.partner_id.action_billing_create_charge()
        action["name"] = self.env._("Reverse an erroneous credit")
        action["context"].update({
            "default_reversed_credit_id": self.id,
            "default_amount": self.amount_residual or self.amount_total,
        })
        return action

    @api.model
    def _billing_check_customer_invoice(self, move):
        if move.move_type != "out_invoice" or move.state != "posted":
            raise UserError(self.env._(
                "%(move)s is not a posted customer invoice: this operation works only on posted "
                "customer invoices.", move=move.display_name,
            ))
