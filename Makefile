# Candor: `make run` to try it, `make test` to check it. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: help run test lint format clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(STAMP) ## set up a local copy with demo data and start web, worker and beat
	$(BIN)/python manage.py migrate --noinput
	@# Every process (and a later `manage.py scheduler_tick` in another shell) links here,
	@# unless CANDOR_BASE_URL is set (README, "Links in emails").
	$(BIN)/python manage.py site_address 127.0.0.1:$(PORT)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Candor is starting at http://127.0.0.1:$(PORT)/"
	@echo "  Sign in as hr@example.com, leader@example.com or employee@example.com"
	@echo "  (password: candor-demo). Mail lands in var/mail/. Ctrl-C stops everything."
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev -p $(PORT)

test: $(STAMP) ## run the whole test suite (PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL say so)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check, format check and bandit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r . -q

format: $(STAMP) ## format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## remove the local database, broker queue, mail and collected static files
	rm -rf var staticfiles
