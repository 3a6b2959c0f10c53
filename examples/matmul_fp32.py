"""float32 matmul (fp32 in, fp32 DST accumulation, fp32 out).  Run: .venv/bin/python examples/matmul_fp32.py"""
import numpy as np

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, matmul_bound

M, N, K = 128, 96, 160

if __name__ == "__main__":
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32, dtype="float32"), out_idx=2)
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (M, K)).astype(np.float32)
    b = rng.uniform(-1, 1, (K, N)).astype(np.float32)
    c = kernel(a, b)
    exact, bound = matmul_bound(a, b, "float32", fp32_acc=True)
    ok, err, _ = check(c, exact, bound)
    print(f"fp32 matmul {M}x{K} @ {K}x{N}: max |error| {err:.3g} -> {'PASS' if ok else 'FAIL'}")
    raise SystemExit(0 if ok else 1)
