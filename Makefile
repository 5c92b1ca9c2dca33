# The two commands README promises: `make demo` and `make test`. Each sets up what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: install lint test test-fast demo bench pulumi-cli clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Builds (or finds in its cache) the Pulumi CLI and its Python language host (upstream's, from
# ../shared/upstream/pulumi-language-python or $PULUMI_LANGUAGE_PYTHON_SRC, else the project's);
# engine tests skip when it cannot.
pulumi-cli: install
	-PYTHON=$(abspath $(PY)) bash scripts/install-pulumi.sh

test: lint pulumi-cli
	$(PY) -m pytest -q -rs

# Everything but the engine tier, for a quick loop.
test-fast: lint
	$(PY) -m pytest -q -m "not engine"

demo: pulumi-cli
	PYTHON=$(abspath $(PY)) bash scripts/demo.sh

bench: pulumi-cli
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
