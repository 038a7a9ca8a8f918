# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-installed setup bench clean translations screenshots

demo: setup
	$(BIN)/vigie demo

test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --no-loadscope-reorder

# The command-line suite against the wheel as a user installs it: a fresh venv outside the checkout,
# `vigie` run from temporary directories (CI runs this after `make test`).
INSTALLED_TESTS ?= tests/e2e tests/service/test_run.py
test-installed: setup
	@set -e; where=$$(mktemp -d /tmp/vigie-installed.XXXXXX); \
	echo "building the wheel and installing it in $$where"; \
	$(BIN)/python -m pip wheel -q --no-deps -w "$$where/dist" . ; \
	$(PYTHON) -m venv "$$where/venv"; \
	"$$where/venv/bin/python" -m pip install -q "$$where"/dist/vigie-*.whl; \
	cd "$$where" && VIGIE_TEST_CLI="$$where/venv/bin/vigie" $(CURDIR)/$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --no-loadscope-reorder \
		--rootdir=$(CURDIR) -c $(CURDIR)/pyproject.toml $(addprefix $(CURDIR)/,$(INSTALLED_TESTS)); \
	rm -rf "$$where"

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# After marking strings (`_()`, `{% trans %}`, `N_()`): new entries appear empty in the .po files, and
# tests/observatory/test_catalogues.py fails until each has its French and English text.
translations: setup
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -k N_ --project Vigie -w 120 -o observatory/translations/messages.pot .
	$(BIN)/pybabel update -i observatory/translations/messages.pot -d observatory/translations --no-fuzzy-matching --ignore-obsolete -w 120
	rm observatory/translations/messages.pot

# The README's screenshots, from the demo's data in French and English, in Chromium (VIGIE_BROWSER_PATH).
screenshots: setup
	$(BIN)/python docs/make_screenshots.py

bench: setup
	$(BIN)/python bench/nginx_pages.py

clean:
	rm -rf $(VENV) *.egg-info
