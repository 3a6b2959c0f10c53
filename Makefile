# Two entry points, both self-contained on a fresh machine:
#   make demo   - set up .venv, compile a matmul, run it on the emulator, check it against numpy
#   make test   - set up .venv, run the whole (default-tier) test suite
#   make fuzz   - the property-based fuzzer with a large budget (FUZZ_EXAMPLES, FUZZ_JOBS)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow bench fuzz clean

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

# The property-based fuzzer with a large budget (docs/errors.md, docs/numerics.md): prints examples,
# outcome categories and time; writes a reproducer script per failure into fuzz-out/reproducers.
FUZZ_EXAMPLES ?= 5000
FUZZ_JOBS ?= 2
fuzz: $(STAMP)
	$(PY) -m tilelang_tt.fuzz --examples $(FUZZ_EXAMPLES) --jobs $(FUZZ_JOBS) --out fuzz-out

bench: $(STAMP)
	$(PY) benchmarks/emulator_speed.py

clean:
	rm -rf $(VENV) build *.egg-info
