# Lifeline: `make demo` serves the demo city, `make test` runs every check CI runs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The PostgreSQL run goes through PgBouncer in transaction mode (scripts/ensure_pgbouncer.sh,
# docs/operations.md): the code must keep working where each transaction may get another
# server connection.
PG_URL ?= postgres://postgres@127.0.0.1:6432/lifeline_ci
PG_POOLER ?= transaction
# Coverage of the SQLite run (docs/testing.md): data and JSON report under var/coverage/.
COVERAGE_JSON := var/coverage/coverage.json

.PHONY: install demo test lint typecheck test-suites test-sqlite test-postgres check-deploy coverage-check coverage-total messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# The PDF of the daily report needs the CJK font; without it (and not root) the demo
# still runs, and the PDF page says what is missing.
demo: install
	scripts/ensure_fonts.sh || true
	$(BIN)/lifeline demo

lint: install
	$(BIN)/ruff format --check src tests
	$(BIN)/ruff check src tests

typecheck: install
	$(BIN)/mypy

# The SQLite run is measured (coverage.py, pyproject's [tool.coverage.*]); PostgreSQL's is not.
test-sqlite: install
	scripts/ensure_chromium.sh
	scripts/ensure_fonts.sh
	mkdir -p var/coverage
	env -u DATABASE_URL $(BIN)/coverage run -m pytest --durations=40
	$(BIN)/coverage json --quiet --fail-under=0 -o $(COVERAGE_JSON)
	$(BIN)/python scripts/coverage_ratchet.py $(COVERAGE_JSON)

# The same checks again on the last SQLite run's data (after editing docs/coverage-*.txt).
coverage-check: install
	$(BIN)/coverage json --quiet --fail-under=0 -o $(COVERAGE_JSON)
	$(BIN)/python scripts/coverage_ratchet.py $(COVERAGE_JSON)

coverage-total:
	@$(BIN)/python scripts/coverage_ratchet.py --total $(COVERAGE_JSON)

test-postgres: install
	scripts/ensure_postgres.sh
	scripts/ensure_pgbouncer.sh
	DATABASE_URL=$(PG_URL) LIFELINE_DB_POOLER=$(PG_POOLER) $(BIN)/python -m pytest --durations=40

check-deploy: install
	scripts/check_deploy.sh $(BIN)/lifeline
	LIFELINE_VAR_DIR=$$(mktemp -d) $(BIN)/lifeline makemigrations --check --dry-run

# The SQLite and PostgreSQL runs go side by side, one per core; each one's output is
# printed whole when it ends (--output-sync), so the two never interleave.
test-suites: install
	scripts/ensure_fonts.sh
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test: lint typecheck check-deploy test-suites coverage-total

messages: install
	cd src/lifeline && LIFELINE_VAR_DIR=$(CURDIR)/var ../../$(BIN)/lifeline makemessages -l zh_Hans -l en --ignore "var/*" && LIFELINE_VAR_DIR=$(CURDIR)/var ../../$(BIN)/lifeline compilemessages

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
