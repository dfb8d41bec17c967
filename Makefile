# Two entry points: `make run` (the main job) and `make test` (the suite).
# Both create .venv when it is missing and reinstall when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/efficientdl
STAMP := $(VENV)/.installed
SHARED ?= ../shared
DB ?= efficientdl.duckdb

.PHONY: install run test seed bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(CLI) --db $(DB) run

test: install
	$(PY) -m pytest -q

seed: install
	$(CLI) seed build $(SHARED)/sources

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(DB) $(DB).wal artifacts .pytest_cache
