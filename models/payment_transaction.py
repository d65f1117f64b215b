from odoo import models
from odoo.exceptions import UserError


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _create_child_transaction(self, amount, is_refund=False, **custom_create_values):
        """A refund sent at settlement belongs to the refund payment already booked (R4.2, R5.1):
        linking it keeps Odoo's post-processing from creating a second payment."""
        refund_payment_id = self.env.context.get("billing_refund_payment_id")
        if is_refund and refund_payment_id:
            custom_create_values.setdefault("payment_id", refund_payment_id)
        return super()._create_child_transaction(amount, is_refund=is_refund, **custom_create_values)

    def action_refund(self, amount_to_refund=None):
        """Odoo's own refund of a customer's card payment (its refund wizard, over RPC too) would
        bypass the refund's note, cap and settlement (R4, R5): the Refund button of the payment is
        the one way to refund it."""
        customer = self.filtered(lambda tx: tx.payment_id.partner_type == "customer"
                                 and tx.payment_id.payment_type == "inbound")
        if customer:
            raise UserError(self.env._(
                "Refund the card payment %(payment)s with the Refund button of the payment: the refund is "
                "then recorded with its note, within what is left to refund, and sent at the day's "
                "settlement.", payment=", ".join(customer.payment_id.mapped("display_name"))))
        return super().action_refund(amount_to_refund=amount_to_refund)
