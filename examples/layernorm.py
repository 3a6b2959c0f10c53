"""Layernorm along rows with gamma / beta rows: mean and variance by row SUM reduces, x - mean and the
normalization as column broadcasts, gamma and beta as row broadcasts of (1, N) tensors.
Run: .venv/bin/python examples/layernorm.py [--chip blackhole] [--dtype float32] [-M 40 -N 50]
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
    kernel = tilelang_tt.compile(samples.layernorm(args.M, args.N, dtype=args.dtype),
                                 target=f"tenstorrent/{args.chip}", out_idx=3)
    rng = np.random.default_rng(0)
    t = ml_dtypes.bfloat16 if args.dtype == "bfloat16" else np.float32
    a = (rng.standard_normal((args.M, args.N)) * 2 + 1).astype(t)
    g, b = rng.standard_normal((1, args.N)).astype(t), rng.standard_normal((1, args.N)).astype(t)
    c = np.asarray(kernel(a, g, b), np.float32)
    chk = numerics.check_bounded(c, sample_bounds.layernorm(a, g, b, args.dtype))
    print(f"layernorm of {args.M}x{args.N} {args.dtype} on {args.chip}: max error / bound "
          f"{chk.max_ratio:.3g} -> {'PASS' if chk.ok else 'FAIL'}")
    if not chk.ok:
        print(chk.describe())
    raise SystemExit(0 if chk.ok else 1)
