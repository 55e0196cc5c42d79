# The workflow, in the order a developer meets it.
# Python 3.12, the functions' runtime in Lambda: pyenv's if it has one, else python3.12 on the PATH.
PYTHON ?= $(or $(lastword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12)),python3.12)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 3000

.PHONY: dev print-python run demo load bench test lint audit format messages unit e2e build deploy clean

# pip and setuptools upgraded too: the venv module seeds an old setuptools with published
# advisories, and the audit covers every installed distribution. The editable install maps each
# top-level package of functions/ and tools/ by name, so a folder added to either installs again.
$(STAMP): pyproject.toml functions tools
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), "make needs Python 3.12 (PYTHON=...)"'
	$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[local,dev]'
	touch $(STAMP)

# The browser tests' accessibility engine, axe-core, pinned in tools/axe_core.py and kept in .cache/
# (the tests fetch it themselves on first use when make dev has not).
dev: $(STAMP)
	$(BIN)/python tools/axe_core.py

print-python:
	@$(PYTHON) --version

run: $(STAMP)
	PORT=$(PORT) $(BIN)/dsr local up

demo: $(STAMP)
	$(BIN)/dsr local demo

# 1,000 submissions from 16 concurrent clients, a fifth of them retries: none lost, none doubled,
# none stuck; prints throughput and latency (a small run is part of make test).
load: $(STAMP)
	$(BIN)/dsr local load --submissions 1000 --clients 16

# What a request costs and how fast the desk answers, measured on the local cloud, each figure
# beside a baseline from the same run: a markdown table, and the figures in bench/results.json.
# Cold starts are timed from the built artifacts (make build first), as Lambda imports them.
# About 11 minutes on 2 cores; it exits non-zero if a target is missed.
bench: build
	$(BIN)/python -m benchmarks --out bench/results.json

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy functions tools
	# The domain package's folders import downwards only ([tool.importlinter] in pyproject.toml).
	$(BIN)/lint-imports
	# With the informational checks (-c I): each rule the project does not follow is ignored in
	# .cfnlintrc with the reason beside it.
	$(BIN)/cfn-lint --include-checks I -- template.yaml
	$(BIN)/bandit -q -r functions tools -c pyproject.toml

# Known vulnerabilities in the resolved dependencies. It needs PyPI's per-release JSON API (or
# OSV); --strict fails when a dependency could not be checked, rather than passing unchecked.
# `make audit AUDIT_STRICT=` still fails on any known vulnerability, and lists each dependency it
# could not check instead of failing on it (CI, whose network may not reach those services).
AUDIT_STRICT ?= --strict
audit: $(STAMP)
	$(BIN)/pip-audit $(AUDIT_STRICT) --skip-editable

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The subject's text in every language: extract each message of the domain package and its
# templates (functions/dsr/locale/desk.pot), add new ones to each language's catalog (desk.po,
# to translate there), and compile each catalog beside it (desk.mo, committed: a unit test fails
# when one is stale). The English text is the message id.
# The staff's text (the console's script and page, the staff API's refusals, the staff and vendor
# emails) is the domain `staff`, extracted by its own keywords from what staff.cfg lists into
# staff.pot, so that desk.pot never holds it: English only for now (STAFF_LANGUAGES); a language
# added there gets its staff.po to translate.
LOCALE_DIR := functions/dsr/locale
LANGUAGES := en fr fr_CA de es
STAFF_LANGUAGES := en
CATALOG_HEADER := --sort-by-file --no-wrap --project "Privacy rights desk" --version 0.1.0 \
	--msgid-bugs-address "" --copyright-holder "Privacy rights desk maintainers"
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F $(LOCALE_DIR)/babel.cfg --no-default-keywords \
		-k _ -k N_ -k translated -k gettext:2 -k ngettext:2,3 $(CATALOG_HEADER) \
		-o $(LOCALE_DIR)/desk.pot functions/dsr functions/intake_api
	$(BIN)/pybabel -q extract -F $(LOCALE_DIR)/staff.cfg --no-default-keywords \
		-k staff_text -k staff_plural:1,2 -k S_ -k t -k tn:1,2 $(CATALOG_HEADER) \
		-o $(LOCALE_DIR)/staff.pot functions
	# A fixed creation date: extracting again changes a catalog only where its messages change,
	# so that two changes to the messages merge without a conflict in every catalog's header.
	sed -i 's/^"POT-Creation-Date: .*/"POT-Creation-Date: 2026-01-01 00:00+0000\\n"/' \
		$(LOCALE_DIR)/desk.pot $(LOCALE_DIR)/staff.pot
	for language in $(LANGUAGES); do \
		test -f $(LOCALE_DIR)/$$language/LC_MESSAGES/desk.po \
			|| $(BIN)/pybabel -q init -D desk -i $(LOCALE_DIR)/desk.pot -d $(LOCALE_DIR) -l $$language --no-wrap; \
	done
	for language in $(STAFF_LANGUAGES); do \
		test -f $(LOCALE_DIR)/$$language/LC_MESSAGES/staff.po \
			|| $(BIN)/pybabel -q init -D staff -i $(LOCALE_DIR)/staff.pot -d $(LOCALE_DIR) -l $$language --no-wrap; \
	done
	$(BIN)/pybabel -q update -D desk -i $(LOCALE_DIR)/desk.pot -d $(LOCALE_DIR) --no-wrap --ignore-obsolete
	$(BIN)/pybabel -q update -D staff -i $(LOCALE_DIR)/staff.pot -d $(LOCALE_DIR) --no-wrap --ignore-obsolete
	$(BIN)/pybabel -q compile -D desk -d $(LOCALE_DIR) --statistics
	$(BIN)/pybabel -q compile -D staff -d $(LOCALE_DIR) --statistics

# The suite runs on every core (TEST_WORKERS=0 runs it in this process): each worker process has
# its own local clouds; tests that share a costly fixture (the built artifacts, a module's local
# cloud) carry an xdist_group mark and run on one worker.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

unit: $(STAMP)
	$(PYTEST) tests/unit

e2e: $(STAMP)
	$(PYTEST) tests/e2e tests/integration

test: lint
	$(PYTEST) --durations=15

# The deployed artifacts in .aws-sam/build: each function its own handler package, and one layer
# with the domain package and the runtime dependencies, bytecode compiled (functions/Makefile).
# The development environment's python3.12 runs the recipes; no container is needed.
# The SAM CLI lives in .venv-build, at the version range of pyproject's `build` extra.
BUILD_DIR ?= .aws-sam/build
SAM_VENV := .venv-build
$(SAM_VENV)/bin/sam: pyproject.toml $(STAMP)
	rm -rf $(SAM_VENV) && $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet "$$($(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["build"])')"
	touch $(SAM_VENV)/bin/sam

build: $(SAM_VENV)/bin/sam
	PATH="$(CURDIR)/$(BIN):$$PATH" $(SAM_VENV)/bin/sam build --build-dir $(BUILD_DIR)

deploy: build
	$(SAM_VENV)/bin/sam deploy --guided

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
