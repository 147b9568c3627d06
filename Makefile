# One-command set-up: `make demo` and `make test` create .venv and install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench eval clean

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

test: $(DEV_STAMP)
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
	$(BIN)/python benchmarks/bench_throughput.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo.db* .pytest_cache
