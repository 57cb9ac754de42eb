# atomik — every claimed law is a Lean theorem with an executable check against the Python code.
#
#   make verify   the test command (CI runs exactly this): lint, Python tests, vectors, Lean proofs,
#                 mutation check, conformance harness (reports/coverage.*), quick benchmark
#   make bench    the main job: python -m atomik.benchmark (tables and plots in reports/benchmark/)
#   make lean     the Lean proofs only          make test     Python tests only (no Lean, fast)
#   make report   regenerate reports/ from the last conformance run
#   make mutants  plant bugs in a copy of the Python code and show which theorem checks catch them
#   make soak     replicas under drops, duplicates, reordering and crashes, then nodes over a
#                 real Redis under kills and partitions, for SOAK_SECONDS

PYTHON   ?= python3
VENV     ?= .venv
PY       := $(VENV)/bin/python
STAMP    := $(VENV)/.installed
EXTRAS   ?= dev,bench,replication

.PHONY: verify verify-lanes python-gates conformance-checks venv system-deps lint lean test vectors conformance report bench bench-quick \
	mutants mutants-fast soak demo clean help

help:
	@sed -n '2,10p' Makefile

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[$(EXTRAS)]'
	@touch $@

venv: $(STAMP)

# redis-server (Debian) for the replication tests over Redis Streams, iverilog (Debian) for the
# cocotb hardware test, chromium (Debian) for the coverage report's browser test and postgresql
# (Debian) for the hybrid's PostgreSQL event store; installed when we can (root with apt-get),
# otherwise those tests skip and say why.
# $(call apt_dep,TEST,PACKAGE,WHAT): install Debian's PACKAGE unless TEST succeeds
define apt_dep
@if $(1); then :; \
elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
  echo "installing $(2) (Debian) for $(3)"; \
  (apt-get install -y -qq $(2) >/dev/null 2>&1 || \
   (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $(2) >/dev/null 2>&1)) \
  || echo "warning: could not install $(2); $(3) will skip"; \
else echo "note: no $(2) and no root apt-get; $(3) will skip"; fi
endef

system-deps:
	$(call apt_dep,command -v redis-server >/dev/null 2>&1,redis-server,the Redis transport tests)
	$(call apt_dep,command -v iverilog >/dev/null 2>&1,iverilog,the Icarus Verilog test)
	$(call apt_dep,command -v chromium >/dev/null 2>&1,chromium,the report's browser test)
	$(call apt_dep,ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1,postgresql,the PostgreSQL event-store test)

lint: $(STAMP)
	$(VENV)/bin/ruff check python conformance tests examples
	$(PY) -m mypy  # strict, on the package: [tool.mypy] in pyproject.toml
	$(PY) -m atomik.conformance.leanlint lean

lean: $(STAMP)
	$(PY) -m atomik.conformance.leanlint lean
	$(PY) -m atomik.conformance.leanbuild --out build/lean-status.json

test: $(STAMP) system-deps
	$(PY) -m pytest tests

vectors: $(STAMP)
	$(PY) -m atomik.oracle.vectors --check

conformance: $(STAMP)
	$(PY) -m atomik.conformance check --lean-status build/lean-status.json --out reports

report: $(STAMP)
	$(PY) -m atomik.conformance report --out reports

# Two lanes side by side on two cores: the Lean proofs, and the Python gates (tests, vectors,
# planted bugs, then the conformance checks); then the report gets Lean's result and every gate
# is applied again, and the quick benchmark runs. Each lane's output is printed when it ends.
verify: lint
	$(MAKE) --no-print-directory -j2 --output-sync=recurse verify-lanes
	$(PY) -m atomik.conformance report --lean-status build/lean-status.json --out reports
	$(MAKE) --no-print-directory bench-quick
	@echo "make verify: all gates passed; report in reports/coverage.md"

verify-lanes: lean python-gates

python-gates: $(STAMP) system-deps
	$(MAKE) --no-print-directory -j1 test vectors mutants-fast conformance-checks

conformance-checks: $(STAMP)
	$(PY) -m atomik.conformance check --out reports

bench: $(STAMP)
	$(PY) -m atomik.benchmark
	$(PY) -m atomik.benchmark --readme

bench-quick: $(STAMP)
	$(PY) -m atomik.benchmark --quick --out build/benchmark-quick

mutants: $(STAMP)
	$(PY) -m atomik.conformance.mutants

# every planted bug must be caught; each run stops at its first catching check (a few minutes)
mutants-fast: $(STAMP)
	$(PY) -m atomik.conformance.mutants --fast --out reports

# a longer, bounded fault-injection run of N replicas over a lossy network with crashes
SOAK_SECONDS ?= 300
soak: $(STAMP)
	$(PY) -m atomik.replication.sync --soak --seconds $(SOAK_SECONDS)

demo: $(STAMP)
	$(PY) -m atomik

# the committed reports (reports/coverage.*, reports/benchmark/) stay: make verify and make bench
# regenerate them
clean:
	rm -rf build .pytest_cache .hypothesis reports/mutants.md reports/mutants.json
