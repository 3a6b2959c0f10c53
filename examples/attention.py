"""Single-head attention O = softmax(Q K^T / sqrt(D)) V in one kernel: Q K^T with a transposed-B gemm into DST,
the scores packed to L1, optionally a causal mask (Tx.select: the reader builds the mask tiles, where_tile
keeps each query's keys up to its own position and puts -inf elsewhere), the softmax chain, and P V.
Run: .venv/bin/python examples/attention.py [--causal] [--chip blackhole] [--dtype float32] [-S 128 -D 64]
(without --causal it runs the unmasked kernel, then the causal one)
(S up to 128 at block_m 32: the score row of a block stays in one DST, docs/ops.md "Attention")"""
import argparse

import ml_dtypes
import numpy as np

import tilelang_tt
from tilelang_tt import numerics, sample_bounds, samples

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chip", default="wormhole_b0", choices=["wormhole_b0", "blackhole"])
    ap.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    ap.add_argument("--causal", action="store_true", help="only the causal kernel (mask each query's later keys)")
    ap.add_argument("-S", type=int, default=128, help="sequence length, a multiple of 32, at most 128")
    ap.add_argument("-D", type=int, default=64, help="head dimension, a multiple of 32")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((args.S, args.D)).astype(
        ml_dtypes.bfloat16 if args.dtype == "bfloat16" else np.float32) for _ in range(3))
    ok = True
    for causal in ((True,) if args.causal else (False, True)):
        kernel = tilelang_tt.compile(samples.attention(args.S, args.D, dtype=args.dtype, causal=causal),
                                     target=f"tenstorrent/{args.chip}", out_idx=3)
        o = np.asarray(kernel(q, k, v), np.float32)
        chk = numerics.check_bounded(o, sample_bounds.attention(q, k, v, args.dtype, causal=causal))
        what = "causal attention" if causal else "attention"
        print(f"{what} S={args.S} D={args.D} {args.dtype} on {args.chip}: max error / bound {chk.max_ratio:.3g} "
              f"-> {'PASS' if chk.ok else 'FAIL'}")
        if not chk.ok:
            print(chk.describe())
        ok = ok and chk.ok
    raise SystemExit(0 if ok else 1)
