from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _create_child_transaction(self, amount, is_refund=False, **custom_create_values):
        """A refund sent at settlement belongs to the refund payment already booked (R4.2, R5.1):
        linking it keeps Odoo's post-processing from creating a second payment."""
        refund_payment_id = self.env.context.get("billing_refund_payment_id")
        if is_refund and refund_payment_id:
            custom_create_values.setdefault("payment_id", refund_payment_id)
        return super()._create_child_transaction(amount, is_refund=is_refund, **custom_create_values)
