# The abstract models the wizards inherit are loaded first.
from . import account_billing_clients_wizard  # isort: skip
from . import account_billing_credit_input  # isort: skip
from . import account_billing_invoice_wizard  # isort: skip
from . import account_billing_bulk_credit_wizard
from . import account_billing_cancel_items_wizard
from . import account_billing_cancel_items_wizard_line
from . import account_billing_credit_wizard
from . import account_billing_make_payment_wizard
from . import account_billing_record_refund_wizard
from . import account_billing_refund_payment_wizard
from . import account_billing_statement_wizard
