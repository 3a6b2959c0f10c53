"""Python driver of the TT-Metalium emulator (docs/contracts.md section 5).

The emulator is a C++ SDK shipped as package data (`tilelang_tt/emulator/{include,src,cmake}`): headers with
TT-Metalium's paths and signatures, and a runtime library that models the device. We build the runtime once
per SDK content hash (and CPU, since it is compiled with -march=native), compile a host program once per
content hash of its sources, and run it in a child process with a time limit. Kernels are JIT-compiled by
the runtime itself when the host program calls CreateKernel, cached in the same cache directory.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import (EmulatorCrash, EmulatorDeadlock, EmulatorFormatError, EmulatorTimeout, EmulatorViolation,
                      KernelBuildError, TTEnvironmentError, TTRuntimeError, TTTargetError)

ERA = {"M081": 5, "E4": 4, "E3": 3}   # mirrors ApiProfile.era in codegen/profiles.py (not imported: keeps codegen lazy)
DEFAULT_PROFILE = "M081"            # mirrors codegen/profiles.py DEFAULT_PROFILE
# Exit codes of the emulator runtime (enum ExitCode in emulator/src/emu.hpp).
EXIT_KIND = {70: "deadlock", 71: "l1_overflow", 72: "dst_violation", 73: "noc_violation", 74: "cb_violation",
             75: "api_misuse", 76: "kernel_compile_error", 77: "format_mismatch"}


@dataclass
class RunResult:
    returncode: int
    stdout: str
    stderr: str
    wall_seconds: float
    report: dict = field(default_factory=dict)


def sdk_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "emulator"


def cache_dir() -> Path:
    """The shared cache (TILELANG_TT_CACHE_DIR, else $XDG_CACHE_HOME/tilelang_tt, else ~/.cache/tilelang_tt)."""
    d = os.environ.get("TILELANG_TT_CACHE_DIR")
    source = "TILELANG_TT_CACHE_DIR"
    if not d:
        xdg = os.environ.get("XDG_CACHE_HOME")
        source = "XDG_CACHE_HOME" if xdg else "the home directory"
        d = os.path.join(xdg, "tilelang_tt") if xdg else os.path.join(os.path.expanduser("~"), ".cache", "tilelang_tt")
    p = Path(d)
    try:
        p.mkdir(parents=True, exist_ok=True)
        if not os.access(p, os.W_OK | os.X_OK):
            raise PermissionError(f"{p} is not writable")
    except OSError as err:
        raise TTEnvironmentError(
            f"cannot use {str(p)!r} (from {source}) as the emulator cache directory: {err}; fix: set "
            f"TILELANG_TT_CACHE_DIR to a writable directory") from None
    return p


def compiler() -> str:
    """The C++ compiler for the runtime, host programs and kernels: TT_EMU_CXX, else c++ / g++ / clang++."""
    cxx = os.environ.get("TT_EMU_CXX")
    if cxx:
        if shutil.which(cxx) is None:
            raise KernelBuildError(
                f"TT_EMU_CXX={cxx!r} names no executable C++ compiler (not found on PATH or not executable); "
                f"fix: set TT_EMU_CXX to a C++20 compiler such as g++ (>= 10) or clang++, or unset it")
        return cxx
    for c in ("c++", "g++", "clang++"):
        if shutil.which(c):
            return c
    raise KernelBuildError("no C++ compiler found (c++, g++ or clang++ on PATH); fix: install g++ (>= 10) or set "
                           "TT_EMU_CXX to a C++20 compiler")


@functools.lru_cache(maxsize=None)
def compiler_id(cxx: str) -> str:
    """What identifies the compiler in cache keys: its resolved path, size, mtime and version line, so an
    upgraded or different compiler behind the same name never reuses another's objects."""
    path = shutil.which(cxx) or cxx
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
        stamp = f"{st.st_size}:{int(st.st_mtime)}"
    except OSError:
        stamp = "?"
    try:
        version = subprocess.run([path, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True, timeout=30).stdout.splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        version = "?"
    return f"{real}|{stamp}|{version}"


def _is_gcc(cxx: str) -> bool:
    return "clang" not in compiler_id(cxx).lower()


_SDK_HASH: str | None = None


def sdk_hash() -> str:
    """Content hash of every SDK file: a changed header or runtime source means a new runtime build."""
    global _SDK_HASH
    if _SDK_HASH is None:
        h = hashlib.sha256()
        root = sdk_dir()
        for sub in ("include", "src", "cmake"):
            for p in sorted((root / sub).rglob("*")):
                if p.is_file():
                    h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
        _SDK_HASH = h.hexdigest()[:24]
    return _SDK_HASH


@functools.lru_cache(maxsize=None)
def _cpu_key() -> str:
    """Hash of the CPU model and flags (read once per process: the CPU does not change under us)."""
    info = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("model name", "flags", "Features")):
                    info += line
                if line.strip() == "":
                    break
    except OSError:
        pass
    return hashlib.sha256(info.encode()).hexdigest()[:8]


def _run(cmd, cwd=None, what="compile"):
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except OSError as err:
        raise KernelBuildError(f"{what}: cannot run {cmd[0]!r}: {err}; fix: set TT_EMU_CXX to a working C++20 "
                               f"compiler") from None
    if proc.returncode != 0:
        raise KernelBuildError(f"{what} failed ({' '.join(map(str, cmd))}):\n{proc.stdout}")
    return proc.stdout


def _cxx_flags() -> list[str]:
    # -march=native is safe because the CPU is part of the runtime's cache key.
    return ["-std=c++20", "-O3", "-march=native", "-fPIC"]


def runtime_dir() -> Path:
    """Directory holding libtt_emu.so for this SDK + CPU; built on first use."""
    cxx = compiler()
    key = f"{sdk_hash()}-{_cpu_key()}-{hashlib.sha256(compiler_id(cxx).encode()).hexdigest()[:8]}"
    out = cache_dir() / "emu" / "runtime" / key
    lib = out / "libtt_emu.so"
    if lib.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{key}.tmp.", dir=out.parent))
    try:
        root = sdk_dir()
        defs = [f'-DTT_EMU_SDK_HASH="{sdk_hash()}"', f'-DTT_EMU_SDK_DIR="{root}"']
        srcs = sorted((root / "src").glob("*.cpp"))

        def build(src):
            obj = tmp / (src.stem + ".o")
            _run([cxx, *_cxx_flags(), *defs, f"-I{root / 'include'}", f"-I{root / 'src'}", "-c", str(src),
                  "-o", str(obj)], what="building the emulator runtime")
            return obj

        with ThreadPoolExecutor(max_workers=max(1, min(len(srcs), os.cpu_count() or 1))) as ex:
            objs = list(ex.map(build, srcs))
        _run([cxx, "-shared", "-o", str(tmp / "libtt_emu.so"), *map(str, objs), "-ldl", "-lpthread"],
             what="linking the emulator runtime")
        for o in objs:
            o.unlink()
        try:
            os.rename(tmp, out)  # atomic publish; a concurrent builder may have won
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if tmp.exists() and tmp != out:
            shutil.rmtree(tmp, ignore_errors=True)
    if not lib.exists():
        raise KernelBuildError(f"building the emulator runtime produced no {lib}")
    return out


# Host programs only set up the device and move tensors (the tile math runs in the runtime library and
# the JIT-compiled kernels), so they build without optimization and against a precompiled header of the
# SDK's host API: a host program is one per kernel, so its compile time is paid by every new kernel.
HOST_FLAGS = ["-std=c++20", "-O0"]
# What generated host programs include; the precompiled header holds all of it.
_PCH_INCLUDES = ("cstdint", "cstdio", "exception", "filesystem", "fstream", "iostream", "memory", "stdexcept",
                 "string", "vector", "tt-metalium/tt_emu_host.hpp")


def _host_pch(cxx: str, era: int) -> Path | None:
    """Directory of host_pch.hpp and its GCC precompiled form for this SDK, compiler, flags and API era;
    built once, published atomically. None when the compiler is not GCC (the host program then parses
    the headers itself) or the build fails (same)."""
    if not _is_gcc(cxx):
        return None
    h = hashlib.sha256(f"{sdk_hash()}\0{compiler_id(cxx)}\0{' '.join(HOST_FLAGS)}\0{era}".encode())
    out = cache_dir() / "emu" / "pch" / h.hexdigest()[:24]
    if (out / "host_pch.hpp.gch").exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="pch.tmp.", dir=out.parent))
    try:
        (tmp / "host_pch.hpp").write_text("".join(f"#include <{i}>\n" for i in _PCH_INCLUDES) +
                                          '#include "hostdevcommon/kernel_structs.h"\n')
        _run([cxx, *HOST_FLAGS, f"-DTT_EMU_API_ERA={era}", f"-I{sdk_dir() / 'include'}", "-x", "c++-header",
              "host_pch.hpp", "-o", "host_pch.hpp.gch"], cwd=tmp, what="precompiling the host API headers")
        try:
            os.rename(tmp, out)
        except OSError:   # a concurrent builder published first: use theirs
            pass
    except KernelBuildError:
        return None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out if (out / "host_pch.hpp.gch").exists() else None


def build_program(sources: dict[str, str], api_profile: str = DEFAULT_PROFILE) -> Path:
    """Write sources into a content-addressed directory and compile main.cpp into `tt_program` there."""
    if api_profile not in ERA:
        raise TTTargetError(f"unknown TT-Metalium API profile {api_profile!r}; known: {', '.join(ERA)}")
    if "main.cpp" not in sources:
        raise TTRuntimeError("build_program: sources must contain main.cpp (the host program)")
    rt = runtime_dir()
    cxx = compiler()
    era = ERA[api_profile]
    cmd = [cxx, *HOST_FLAGS, f"-DTT_EMU_API_ERA={era}", f"-I{sdk_dir() / 'include'}", "main.cpp", "-o",
           "tt_program", f"-L{rt}", "-ltt_emu", f"-Wl,-rpath,{rt}"]
    # The key holds everything the binary depends on: SDK, CPU, compiler, flags, era and every source.
    h = hashlib.sha256()
    h.update(f"{sdk_hash()}\0{_cpu_key()}\0{compiler_id(cxx)}\0{api_profile}\0{' '.join(cmd)}\0".encode())
    for name in sorted(sources):
        h.update(name.encode() + b"\0" + sources[name].encode() + b"\0")
    key = h.hexdigest()[:24]
    out = cache_dir() / "emu" / "programs" / key
    if (out / "tt_program").exists():
        return out
    pch = _host_pch(cxx, era)
    if pch is not None:   # an input of the compile, not of the result: not part of the key
        cmd[len(HOST_FLAGS) + 1:len(HOST_FLAGS) + 1] = ["-include", str(pch / "host_pch.hpp")]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{key}.tmp.", dir=out.parent))
    try:
        for name, text in sources.items():
            p = tmp / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        (tmp / "api_profile").write_text(api_profile)
        _run(cmd, cwd=tmp, what="compiling the host program main.cpp")
        try:
            os.rename(tmp, out)   # atomic publish; a concurrent builder may have won
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if tmp.exists() and tmp != out:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _error_from(rc: int, report: dict, stderr: str):
    msg = report.get("message") or stderr.strip() or f"exit code {rc}"
    where = ""
    if report.get("core") is not None:
        where += f" on core {tuple(report['core'])}"
    if report.get("kernel"):
        where += f" in kernel '{report['kernel']}'"
    text = stderr
    if rc == 70:
        return EmulatorDeadlock(f"emulator: deadlock{where}: {msg}", report, text)
    if rc in (71, 72, 73, 74, 75):
        return EmulatorViolation(f"emulator: {EXIT_KIND[rc]}{where}: {msg}", report, text)
    if rc == 77:
        return EmulatorFormatError(f"emulator: format_mismatch{where}: {msg}", report, text)
    if rc == 76:
        err = KernelBuildError(f"emulator: kernel compile error{where}: {msg}")
        err.report, err.text = report, text
        return err
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = str(-rc)
        return EmulatorCrash(f"emulator: the program died from signal {name}: {stderr.strip()[-2000:]}\n  fix: a "
                             f"crash in generated code is a tilelang_tt bug (report it with the kernel); in a "
                             f"hand-written kernel, look at the last API call named above", report, text)
    return TTRuntimeError(f"tt_program failed with exit code {rc}: {stderr.strip()[-4000:]}")


def run_program(program_dir, tensor_files: list[str], model: str = "wormhole_b0",
                timeout: float = 120.0) -> RunResult:
    """Run `tt_program` in a child process; raise a typed error built from its report on failure."""
    program_dir = Path(program_dir)
    exe = program_dir / "tt_program"
    if not exe.exists():
        raise TTRuntimeError(f"{exe} does not exist (build_program first)")
    profile = (program_dir / "api_profile").read_text().strip() if (program_dir / "api_profile").exists() else DEFAULT_PROFILE
    fd, report_path = tempfile.mkstemp(prefix="tt_emu_report_", suffix=".json")
    os.close(fd)
    os.unlink(report_path)
    env = dict(os.environ)
    env.update({
        "TT_EMU_MODEL": model,
        "TT_EMU_API_ERA": str(ERA.get(profile, ERA[DEFAULT_PROFILE])),
        "TT_EMU_CACHE_DIR": str(cache_dir() / "emu"),
        "TT_EMU_REPORT": report_path,
        "TT_EMU_CXX": compiler(),
        "TT_EMU_CXX_ID": compiler_id(compiler()),
        "TT_EMU_SDK": str(sdk_dir()),
    })
    start = time.perf_counter()
    proc = subprocess.Popen([str(exe), str(program_dir), *map(str, tensor_files)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        out, err = proc.communicate()
        raise EmulatorTimeout(f"emulator: the program ran past its time limit of {timeout:g} s and was killed; fix: "
                              f"if the kernel is only long, raise the limit (TILELANG_TT_TIMEOUT=<seconds>); "
                              f"deadlocks and kernels that stop calling the device API are reported within "
                              f"seconds, so a timeout is usually a very large problem size",
                              {"kind": "timeout", "timeout": timeout}, err)
    wall = time.perf_counter() - start
    report = {}
    if os.path.exists(report_path):
        try:
            with open(report_path) as f:
                report = json.load(f)
        except (OSError, ValueError):
            report = {}
        finally:
            os.unlink(report_path)
    if proc.returncode != 0:
        raise _error_from(proc.returncode, report, err)
    return RunResult(proc.returncode, out, err, wall, report)
