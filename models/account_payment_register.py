from odoo import models

from . import billing_tools

BILLING_CREDIT_OPERATIONS = billing_tools.BILLING_CREDIT_OPERATIONS


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        """SPEC §5: paying out a billing credit or cancellation credit note gives money back to the
        client: only users with the refunds group may, and Record a refund is the way to do it."""
        billing = self.filtered(lambda wizard: wizard.payment_type == "outbound" and any(
            move.billing_operation in BILLING_CREDIT_OPERATIONS for move in wizard.line_ids.move_id))
        if billing:
            billing_tools.check_refund_access(self.env, self.env._(
                "Money is given back to a client with the Record a refund button on the client's Billing tab, "
                "by a user allowed to make refunds; %(moves)s cannot be paid out with Register Payment.",
                moves=", ".join(billing.line_ids.move_id.filtered(
                    lambda move: move.billing_operation in BILLING_CREDIT_OPERATIONS).mapped("display_name"))))
        return super()._create_payments()
