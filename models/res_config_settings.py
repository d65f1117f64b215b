from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    billing_credit_product_id = fields.Many2one(
        related="company_id.billing_credit_product_id", readonly=False)
    billing_penalty_product_id = fields.Many2one(
        related="company_id.billing_penalty_product_id", readonly=False)
    billing_settlement_cutoff = fields.Float(
        related="company_id.billing_settlement_cutoff", readonly=False)
    billing_settlement_tz = fields.Selection(
        related="company_id.billing_settlement_tz", readonly=False)
