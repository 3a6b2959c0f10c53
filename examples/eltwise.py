"""Element-wise add / sub / mul of two bf16 tensors.  Run: .venv/bin/python examples/eltwise.py"""
import ml_dtypes
import numpy as np

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, elementwise_bound

M, N = 128, 192

if __name__ == "__main__":
    rng = np.random.default_rng(0)
    a = rng.uniform(-2, 2, (M, N)).astype(ml_dtypes.bfloat16)
    b = rng.uniform(-2, 2, (M, N)).astype(ml_dtypes.bfloat16)
    failed = 0
    for op, fn in (("add", np.add), ("sub", np.subtract), ("mul", np.multiply)):
        kernel = tilelang_tt.compile(samples.eltwise(op, M, N), out_idx=2)
        c = kernel(a, b)
        exact = fn(a.astype(np.float64), b.astype(np.float64))
        ok, err, _ = check(c.astype(np.float32), exact, elementwise_bound(exact, "bfloat16", roundings=2))
        print(f"{op}: {M}x{N} bf16, max |error| {err:.3g} -> {'PASS' if ok else 'FAIL'}")
        failed += not ok
    raise SystemExit(failed)
