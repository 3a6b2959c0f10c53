"""The tt_metal symbols a host program links against, checked against the released libtt_metal.so.

A generated main.cpp is compiled against the emulator SDK (API era of the release) into an object file;
every symbol it leaves undefined that the C and C++ runtimes do not provide is a TT-Metalium symbol, and
must be exported by the release's `build/lib/libtt_metal.so` with the identical mangled name (`nm -D
--defined-only`). Because the emulator declares out of line exactly what the release exports, and inline
what the release has inline or as a template, "links on the emulator" then means "links on a device
build". The emulator's inline bodies may call its own runtime helpers; those are listed in
EMULATOR_INTERNAL with the release fact that makes them inline.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RealApiUnavailable
from . import release as _release

# Emulator helpers reached from inline API code, and why the release has that API inline.
EMULATOR_INTERNAL = {
    "_ZN2tt8tt_metal11distributed21tt_emu_buffer_addressEPKNS1_10BufferImplE":
        "MeshBuffer::address() is inline in the release's mesh_buffer.hpp (returns a member)",
    "_ZN2tt8tt_metal11distributed23tt_emu_buffer_page_sizeEPKNS1_10BufferImplE":
        "MeshBuffer::page_size() is inline in the release's mesh_buffer.hpp (returns a member)",
}

# Provided by the linker and the C runtime start files, not by any shared library.
LINKER_PROVIDED = {"_GLOBAL_OFFSET_TABLE_", "__dso_handle"}

ERA_OF_RELEASE = 5   # the emulator's TT_EMU_API_ERA for the pinned release's profile (M081)


@dataclass
class HostSymbols:
    referenced: list[str]                       # TT-Metalium symbols the program needs (mangled)
    missing: list[str] = field(default_factory=list)    # ... that the release does not export
    internal: list[str] = field(default_factory=list)   # ... that are emulator helpers of inline API code

    @property
    def ok(self) -> bool:
        return not self.missing

    def report(self) -> str:
        lines = [f"{len(self.referenced) - len(self.missing) - len(self.internal)} of "
                 f"{len(self.referenced) - len(self.internal)} TT-Metalium symbols exported by the release"]
        lines += [f"  MISSING {demangle(s)}  [{s}]" for s in self.missing]
        lines += [f"  inline in the release: {demangle(s)}: {EMULATOR_INTERNAL[s]}" for s in self.internal]
        return "\n".join(lines)


def _run(cmd, **kw) -> str:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if proc.returncode != 0:
        raise RealApiUnavailable(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def demangle(symbol: str) -> str:
    return _run(["c++filt", symbol]).strip()


def _dynamic_defined(lib: str | Path) -> set[str]:
    out = _run(["nm", "-D", "--defined-only", str(lib)])
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


@functools.lru_cache(maxsize=None)
def exported(lib: str) -> frozenset[str]:
    """Symbols libtt_metal.so defines (dynamic symbol table)."""
    return frozenset(_dynamic_defined(lib))


@functools.lru_cache(maxsize=None)
def _runtime_symbols(cxx: str) -> frozenset[str]:
    """Symbols the C and C++ runtimes provide (libstdc++, libc, libm, libgcc_s)."""
    syms = set()
    for name in ("libstdc++.so", "libc.so.6", "libm.so.6", "libgcc_s.so.1"):
        path = _run([cxx, f"-print-file-name={name}"]).strip()
        real = os.path.realpath(path)
        if os.path.isfile(real) and not real.endswith(".a"):
            try:
                syms |= _dynamic_defined(real)
            except RealApiUnavailable:     # a linker script (libc.so): the real library is next to it
                continue
    return frozenset(syms)


def undefined_symbols(main_cpp: str, cxx: str = "g++", era: int = ERA_OF_RELEASE) -> list[str]:
    """Mangled names main.cpp leaves undefined when compiled against the emulator SDK."""
    from ..runtime.emulator import sdk_dir
    with tempfile.TemporaryDirectory(prefix="tt_host_syms_") as d:
        src, obj = Path(d) / "main.cpp", Path(d) / "main.o"
        src.write_text(main_cpp)
        _run([cxx, "-std=c++20", "-O0", f"-DTT_EMU_API_ERA={era}", f"-I{sdk_dir() / 'include'}", "-c", str(src),
              "-o", str(obj)])
        out = _run(["nm", "-u", str(obj)])
    return sorted({line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()})


def check(main_cpp: str, lib: str | Path | None = None, cxx: str = "g++") -> HostSymbols:
    """Check one host program; the undefined-symbol list is cached by content (program, SDK, compiler)."""
    from ..runtime.emulator import sdk_hash
    tree = _release.ensure_tree()
    lib = str(lib or (tree / "build/lib/libtt_metal.so"))
    key = hashlib.sha256(json.dumps([main_cpp, sdk_hash(), cxx, Path(__file__).read_text()]).encode()).hexdigest()[:24]
    cache = tree / ".results" / f"host-{key}.json"
    try:
        undefined = json.loads(cache.read_text())
    except (OSError, ValueError):
        undefined = undefined_symbols(main_cpp, cxx)
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(undefined))
        os.replace(tmp, cache)
    runtime = _runtime_symbols(cxx)
    ours = [s for s in undefined if s not in runtime and s not in LINKER_PROVIDED]
    real = exported(lib)
    internal = [s for s in ours if s in EMULATOR_INTERNAL]
    missing = [s for s in ours if s not in real and s not in EMULATOR_INTERNAL]
    return HostSymbols(referenced=ours, missing=missing, internal=internal)
