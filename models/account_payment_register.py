from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from . import billing_tools

BILLING_CREDIT_OPERATIONS = billing_tools.BILLING_CREDIT_OPERATIONS


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        """docs/rules.md §5: paying out a billing credit or cancellation credit note gives money back to the
        client: only users with the refunds group may, and Record a refund is the way to do it; it gives back at
        most the client's available credit (R3.2, ``_billing_check_given_back``)."""
        billing = self.filtered(lambda wizard: wizard.payment_type == "outbound" and any(
            move.billing_operation in BILLING_CREDIT_OPERATIONS for move in wizard.line_ids.move_id))
        if not billing:
            return super()._create_payments()
        billing_tools.check_refund_access(self.env, self.env._(
            "Money is given back to a client with the Record a refund button on the client's Billing tab, "
            "by a user allowed to make refunds; %(moves)s cannot be paid out with Register Payment.",
            moves=", ".join(billing.line_ids.move_id.filtered(
                lambda move: move.billing_operation in BILLING_CREDIT_OPERATIONS).mapped("display_name"))))
        clients = billing.line_ids.partner_id.commercial_partner_id.with_company(billing.company_id[:1])
        before = clients._billing_balances()
        payments = super()._create_payments()
        billing._billing_check_given_back(clients, before, payments)
        return payments

    def _billing_check_given_back(self, clients, before, payments):
        """R3.2 for Register Payment on a billing credit note (docs/rules.md §5: a refund): it gives back at
        most the client's available credit, so it never leaves the client owing, nor owing more than before.
        Checked on the balances once the payments are booked (every grouping, currency and write-off of the
        wizard counted as Odoo booked it), and on what a write-off pays out beyond the client's items;
        a refusal undoes them all."""
        currency = clients.env.company.currency_id
        for payment in payments.filtered(lambda pay: pay.payment_type == "outbound"):
            # Paid out beyond what the client's items record (Mark as fully paid with a write-off debited):
            # money given back that the balance does not see.
            extra = sum(payment._seek_for_lines()[2].mapped("balance"))
            if currency.compare_amounts(extra, 0.0) > 0:
                raise UserError(self.env._(
                    "This payment gives %(client)s %(extra)s more than the credit notes it settles, written off "
                    "to another account: money is given back to a client only up to its credit. Enter at most "
                    "the amount of the credit notes, or keep the difference open.",
                    client=payment.partner_id.commercial_partner_id.display_name,
                    extra=format_amount(self.env, extra, currency)))
        after = clients._billing_balances()
        for client in clients:
            was, now = before.get(client.id, 0.0), after.get(client.id, 0.0)
            if currency.compare_amounts(now, max(was, 0.0)) > 0:
                raise UserError(self.env._(
                    "This payment gives %(client)s more than its available credit, %(available)s: the client would "
                    "then owe %(owed)s. Enter at most the available credit as the amount, or use the credit on an "
                    "invoice (Make a payment with the credit on file).",
                    client=client.display_name, available=format_amount(self.env, max(-was, 0.0), currency),
                    owed=format_amount(self.env, now, currency)))
