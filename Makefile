# Two entry points, both self-contained on a fresh machine:
#   make demo   - set up .venv, compile a matmul, run it on the emulator, check it against numpy
#   make test   - set up .venv, run the whole (default-tier) test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow bench clean

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

bench: $(STAMP)
	$(PY) benchmarks/emulator_speed.py

clean:
	rm -rf $(VENV) build *.egg-info
