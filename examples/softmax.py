"""Numerically stable softmax along rows: a row max reduce, x - max (column broadcast), exp, a row sum,
its reciprocal and a multiply (column broadcast), with every intermediate in L1 (shared buffers).
Run: .venv/bin/python examples/softmax.py [--chip blackhole] [--dtype float32] [-M 40 -N 50]
(any M and N: a row that is not whole tiles is handled on the device, docs/ops.md "Ragged axes")"""
import argparse

import ml_dtypes
import numpy as np

import tilelang_tt
from tilelang_tt import numerics, sample_bounds, samples

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chip", default="wormhole_b0", choices=["wormhole_b0", "blackhole"])
    ap.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    ap.add_argument("-M", type=int, default=128)
    ap.add_argument("-N", type=int, default=128)
    args = ap.parse_args()
    kernel = tilelang_tt.compile(samples.softmax(args.M, args.N, dtype=args.dtype),
                                 target=f"tenstorrent/{args.chip}", out_idx=1)
    a = (np.random.default_rng(0).standard_normal((args.M, args.N)) * 4).astype(
        ml_dtypes.bfloat16 if args.dtype == "bfloat16" else np.float32)
    c = np.asarray(kernel(a), np.float32)
    chk = numerics.check_bounded(c, sample_bounds.softmax(a, args.dtype))
    row_err = np.abs(c.astype(np.float64).sum(1) - 1).max()
    print(f"softmax of {args.M}x{args.N} {args.dtype} on {args.chip}: max |row sum - 1| {row_err:.3g}, "
          f"max error / bound {chk.max_ratio:.3g} -> {'PASS' if chk.ok else 'FAIL'}")
    if not chk.ok:
        print(chk.describe())
    raise SystemExit(0 if chk.ok else 1)
