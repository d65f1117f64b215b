# account_billing_operations — see README.md
.PHONY: run test test-deep pytest lint bench setup stop clean shell pot

run:          ## demo server on http://localhost:8069 (admin / admin)
	@tools/dev.sh run

test:         ## fresh database, the module's whole test suite
	@tools/dev.sh test

test-deep:    ## property test of SPEC 7 Accounting: >= 2,000 random steps; BILLING_SEED=<seed> replays a run
	@TEST_TAGS=billing_deep TEST_DB=billing_deep ODOO_ARGS="$(ODOO_ARGS)" tools/dev.sh test; rc=$$?; \
	grep -E ' INFO .*Property test' .local/test.log | sed -E 's/^.* INFO [^ ]+ [^ ]+: //'; exit $$rc

pytest:       ## pytest-odoo on the last test database: make pytest ARGS='tests/test_refunds.py -k cap' [UPDATE=1]
	@ARGS="$(ARGS)" UPDATE="$(UPDATE)" tools/dev.sh pytest

setup:        ## virtual environment, Odoo requirements, PostgreSQL cluster
	@tools/dev.sh setup

bench:        ## benchmarks (long): timings of the operations and of the Billing tab
	@TEST_TAGS=billing_bench TEST_DB=billing_bench ODOO_ARGS="$(ODOO_ARGS)" tools/dev.sh test

lint:         ## pre-commit: ruff + pylint-odoo
	@tools/dev.sh setup >/dev/null
	@.venv/bin/pip install -q pre-commit==4.7.0
	@.venv/bin/pre-commit run --all-files

pot:          ## i18n/account_billing_operations.pot and i18n/fr.po
	@tools/dev.sh pot

shell:
	@tools/dev.sh shell

stop:         ## stop the project's PostgreSQL cluster
	@tools/dev.sh pg-stop

clean: stop   ## remove the venv, the cluster and the filestore
	rm -rf .venv .local
