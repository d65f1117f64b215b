from . import test_benchmark
from . import test_client_account
from . import test_credit_charge
from . import test_demo
from . import test_refunds
from . import test_refunds_concurrency
from . import test_tour
