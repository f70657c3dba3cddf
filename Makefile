# Passeport — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
# pytest-xdist workers for the SQLite and PostgreSQL runs: one process by default (two tests of
# tests/rights/test_me_situation.py failed once with 2 workers, an order dependence not yet
# found); `TEST_WORKERS=auto` runs one worker per core (about 21 min instead of 29).
TEST_WORKERS ?= 0
XDIST := -n $(TEST_WORKERS) --dist worksteal

.PHONY: run test venv migrate demo lint check test-sqlite test-postgres test-browser bench fuzz clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# The whole suite on SQLite, then on PostgreSQL, then the browser journeys.
test: lint test-sqlite test-postgres test-browser

test-sqlite: venv
	$(BIN)/pytest -m "not browser" -q $(XDIST)

test-postgres: venv
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -m "not browser" -q $(XDIST)

test-browser: venv
	$(BIN)/pytest -m browser -q

# A longer, randomised schemathesis hunt over the whole API (the suite runs a short one).
fuzz: venv
	SCHEMATHESIS_EXAMPLES=40 SCHEMATHESIS_RANDOM=1 $(BIN)/pytest -q -p no:logging tests/api/test_schemathesis.py

bench: venv
	$(PY) bench/caseload.py --quick
	$(PY) bench/directory.py --quick
	$(PY) bench/rights.py --quick
	$(PY) bench/vault.py --quick
	$(PY) bench/reporting.py --quick
	$(PY) bench/rupture.py --quick
	$(PY) bench/badges.py --quick
	$(PY) bench/matching_quality.py --quick
	$(PY) bench/matching_speed.py --quick

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
