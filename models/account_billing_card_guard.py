from odoo import api
from odoo import models
from odoo.exceptions import ValidationError

from . import billing_tools

MODULE = "account_billing_operations"
TEXT_TYPES = ("char", "text", "html")


class AccountBillingCardGuard(models.AbstractModel):
    """R7.3: no free-text field of this module (notes, payer fields, wizards) ever stores a full card
    number. Inherited by every model with such a field: the check runs at create and write, before
    anything is saved (the web client saves a wizard's record before its button runs)."""

    _name = "account.billing.card.guard"
    _description = "Billing: refuse full card numbers in free text"

    @api.model
    def _billing_free_text_fields(self):
        return [name for name, field in self._fields.items()
                if field.type in TEXT_TYPES and MODULE in (field._modules or ())]

    @api.model
    def _billing_check_card_numbers(self, vals_list):
        names = self._billing_free_text_fields()
        for vals in vals_list:
            billing_tools.check_no_card_number(
                self.env, *(vals[name] for name in names if vals.get(name)), error=ValidationError)

    @api.model_create_multi
    def create(self, vals_list):
        self._billing_check_card_numbers(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._billing_check_card_numbers([vals])
        return super().write(vals)
