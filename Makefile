# Two commands for a newcomer: `make run` and `make test`. Everything else is plumbing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
QUERY ?= New START treaty extension

# Airflow runs from a git-ignored home inside the repo (SQLite metadata DB).
export AIRFLOW_HOME := $(CURDIR)/.local/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export NO_PROXY := localhost,127.0.0.1

.PHONY: help install install-prod stack-deps stack-test run test test-fast typecheck stop es-start es-status airflow-db lock lock-prod benchmarks clean-local ui ui-status browser-deps demo

help:
	@echo "make run    - start a local Elasticsearch (unless ES_URL is set), run ingest_articles over seeds/ with Airflow, show results"
	@echo "make test   - run the test suite (unit + real Elasticsearch + real Airflow)"
	@echo "make test-fast - the fast tier: no Elasticsearch, no Airflow, nothing slow (about a minute)"
	@echo "make typecheck - mypy on pipeline/ (configuration in pyproject.toml; CI runs it)"
	@echo "make ui     - the Airflow UI on this machine (api-server, scheduler, dag-processor, triggerer): http://127.0.0.1:$${AIRFLOW__API__PORT:-8080}"
	@echo "make demo   - load a small multilingual corpus with syndicated copies (what the README's search examples need)"
	@echo "make stop   - stop the Airflow UI processes and the local Elasticsearch"
	@echo "make lock   - re-resolve requirements.in into requirements.lock"
	@echo "make install-prod - .venv-prod from requirements-prod.lock (CeleryExecutor, Postgres, Redis)"
	@echo "make stack-test   - the production topology for real (Postgres, Redis, 3 ES nodes, Celery; see docs/operations.md)"

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip sync -q --python $(PY) requirements.lock
	@# bytecode once at install: the environment may set PYTHONDONTWRITEBYTECODE, and every CLI call and
	@# Airflow task would otherwise compile each module again
	$(PY) -m compileall -q -j 0 $$($(PY) -c "import site; print(site.getsitepackages()[0])") > /dev/null || true
	@# the repo itself goes on the venv's path (no build step, no unpinned build backend)
	$(PY) -c "import site; open(site.getsitepackages()[0] + '/news_etl.pth', 'w').write('$(CURDIR)\n')"
	$(PY) -m compileall -q pipeline dags devtools > /dev/null
	@# the language models' fast-loading cache (parsed langdetect profiles, decompressed py3langid model) in
	@# $(VENV)/var/cache/news-etl, so no process pays the 2 s of parsing them (pipeline/stages/language_models.py)
	$(PY) -m pipeline.stages.language_models > /dev/null
	@touch $@

install: $(VENV)/.installed

# A configured cluster (ES_URL) is used as is; otherwise the local node is started (idempotent).
es-start: install
	@if [ -n "$${ES_URL:-}" ]; then echo "ES_URL is set: using that cluster, no local node started"; \
	else $(PY) -m devtools.es_local start; fi

es-status: install
	$(PY) -m devtools.es_local status

stop: install
	$(PY) -m devtools.airflow_ui stop
	$(PY) -m devtools.es_local stop

# Migrated once per Airflow version (the lock file pins it), not on every run.
$(AIRFLOW_HOME)/.migrated: $(VENV)/.installed
	@mkdir -p $(AIRFLOW_HOME)
	$(VENV)/bin/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (tail -40 $(AIRFLOW_HOME)/db-migrate.log; exit 1)
	@touch $@

airflow-db: $(AIRFLOW_HOME)/.migrated

# The Airflow UI from the venv (devtools/airflow_ui.py): api-server first, then dag-processor, scheduler,
# triggerer once it answers. Login admin / the password it prints. Port: AIRFLOW__API__PORT (8080).
ui: es-start airflow-db
	$(PY) -m devtools.airflow_ui start

# A small multilingual corpus with syndicated copies behind `articles` (devtools/demo.py): what the README's
# search examples find. Needs ../shared/benchmarks.
demo: es-start
	$(PY) -m devtools.demo

ui-status: install
	$(PY) -m devtools.airflow_ui status

# Debian's chromium for the browser test (tests/e2e); no browser download. Root only; a no-op when present.
browser-deps:
	@if ! command -v chromium >/dev/null; then \
		test "$$(id -u)" = 0 || { echo "the browser test needs Debian's chromium: apt-get install chromium (as root)"; exit 1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	fi

# dags test runs a paused DAG too; paused here so a later `make ui` on this home does not start the schedule
run: es-start airflow-db
	ETL_PAUSED_ON_CREATION=$${ETL_PAUSED_ON_CREATION:-true} \
		$(VENV)/bin/airflow dags test ingest_articles > $(AIRFLOW_HOME)/last-dags-test.log 2>&1 \
		|| (tail -60 $(AIRFLOW_HOME)/last-dags-test.log; exit 1)
	@echo "Airflow log of this run: $(AIRFLOW_HOME)/last-dags-test.log"
	$(PY) -m pipeline report --last
	$(PY) -m pipeline search "$(QUERY)" --size 3

test: es-start
	$(PY) -m pytest $(PYTEST_ARGS)

# No node is started: tests outside the es tier get an ES_URL that refuses connections (tests/conftest.py).
test-fast: install
	$(PY) -m pytest -m "not es and not airflow and not slow" $(PYTEST_ARGS)

typecheck: install
	$(VENV)/bin/mypy

benchmarks: install
	$(PY) benchmarks/extraction.py
	$(PY) benchmarks/language.py

lock:
	$(VENV)/bin/uv pip compile --python 3.11 --generate-hashes requirements.in -o requirements.lock

# The production install: its own venv, so `make test` / `make run` keep the dev lock. The prod lock
# is requirements.in + the prod extras, constrained by requirements.lock (same pins where both have it).
VENV_PROD := .venv-prod
PY_PROD := $(VENV_PROD)/bin/python

$(VENV_PROD)/.installed: requirements-prod.lock
	@test -x $(PY_PROD) || $(PYTHON) -m venv $(VENV_PROD)
	$(PY_PROD) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV_PROD)/bin/uv pip sync -q --python $(PY_PROD) --require-hashes requirements-prod.lock
	$(PY_PROD) -c "import site; open(site.getsitepackages()[0] + '/news_etl.pth', 'w').write('$(CURDIR)\n')"
	@touch $@

install-prod: $(VENV_PROD)/.installed

lock-prod: install
	$(VENV)/bin/uv pip compile --python 3.11 --generate-hashes requirements-prod.in -o requirements-prod.lock

# Debian's PostgreSQL and Redis server binaries (the stack test runs private instances of them, not
# the system services). Root only; a no-op when both are installed.
stack-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null; then \
		test "$$(id -u)" = 0 || { echo "stack-test needs postgresql and redis-server: apt-get install them (as root)"; exit 1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql redis-server; \
	fi

# Not part of `make test`: ~3-4 minutes, needs root or the two servers installed (docs/operations.md).
stack-test: install-prod stack-deps
	$(PY_PROD) -m devtools.stack.stack_test $(STACK_ARGS)

clean-local: stop
	rm -rf .local runs
