# One-command set-up: `make demo` and `make test` create .venv and install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench eval clean browser pg-install pg-start pg-stop pg-demo

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/veille demo --db demo.db

test: $(DEV_STAMP) browser pg-install
	$(BIN)/pytest -q

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks

eval: $(STAMP)
	rm -f /tmp/veille-seeds.db* /tmp/veille-examples.db*
	$(BIN)/veille ingest ../shared/corpus/seeds --db /tmp/veille-seeds.db || true
	$(BIN)/veille eval ../shared/eval/seeds_gold.jsonl --texts ../shared --db /tmp/veille-seeds.db
	$(BIN)/veille ingest examples/corpus --db /tmp/veille-examples.db || true
	$(BIN)/veille eval examples/gold.jsonl --texts examples --db /tmp/veille-examples.db

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/bench_clean.py
	$(BIN)/python benchmarks/consolidation_report.py
	$(BIN)/python benchmarks/bench_timebank.py
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_dask.py
	$(BIN)/python benchmarks/bench_throughput.py $(BENCH_ARGS)

# PostgreSQL from Debian's packages, for the `postgres` tests and the team-store demo. apt runs
# only when initdb is missing; the tests start and stop their own throw-away cluster.
pg-install:
	scripts/pg.sh install || echo "warning: PostgreSQL could not be installed; the postgres tests will say so and skip"

pg-start: pg-install
	scripts/pg.sh start

pg-stop:
	scripts/pg.sh stop

# The examples ingested by a Dask LocalCluster of 2 workers into a throw-away PostgreSQL store.
pg-demo: $(STAMP) pg-start
	$(BIN)/veille ingest examples/corpus --db $$(scripts/pg.sh url) --dask local:2 || true
	$(BIN)/veille deals --db $$(scripts/pg.sh url)


# Debian's Chromium for the dashboard's browser tests (Playwright drives it; it never downloads a browser).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		apt-get update && apt-get install -y --no-install-recommends chromium; \
	fi

clean:
	rm -rf $(VENV) demo.db* .pytest_cache
