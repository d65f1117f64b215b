from . import account_billing_invoice_wizard
from . import billing_cancel_wizard
from . import billing_cancel_wizard_line
from . import billing_credit_wizard
from . import billing_payment_refund_wizard
from . import billing_payment_wizard
from . import billing_refund_wizard
