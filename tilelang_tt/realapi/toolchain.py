"""The RISC-V compiler that syntax-checks kernels against the released headers.

tt-metal compiles kernels with the SFPI toolchain (a RISC-V GCC with Tensix extensions, newlib and
libstdc++), which is not on PyPI or in Debian. We use what Debian has: GCC's riscv64-unknown-elf
cross compiler in rv32im/ilp32 mode (the Tensix RISC-V base ISA and ABI), picolibc's C headers and
LLVM's libc++ headers, in `-fsyntax-only` mode. `make toolchain` installs the three packages;
`TILELANG_TT_RISCV_CXX`, `TILELANG_TT_RISCV_LIBC_INCLUDE` and `TILELANG_TT_RISCV_LIBCXX_INCLUDE`
point elsewhere.
"""
from __future__ import annotations

import functools
import glob
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import RealApiUnavailable

# Debian packages that provide the toolchain (installed by the Makefile's `toolchain` target).
DEBIAN_PACKAGES = ("gcc-riscv64-unknown-elf", "picolibc-riscv64-unknown-elf", "libc++-dev")
COMPAT_DIR = Path(__file__).resolve().parent / "compat"
# Standing in for SFPI-toolchain headers the wheel lacks (see compat/lltt.h); sfpi.h is NOT stood in.
STAND_INS = ("lltt.h",)


@dataclass(frozen=True)
class Toolchain:
    cxx: str
    libc_include: str
    libcxx_include: str

    def base_flags(self) -> list[str]:
        """Target, C++ library and diagnostics; the JIT's own flags come on top (jit.py)."""
        return [
            "-march=rv32im", "-mabi=ilp32",            # Tensix RISC-V cores: RV32IM, ILP32
            "-nostdinc++", "-isystem", self.libcxx_include, "-isystem", self.libc_include,
            "-D_LIBCPP_HAS_NO_THREADS",                # bare metal: libc++ has no thread API to bind
            "-D_POSIX_C_SOURCE=200809L",               # libc++ <new> uses picolibc's posix_memalign
            "-include", str(COMPAT_DIR / "prelude.h"),
            "-idirafter", str(COMPAT_DIR),             # stand-ins only where the tree has no header
            "-Wno-attributes",                         # SFPI's rvtt_l1_ptr/rvtt_reg_ptr attributes
        ]


def _first(paths) -> str | None:
    for p in paths:
        if p and os.path.isdir(p):
            return p
    return None


def _version_key(path: str):
    digits = "".join(c if c.isdigit() else " " for c in path).split()
    return [int(d) for d in digits]


@functools.lru_cache(maxsize=None)
def find() -> Toolchain:
    """The toolchain, or RealApiUnavailable naming what is missing and how to install it."""
    missing = []
    cxx = os.environ.get("TILELANG_TT_RISCV_CXX")
    if not cxx:
        cxx = next((c for c in ("riscv64-unknown-elf-g++", "riscv32-unknown-elf-g++") if shutil.which(c)), None)
    if not cxx or not shutil.which(cxx):
        missing.append("a RISC-V cross compiler (riscv64-unknown-elf-g++, Debian gcc-riscv64-unknown-elf)")
    libc = _first([os.environ.get("TILELANG_TT_RISCV_LIBC_INCLUDE"),
                   "/usr/lib/picolibc/riscv64-unknown-elf/include"])
    if not libc:
        missing.append("picolibc's RISC-V C headers (Debian picolibc-riscv64-unknown-elf)")
    libcxx_candidates = sorted(glob.glob("/usr/lib/llvm-*/include/c++/v1"), key=_version_key, reverse=True)
    libcxx = _first([os.environ.get("TILELANG_TT_RISCV_LIBCXX_INCLUDE"), *libcxx_candidates,
                     "/usr/include/c++/v1"])
    if not libcxx:
        missing.append("LLVM libc++ headers (Debian libc++-dev)")
    if missing:
        raise RealApiUnavailable(
            "the real-header check needs " + "; ".join(missing) + ". Install them with `make toolchain` "
            f"(apt-get install {' '.join(DEBIAN_PACKAGES)}), or set TILELANG_TT_REALAPI=skip to skip the "
            "check locally.")
    return Toolchain(cxx, libc, libcxx)
