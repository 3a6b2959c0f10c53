"""The Python side of every compiled kernel call.

The host stub of a kernel calls `tilelang_tt.launch(<artifact id>, *tensors)` through TVM's global
registry. We move the tensors into files, run the generated host program on a backend (the emulator by
default; a real device when TT_METAL_HOME and a card are present) and copy the outputs back.
Tensor access goes through `.numpy()` / `.copyfrom()`: `np.from_dlpack` on the borrowed argument views
segfaults in apache-tvm 0.27.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tvm_ffi

from ..blockfloat import MAGNITUDE_BITS, pack_matrix
from ..errors import EmulatorError, TTArgumentError, TTEnvironmentError, TTError, TTRuntimeError
from ..specs import TensorSpec
from ..target import NUMPY_DTYPE
from .module import Artifact, lookup

DEFAULT_TIMEOUT = 300.0


@dataclass
class LaunchRecord:
    """What the last launch on this thread did (read by the demo and benchmarks)."""
    kernel: str
    backend: str
    wall_seconds: float
    program_seconds: float
    stdout: str = ""


_LOCAL = threading.local()


def last_launch() -> LaunchRecord | None:
    return getattr(_LOCAL, "record", None)


def last_error() -> BaseException | None:
    """The typed exception of the last failed launch on this thread (TVM's FFI keeps the type and
    the message of an exception that crosses it, but not its extra attributes such as `report`)."""
    return getattr(_LOCAL, "error", None)


BACKENDS = ("emulator", "metalium", "wolfpine")


@contextlib.contextmanager
def using_backend(name: str | None):
    """Run the launches inside on `name` (a per-call choice, `kernel(..., backend=...)`); None = the
    environment's choice."""
    if name is not None and str(name).lower() not in BACKENDS + ("auto",):
        raise TTArgumentError(
            f"backend={name!r} is not a backend; fix: pass one of {', '.join(BACKENDS)} or 'auto'")
    previous = getattr(_LOCAL, "backend", None)
    _LOCAL.backend = None if name is None else str(name).lower()
    try:
        yield
    finally:
        _LOCAL.backend = previous


def backend_name() -> str:
    """The per-call choice (using_backend), else `TILELANG_TT_BACKEND` = emulator | metalium | wolfpine |
    auto (default: a device if one is usable; auto never picks the slow simulated `wolfpine`)."""
    choice = getattr(_LOCAL, "backend", None) or os.environ.get("TILELANG_TT_BACKEND", "auto").lower()
    if choice not in ("auto",) + BACKENDS:
        raise TTEnvironmentError(
            f"TILELANG_TT_BACKEND={choice!r} is not a backend; fix: set it to emulator, metalium, wolfpine or "
            f"auto (or unset it)")
    if choice == "auto":
        from . import metalium
        return "metalium" if metalium.available() else "emulator"
    return choice


def launch_timeout() -> float:
    """The time limit of one kernel run: TILELANG_TT_TIMEOUT seconds (a positive number), else 300."""
    text = os.environ.get("TILELANG_TT_TIMEOUT")
    if text is None or text.strip() == "":
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise TTEnvironmentError(
            f"TILELANG_TT_TIMEOUT={text!r} is not a time limit; fix: set it to a positive number of seconds "
            f"(e.g. TILELANG_TT_TIMEOUT=60) or unset it for the default of {DEFAULT_TIMEOUT:g} s")
    return value


def _tensor_specs(art: Artifact):
    return sorted(art.plan["tensors"], key=lambda t: int(t["param_index"]))


def _check_args(art: Artifact, specs, tensors) -> None:
    for spec in specs:
        i = int(spec["param_index"])
        if i >= len(tensors):
            raise TTArgumentError(f"kernel '{art.kernel}' expects tensor {spec['name']} at position {i}")
        t = tensors[i]
        shape, dtype = tuple(int(s) for s in t.shape), str(t.dtype)
        if shape != tuple(spec["shape"]) or dtype != spec["dtype"]:
            raise TTArgumentError(
                f"kernel '{art.kernel}': argument {i} ({spec['name']}) is {dtype}{list(shape)}, "
                f"expected {spec['dtype']}{list(spec['shape'])}")


@contextlib.contextmanager
def _naming(kernel: str):
    """Errors of the environment, the build and the emulator name the kernel the user called."""
    try:
        yield
    except TTError as err:
        prefix = f"kernel '{kernel}'"
        if str(err).startswith(prefix):
            raise
        msg = f"{prefix}: {err}"
        if isinstance(err, EmulatorError):
            new = type(err)(msg, err.report, err.text)
        else:
            new = type(err)(msg)
            for attr in ("report", "text"):
                if hasattr(err, attr):
                    setattr(new, attr, getattr(err, attr))
        raise new from None


def run_artifact(art: Artifact, tensors, timeout: float | None = None) -> LaunchRecord:
    """Run a compiled kernel on the selected backend; outputs are copied into `tensors`."""
    specs = _tensor_specs(art)
    _check_args(art, specs, tensors)
    with _naming(art.kernel):
        return _run_artifact(art, specs, tensors, timeout)


def _host_bytes(spec: dict, host: np.ndarray) -> bytes:
    """The input file of a tensor: its row-major elements, or for a block-float tensor (plan.json
    data_format Bfp8_b / Bfp4_b) its DRAM pages, padded to whole tiles and packed here, bit-exact with
    the release's host conversion (tilelang_tt.blockfloat)."""
    if spec["data_format"] in MAGNITUDE_BITS:
        packed = pack_matrix(host.astype(np.float32), spec["data_format"], TensorSpec.from_dict(spec).device_shape)
        expected = int(spec["num_pages"]) * int(spec["page_bytes"])
        if packed.size != expected:
            raise TTRuntimeError(f"{spec['name']}: packed {packed.size} B of {spec['data_format']} tiles, the "
                                 f"program's DRAM buffer holds {expected} B")
        return packed.tobytes()
    return np.ascontiguousarray(host).tobytes()


def _run_artifact(art: Artifact, specs, tensors, timeout) -> LaunchRecord:
    backend = backend_name()
    timeout = launch_timeout() if timeout is None else timeout
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tilelang_tt_") as tmp:
        files = []
        for spec in specs:
            # by position only: a buffer name is not a safe file name ("../x", "a/b", quotes)
            path = Path(tmp) / f"tensor{int(spec['param_index'])}.bin"
            if spec["access"] in ("read", "readwrite"):
                host = tensors[int(spec["param_index"])].numpy()
                path.write_bytes(_host_bytes(spec, host))
            files.append(str(path))
        if backend == "emulator":
            from . import emulator
            # Hashing every source on every call is wasted work once the program exists.
            if art.program_dir is None or not (art.program_dir / "tt_program").exists():
                art.program_dir = emulator.build_program(art.sources, api_profile=art.api_profile)
            result = emulator.run_program(art.program_dir, files, model=art.model, timeout=timeout)
        elif backend == "wolfpine":
            from . import wolfpine
            result = wolfpine.run(art, files, timeout=timeout)
        else:
            from . import metalium
            result = metalium.run(art, files, timeout=timeout)
        for spec, path in zip(specs, files):
            if spec["access"] in ("write", "readwrite"):
                data = np.fromfile(path, dtype=NUMPY_DTYPE[spec["dtype"]])
                expected = int(np.prod(spec["shape"]))
                if data.size != expected:
                    raise TTRuntimeError(
                        f"kernel '{art.kernel}': the program wrote {data.size} elements of "
                        f"{spec['name']}, expected {expected}")
                tensors[int(spec["param_index"])].copyfrom(data.reshape(spec["shape"]))
    record = LaunchRecord(art.kernel, backend, time.perf_counter() - start,
                          float(result.wall_seconds), result.stdout)
    _LOCAL.record = record
    return record


def launch(art_id, *tensors):
    """Registered as the global function `tilelang_tt.launch` (called by every host stub)."""
    _LOCAL.error = None
    try:
        run_artifact(lookup(str(art_id)), tensors)
    except TTError as err:
        _LOCAL.error = err
        raise


def install() -> None:
    from .. import errors

    for name in dir(errors):
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == errors.__name__:
            try:
                tvm_ffi.register_error(cls)
            except Exception:  # already registered: harmless
                pass
    tvm_ffi.register_global_func("tilelang_tt.launch", launch, override=True)
