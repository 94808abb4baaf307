# Lifeline: `make demo` serves the demo city, `make test` runs every check CI runs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/lifeline_ci

.PHONY: install demo test lint typecheck test-sqlite test-postgres check-deploy messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: install
	$(BIN)/lifeline demo

lint: install
	$(BIN)/ruff format --check src tests
	$(BIN)/ruff check src tests

typecheck: install
	$(BIN)/mypy

test-sqlite: install
	scripts/ensure_chromium.sh
	env -u DATABASE_URL $(BIN)/python -m pytest

test-postgres: install
	scripts/ensure_postgres.sh
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest

check-deploy: install
	scripts/check_deploy.sh $(BIN)/lifeline
	LIFELINE_VAR_DIR=$$(mktemp -d) $(BIN)/lifeline makemigrations --check --dry-run

test: lint typecheck check-deploy test-sqlite test-postgres

messages: install
	cd src/lifeline && LIFELINE_VAR_DIR=$(CURDIR)/var ../../$(BIN)/lifeline makemessages -l zh_Hans -l en --ignore "var/*" && LIFELINE_VAR_DIR=$(CURDIR)/var ../../$(BIN)/lifeline compilemessages

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
