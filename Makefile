# account_billing_operations — see README.md
.PHONY: run test test-deep pytest lint bench bench-scale setup stop clean shell pot test-stress test-odoo test-lifecycle

run:          ## demo server on http://localhost:8069 (admin / admin)
	@tools/dev.sh run

test:         ## fresh database, the module's whole test suite
	@tools/dev.sh test

test-deep:    ## property test of SPEC 7 Accounting: >= 2,000 random steps; BILLING_SEED=<seed> replays a run
	@TEST_TAGS=billing_deep TEST_DB=billing_deep ODOO_ARGS="$(ODOO_ARGS)" tools/dev.sh test; rc=$$?; \
	grep -E ' INFO .*Property test' .local/test.log | sed -E 's/^.* INFO [^ ]+ [^ ]+: //'; exit $$rc

pytest:       ## pytest-odoo on the last test database: make pytest ARGS='tests/test_refunds.py -k cap' [UPDATE=1]
	@ARGS="$(ARGS)" UPDATE="$(UPDATE)" tools/dev.sh pytest

bench-scale:  ## Billing tab + statement of a 10,000-document client on a kept database (BENCH_PARTNERS=100000 BENCH_ITEMS=1000000)
	@ODOO_ARGS="$(ODOO_ARGS)" tools/bench_scale.sh

setup:        ## virtual environment, Odoo requirements, PostgreSQL cluster
	@tools/dev.sh setup

bench:        ## benchmarks (long): every operation against native, Billing tab, crons -> bench/results.json
	@ODOO_ARGS="$(ODOO_ARGS)" tools/bench.sh

lint:         ## pre-commit: ruff + pylint-odoo
	@tools/dev.sh setup >/dev/null
	@.venv/bin/pip install -q pre-commit==4.7.0
	@.venv/bin/pre-commit run --all-files

test-stress:  ## reliability: 8 JSON-RPC clients on Odoo --workers=4 for 60 s, then kill -9 runs (database billing_stress)
	@tools/stress.py --db billing_stress --install --seconds $${STRESS_SECONDS:-60} --crash \
		--http-port $${STRESS_HTTP_PORT:-8342}

test-odoo:    ## reliability: Odoo's own account / account_payment tests with and without the module
	@tools/test_odoo.py

test-lifecycle: ## reliability: install, update, uninstall on 3 years of history; set-up from a 0700 folder
	@tools/lifecycle.py && tools/test_setup_anywhere.sh

pot:          ## i18n/account_billing_operations.pot and i18n/fr.po
	@tools/dev.sh pot

shell:
	@tools/dev.sh shell

stop:         ## stop the project's PostgreSQL cluster
	@tools/dev.sh pg-stop

clean: stop   ## remove the venv, the cluster and the filestore
	@tools/dev.sh pg-clean
	rm -rf .venv .local
