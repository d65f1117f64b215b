from . import (
    account_billing_idempotency,
    account_billing_timeline,
    account_move,
    account_move_line,
    account_payment,
    billing_tools,
    res_company,
    res_config_settings,
    res_partner,
)
