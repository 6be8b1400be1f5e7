# Diandiantong — the two commands a new user needs are `make run` and `make test`.
# Both create the virtual environment and install the pinned dependencies first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: help install run run-cluster test test-fast fuzz-long bench demo lint clean

help:
	@echo "make run     the whole platform on embedded defaults (SQLite, in-memory broker)"
	@echo "make run-cluster  two replicas of every service behind HAProxy, on this machine's PostgreSQL"
	@echo "make test    the whole test suite (needs PostgreSQL and Redis on 127.0.0.1)"
	@echo "make fuzz-long  the long Schemathesis run of the API contract (FUZZ_MINUTES=25 FUZZ_EXAMPLES=200)"
	@echo "make demo    drive a simulated month through the running platform (with make run going)"
	@echo "make bench   the benchmarks recorded in docs/performance.md"
	@echo "make lint    ruff and mypy"

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m deploy.embedded

run-cluster: install
	$(PY) -m deploy.cluster $(CLUSTER_ARGS)

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow and not postgres and not browser"

# The long profile of tests/fuzz: every Schemathesis phase (coverage included), many more
# cases per operation, a report in var/fuzz-report.json. Override FUZZ_MINUTES / FUZZ_EXAMPLES.
FUZZ_MINUTES ?= 25
FUZZ_EXAMPLES ?= 200
fuzz-long: install
	@mkdir -p var
	FUZZ_MINUTES=$(FUZZ_MINUTES) FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_COVERAGE=1 FUZZ_REPORT=var/fuzz-report.json \
		$(PY) -m pytest -p no:cacheprovider tests/fuzz

bench: install
	$(PY) -m bench

demo: install
	$(PY) -m deploy.demo

lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy shared services sdk deploy

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
