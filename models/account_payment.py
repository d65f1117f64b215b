from odoo import fields, models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    billing_note = fields.Text(string="Billing note", copy=False)
    billing_payer_name = fields.Char(string="Payer name", copy=False)
    billing_payer_reference = fields.Char(
        string="Payer reference", copy=False,
        help="Cheque number, bank, card type and last four digits, authorisation code. "
        "Never a full card number.")
    billing_postdated = fields.Boolean(
        string="Postdated", copy=False, index="btree_not_null",
        help="Scheduled payment: it is applied to its invoice on its date by a scheduled action.")
    billing_invoice_id = fields.Many2one(
        "account.move", string="Invoice paid", copy=False, index="btree_not_null", check_company=True,
        help="The invoice this payment was made from (Make a payment).")
    billing_refund_state = fields.Selection(
        selection=[
            ("pending", "Pending settlement"),
            ("settled", "Settled"),
            ("cancelled", "Cancelled"),
        ],
        string="Refund state", copy=False, index="btree_not_null", tracking=True,
        help="Refunds only: pending settlement until the day's settlement cut-off, then settled; "
        "a pending refund can be cancelled.")
