from odoo import api
from odoo import models


class BillingStatementReport(models.AbstractModel):
    """The client statement (docs/rules.md §3): the Billing tab's timeline for a period, per client.

    The period comes from the report's data (the statement wizard) or, when the report is rendered
    for the mail composer, from its context; none means everything."""

    _name = "report.account_billing_operations.report_billing_statement"
    _description = "Client statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        context = self.env.context
        date_from = data.get("date_from") or context.get("billing_statement_date_from") or None
        date_to = data.get("date_to") or context.get("billing_statement_date_to") or None
        partners = self.env["res.partner"].browse(docids)
        statements = partners._billing_statement_data(date_from, date_to)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners.commercial_partner_id,
            "statements": statements,
        }
