"""Reference tile kernels written the way a user writes them (README.md, "What a kernel looks like").

Used by `python -m tilelang_tt demo`, the examples, the benchmarks and the end-to-end tests. Each
factory returns a fresh `T.prim_func` for the given shapes and block sizes. Grids and K loops are
ceildivs, so any shape works: the last block of a ragged dimension runs past the tensor's end, and the
device stores the tensor padded to whole tiles (passes/annotate_layouts.py).
"""
from __future__ import annotations

from tvm.script import tirx as T
from tvm.tirx.script import tile as Tx


def matmul(M: int, N: int, K: int, block_m: int = 64, block_n: int = 64, block_k: int = 32,
           dtype: str = "bfloat16", accum_dtype: str = "float32"):
    """C[M, N] = A[M, K] @ B[K, N]; one (block_m x block_n) output block per grid point."""

    @T.prim_func
    def matmul(A: T.Buffer((M, K), dtype), B: T.Buffer((K, N), dtype), C: T.Buffer((M, N), dtype)):
        bx = T.launch_thread("blockIdx.x", (N + block_n - 1) // block_n)
        by = T.launch_thread("blockIdx.y", (M + block_m - 1) // block_m)
        A_s = T.alloc_buffer((block_m, block_k), dtype, scope="shared")
        B_s = T.alloc_buffer((block_k, block_n), dtype, scope="shared")
        C_l = T.alloc_buffer((block_m, block_n), accum_dtype, scope="local")
        Tx.fill(C_l, T.cast(0, accum_dtype))
        for k in T.serial((K + block_k - 1) // block_k):
            Tx.copy(A_s, A[by * block_m:by * block_m + block_m, k * block_k:k * block_k + block_k])
            Tx.copy(B_s, B[k * block_k:k * block_k + block_k, bx * block_n:bx * block_n + block_n])
            Tx.gemm(C_l, A_s, B_s, C_l, beta=1.0)
        Tx.copy(C[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n], C_l)

    return matmul


def eltwise(op: str, M: int, N: int, block_m: int = 32, block_n: int = 64, dtype: str = "bfloat16"):
    """C = A <op> B element-wise, op in add / sub / mul."""
    tile_op = {"add": Tx.add, "sub": Tx.sub, "mul": Tx.mul}[op]

    @T.prim_func
    def eltwise(A: T.Buffer((M, N), dtype), B: T.Buffer((M, N), dtype), C: T.Buffer((M, N), dtype)):
        bx = T.launch_thread("blockIdx.x", (N + block_n - 1) // block_n)
        by = T.launch_thread("blockIdx.y", (M + block_m - 1) // block_m)
        A_s = T.alloc_buffer((block_m, block_n), dtype, scope="shared")
        B_s = T.alloc_buffer((block_m, block_n), dtype, scope="shared")
        C_l = T.alloc_buffer((block_m, block_n), dtype, scope="local")
        Tx.copy(A_s, A[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n])
        Tx.copy(B_s, B[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n])
        tile_op(C_l, A_s, B_s)
        Tx.copy(C[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n], C_l)

    return eltwise.with_attr("global_symbol", f"eltwise_{op}")


_UNARY = ("exp", "sqrt", "reciprocal", "silu", "relu")


def _unary(op):
    if op not in _UNARY:
        raise ValueError(f"unknown unary op {op!r}; known: {', '.join(_UNARY)}")
    if op == "relu":
        return lambda dst, src: Tx.maximum(dst, src, T.float32(0))
    return getattr(Tx, op)


def unary_chain(M: int, N: int, ops=("exp", "sqrt", "reciprocal"), block_m: int = 32,
                block_n: int = 64, dtype: str = "bfloat16"):
    """C = ops[2](ops[1](ops[0](A))) element-wise; three ops from exp, sqrt, reciprocal, silu, relu."""
    if len(ops) != 3:
        raise ValueError("unary_chain takes exactly three ops")
    op0, op1, op2 = (_unary(op) for op in ops)

    @T.prim_func
    def unary_chain(A: T.Buffer((M, N), dtype), C: T.Buffer((M, N), dtype)):
        bx = T.launch_thread("blockIdx.x", (N + block_n - 1) // block_n)
        by = T.launch_thread("blockIdx.y", (M + block_m - 1) // block_m)
        A_s = T.alloc_buffer((block_m, block_n), dtype, scope="shared")
        C_l = T.alloc_buffer((block_m, block_n), dtype, scope="local")
        Tx.copy(A_s, A[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n])
        op0(C_l, A_s)
        op1(C_l, C_l)
        op2(C_l, C_l)
        Tx.copy(C[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n], C_l)

    return unary_chain


def matmul_bias_relu(M: int, N: int, K: int, block_m: int = 64, block_n: int = 64, block_k: int = 32,
                     dtype: str = "bfloat16", accum_dtype: str = "float32"):
    """C = relu(A @ B + D), the epilogue fused into the compute kernel before pack. D is a full
    (M, N) tensor (a per-column bias needs tile broadcast, which is not lowered yet)."""

    @T.prim_func
    def matmul_bias_relu(A: T.Buffer((M, K), dtype), B: T.Buffer((K, N), dtype),
                         D: T.Buffer((M, N), dtype), C: T.Buffer((M, N), dtype)):
        bx = T.launch_thread("blockIdx.x", (N + block_n - 1) // block_n)
        by = T.launch_thread("blockIdx.y", (M + block_m - 1) // block_m)
        A_s = T.alloc_buffer((block_m, block_k), dtype, scope="shared")
        B_s = T.alloc_buffer((block_k, block_n), dtype, scope="shared")
        D_s = T.alloc_buffer((block_m, block_n), dtype, scope="shared")
        C_l = T.alloc_buffer((block_m, block_n), accum_dtype, scope="local")
        Tx.fill(C_l, T.cast(0, accum_dtype))
        for k in T.serial((K + block_k - 1) // block_k):
            Tx.copy(A_s, A[by * block_m:by * block_m + block_m, k * block_k:k * block_k + block_k])
            Tx.copy(B_s, B[k * block_k:k * block_k + block_k, bx * block_n:bx * block_n + block_n])
            Tx.gemm(C_l, A_s, B_s, C_l, beta=1.0)
        Tx.copy(D_s, D[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n])
        Tx.add(C_l, C_l, D_s)
        Tx.maximum(C_l, C_l, T.float32(0))
        Tx.copy(C[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n], C_l)

    return matmul_bias_relu


_BINARY = ("add", "sub", "mul")


def matmul_residual(M: int, N: int, K: int, ops=("add",), tensor: str = "C", block_m: int = 32,
                    block_n: int = 32, block_k: int = 32, dtype: str = "bfloat16", accum_dtype: str = "float32"):
    """C = ops(A @ B) where each binary op (add, sub, mul) combines the accumulator with the block of
    `tensor` at C's position and each unary op (exp, sqrt, reciprocal, silu, relu) acts in place:
    ops=("add",), tensor="C" is the residual update C = A @ B + C (C is read, then overwritten);
    tensor="B" needs M == K, tensor="A" needs N == K (the tensor must have C's shape)."""
    if tensor not in ("A", "B", "C"):
        raise ValueError(f"tensor must be A, B or C, not {tensor!r}")
    if not 1 <= len(ops) <= 3 or not any(op in _BINARY for op in ops):
        raise ValueError("ops: one to three steps, at least one of them add, sub or mul")

    def step(i):
        if i >= len(ops):
            return lambda c, x: None
        if ops[i] in _BINARY:
            fn = getattr(Tx, ops[i])
            return lambda c, x: fn(c, c, x)
        u = _unary(ops[i])
        return lambda c, x: u(c, c)

    s0, s1, s2 = step(0), step(1), step(2)
    n = len(ops)
    pick = {"A": lambda a, b, c: a, "B": lambda a, b, c: b, "C": lambda a, b, c: c}[tensor]

    @T.prim_func
    def matmul_residual(A: T.Buffer((M, K), dtype), B: T.Buffer((K, N), dtype), C: T.Buffer((M, N), dtype)):
        bx = T.launch_thread("blockIdx.x", (N + block_n - 1) // block_n)
        by = T.launch_thread("blockIdx.y", (M + block_m - 1) // block_m)
        A_s = T.alloc_buffer((block_m, block_k), dtype, scope="shared")
        B_s = T.alloc_buffer((block_k, block_n), dtype, scope="shared")
        X_s = T.alloc_buffer((block_m, block_n), dtype, scope="shared")
        C_l = T.alloc_buffer((block_m, block_n), accum_dtype, scope="local")
        Tx.fill(C_l, T.cast(0, accum_dtype))
        for k in T.serial((K + block_k - 1) // block_k):
            Tx.copy(A_s, A[by * block_m:by * block_m + block_m, k * block_k:k * block_k + block_k])
            Tx.copy(B_s, B[k * block_k:k * block_k + block_k, bx * block_n:bx * block_n + block_n])
            Tx.gemm(C_l, A_s, B_s, C_l, beta=1.0)
        Tx.copy(X_s, pick(A, B, C)[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n])
        s0(C_l, X_s)
        if n > 1:
            s1(C_l, X_s)
        if n > 2:
            s2(C_l, X_s)
        Tx.copy(C[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n], C_l)

    return matmul_residual
