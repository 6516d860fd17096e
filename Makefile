# 继续医学教育管理平台 — the two commands are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
DEV_ENV := DEBUG=1

.PHONY: demo test install lint fmt migrate run bench load backup restore clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)

# xstatic-bootstrap ships only an sdist whose setup.py needs pkg_resources,
# so it is built without isolation against a setuptools that still has it.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q "setuptools>=64,<78" wheel
	$(PYTHON) -m pip install -q --no-build-isolation "xstatic-bootstrap>=5.3,<6"
	$(PYTHON) -m pip install -q --no-build-isolation -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(DEV_ENV) $(PYTHON) manage.py migrate --noinput

# The task worker (big imports, certificate zips) runs beside the web server and stops with
# it; run_worker is db_worker that first re-queues tasks a killed worker left running.
SERVE = $(DEV_ENV) $(PYTHON) manage.py run_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PYTHON) manage.py runserver 127.0.0.1:8000

demo: migrate
	$(DEV_ENV) $(PYTHON) manage.py load_demo
	$(DEV_ENV) $(PYTHON) manage.py ensure_signing_key
	$(SERVE)

run: migrate
	$(SERVE)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(DEV_ENV) $(PYTHON) manage.py check
	$(DEV_ENV) $(PYTHON) manage.py makemigrations --check --dry-run
	$(PYTHON) -m pytest -q --create-db

bench: install
	$(DEV_ENV) $(PYTHON) bench/staff_import.py
	$(DEV_ENV) $(PYTHON) bench/roster_certificates.py
	$(DEV_ENV) $(PYTHON) bench/declaration_check.py
	$(DEV_ENV) $(PYTHON) bench/annual_audit.py
	$(DEV_ENV) $(PYTHON) bench/dashboard.py

# Peak load (docs/load.md): locust lives in its own venv, the driver in the project's.
# PostgreSQL database cme_load (DATABASE_URL to change it); ARGS="--fresh --duration 30" etc.
LOAD_VENV := .venv-load
$(LOAD_VENV)/.installed:
	$(PY) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install -q "locust>=2.40,<3"
	touch $@

load: install $(LOAD_VENV)/.installed
	$(PYTHON) bench/load/run.py --locust $(LOAD_VENV)/bin/locust $(ARGS)

# Backups (docs/operations.md): the database (pg_dump -Fc on PostgreSQL) and the uploaded
# files into var/backups/cme-backup-<time>/; `make restore FROM=var/backups/cme-backup-…`
# loads one into the configured database and checks every table's count and the ledger.
backup: install
	$(DEV_ENV) $(PYTHON) manage.py backup --output $(or $(TO),var/backups)

restore: install
	@test -n "$(FROM)" || { echo "usage: make restore FROM=var/backups/cme-backup-…"; exit 2; }
	$(DEV_ENV) $(PYTHON) manage.py restore $(FROM)

clean:
	rm -rf $(VENV) $(LOAD_VENV) db.sqlite3 var staticfiles
