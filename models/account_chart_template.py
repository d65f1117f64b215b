from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        """A new company gets its journals with its chart: its default refund journal is set then."""
        result = super()._post_load_data(template_code, company, template_data)
        company._billing_set_default_settings()
        return result
