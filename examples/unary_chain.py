"""A chain of SFPU unary ops: C = reciprocal(sqrt(exp(A))).  Run: .venv/bin/python examples/unary_chain.py"""
import ml_dtypes
import numpy as np

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, elementwise_bound

M, N = 64, 256

if __name__ == "__main__":
    kernel = tilelang_tt.compile(samples.unary_chain(M, N, ("exp", "sqrt", "reciprocal")), out_idx=1)
    a = np.random.default_rng(0).uniform(-1, 1, (M, N)).astype(ml_dtypes.bfloat16)
    c = kernel(a)
    ref = a
    for fn in (np.exp, np.sqrt, np.reciprocal):   # DST holds bf16 between ops (policy: docs/numerics.md)
        ref = fn(ref.astype(np.float32)).astype(ml_dtypes.bfloat16)
    exact = ref.astype(np.float64)
    ok, err, _ = check(c.astype(np.float32), exact, elementwise_bound(exact, "bfloat16", roundings=6))
    print(f"reciprocal(sqrt(exp(A))) on {M}x{N} bf16: max |error| {err:.3g} -> {'PASS' if ok else 'FAIL'}")
    print(kernel.sources["compute.cpp"])
    raise SystemExit(0 if ok else 1)
