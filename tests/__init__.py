from . import test_benchmark, test_client_account, test_credit_charge, test_demo, test_tour
