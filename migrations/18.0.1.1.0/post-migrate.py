"""18.0.1.1.0: the module's own refund link and the per-company settlement (issue "Trustworthy books").

- Refunds made before this version were linked to their payment through Odoo's `source_payment_id`
  (which the module used to redefine): copy that link into the module's read-only
  `billing_source_payment_id`, so that every existing refund keeps counting against its payment's cap.
- The settlement scheduled action (noupdate) now runs every 15 minutes and settles each company at its
  own cut-off.
"""
from odoo import SUPERUSER_ID
from odoo import api


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        UPDATE account_payment
           SET billing_source_payment_id = source_payment_id
         WHERE billing_refund_state IS NOT NULL
           AND billing_source_payment_id IS NULL
           AND source_payment_id IS NOT NULL
    """)
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("account_billing_operations.ir_cron_billing_settle_refunds", raise_if_not_found=False)
    if cron:
        cron.write({
            "name": "Billing: settle the refunds whose cut-off has passed",
            "code": "model._billing_cron_settle_refunds()",
            "interval_number": 15,
            "interval_type": "minutes",
        })
