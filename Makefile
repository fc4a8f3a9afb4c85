# Ryumon: `make run` serves the site with demo data on SQLite; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=
# Test processes: one per core (CI machines have two). `make test TEST_WORKERS=0` runs in one.
TEST_WORKERS ?= auto

.PHONY: run test setup data lint format typecheck bench clean messages vnu

# uv installs in seconds what pip installs in minutes; pip remains the fallback.
INSTALL := VENV=$(VENV) .ci/install

$(PY):
	@base=$$(.ci/find-python) || exit 1; \
	echo "Creating $(VENV) with $$base"; \
	"$$base" -m venv $(VENV)
	@$(PIP) install --quiet uv 2>/dev/null || echo "uv unavailable; installing with pip"

$(VENV)/.installed: pyproject.toml | $(PY)
	$(INSTALL) -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(INSTALL) -e '.[dev,bench]'
	@touch $@

messages: $(VENV)/.installed
	@mkdir -p var
	@DEBUG=1 $(MANAGE) compile_translations

setup: $(VENV)/.installed messages
	@mkdir -p var
	DEBUG=1 $(MANAGE) migrate --no-input
	DEBUG=1 $(MANAGE) createcachetable

data: setup
	DEBUG=1 $(MANAGE) load_reference_data
	DEBUG=1 $(MANAGE) load_demo_data
	DEBUG=1 $(MANAGE) rebuild_index

run: data
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev messages
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope --durations=25 $(PYTEST_ARGS)

# The Nu Html Checker for tests/test_html_validity.py (32 MB, from npm; needs npm and Java 17+).
vnu:
	.ci/fetch-vnu

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(VENV)/.installed-dev
	DEBUG=1 $(VENV)/bin/mypy .

clean:
	rm -rf var/*.sqlite3 $(VENV)

# == benchmarks (issue #7) ==
# `make bench` runs the ranker against its peers at 10k, 100k and 1M profiles (on 3 Dec here:
# about 15 minutes for 10k and 100k, 35 for 1M; on a fresh machine add 10 minutes of Sudachi
# analysing the corpora once, cached under var/bench/, 3.6 GB at 1M; 24 GB of RAM is enough),
# then the site under load (gunicorn + locust on a throwaway PostgreSQL database with 100k
# organizations, about 20-25 minutes here, 5 of them the index build, cached under var/bench/);
# QUICK=1 or `make bench-quick` does 10k only with short stages. SIZES=10000,100000 to choose the ranker's sizes.
# `make bench-load` runs the load test alone (docs/benchmarks/load.md).
.PHONY: bench-quick bench-load
$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(INSTALL) -e '.[bench]'
	@touch $@

bench: $(VENV)/.installed-bench messages
	@mkdir -p var
	DEBUG=1 $(MANAGE) bench_ranker $(if $(QUICK),--quick,) $(if $(SIZES),--sizes $(SIZES),)
	DEBUG=1 $(MANAGE) bench_load $(if $(QUICK),--quick,)

bench-quick:
	$(MAKE) bench QUICK=1

bench-load: $(VENV)/.installed-bench messages
	@mkdir -p var
	DEBUG=1 $(MANAGE) bench_load $(if $(QUICK),--quick,)
