# Two entry points, both self-contained on a fresh machine:
#   make demo   - set up .venv, compile a matmul, run it on the emulator, check it against numpy
#   make test   - set up .venv and the toolchain of the real-header tier, run the (default-tier) test suite
#   make fuzz   - the property-based fuzzer with a large budget (FUZZ_EXAMPLES, FUZZ_JOBS)
# Benchmarks (install the `bench` extra: matplotlib, tqdm):
#   make bench  - emulator speed and the quick matmul sweep (benchmarks/results/quick/)
#   make sweep  - the full matmul sweep: benchmarks/results/ CSV, JSON, plots and the README table
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
SWEEP_ARGS ?=

# The real-header tier (tests/unit/realapi, docs/realapi.md) compiles kernels with Debian's RISC-V GCC
# against picolibc's and libc++'s headers; the programming-example tests use Debian's libfmt.
# `make toolchain` installs what is missing (apt, as root); without root it says what to install.
TOOLCHAIN_PKGS := gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf libc++-dev libfmt-dev

.PHONY: demo test test-slow test-sim bench sweep fuzz clean toolchain

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m tilelang_tt demo

# One pytest worker per core (pytest-xdist): most of a cold run is compiling emulator programs and
# kernels, which the workers share through the content-addressed cache.
# --dist loadgroup: the wolfpine tier runs in one worker (one simulated device per chip, opened once).
test: $(STAMP) toolchain
	$(PY) -m pytest -q -n auto --dist loadgroup

toolchain:
	@if command -v riscv64-unknown-elf-g++ >/dev/null && [ -d /usr/lib/picolibc/riscv64-unknown-elf/include ] \
	    && ls -d /usr/lib/llvm-*/include/c++/v1 >/dev/null 2>&1 && [ -f /usr/include/fmt/core.h ]; then \
	  echo "toolchain: RISC-V GCC, picolibc, libc++ and libfmt headers present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "toolchain: installing $(TOOLCHAIN_PKGS)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $(TOOLCHAIN_PKGS) >/dev/null; \
	else \
	  echo "toolchain: missing; install as root: apt-get install $(TOOLCHAIN_PKGS)" >&2; \
	  echo "(or set TILELANG_TT_REALAPI=skip to skip the real-header tier locally)" >&2; \
	fi

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

# The larger wolfpine programs (docs/wolfpine.md): minutes each on 2 cores.
test-sim: $(STAMP) toolchain
	$(PY) -m pytest -q -n 0 -m sim tests/unit/wolfpine

# The property-based fuzzer with a large budget (docs/errors.md, docs/numerics.md): prints examples,
# outcome categories and time; writes a reproducer script per failure into fuzz-out/reproducers.
FUZZ_EXAMPLES ?= 5000
FUZZ_JOBS ?= 2
fuzz: $(STAMP)
	$(PY) -m tilelang_tt.fuzz --examples $(FUZZ_EXAMPLES) --jobs $(FUZZ_JOBS) --out fuzz-out

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
