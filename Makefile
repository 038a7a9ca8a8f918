# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup bench clean

demo: setup
	$(BIN)/vigie demo

test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

bench: setup
	$(BIN)/python bench/check_vs_bare.py

clean:
	rm -rf $(VENV) *.egg-info
