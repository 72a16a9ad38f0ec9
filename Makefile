# Every target bootstraps .venv itself; only python3 and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## open the app on the built-in library
	$(BIN)/trainer $(ARGS)

test: $(STAMP)  ## run the test suite
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff, mypy and the layers (import-linter)
	$(BIN)/ruff check trainer tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

check: lint test  ## everything CI checks

bench: $(STAMP)  ## print the benchmarks' figures
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
