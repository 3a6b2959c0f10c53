"""Emulator speed: a 2048x2048x2048 bf16 matmul on 64 emulated Wormhole cores.

Runs the hand-written multi-core host program + kernels of tests/unit/emulator/programs/matmul (blocks of
output tiles per core, tt-metal matmul_multi_core style) through the emulator driver, with compiled
artifacts cached, and compares the wall time with numpy's float32 matmul on the same machine.

    .venv/bin/python benchmarks/emulator_speed.py [--size 2048] [--block 2x4] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import ml_dtypes
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tilelang_tt.runtime import emulator  # noqa: E402

PROGRAM = ROOT / "tests" / "unit" / "emulator" / "programs" / "matmul"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--block", default="2x2", help="output tiles per block, HxW (DST must hold H*W tiles)")
    ap.add_argument("--bf16-acc", action="store_true", help="accumulate in bf16 DST (8 tiles) instead of fp32 (4)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cores", type=int, default=64)
    args = ap.parse_args()
    n = args.size
    bh, bw = (int(x) for x in args.block.split("x"))
    sources = {name: (PROGRAM / name).read_text() for name in ("main.cpp", "reader.cpp", "compute.cpp", "writer.cpp")}
    os.environ.update(MM_M=str(n), MM_K=str(n), MM_N=str(n), MM_BH=str(bh), MM_BW=str(bw),
                      MM_CORES=str(args.cores), MM_FP32_ACC="0" if args.bf16_acc else "1", MM_OUT_FP32="0")
    load0 = f"{os.getloadavg()[0]:.2f}"
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal((n, n), dtype=np.float32).astype(ml_dtypes.bfloat16)
    with tempfile.TemporaryDirectory() as tmp:
        fa, fb, fc = (os.path.join(tmp, x) for x in ("a.bin", "b.bin", "c.bin"))
        a.tofile(fa)
        b.tofile(fb)
        t0 = time.perf_counter()
        program = emulator.build_program(sources)
        emulator.run_program(program, [fa, fb, fc], timeout=600)  # warm-up: builds and caches kernels
        first = time.perf_counter() - t0
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            program = emulator.build_program(sources)
            emulator.run_program(program, [fa, fb, fc], timeout=600)
            times.append(time.perf_counter() - t0)
        c = np.fromfile(fc, dtype=ml_dtypes.bfloat16).reshape(n, n).astype(np.float32)
    af, bf = a.astype(np.float32), b.astype(np.float32)
    np_times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ref = af @ bf
        np_times.append(time.perf_counter() - t0)
    err = float(np.abs(c - ref).max() / np.abs(ref).max())
    wall, np_wall = min(times), min(np_times)
    flop = 2.0 * n ** 3
    print(f"machine: {machine()}; load average before/after: {load0} / {os.getloadavg()[0]:.2f}")
    print(f"matmul {n}x{n}x{n} bf16, {args.cores} emulated cores, blocks {bh}x{bw} tiles, "
          f"{'bf16' if args.bf16_acc else 'fp32'} DST accumulation")
    print(f"first call (incl. builds): {first:.2f} s")
    print(f"emulator wall (cached, best of {args.repeat}): {wall:.3f} s  -> {flop / wall / 1e9:.1f} GFLOP/s"
          f"  (all runs: {', '.join(f'{t:.3f}' for t in times)})")
    print(f"numpy float32 matmul: {np_wall:.3f} s  -> {flop / np_wall / 1e9:.1f} GFLOP/s")
    print(f"ratio emulator/numpy: {wall / np_wall:.1f}x")
    print(f"max relative error vs float32 reference: {err:.2e}")
    return 0 if err < (5e-2 if args.bf16_acc else 1e-2) else 1


if __name__ == "__main__":
    sys.exit(main())
