"""Single-head attention over a long sequence as flash attention: a serial loop over key blocks with the
running row max, row sum and output carried across iterations in L1 (docs/ops.md "Attention (one head)").
Run: .venv/bin/python examples/flash_attention.py [--chip blackhole] [--dtype float32] [-S 1024 -D 128] [--causal]
(S a multiple of the key block, 64)"""
import argparse

import ml_dtypes
import numpy as np

import tilelang_tt
from tilelang_tt import numerics, sample_bounds, samples

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chip", default="wormhole_b0", choices=["wormhole_b0", "blackhole"])
    ap.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    ap.add_argument("-S", type=int, default=512)
    ap.add_argument("-D", type=int, default=64)
    ap.add_argument("--causal", action="store_true", help="mask each query's later keys")
    args = ap.parse_args()
    kernel = tilelang_tt.compile(samples.flash_attention(args.S, args.D, dtype=args.dtype, causal=args.causal),
                                 target=f"tenstorrent/{args.chip}", out_idx=3)
    np_dtype = ml_dtypes.bfloat16 if args.dtype == "bfloat16" else np.float32
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((args.S, args.D)).astype(np_dtype) for _ in range(3))
    o = np.asarray(kernel(q, k, v), np.float32)
    chk = numerics.check_bounded(o, sample_bounds.flash_attention(q, k, v, args.dtype, causal=args.causal))
    print(f"{'causal ' if args.causal else ''}flash attention S={args.S} D={args.D} {args.dtype} on {args.chip}: max error / bound "
          f"{chk.max_ratio:.3g} -> {'PASS' if chk.ok else 'FAIL'}")
    print(kernel.estimate())
    if not chk.ok:
        print(chk.describe())
    raise SystemExit(0 if chk.ok else 1)
