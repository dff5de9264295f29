# 微调研 toolkit — every target sets up .venv itself on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= data/demo.db
FORM   ?= surveys/annual_topics.yaml

.PHONY: demo test test-fast lint lab entry bench clean venv

venv: $(STAMP)

# Reinstall only when the project's own install description changes. Extras: notebooks (jupyterlab, voila,
# ipykernel) for lab, entry and the notebook tests; postgres (psycopg) for a shared PostgreSQL store and its
# tests; test for the tests; dev (ruff, mypy, deptry) for lint.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本 / Python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[notebooks,postgres,test,dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/weidiaoyan demo

# Every test, doctests included (what CI runs).
test: $(STAMP)
	$(BIN)/python -m pytest -q

# The edit loop: everything but the tests marked slow (browser, notebooks, LibreOffice, whole CLI runs).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# Lint, formatting, types and declared dependencies; .ci/run runs this before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy toolkit
	$(BIN)/deptry .

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

entry: $(STAMP)
	$(BIN)/weidiaoyan entry --form $(FORM) --db $(DB)

bench: $(STAMP)
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) reports/demo data/*.db
