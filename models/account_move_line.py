from odoo import api
from odoo import models

# R1.4 on the journal items of a posted billing credit. Reconciliation fields stay writable.
IMMUTABLE_LINE_FIELDS = frozenset({
    "move_id", "account_id", "partner_id", "product_id", "name", "quantity", "price_unit",
    "discount", "debit", "credit", "balance", "amount_currency", "currency_id", "date",
    "tax_ids", "tax_line_id", "tax_repartition_line_id", "display_type", "analytic_distribution",
    "company_id", "journal_id",
})


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        move_ids = {vals.get("move_id") for vals in vals_list if vals.get("move_id")}
        if move_ids:
            self.env["account.move"].browse(move_ids)._billing_raise_immutable()
        return super().create(vals_list)

    def write(self, vals):
        protected = IMMUTABLE_LINE_FIELDS.intersection(vals)
        if protected:
            moves = self.filtered(lambda line: any(
                self.env["account.move"]._field_will_change(line, vals, fname) for fname in protected)).move_id
            moves._billing_raise_immutable()
        return super().write(vals)

    def unlink(self):
        self.move_id._billing_raise_immutable()
        return super().unlink()

