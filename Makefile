# `make help` lists the targets.
VENV   ?= .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
YEAR   ?=

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml package-lock.json scripts/install-system-packages.sh
	scripts/install-system-packages.sh
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PYTHON) -c "import matplotlib.font_manager"  # its font cache, built once, here
	touch $(STAMP)

setup: $(STAMP) ## create .venv with the pinned packages (and Debian packages if missing)

report: $(STAMP) ## build the default edition into report/ (YEAR=2015 for another)
	$(PYTHON) run_report.py $(if $(YEAR),--year $(YEAR))

all-editions: $(STAMP) ## build every shipped edition
	$(PYTHON) run_report.py --all

# pytest compiles each test module anew (its asserts rewritten) unless it may keep the result
# in __pycache__ (ignored by git): kept even where the environment says not to write
# bytecode (PYTHONDONTWRITEBYTECODE), which costs each worker 1.5 s of every run.
KEEP_COMPILED := PYTHONDONTWRITEBYTECODE=

test: $(STAMP) ## lint, check what git holds, and run the tests (unit, notebooks, end-to-end, backtests, browser); those marked ci only with HBH_ALL_TESTS=1, as in CI
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) scripts/check_committed_files.py $$(git ls-files)
	$(KEEP_COMPILED) $(PYTHON) -m pytest -n auto --dist worksteal

quick: $(STAMP) ## lint and run the tests that build nothing (seconds; `make test` runs all)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest -m "not slow" -q

mutants: $(STAMP) ## mutation testing of the guards (disclosure, inference, checks, publishing, reading): minutes
	rm -rf mutants
	$(VENV)/bin/mutmut run
	$(PYTHON) scripts/mutants_summary.py

cycle: $(STAMP) ## the team's second year in a temporary copy, each step timed: publish, new, verify, build, verify (minutes)
	$(PYTHON) scripts/next_edition_demo.py

data: $(STAMP) ## regenerate the illustrative returns from their seeded script
	$(PYTHON) scripts/make_illustrative_returns.py

bench: $(STAMP) ## print build timings, peak memory, disclosure control's and reading's costs, web page weights and Lighthouse scores
	$(PYTHON) bench/cores.py
	$(PYTHON) bench/build_times.py
	$(PYTHON) bench/disclosure_times.py
	$(PYTHON) bench/sparse_statistics.py
	$(PYTHON) bench/blas_threads.py
	$(PYTHON) bench/reading_costs.py
	$(PYTHON) run_report.py --all --format html --base-url https://www.example.org/heading-back-to-harm/ --out build/bench-web
	$(PYTHON) bench/web_weight.py build/bench-web

clean: ## remove generated reports and build scratch
	rm -rf report/[0-9]* report/index.html report.work build

.PHONY: help setup report all-editions test quick mutants cycle data bench clean
