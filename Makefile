# The first target that needs it creates .venv (from Debian's /usr/bin/python3,
# which the unprivileged sandbox user can execute) and installs the project.
PYTHON_BASE ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SLUGS := $(shell ls assignments 2>/dev/null)
GRADED ?= graded

.PHONY: grade test test-fast lint template autograder student samples bench bench-quick clean sandbox-accounts thresholds lock-hashes

$(PY): pyproject.toml grader/build/requirements-lock.txt
	$(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c grader/build/requirements-lock.txt -e '.[test,cluster,similarity,manual]'
	touch $(PY)

# As root, children run as the grader's own system accounts, made here once (docs/security.md).
sandbox-accounts: $(PY)
	@if [ "$$(id -u)" = 0 ]; then $(PY) -m grader setup-sandbox; fi

grade: $(PY) sandbox-accounts samples
	@for slug in $(SLUGS); do \
	    $(PY) -m grader grade-all $$slug dist/samples/$$slug -o $(GRADED)/$$slug || exit 1; \
	done

test: $(PY) sandbox-accounts
	$(PY) -m pytest -q tests

test-fast: $(PY)
	$(PY) -m pytest -q -m "not end_to_end" tests

# The linter's rules are in pyproject.toml ([tool.ruff]); .ci/run runs this before the tests.
lint: $(PY)
	$(VENV)/bin/ruff check .

template: $(PY)
	$(PY) -m grader build template all

samples: $(PY)
	$(PY) -m grader build samples all

autograder: $(PY)
	$(PY) -m grader build autograder all

student: $(PY)
	$(PY) -m grader build student all

bench: $(PY) sandbox-accounts
	$(PY) -m grader.bench

# A subset in a few minutes: fewer repeats, a class of 10 per assignment, no matplotlib or Dask rows.
bench-quick: $(PY) sandbox-accounts
	$(PY) -m grader.bench --quick

clean:
	rm -rf dist $(GRADED) $(VENV)

# How the training items separate the reference from broken-gradient mutants (docs/decisions.md).
thresholds: $(PY)
	@for slug in $(SLUGS); do $(PY) -m grader thresholds $$slug --seeds 20 || exit 1; done

# After editing a pin in requirements-lock.txt: the hashes Gradescope installs with (needs PyPI).
lock-hashes: $(PY)
	$(PY) -m grader.build.hashes
