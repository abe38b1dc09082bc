# make run   set up everything and serve the app on http://127.0.0.1:8000/
# make test  set up and run the whole suite (SQLite, then PostgreSQL when one answers)

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

WORKERS ?= 4

.PHONY: run serve test setup install lint fmt clean

run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production stack: gunicorn workers, whitenoise, the database of DATABASE_URL and
# the Redis cache of REDIS_URL (redis://127.0.0.1:6379/0 unless set). Without a
# DJANGO_SECRET_KEY a random one is made for this run. TLS is the proxy's job: set
# DJANGO_SECURE_SSL_REDIRECT=1 behind one. Each worker keeps its database connection
# for 60 s between requests (DATABASE_CONN_MAX_AGE; checked before reuse): opening
# one a request halved the soak's throughput on PostgreSQL.
serve: setup
	@export DJANGO_SETTINGS_MODULE=tracker.settings.production; \
	export DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}; \
	export DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}; \
	export DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-0}; \
	export REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0}; \
	export DATABASE_CONN_MAX_AGE=$${DATABASE_CONN_MAX_AGE:-60}; \
	$(PY) manage.py collectstatic --noinput -v0 && \
	exec $(VENV)/bin/gunicorn tracker.wsgi --workers $(WORKERS) --bind $(HOST):$(PORT) \
		--access-logfile - --graceful-timeout 10

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
