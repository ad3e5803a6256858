# Two commands do all set-up: `make run` and `make test`.
SHELL := /bin/bash
# The first Python from 3.11 to 3.13 found (the pins allow those).
PY ?= $(shell for p in python3.11 python3.12 python3.13; do $$p -c "" >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/portal_test

.PHONY: run test setup system-run system-test lint format messages clean test-sqlite test-postgres

$(BIN)/activate:
	@[ -n "$(PY)" ] || { echo 'Python 3.11, 3.12 or 3.13 is needed: none was found on PATH.' >&2; exit 1; }
	$(PY) -m venv $(VENV)

system-run:
	@scripts/system-packages run

system-test:
	@scripts/system-packages test

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

portal/static/vendor/.copied: node_modules/.installed
	mkdir -p portal/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js portal/static/vendor/htmx.min.js
	cp node_modules/chart.js/dist/chart.umd.min.js portal/static/vendor/chart.umd.min.js
	touch $@

setup: $(VENV)/.installed portal/static/vendor/.copied
	mkdir -p instance
	@# The catalogues are compiled here (the .mo files are build output, not committed).
	@if ls portal/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile --statistics -d portal/translations; \
	fi
	$(BIN)/flask db upgrade

run: system-run setup
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask demo logins
	$(BIN)/python -m portal.tools.run_all --host 127.0.0.1 --port 5000

test: system-test setup test-sqlite test-postgres

test-sqlite:
	$(BIN)/pytest -n 2 --dist loadfile

test-postgres:
	@if $(BIN)/python -m portal.tools.pg_available; then \
	  echo "PostgreSQL answers at 127.0.0.1:5432: running the suite on it"; \
	  $(BIN)/python -m portal.tools.pg_available --create portal_test && \
	  SKIP_DB_FREE=1 TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 --dist loadfile -m "not browser"; \
	else \
	  if [ -n "$$CI" ]; then echo "PostgreSQL is required on CI but does not answer"; exit 1; fi; \
	  echo "PostgreSQL does not answer at 127.0.0.1:5432: skipped the PostgreSQL run"; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract the marked strings and add the new ones (empty) to every catalogue; then translate
# them (tests/test_catalogues.py fails while one is missing) and `make setup` compiles.
# Babel skips directories starting with "_" by default (templates/_macros!): name what to skip.
EXTRACT_IGNORE := --ignore-dirs '.* node_modules instance __pycache__ build test-results'
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext $(EXTRACT_IGNORE) -o portal/translations/messages.pot .
	$(BIN)/python -m portal.tools.wtforms_messages portal/translations/messages.pot
	$(BIN)/pybabel update --width 100 --no-fuzzy-matching -i portal/translations/messages.pot -d portal/translations
	$(BIN)/pybabel compile -d portal/translations

clean:
	rm -rf $(VENV) node_modules portal/static/vendor
