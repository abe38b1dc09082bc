# make run   set up everything and serve the app on http://127.0.0.1:8000/
# make test  set up and run the whole suite (SQLite, then PostgreSQL when one answers)

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup install lint fmt clean

run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap

install: $(STAMP)

$(STAMP): pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then \
		echo "Creating $(VENV) with $$python"; \
		"$$python" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) scripts/requirements.py > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt
	@touch $(STAMP)

test: install
	scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .hypothesis
