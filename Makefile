# Two entry points, both self-contained on a fresh machine:
#   make demo   - set up .venv, compile a matmul, run it on the emulator, check it against numpy
#   make test   - set up .venv, run the whole (default-tier) test suite
# Benchmarks (install the `bench` extra: matplotlib, tqdm):
#   make bench  - emulator speed and the quick matmul sweep (benchmarks/results/quick/)
#   make sweep  - the full matmul sweep: benchmarks/results/ CSV, JSON, plots and the README table
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
SWEEP_ARGS ?=

.PHONY: demo test test-slow bench sweep clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m tilelang_tt demo

test: $(STAMP)
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) benchmarks/emulator_speed.py
	$(PY) benchmarks/matmul_sweep.py --quick

sweep: $(BENCH_STAMP)
	$(PY) benchmarks/matmul_sweep.py --update-readme $(SWEEP_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
