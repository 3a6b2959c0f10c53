"""Sweep matmul shapes and block sizes: emulator wall time, correctness, and the roofline estimate of the
same program on the target (tilelang_tt.perf). Prints what it measured and on what machine.

    .venv/bin/python benchmarks/matmul_sweep.py [--target tenstorrent] [--quick]
"""
import argparse
import platform
import time

import ml_dtypes
import numpy as np

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, matmul_bound
from tilelang_tt.runtime.launcher import last_launch

from emulator_speed import machine  # noqa: E402  (sibling script: one machine description)

SHAPES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048), (512, 2048, 1024)]
BLOCKS = [(64, 64, 32), (32, 128, 32), (64, 32, 64)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", default="tenstorrent")
    p.add_argument("--quick", action="store_true", help="only the two smallest shapes")
    args = p.parse_args()
    shapes = SHAPES[:2] if args.quick else SHAPES
    print(f"machine: {machine()}, Python {platform.python_version()}; target {args.target}; "
          "backend: emulator unless a device is present")
    print(f"{'M':>5} {'N':>5} {'K':>5} {'block':>10} {'cores':>5} {'emu s':>7} {'emu GF/s':>8} "
          f"{'model us':>9} {'model TF':>8} {'bound':>7} {'ok':>3}")
    rng = np.random.default_rng(0)
    for (M, N, K) in shapes:
        a = rng.uniform(-1, 1, (M, K)).astype(ml_dtypes.bfloat16)
        b = rng.uniform(-1, 1, (K, N)).astype(ml_dtypes.bfloat16)
        exact, bound = matmul_bound(a, b)
        for (bm, bn, bk) in BLOCKS:
            if M % bm or N % bn or K % bk:
                continue
            kernel = tilelang_tt.compile(samples.matmul(M, N, K, bm, bn, bk), target=args.target, out_idx=2)
            kernel(a, b)                      # build + JIT (cached)
            t0 = time.perf_counter()
            c = kernel(a, b)
            wall = time.perf_counter() - t0
            ok, _, _ = check(c.astype(np.float32), exact, bound)
            est = kernel.estimate()
            print(f"{M:>5} {N:>5} {K:>5} {f'{bm}x{bn}x{bk}':>10} {est.cores:>5} {wall:>7.3f} "
                  f"{2 * M * N * K / wall / 1e9:>8.2f} {est.seconds * 1e6:>9.1f} {est.tflops:>8.1f} "
                  f"{est.bound:>7} {'yes' if ok else 'NO':>3}")
    rec = last_launch()
    if rec:
        print(f"last run backend: {rec.backend}")


if __name__ == "__main__":
    main()
