# Two commands on a fresh machine with python3, make and git: `make demo` and `make test`.
# Each builds the environment it needs from the lock file (uv.lock) first; nothing is installed by hand.
SHELL := /bin/bash
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3
DEMO_DIR ?= demo-out

.PHONY: setup demo test lint typecheck contracts unit bench clean docs-cli

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --all-extras --quiet
	touch $@

setup: $(VENV)/.synced

demo: setup
	$(BIN)/famlink demo --out $(DEMO_DIR)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

unit: setup
	$(BIN)/pytest -n 2 -q

test: lint typecheck contracts unit

bench: setup
	$(BIN)/python -m bench.run_all

docs-cli: setup
	$(BIN)/python -m famlink.cli.docgen > docs/reference/cli.md

clean:
	rm -rf $(VENV) $(TOOLS) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
