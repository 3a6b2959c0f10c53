"""The real-device backend: build the generated CMake project against a TT-Metalium install and run it.

Used when TT_METAL_HOME points at a built tt-metal tree and a Tenstorrent card is visible
(/dev/tenstorrent*). Nobody on the team has a card: this path is written to the documented API and
build layout but has not run on hardware yet.
"""
from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import KernelBuildError, TTEnvironmentError, TTRuntimeError
from .module import write_sources


@dataclass
class DeviceRunResult:
    returncode: int
    stdout: str
    stderr: str
    wall_seconds: float


def available() -> bool:
    home = os.environ.get("TT_METAL_HOME")
    return bool(home) and Path(home).is_dir() and bool(glob.glob("/dev/tenstorrent*"))


def _cache_root() -> Path:
    from .emulator import cache_dir
    return Path(cache_dir()) / "metalium"


def metal_home(kernel: str) -> Path:
    """TT_METAL_HOME, checked: the metalium backend builds against the tt-metal tree it names."""
    home = os.environ.get("TT_METAL_HOME")
    if not home:
        raise TTEnvironmentError(
            f"kernel '{kernel}': the metalium backend (TILELANG_TT_BACKEND=metalium) needs TT_METAL_HOME, the "
            f"root of a built tt-metal tree, and it is not set; fix: export TT_METAL_HOME=/path/to/tt-metal, "
            f"or run on the emulator with TILELANG_TT_BACKEND=emulator")
    if not Path(home).is_dir():
        raise TTEnvironmentError(
            f"kernel '{kernel}': TT_METAL_HOME={home!r} is not a directory; fix: point it at a built tt-metal "
            f"tree, or run on the emulator with TILELANG_TT_BACKEND=emulator")
    return Path(home)


def build(art) -> Path:
    home = metal_home(art.kernel)
    key = hashlib.sha256("".join(art.sources[k] for k in sorted(art.sources)).encode()).hexdigest()[:20]
    project = write_sources(art.sources, _cache_root() / key)
    exe = project / "build" / "tt_program"
    if exe.exists():
        return project
    cmake = shutil.which("cmake")
    if cmake is None:
        raise KernelBuildError("cmake is not installed; it is needed to build for a TT-Metalium device")
    prefixes = [str(home / "build"), str(home / "build_Release"), str(home)]
    for cmd in ([cmake, "-S", str(project), "-B", str(project / "build"),
                 "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + ";".join(prefixes)],
                [cmake, "--build", str(project / "build"), "-j"]):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise KernelBuildError(
                f"building kernel '{art.kernel}' against TT-Metalium at {home} failed:\n"
                f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return project


def run(art, tensor_files, timeout: float):
    project = build(art)
    start = time.perf_counter()
    try:
        proc = subprocess.run([str(project / "build" / "tt_program"), str(project), *tensor_files],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise TTRuntimeError(f"kernel '{art.kernel}' did not finish on the device within {timeout} s") from exc
    if proc.returncode != 0:
        raise TTRuntimeError(f"kernel '{art.kernel}' failed on the device (exit {proc.returncode}):\n"
                             f"{proc.stderr[-4000:]}")
    return DeviceRunResult(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start)
