from odoo import models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    def _billing_offline_method_lines(self, payment_type):
        """The journal's ``payment_type`` ("inbound"/"outbound") methods the front desk may use: not
        tied to an online payment provider (R3.3, R7.2), the Manual method first. The one home of
        that choice for Make a payment, Record a refund and the refund of a payment."""
        self.ensure_one()
        lines = self._get_available_payment_method_lines(payment_type).filtered(
            lambda line: not line.payment_provider_id)
        return lines.filtered(lambda line: line.code == "manual") + lines.filtered(lambda line: line.code != "manual")
