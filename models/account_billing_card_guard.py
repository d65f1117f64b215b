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
                if field.type in TEXT_TYPES and MODULE in (field._modules or ()) and (field.store or not field.compute)]

    @api.model
    def _billing_check_card_numbers(self, vals_list):
        """Each text, and all of them together: a number split over two fields (payer name and
        payer reference) is a full card number too."""
        names = self._billing_free_text_fields()
        for vals in vals_list:
            texts = [str(vals[name]) for name in names if vals.get(name)]
            billing_tools.check_no_card_number(self.env, *texts, " ".join(texts), error=ValidationError)

    @api.model_create_multi
    def create(self, vals_list):
        """R7.3: a full card number is refused before anything is saved."""
        self._billing_check_card_numbers(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        """R7.3: the same at write, with the values the record keeps in its other free-text fields."""
        names = self._billing_free_text_fields()
        if any(name in vals for name in names):
            # The fields written with the values the record keeps in the others.
            self._billing_check_card_numbers([vals] + [
                {name: vals[name] if name in vals else record[name] for name in names} for record in self])
        return super().write(vals)
