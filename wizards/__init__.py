from . import billing_credit_wizard
