from odoo import fields
from odoo import models


class AccountBillingCancelItemsWizardLine(models.TransientModel):
    """One invoice line in Cancel/refund items: tick it, optionally lower the quantity (R6.1)."""

    _name = "account.billing.cancel.items.wizard.line"
    _description = "Invoice item to cancel"

    wizard_id = fields.Many2one("account.billing.cancel.items.wizard", required=True, ondelete="cascade")
    invoice_line_id = fields.Many2one("account.move.line", string="Invoice line", required=True, readonly=True)
    selected = fields.Boolean(string="Cancel")
    product_id = fields.Many2one(related="invoice_line_id.product_id")
    name = fields.Char(related="invoice_line_id.name", string="Description")
    invoiced_qty = fields.Float(related="invoice_line_id.quantity", string="Invoiced")
    cancelled_qty = fields.Float(related="invoice_line_id.billing_cancelled_qty", string="Already cancelled")
    cancellable_qty = fields.Float(related="invoice_line_id.billing_cancellable_qty", string="Cancellable")
    quantity = fields.Float(string="Quantity to cancel", digits="Product Unit of Measure")
    currency_id = fields.Many2one(related="invoice_line_id.currency_id")
    price_total = fields.Monetary(related="invoice_line_id.price_total", string="Line total")
