"""bf16 matmul with fp32 accumulation, written inline the way README.md shows.

Run: .venv/bin/python examples/matmul.py   (emulator by default; a device if TT_METAL_HOME + a card)
"""
import ml_dtypes
import numpy as np
import tvm
from tvm.script import tirx as T
from tvm.tirx.script import tile as Tx

import tilelang_tt
from tilelang_tt.numerics import check, matmul_bound

M, N, K = 384, 256, 320


@T.prim_func
def matmul(A: T.Buffer((M, K), "bfloat16"), B: T.Buffer((K, N), "bfloat16"),
           C: T.Buffer((M, N), "bfloat16")):
    bx = T.launch_thread("blockIdx.x", N // 64)
    by = T.launch_thread("blockIdx.y", M // 64)
    A_s = T.alloc_buffer((64, 32), "bfloat16", scope="shared")
    B_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
    C_l = T.alloc_buffer((64, 64), "float32", scope="local")
    Tx.fill(C_l, T.float32(0))
    for k in T.serial(K // 32):
        Tx.copy(A_s, A[by * 64:by * 64 + 64, k * 32:k * 32 + 32])
        Tx.copy(B_s, B[k * 32:k * 32 + 32, bx * 64:bx * 64 + 64])
        Tx.gemm(C_l, A_s, B_s, C_l, beta=1.0)
    Tx.copy(C[by * 64:by * 64 + 64, bx * 64:bx * 64 + 64], C_l)


if __name__ == "__main__":
    mod = tvm.tirx.build(matmul, target="tenstorrent")
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (M, K)).astype(ml_dtypes.bfloat16)
    b = rng.uniform(-1, 1, (K, N)).astype(ml_dtypes.bfloat16)
    c = tvm.runtime.tensor(np.zeros((M, N), ml_dtypes.bfloat16))
    mod["matmul"](tvm.runtime.tensor(a), tvm.runtime.tensor(b), c)
    exact, bound = matmul_bound(a, b, "bfloat16", fp32_acc=True)
    ok, err, ratio = check(c.numpy().astype(np.float32), exact, bound)
    print(f"matmul {M}x{K} @ {K}x{N} (bf16 in, fp32 accumulate, bf16 out): max |error| {err:.3g}, "
          f"{ratio:.2f} of the bound -> {'PASS' if ok else 'FAIL'}")
    print("generated:", ", ".join(sorted(tilelang_tt.sources(mod))))
    raise SystemExit(0 if ok else 1)
