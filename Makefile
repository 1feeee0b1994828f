# Every target sets up what it needs: a fresh machine with Python 3.11+ needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres test-future browser lint lint-contract openapi openapi-check bench fuzz fuzz-live lock clean install
.PHONY: clients clients-typescript clients-python clients-lock

install: $(STAMP)

# The contract's npm tooling (linters, the TypeScript client generator and compiler), at
# the versions package-lock.json pins; Node.js and npm come from the machine.
NODE_STAMP := node_modules/.installed
NPM_BIN := node_modules/.bin
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/capacity-exit migrate
	$(BIN)/capacity-exit seed --demo
	$(BIN)/capacity-exit serve --host $(HOST) --port $(PORT)

# The whole suite on SQLite, then again on PostgreSQL when one is reachable (each run in
# a fresh database the suite creates and drops). CAPEXIT_REQUIRE_POSTGRES=1 turns an
# unreachable PostgreSQL into a failure instead of a skip (.ci/run sets it).
test: $(STAMP) lint clients
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python scripts/postgres_reachable.py; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ "$${CAPEXIT_REQUIRE_POSTGRES:-0}" = "1" ]; then \
		echo "PostgreSQL is required (CAPEXIT_REQUIRE_POSTGRES=1) but not reachable" >&2; exit 1; \
	else \
		echo "PostgreSQL not reachable: the PostgreSQL run is skipped"; \
	fi

# Each suite runs on WORKERS pytest-xdist workers, each with a database of its own
# (--dist loadgroup keeps an xdist_group, the contract suite's live server, on one
# worker); then the tests marked serial run alone, in one process. CI has 2 CPUs: on
# them the SQLite suite less tests/contract took 211 s serially, 162 s on 2 workers and
# 174 s on 3 (a shared, busy machine; docs/decisions.md). PYTEST_ARGS
# reach both runs; one that selects no test (pytest's exit status 5) is no failure.
WORKERS ?= 2
define parallel_then_serial
	$(1) $(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(1) $(BIN)/python -m pytest -p no:xdist --serial $(PYTEST_ARGS) || [ $$? -eq 5 ]
endef

# The CORS test drives Debian's headless chromium (tests/fixtures/browser.py); without it
# that test fails rather than skips, so every suite run installs it when missing.
browser:
	@command -v chromium >/dev/null || apt-get install -y chromium \
		|| { apt-get update && apt-get install -y chromium; }

test-sqlite: $(STAMP) browser
	@echo "== test suite on SQLite =="
	$(call parallel_then_serial,CAPEXIT_TEST_STORE=sqlite)

test-postgres: $(STAMP) browser
	@echo "== test suite on PostgreSQL =="
	$(call parallel_then_serial,CAPEXIT_TEST_STORE=postgres)

# The whole SQLite suite with the process clock years ahead (Debian's faketime, shared by
# every process the suite starts, xdist's workers too): the suite runs on its own pinned
# day, so it must pass whatever day it is run on. FAKETIME_DONT_FAKE_MONOTONIC stays
# unset (with it, time.sleep fails with EINVAL).
FUTURE ?= 2031-06-15 10:00:00
test-future: $(STAMP) browser
	@command -v faketime >/dev/null || apt-get install -y faketime
	@echo "== test suite on SQLite, the process clock at $(FUTURE) =="
	$(call parallel_then_serial,CAPEXIT_TEST_STORE=sqlite faketime -m '$(FUTURE)')

# Schemathesis with fresh random inputs and more of them (the suite's run is derandomized).
fuzz: $(STAMP)
	CAPEXIT_FUZZ=1 CAPEXIT_FUZZ_EXAMPLES=$${EXAMPLES:-200} $(BIN)/python -m pytest tests/contract -q

# Contract fuzzing as CI runs it (README, "Contract fuzzing"): `st run` with every check
# and the stateful phase against a server of its own on a fresh database, with the
# project's hooks (schemathesis.toml). FUZZ_ARGS reach `st run`: 25 examples an operation
# keep it near 3.5 minutes on CI's 2 CPUs (schemathesis' default 100: 6-9 minutes).
FUZZ_ARGS ?= --max-examples 25
fuzz-live: $(STAMP)
	$(BIN)/python -m scripts.fuzz_live -- $(FUZZ_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests migrations scripts benchmarks clients
	$(BIN)/ruff format --check src tests migrations scripts benchmarks clients
	$(BIN)/mypy
	$(BIN)/lint-imports pyproject.toml
	$(MAKE) --no-print-directory lint-contract

# The committed contract against Redocly's `recommended` and Spectral's `spectral:oas`
# rulesets (redocly.yaml, .spectral.yaml; no rule off, no ignore file): any finding, a
# warning or a hint included, fails.
lint-contract: $(STAMP) $(NODE_STAMP)
	$(BIN)/python scripts/redocly_lint.py $(NPM_BIN)/redocly \
		--lint-config=error --config redocly.yaml openapi/openapi.json
	$(NPM_BIN)/spectral lint --ruleset .spectral.yaml --fail-severity=hint openapi/openapi.json

# Clients generated from the committed contract, as an integrator would make them
# (docs/decisions.md#generated-clients): each generator must print nothing but its
# progress line, each main-job program must type-check, and each runs its job against a
# throwaway server (clients/live_server.py). Outputs go to build/clients (not committed).
# openapi-python-client, mypy and the generated client's runtime live in their own venv,
# pinned by clients/python/requirements.lock (docs/decisions.md#clients-venv).
CLIENTS := build/clients
CLIENTS_CONTRACT ?= openapi/openapi.json
CLIENTS_VENV := .venv-clients
CLIENTS_STAMP := $(CLIENTS_VENV)/.installed
OPENAPI_PYTHON_CLIENT := 0.29.1
CLIENTS_MYPY := 2.4.1

# $(call quiet_generator,LOG,PROGRESS,NAME): fail, showing LOG, when the generator printed
# any line other than blank ones and its progress lines (PROGRESS, an extended regex).
define quiet_generator
	@if grep -vE '^$$|$(2)' $(1) >/dev/null; then \
		cat $(1) >&2; \
		echo "make clients: $(3) printed the warnings above for $(CLIENTS_CONTRACT); fix the schema the app serves (then make openapi), not the generated code" >&2; \
		exit 1; \
	fi
endef

clients: clients-typescript clients-python

$(CLIENTS_STAMP): clients/python/requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(CLIENTS_VENV)/bin/python || $(PYTHON) -m venv $(CLIENTS_VENV)
	$(CLIENTS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CLIENTS_VENV)/bin/python -m pip install --quiet -r clients/python/requirements.lock
	touch $(CLIENTS_STAMP)

clients-typescript: $(STAMP) $(NODE_STAMP)
	@echo "== TypeScript client: openapi-typescript, openapi-fetch, tsc --strict =="
	rm -rf $(CLIENTS)/ts && mkdir -p $(CLIENTS)/ts
	$(NPM_BIN)/openapi-typescript $(CLIENTS_CONTRACT) --output $(CLIENTS)/ts/schema.d.ts \
		> $(CLIENTS)/ts/generate.log 2>&1 || { cat $(CLIENTS)/ts/generate.log >&2; exit 1; }
	$(call quiet_generator,$(CLIENTS)/ts/generate.log,^(✨ openapi-typescript |🚀 ),openapi-typescript)
	$(NPM_BIN)/tsc --strict -p clients/typescript/tsconfig.json \
		|| { echo "make clients: clients/typescript/main_job.ts does not type-check against the contract" >&2; exit 1; }
	echo '{"type": "module"}' > $(CLIENTS)/ts/js/package.json
	$(BIN)/python clients/live_server.py -- node $(CLIENTS)/ts/js/main_job.js

clients-python: $(STAMP) $(CLIENTS_STAMP)
	@echo "== Python client: openapi-python-client $(OPENAPI_PYTHON_CLIENT), mypy --strict =="
	rm -rf $(CLIENTS)/python && mkdir -p $(CLIENTS)/python
	PATH="$(CURDIR)/$(CLIENTS_VENV)/bin:$$PATH" $(CLIENTS_VENV)/bin/openapi-python-client generate \
		--path $(CLIENTS_CONTRACT) --config clients/python/config.yaml --meta none \
		--output-path $(CLIENTS)/python/capacity_exit_client \
		> $(CLIENTS)/python/generate.log 2>&1 || { cat $(CLIENTS)/python/generate.log >&2; exit 1; }
	$(call quiet_generator,$(CLIENTS)/python/generate.log,^Generating ,openapi-python-client)
	MYPYPATH=$(CLIENTS)/python $(CLIENTS_VENV)/bin/mypy --strict --follow-imports=silent \
		--cache-dir $(CLIENTS)/.mypy_cache clients/python/main_job.py \
		|| { echo "make clients: clients/python/main_job.py does not type-check against the generated client" >&2; exit 1; }
	$(BIN)/python clients/live_server.py -- \
		env PYTHONPATH=$(CLIENTS)/python $(CLIENTS_VENV)/bin/python clients/python/main_job.py

# Re-resolve clients/python/requirements.lock from the two pins above.
clients-lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet openapi-python-client==$(OPENAPI_PYTHON_CLIENT) mypy==$(CLIENTS_MYPY)
	{ sed -n '/^#/p' clients/python/requirements.lock; .lock-venv/bin/python -m pip freeze; } > clients/python/requirements.lock.new
	mv clients/python/requirements.lock.new clients/python/requirements.lock
	rm -rf .lock-venv

openapi: $(STAMP)
	$(BIN)/capacity-exit openapi --output openapi/openapi.json

openapi-check: $(STAMP)
	$(BIN)/capacity-exit openapi --check openapi/openapi.json

bench: $(STAMP)
	@command -v wrk >/dev/null || apt-get install -y wrk  # the load generator (Debian)
	$(BIN)/python -m benchmarks

# Re-resolve the exact versions from pyproject.toml's ranges into requirements.lock, and
# derive requirements-runtime.lock (the image's: no dev extra) from the same pins.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	.lock-venv/bin/python scripts/runtime_lock.py
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) $(CLIENTS_VENV) build node_modules var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .hypothesis .schemathesis
