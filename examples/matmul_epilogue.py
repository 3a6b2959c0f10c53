"""Matmul with a fused epilogue: C = relu(A @ B + D), the add and relu run in the compute kernel on DST
before pack.  Run: .venv/bin/python examples/matmul_epilogue.py"""
import ml_dtypes
import numpy as np

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, elementwise_bound, matmul_bound

M, N, K = 256, 192, 128

if __name__ == "__main__":
    kernel = tilelang_tt.compile(samples.matmul_bias_relu(M, N, K), out_idx=3)
    rng = np.random.default_rng(0)
    a, b, d = (rng.uniform(-1, 1, s).astype(ml_dtypes.bfloat16) for s in ((M, K), (K, N), (M, N)))
    c = kernel(a, b, d)
    exact, bound = matmul_bound(a, b, "bfloat16", fp32_acc=True)
    exact = np.maximum(exact + d.astype(np.float64), 0)
    ok, err, _ = check(c.astype(np.float32), exact, bound + elementwise_bound(exact, "bfloat16"))
    print(f"relu(A @ B + D), {M}x{K} @ {K}x{N}: max |error| {err:.3g} -> {'PASS' if ok else 'FAIL'}")
    raise SystemExit(0 if ok else 1)
