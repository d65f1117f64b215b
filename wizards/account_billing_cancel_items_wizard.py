from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..models import billing_tools


class AccountBillingCancelItemsWizard(models.TransientModel):
    """Cancel/refund items of a posted customer invoice (docs/rules.md R6): a thin form on billing_cancel_items;
    what it shows comes from account.move._billing_cancel_preview."""

    _name = "account.billing.cancel.items.wizard"
    _inherit = ["account.billing.invoice.wizard"]
    _description = "Cancel or refund invoice items"

    line_ids = fields.One2many("account.billing.cancel.items.wizard.line", "wizard_id", string="Items")
    penalty_type = fields.Selection(
        selection=[("none", "None"), ("amount", "Amount"), ("percent", "Percentage")],
        string="Penalty", required=True, default="none")
    penalty_value = fields.Float(string="Penalty value", help="An amount, or a percentage (0-100) of the base.")
    base_amount = fields.Monetary(string="Base (taxes included)", compute="_compute_amounts")
    penalty_amount = fields.Monetary(string="Penalty amount", compute="_compute_amounts",
                                     help="Taxes included: the cancellation fee keeps its share of sales tax.")
    penalty_untaxed_amount = fields.Monetary(string="Penalty without taxes", compute="_compute_amounts")
    penalty_tax_amount = fields.Monetary(string="Penalty taxes", compute="_compute_amounts")
    credit_amount = fields.Monetary(string="Credit", compute="_compute_amounts")
    preview_error = fields.Char(string="Cannot cancel yet", compute="_compute_amounts")
    can_refund = fields.Boolean(compute="_compute_refund_info")
    paid_amount = fields.Monetary(string="Paid on this invoice", compute="_compute_refund_info")
    available_payment_ids = fields.Many2many("account.payment", compute="_compute_refund_info")
    refund_amount = fields.Monetary(string="Refund amount")
    refund_payment_id = fields.Many2one(
        "account.payment", string="Refund from the payment",
        domain="[('id', 'in', available_payment_ids)]")
    refund_journal_id = fields.Many2one(
        "account.journal", string="Or from the journal", check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        default=lambda self: self.env["res.partner"]._billing_default_refund_journal())
    note = fields.Text()

    # -------------------------------------------------------------------------
    # DEFAULTS
    # -------------------------------------------------------------------------

    @api.model
    def default_get(self, fields_list):
        """Every line that can still be cancelled, ticked, for its whole quantity left (R6.1)."""
        values = super().default_get(fields_list)
        if values.get("invoice_id") and "line_ids" in fields_list and not values.get("line_ids"):
            invoice = self.env["account.move"].browse(values["invoice_id"])
            values["line_ids"] = [
                Command.create({"invoice_line_id": line.id, "quantity": line.billing_cancellable_qty})
                for line in invoice.invoice_line_ids
                if line.display_type == "product" and line.billing_cancellable_qty > 0
            ]
        return values

    # -------------------------------------------------------------------------
    # COMPUTES
    # -------------------------------------------------------------------------

    def _lines_arg(self):
        """The ticked lines as billing_cancel_items takes them: [[invoice line id, quantity], ...]."""
        return [[line.invoice_line_id._origin.id, line.quantity] for line in self.line_ids
                if line.selected and line.invoice_line_id]

    @api.depends("line_ids.selected", "line_ids.quantity", "penalty_type", "penalty_value")
    def _compute_amounts(self):
        for wizard in self:
            lines = wizard._lines_arg()
            invoice = wizard.invoice_id._origin
            preview = invoice._billing_cancel_preview(lines, wizard.penalty_type, wizard.penalty_value) \
                if lines and invoice else {}
            wizard.base_amount = preview.get("base", 0.0)
            wizard.penalty_amount = preview.get("penalty", 0.0)
            wizard.penalty_untaxed_amount = preview.get("penalty_untaxed", 0.0)
            wizard.penalty_tax_amount = preview.get("penalty_tax", 0.0)
            wizard.credit_amount = preview.get("credit", 0.0)
            wizard.preview_error = preview.get("error") or False

    @api.depends("invoice_id")
    def _compute_refund_info(self):
        can_refund = billing_tools.can_refund(self.env)
        for wizard in self:
            invoice = wizard.invoice_id._origin
            wizard.can_refund = can_refund
            wizard.paid_amount = invoice._billing_paid_amount() if invoice else 0.0
            wizard.available_payment_ids = invoice._billing_paying_payments() if invoice else False

    # -------------------------------------------------------------------------
    # BUSINESS
    # -------------------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        lines = self._lines_arg()
        if not lines:
            raise UserError(self.env._("Tick at least one item to cancel."))
        result = self.invoice_id.with_company(self.company_id).billing_cancel_items(
            lines,
            penalty_type=self.penalty_type,
            penalty_value=self.penalty_value,
            refund_amount=self.refund_amount or 0.0,
            refund_payment_id=self.refund_payment_id.id or None,
            refund_journal_id=self.refund_journal_id.id or None,
            note=self.note or None,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": result["credit_note_id"],
            "view_mode": "form",
            "name": self.env._("Credit note"),
        }
