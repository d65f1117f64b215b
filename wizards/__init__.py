from . import billing_credit_wizard
from . import billing_payment_refund_wizard
from . import billing_refund_wizard
