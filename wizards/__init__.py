from . import billing_credit_wizard
from . import billing_payment_wizard
from . import billing_cancel_wizard
from . import billing_cancel_wizard_line
