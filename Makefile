# Every target bootstraps .venv itself; only python3 and make are needed.
# `make run` installs what running needs; the other targets add the dev extra (tests, linters).
# One stamp per set installed, so `make run` then `make test` in one checkout does both.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

# The dev extra includes everything running needs, so it brings the run stamp up to date too.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)  ## open the app on the built-in library
	$(BIN)/trainer $(ARGS)

test: $(DEV_STAMP)  ## run the test suite
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(DEV_STAMP)  ## ruff, mypy and the layers (import-linter)
	$(BIN)/ruff check trainer tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

check: lint test  ## everything CI checks

bench: $(DEV_STAMP)  ## run every benchmark, keep its output (bench/last-run.*), rewrite README's table
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
