from . import test_demo
from . import test_credit_charge
from . import test_client_account
from . import test_make_payment
from . import test_cancel_items
from . import test_invoice_ops_concurrency
