# Operator interface (see README): `make run`, `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed-$(shell sha1sum $(LOCK) | cut -c1-12)

.PHONY: install run test lint migrate makemigrations bench bench-deps vendor-assets browser-deps clean

$(STAMP): $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

# The Python SDK (sdk/python), editable, so its tests import it; needs PyPI once for setuptools (build
# isolation). Without network this only warns: the SDK's tests then import it from sdk/python/src.
SDK_STAMP := $(VENV)/.sdk-$(shell sha1sum sdk/python/pyproject.toml | cut -c1-12)
$(SDK_STAMP): $(STAMP) sdk/python/pyproject.toml
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e ./sdk/python \
		&& rm -f $(VENV)/.sdk-* && touch $(SDK_STAMP) || echo "warning: could not pip install -e ./sdk/python"

install: $(STAMP) $(SDK_STAMP)

## run: embedded SQLite + Redis (unless DATABASE_URL/REDIS_URL are set), migrate, demo credentials, web + worker
run: install
	$(PY) -m api.cli run

## test: the whole suite; uses DATABASE_URL / REDIS_URL when set, else SQLite + an embedded Redis
test: install
	$(PY) -m pytest --durations=15

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

migrate: install
	$(PY) -m api.cli migrate

## makemigrations NAME=add_x: write aerich migrations for both dialects after a model change
makemigrations: install
	$(PY) -m api.cli makemigrations --name $(or $(NAME),update)

## bench: ingest (1, 2, 5) and self-monitoring benchmarks on this machine's PostgreSQL + Redis
## (DURATION=seconds per phase, default 10); installs wrk with apt when missing
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
bench-deps:
	@command -v wrk >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk)

bench: install bench-deps
	$(PY) bench/ingest_single.py --duration $(or $(DURATION),10)
	$(PY) bench/ingest_batch.py --duration $(or $(DURATION),10)
	$(PY) bench/monitoring_middleware.py
	$(PY) bench/monitoring_scrape.py

## vendor-assets: refresh api/static/vendor (Swagger UI, GraphiQL) from the npm registry (`npm pack`);
## versions are pinned in scripts/vendor_assets.sh
vendor-assets:
	scripts/vendor_assets.sh

## browser-deps: headless Chromium for tests/api/test_docs_offline.py (skipped without it)
browser-deps:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium chromium-driver)

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
