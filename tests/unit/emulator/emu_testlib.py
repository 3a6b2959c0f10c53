"""Helpers for the emulator tests: build a hand-written program (cached by content in the session cache
directory set by tests/conftest.py), run it on files, read the result back."""
from __future__ import annotations

import os
from pathlib import Path

import ml_dtypes
import numpy as np

from tilelang_tt.runtime import emulator

PROGRAMS = Path(__file__).parent / "programs"
BF16 = ml_dtypes.bfloat16


def sources(program: str, **override: str) -> dict[str, str]:
    """All files of programs/<program>; `override` maps a source name to another file of the same dir."""
    d = PROGRAMS / program
    src = {p.name: p.read_text() for p in d.iterdir() if p.suffix == ".cpp"}
    for name, other in override.items():
        src[name.replace("_cpp", ".cpp")] = (d / other).read_text()
    return src


class Runner:
    def __init__(self, tmp_path: Path, monkeypatch):
        self.tmp = tmp_path
        self.mp = monkeypatch

    def run(self, program, inputs, out_dtype, out_shape, env=None, profile="M081", model="wormhole_b0",
            timeout=60.0, override=None):
        for k, v in (env or {}).items():
            self.mp.setenv(k, str(v))
        prog = emulator.build_program(sources(program, **(override or {})), api_profile=profile)
        files = []
        for i, arr in enumerate(inputs):
            p = self.tmp / f"in{i}.bin"
            np.ascontiguousarray(arr).tofile(p)
            files.append(str(p))
        out = self.tmp / "out.bin"
        files.append(str(out))
        self.result = emulator.run_program(prog, files, model=model, timeout=timeout)
        return np.fromfile(out, dtype=out_dtype).reshape(out_shape)


def rand_bf16(shape, seed=0, lo=-2.0, hi=2.0):
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, size=shape).astype(np.float32).astype(BF16)


def tilize(x: np.ndarray) -> np.ndarray:
    """Row-major -> 32x32 tiles of four 16x16 faces (TL, TR, BL, BR), flattened."""
    m, n = x.shape
    t = x.reshape(m // 32, 2, 16, n // 32, 2, 16)       # tr, fr, r, tc, fc, c
    return t.transpose(0, 3, 1, 4, 2, 5).reshape(-1)    # tr, tc, fr, fc, r, c
