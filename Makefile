# Operator interface (see README): `make run`, `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed-$(shell sha1sum $(LOCK) | cut -c1-12)

.PHONY: install run test lint migrate makemigrations bench clean

$(STAMP): $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## run: embedded SQLite + Redis (unless DATABASE_URL/REDIS_URL are set), migrate, demo credentials, web + worker
run: install
	$(PY) -m api.cli run

## test: the whole suite; uses DATABASE_URL / REDIS_URL when set, else SQLite + an embedded Redis
test: install
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

migrate: install
	$(PY) -m api.cli migrate

## makemigrations NAME=add_x: write aerich migrations for both dialects after a model change
makemigrations: install
	$(PY) -m api.cli makemigrations --name $(or $(NAME),update)

## bench: self-monitoring benchmarks (middleware overhead with wrk, /metrics scrape time); PostgreSQL + Redis
## on this machine (BENCH_DATABASE_URL / BENCH_REDIS_URL to change); installs wrk with apt when missing
bench: install
	@command -v wrk >/dev/null 2>&1 || apt-get install -y --no-install-recommends wrk >/dev/null \
		|| (apt-get update -qq && apt-get install -y --no-install-recommends wrk >/dev/null)
	$(PY) bench/monitoring_middleware.py
	$(PY) bench/monitoring_scrape.py

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
