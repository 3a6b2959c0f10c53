"""Matmul plus a (1, N) bias row: C = A @ B + bias. After the K loop each subblock is handed from DST to
L1 and the bias row is broadcast over it (add_tiles_bcast_rows), in whichever schedule the compiler picks.
Run: .venv/bin/python examples/matmul_bias_row.py [--chip blackhole]"""
import argparse

import ml_dtypes
import numpy as np

import tilelang_tt
from tilelang_tt import numerics, sample_bounds, samples

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chip", default="wormhole_b0", choices=["wormhole_b0", "blackhole"])
    args = ap.parse_args()
    M, N, K = 128, 256, 128
    kernel = tilelang_tt.compile(samples.matmul_bias_row(M, N, K), target=f"tenstorrent/{args.chip}", out_idx=3)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((M, K)).astype(ml_dtypes.bfloat16), rng.standard_normal((K, N)).astype(ml_dtypes.bfloat16)
    bias = rng.standard_normal((1, N)).astype(ml_dtypes.bfloat16)
    c = np.asarray(kernel(a, b, bias), np.float32)
    chk = numerics.check_bounded(c, sample_bounds.matmul_bias_row(a, b, bias, "bfloat16"))
    print(f"{kernel.program.schedule_description}")
    print(f"matmul {M}x{N}x{K} + bias row on {args.chip}: max error / bound {chk.max_ratio:.3g} -> "
          f"{'PASS' if chk.ok else 'FAIL'}")
    raise SystemExit(0 if chk.ok else 1)
