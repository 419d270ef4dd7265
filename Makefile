# Two commands on a fresh machine: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
LAPOR  := $(VENV)/bin/lapor
STAMP  := $(VENV)/.installed
DEMO   := data/sample/demo_reports.csv

export HF_DATASETS_OFFLINE := 1
export HF_HUB_OFFLINE := 1

.PHONY: setup run test lint format demo-data bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	python3.11 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# --no-compile: Python compiles what it imports on first use; compiling every installed
	# module up front (torch, pyspark, mlflow) took 40 s of a fresh set-up
	$(PY) -m pip install --quiet --no-compile -e ".[spark,dev]"
	touch $(STAMP)

demo-data: $(DEMO)

# The demo corpus is generated (deterministically), never committed; it follows the generator.
$(DEMO): $(STAMP) $(wildcard pipeline/synth/*.py) core/resources/slang_id.tsv
	$(LAPOR) data synth --n 5000 --out $(DEMO)

HOST ?= 127.0.0.1
PORT ?= 8000

run: setup $(DEMO)
	$(LAPOR) demo --data $(DEMO) --host $(HOST) --port $(PORT)

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: setup lint
	$(VENV)/bin/pytest -n 2

bench: setup
	$(PY) benchmarks/foundation.py
	$(PY) benchmarks/quality.py
	$(PY) benchmarks/serve_load.py
	$(PY) benchmarks/encoder.py

clean:
	rm -rf $(VENV) .lapor .pytest_cache .ruff_cache
