"""18.0.1.2.0: the module's wizards renamed into one namespace, account.billing.* (issue 12).

On update Odoo removes what the old transient models declared (ir.model, fields, access rules, views,
actions, relations), but not their tables: a model no longer in the registry is not dropped. Drop them
here, so that no leftover wizard row, with its foreign keys to invoices, payments and clients, can ever
block the deletion of one of those.
"""
from odoo.tools import SQL

OLD_TABLES = (
    "billing_credit_wizard",
    "account_tax_billing_credit_wizard_rel",
    "billing_bulk_credit_wizard",
    "billing_bulk_credit_wizard_res_partner_rel",
    "account_tax_billing_bulk_credit_wizard_rel",
    "account_move_billing_bulk_credit_wizard_rel",
    "billing_refund_wizard",
    "billing_payment_refund_wizard",
    "billing_payment_wizard",
    "billing_cancel_wizard_line",
    "billing_cancel_wizard",
    "billing_statement_wizard",
    "billing_statement_wizard_res_partner_rel",
)


def migrate(cr, version):
    if not version:
        return
    for table in OLD_TABLES:
        cr.execute(SQL("DROP TABLE IF EXISTS %s CASCADE", SQL.identifier(table)))
