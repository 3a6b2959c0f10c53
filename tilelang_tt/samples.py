"""Reference tile kernels written the way a user writes them (README.md, "What a kernel looks like").

Used by `python -m tilelang_tt demo`, the examples, the benchmarks and the end-to-end tests. Each
factory returns a fresh `T.prim_func` for the given shapes and block sizes. Grids and K loops are
ceildivs, so any shape works: the last block of a ragged dimension runs past the tensor's end, and the
device stores the tensor padded to whole tiles (passes/annotate_layouts.py).
"""
from __future__ import annotations

from tvm.script import tirx as T
from tvm.tirx.script import tile as Tx
from . import tile as TTx


def b_layout(transpose_b: bool, N: int, K: int, block_n: int, block_k: int):
    """(B's shape, its shared block's shape, a macro loading B's block (bx, k)): B is (K, N), or (N, K)
    when transposed (a linear layer's weight, attention's K), read by the gemm with transpose_B=True."""
    @T.macro
    def load_b(B_s, B, bx, k):
        if transpose_b:      # (a Python constant: the parser keeps one branch)
            Tx.copy(B_s, B[bx * block_n:bx * block_n + block_n, k * block_k:k * block_k + block_k])
        else:
            Tx.copy(B_s, B[k * block_k:k * block_k + block_k, bx * block_n:bx * block_n + block_n])

    if transpose_b:
        return (N, K), (block_n, block_k), load_b
    return (K, N), (block_k, block_n), load_b


def matmul(M: int, N: int, K: int, block_m: int = 64, block_n: int = 64, block_k: int = 32,
           dtype: str = "bfloat16", accum_dtype: str = "float32", transpose_b: bool = False):
    """C[M, N] = A[M, K] @ B[K, N]; one (block_m x block_n) output block per grid point. transpose_b=True:
    B is stored (N, K), as a linear layer's weight, and C = A @ B^T (`Tx.gemm(..., transpose_B=True)`)."""
    b_shape, bs_shape, load_b = b_layout(transpose_b, N, K, block_n, block_k)

    @T.prim_func
    def matmul(A: T.Buffer((M, K), dtype), B: T.Buffer(b_shape, dtype), C: T.Buffer((M, N), dtype)):
        bx = T.launch_thread("blockIdx.x", (N + block_n - 1) // block_n)
        by = T.launch_thread("blockIdx.y", (M + block_m - 1) // block_m)
        A_s = T.alloc_buffer((block_m, block_k), dtype, scope="shared")
        B_s = T.alloc_buffer(bs_shape, dtype, scope="shared")
        C_l = T.alloc_buffer((block_m, block_n), accum_dtype, scope="local")
        Tx.fill(C_l, T.cast(0, accum_dtype))
        for k in T.serial((K + block_k - 1) // block_k):
            Tx.copy(A_s, A[by * block_m:by * block_m + block_m, k * block_k:k * block_k + block_k])
            load_b(B_s, B, bx, k)
            Tx.gemm(C_l, A_s, B_s, C_l, transpose_B=transpose_b, beta=1.0)
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


_UNARY = ("exp", "sqrt", "reciprocal", "silu", "relu", "log2", "exp2", "log", "rsqrt")


def _unary(op):
    if op not in _UNARY:
        raise ValueError(f"unknown unary op {op!r}; known: {', '.join(_UNARY)}")
    if op == "relu":
        return lambda dst, src: Tx.maximum(dst, src, T.float32(0))
    if op in TTx.OPS:          # natural log, rsqrt: tilelang_tt's own tile ops (TIRx has none)
        return getattr(TTx, op)
    return getattr(Tx, op)


def unary_chain(M: int, N: int, ops=("exp", "sqrt", "reciprocal"), block_m: int = 32,
                block_n: int = 64, dtype: str = "bfloat16"):
    """C = ops[2](ops[1](ops[0](A))) element-wise; three ops from exp, sqrt, reciprocal, silu, relu, log2, exp2,
    log, rsqrt (the last two through tilelang_tt.tile)."""
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
                     dtype: str = "bfloat16", accum_dtype: str = "float32", transpose_b: bool = False):
    """C = relu(A @ B + D), the epilogue fused into the compute kernel before pack. D is a full
    (M, N) tensor (a (1, N) bias row: `matmul_bias_row`). transpose_b=True: B is stored (N, K)."""
    b_shape, bs_shape, load_b = b_layout(transpose_b, N, K, block_n, block_k)

    @T.prim_func
    def matmul_bias_relu(A: T.Buffer((M, K), dtype), B: T.Buffer(b_shape, dtype),
                         D: T.Buffer((M, N), dtype), C: T.Buffer((M, N), dtype)):
        bx = T.launch_thread("blockIdx.x", (N + block_n - 1) // block_n)
        by = T.launch_thread("blockIdx.y", (M + block_m - 1) // block_m)
        A_s = T.alloc_buffer((block_m, block_k), dtype, scope="shared")
        B_s = T.alloc_buffer(bs_shape, dtype, scope="shared")
        D_s = T.alloc_buffer((block_m, block_n), dtype, scope="shared")
        C_l = T.alloc_buffer((block_m, block_n), accum_dtype, scope="local")
        Tx.fill(C_l, T.cast(0, accum_dtype))
        for k in T.serial((K + block_k - 1) // block_k):
            Tx.copy(A_s, A[by * block_m:by * block_m + block_m, k * block_k:k * block_k + block_k])
            load_b(B_s, B, bx, k)
            Tx.gemm(C_l, A_s, B_s, C_l, transpose_B=transpose_b, beta=1.0)
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


def _whole_tiles(n: int) -> int:
    """n rounded up to whole 32-wide tiles: the extent of a block that spans a (ragged) axis."""
    return -(-n // 32) * 32


def softmax(M: int, N: int, block_m: int = 32, dtype: str = "bfloat16"):
    """C = softmax(A) along rows, numerically stable: m = max(x), e = exp(x - m), C = e * (1 / sum(e)).
    One block of block_m whole rows per grid point; the row statistics are (block_m, 1) column vectors.
    A ragged N is read as whole tiles (NP columns); the device masks the padding with -inf for the max, so
    its exps are 0 and the row sum sees only the N columns (docs/ops.md, "Ragged axes")."""
    NP = _whole_tiles(N)

    @T.prim_func
    def softmax(A: T.Buffer((M, N), dtype), C: T.Buffer((M, N), dtype)):
        by = T.launch_thread("blockIdx.x", (M + block_m - 1) // block_m)
        X = T.alloc_buffer((block_m, NP), dtype, scope="shared")
        mx = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        E = T.alloc_buffer((block_m, NP), "float32", scope="shared")
        rs = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        Y = T.alloc_buffer((block_m, NP), "float32", scope="local")
        Tx.copy(X, A[by * block_m:by * block_m + block_m, 0:NP])
        Tx.max(mx, X, axes=-1)
        Tx.sub(E, X, mx)
        Tx.exp(E, E)
        Tx.sum(rs, E, axes=-1)
        Tx.reciprocal(rs, rs)
        Tx.mul(Y, E, rs)
        Tx.copy(C[by * block_m:by * block_m + block_m, 0:NP], Y)

    return softmax


def layernorm(M: int, N: int, block_m: int = 32, dtype: str = "bfloat16", eps: float = 1e-5):
    """C = (x - mean) / sqrt(var + eps) * gamma + beta along rows; gamma and beta are (1, N) rows. The
    means divide by the logical N; a ragged row's padding is dropped from both sums by a partial scaler."""
    inv_n = 1.0 / N
    NP = _whole_tiles(N)

    @T.prim_func
    def layernorm(A: T.Buffer((M, N), dtype), G: T.Buffer((1, N), dtype), B: T.Buffer((1, N), dtype),
                  C: T.Buffer((M, N), dtype)):
        by = T.launch_thread("blockIdx.x", (M + block_m - 1) // block_m)
        X = T.alloc_buffer((block_m, NP), dtype, scope="shared")
        G_s = T.alloc_buffer((1, NP), dtype, scope="shared")
        B_s = T.alloc_buffer((1, NP), dtype, scope="shared")
        mean = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        D = T.alloc_buffer((block_m, NP), "float32", scope="shared")
        D2 = T.alloc_buffer((block_m, NP), "float32", scope="shared")
        var = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        Nrm = T.alloc_buffer((block_m, NP), "float32", scope="shared")
        Sc = T.alloc_buffer((block_m, NP), "float32", scope="shared")
        Y = T.alloc_buffer((block_m, NP), "float32", scope="local")
        Tx.copy(X, A[by * block_m:by * block_m + block_m, 0:NP])
        Tx.copy(G_s, G[0:1, 0:NP])
        Tx.copy(B_s, B[0:1, 0:NP])
        Tx.sum(mean, X, axes=-1)
        Tx.mul(mean, mean, T.float32(inv_n))
        Tx.sub(D, X, mean)
        Tx.mul(D2, D, D)
        Tx.sum(var, D2, axes=-1)
        Tx.mul(var, var, T.float32(inv_n))
        Tx.add(var, var, T.float32(eps))
        Tx.sqrt(var, var)
        Tx.reciprocal(var, var)
        Tx.mul(Nrm, D, var)
        Tx.mul(Sc, Nrm, G_s)
        Tx.add(Y, Sc, B_s)
        Tx.copy(C[by * block_m:by * block_m + block_m, 0:NP], Y)

    return layernorm


def rmsnorm(M: int, N: int, block_m: int = 32, dtype: str = "bfloat16", eps: float = 1e-6):
    """C = x / sqrt(mean(x^2) + eps) * gamma along rows; gamma is a (1, N) row (mean over the logical N)."""
    inv_n = 1.0 / N
    NP = _whole_tiles(N)

    @T.prim_func
    def rmsnorm(A: T.Buffer((M, N), dtype), G: T.Buffer((1, N), dtype), C: T.Buffer((M, N), dtype)):
        by = T.launch_thread("blockIdx.x", (M + block_m - 1) // block_m)
        X = T.alloc_buffer((block_m, NP), dtype, scope="shared")
        G_s = T.alloc_buffer((1, NP), dtype, scope="shared")
        X2 = T.alloc_buffer((block_m, NP), "float32", scope="shared")
        ms = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        Nrm = T.alloc_buffer((block_m, NP), "float32", scope="shared")
        Y = T.alloc_buffer((block_m, NP), "float32", scope="local")
        Tx.copy(X, A[by * block_m:by * block_m + block_m, 0:NP])
        Tx.copy(G_s, G[0:1, 0:NP])
        Tx.mul(X2, X, X)
        Tx.sum(ms, X2, axes=-1)
        Tx.mul(ms, ms, T.float32(inv_n))
        Tx.add(ms, ms, T.float32(eps))
        Tx.sqrt(ms, ms)
        Tx.reciprocal(ms, ms)
        Tx.mul(Nrm, X, ms)
        Tx.mul(Y, Nrm, G_s)
        Tx.copy(C[by * block_m:by * block_m + block_m, 0:NP], Y)

    return rmsnorm


def matmul_bias_row(M: int, N: int, K: int, block_m: int = 32, block_n: int = 64, block_k: int = 32,
                    dtype: str = "bfloat16", accum_dtype: str = "float32", op: str = "add",
                    transpose_b: bool = False):
    """C = A @ B <op> bias (op: add, sub, mul), bias a (1, N) row applied to every row (a row broadcast
    after the K loop). M, N, K need not be whole tiles or blocks (ceildiv grid and K loop).
    transpose_b=True: B is stored (N, K) and C = A @ B^T <op> bias (a linear layer)."""
    binop = {"add": Tx.add, "sub": Tx.sub, "mul": Tx.mul}[op]
    b_shape, bs_shape, load_b = b_layout(transpose_b, N, K, block_n, block_k)

    @T.prim_func
    def matmul_bias_row(A: T.Buffer((M, K), dtype), B: T.Buffer(b_shape, dtype), Bias: T.Buffer((1, N), dtype),
                        C: T.Buffer((M, N), dtype)):
        bx = T.launch_thread("blockIdx.x", (N + block_n - 1) // block_n)
        by = T.launch_thread("blockIdx.y", (M + block_m - 1) // block_m)
        A_s = T.alloc_buffer((block_m, block_k), dtype, scope="shared")
        B_s = T.alloc_buffer(bs_shape, dtype, scope="shared")
        b_s = T.alloc_buffer((1, block_n), dtype, scope="shared")
        C_l = T.alloc_buffer((block_m, block_n), accum_dtype, scope="local")
        Tx.fill(C_l, T.cast(0, accum_dtype))
        for k in T.serial((K + block_k - 1) // block_k):
            Tx.copy(A_s, A[by * block_m:by * block_m + block_m, k * block_k:k * block_k + block_k])
            load_b(B_s, B, bx, k)
            Tx.gemm(C_l, A_s, B_s, C_l, transpose_B=transpose_b, beta=1.0)
        Tx.copy(b_s, Bias[0:1, bx * block_n:bx * block_n + block_n])
        binop(C_l, C_l, b_s)
        Tx.copy(C[by * block_m:by * block_m + block_m, bx * block_n:bx * block_n + block_n], C_l)

    return matmul_bias_row


def attention(S: int, D: int, block_m: int = 32, dtype: str = "bfloat16", scale: float | None = None,
              causal: bool = False):
    """O = softmax(scale * Q @ K^T) @ V for one head (Q, K, V of shape (S, D)); Q @ K^T is a Tx.gemm with
    transpose_B=True (the unpacker transposes each K tile). Each grid point owns block_m query rows and keeps their whole score row in L1:
    the scores land in DST (float32), are packed to L1, go through the softmax of `softmax` (the scale is
    applied after the max is subtracted, which is the same for scale > 0), and the bf16 / fp32
    probabilities feed the second matmul. block_m x S scores must fit DST (S <= 128 at block_m = 32 with
    a float32 DST in half-sync mode). causal=True masks the scores of keys after each query with -inf
    (Tx.select on the packed scores; the reader builds the mask tiles of each block's diagonal)."""
    scale = 1.0 / float(D) ** 0.5 if scale is None else float(scale)

    @T.prim_func
    def attention(Q: T.Buffer((S, D), dtype), K: T.Buffer((S, D), dtype), V: T.Buffer((S, D), dtype),
                  O: T.Buffer((S, D), dtype)):
        by = T.launch_thread("blockIdx.x", S // block_m)
        Q_s = T.alloc_buffer((block_m, D), dtype, scope="shared")
        K_s = T.alloc_buffer((S, D), dtype, scope="shared")
        V_s = T.alloc_buffer((S, D), dtype, scope="shared")
        S_l = T.alloc_buffer((block_m, S), "float32", scope="local")
        S_s = T.alloc_buffer((block_m, S), "float32", scope="shared")
        mx = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        E = T.alloc_buffer((block_m, S), "float32", scope="shared")
        rs = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        P = T.alloc_buffer((block_m, S), dtype, scope="shared")
        O_l = T.alloc_buffer((block_m, D), "float32", scope="local")
        Tx.copy(Q_s, Q[by * block_m:by * block_m + block_m, 0:D])
        Tx.copy(K_s, K[0:S, 0:D])
        Tx.fill(S_l, T.float32(0))
        Tx.gemm(S_l, Q_s, K_s, S_l, transpose_B=True, beta=1.0)
        Tx.copy(S_s, S_l)
        if causal:      # query row by * block_m + i sees keys 0 .. that row (in place: S_s holds two blocks)
            Tx.select(S_s, S_s, T.float32(float("-inf")), lambda i, j: j <= i + by * block_m)
        Tx.max(mx, S_s, axes=-1)
        Tx.sub(E, S_s, mx)
        Tx.mul(E, E, T.float32(scale))
        Tx.exp(E, E)
        Tx.sum(rs, E, axes=-1)
        Tx.reciprocal(rs, rs)
        Tx.mul(P, E, rs)
        Tx.copy(V_s, V[0:S, 0:D])
        Tx.fill(O_l, T.float32(0))
        Tx.gemm(O_l, P, V_s, O_l, beta=1.0)
        Tx.copy(O[by * block_m:by * block_m + block_m, 0:D], O_l)

    return attention.with_attr("global_symbol", "causal_attention" if causal else "attention")


def flash_attention(S: int, D: int, block_m: int = 32, block_n: int = 64, dtype: str = "bfloat16",
                    scale: float | None = None, causal: bool = False):
    """O = softmax(scale * Q @ K^T) @ V for one head, in the online-softmax (flash attention) form for
    sequences whose score rows do not fit DST: per grid point block_m query rows, a serial loop over the
    S // block_n key blocks. Iteration j: S_j = Q K_j^T (Tx.gemm, transpose_B) packed to L1,
    m_new = max(m, rowmax(S_j)), corr = exp(scale (m - m_new)), P = exp(scale (S_j - m_new)) stored in the
    kernel's dtype, l = l corr + rowsum(P), O = O corr + P @ V_j, m = m_new; after the loop O / l. The running
    max m, sum l and output O are float32 shared buffers initialised before the loop and carried across its
    iterations in their CBs (docs/ops.md "Attention (one head)"). m = m_new is recomputed as max(m, rowmax)
    (exact) rather than copied. The scale is applied after the max is subtracted (equal for scale > 0).
    S must be a multiple of block_n: the padded keys of a ragged last block would score 0, not -inf, and the
    compiler refuses the row max over them (TTCompileError naming the reduction and the transposed gemm).
    causal=True masks each query's later keys with -inf after the score pack (Tx.select; the reader builds
    the mask tiles of every key block; blocks wholly past the diagonal are computed and contribute 0)."""
    scale = 1.0 / float(D) ** 0.5 if scale is None else float(scale)

    @T.prim_func
    def flash_attention(Q: T.Buffer((S, D), dtype), K: T.Buffer((S, D), dtype), V: T.Buffer((S, D), dtype),
                        O: T.Buffer((S, D), dtype)):
        by = T.launch_thread("blockIdx.x", (S + block_m - 1) // block_m)
        Q_s = T.alloc_buffer((block_m, D), dtype, scope="shared")
        K_s = T.alloc_buffer((block_n, D), dtype, scope="shared")
        V_s = T.alloc_buffer((block_n, D), dtype, scope="shared")
        S_l = T.alloc_buffer((block_m, block_n), "float32", scope="local")
        S_s = T.alloc_buffer((block_m, block_n), "float32", scope="shared")
        P = T.alloc_buffer((block_m, block_n), dtype, scope="shared")
        m = T.alloc_buffer((block_m, 1), "float32", scope="shared")       # running row max (state)
        l = T.alloc_buffer((block_m, 1), "float32", scope="shared")       # running row sum (state)
        O_s = T.alloc_buffer((block_m, D), "float32", scope="shared")     # running output (state)
        mn = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        corr = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        rs = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        PV_l = T.alloc_buffer((block_m, D), "float32", scope="local")
        O_l = T.alloc_buffer((block_m, D), "float32", scope="local")
        Tx.copy(Q_s, Q[by * block_m:by * block_m + block_m, 0:D])
        Tx.fill(m, T.float32(float("-inf")))
        Tx.fill(l, T.float32(0))
        Tx.fill(O_s, T.float32(0))
        for j in T.serial((S + block_n - 1) // block_n):
            Tx.copy(K_s, K[j * block_n:j * block_n + block_n, 0:D])
            Tx.fill(S_l, T.float32(0))
            Tx.gemm(S_l, Q_s, K_s, S_l, transpose_B=True, beta=1.0)
            Tx.copy(S_s, S_l)
            if causal:      # query row by * block_m + i sees keys 0 .. that row (key block 0 always has one)
                Tx.select(S_s, S_s, T.float32(float("-inf")), lambda i, c: j * block_n + c <= i + by * block_m)
            Tx.max(mn, S_s, axes=-1)
            Tx.maximum(mn, mn, m)                 # m_new
            Tx.sub(corr, m, mn)
            Tx.mul(corr, corr, T.float32(scale))
            Tx.exp(corr, corr)                    # exp(scale (m - m_new)); 0 on the first block
            Tx.maximum(m, m, mn)                  # m = m_new (exact)
            Tx.sub(S_s, S_s, mn)
            Tx.mul(S_s, S_s, T.float32(scale))
            Tx.exp(P, S_s)
            Tx.sum(rs, P, axes=-1)
            Tx.mul(l, l, corr)
            Tx.add(l, l, rs)
            Tx.mul(O_s, O_s, corr)
            Tx.copy(V_s, V[j * block_n:j * block_n + block_n, 0:D])
            Tx.fill(PV_l, T.float32(0))
            Tx.gemm(PV_l, P, V_s, PV_l, beta=1.0)
            Tx.add(PV_l, PV_l, O_s)
            Tx.copy(O_s, PV_l)
        Tx.reciprocal(l, l)
        Tx.mul(O_l, O_s, l)
        Tx.copy(O[by * block_m:by * block_m + block_m, 0:D], O_l)

    return flash_attention


def masked(M: int, N: int, mask: str = "causal", fill: float = float("-inf"), block_m: int = 32,
           dtype: str = "bfloat16", width: int = 8):
    """C = where(mask(i, j), A, fill) with i, j the global row and column: "causal" keeps j <= i, "band"
    keeps |i - j| <= width (written with subtractions: the compiler evaluates them without wrapping).
    A Tx.select whose predicate the reader evaluates into 0/1 mask tiles (docs/ops.md "Masks")."""
    NP = _whole_tiles(N)
    preds = {"causal": lambda by: (lambda i, j: j <= i + by * block_m),
             "band": lambda by: (lambda i, j: (i + by * block_m - j <= width) & (j - i - by * block_m <= width))}
    pred = preds[mask]

    @T.prim_func
    def masked(A: T.Buffer((M, N), dtype), C: T.Buffer((M, N), dtype)):
        by = T.launch_thread("blockIdx.x", (M + block_m - 1) // block_m)
        X = T.alloc_buffer((block_m, NP), dtype, scope="shared")
        Y = T.alloc_buffer((block_m, NP), dtype, scope="local")
        Tx.copy(X, A[by * block_m:by * block_m + block_m, 0:NP])
        Tx.select(Y, X, T.float32(fill), pred(by))
        Tx.copy(C[by * block_m:by * block_m + block_m, 0:NP], Y)

    return masked.with_attr("global_symbol", f"masked_{mask}")


def reduce(op: str, axis: str, M: int, N: int, block_m: int = 32, block_n: int = 64, dtype: str = "bfloat16"):
    """C = op(A) over rows (axis="row": C is (M, 1), per block (block_m, 1)), columns (axis="col": (1, N),
    grid over column blocks of the full height) or both ("all": (1, 1), one block); op in sum / max / min.
    The reduced axis is read whole, in whole tiles (MP rows / NP columns); a ragged one gets a partial
    scaler (sum) or a -inf mask (max) on the device."""
    MP, NP = _whole_tiles(M), _whole_tiles(N)
    fn = {"sum": Tx.sum, "max": Tx.max, "min": Tx.min}[op]
    if axis == "row":
        @T.prim_func
        def reduce_rows(A: T.Buffer((M, N), dtype), C: T.Buffer((M, 1), "float32")):
            by = T.launch_thread("blockIdx.x", (M + block_m - 1) // block_m)
            A_s = T.alloc_buffer((block_m, NP), dtype, scope="shared")
            r = T.alloc_buffer((block_m, 1), "float32", scope="local")
            Tx.copy(A_s, A[by * block_m:by * block_m + block_m, 0:NP])
            fn(r, A_s, axes=-1)
            Tx.copy(C[by * block_m:by * block_m + block_m, 0:1], r)
        return reduce_rows.with_attr("global_symbol", f"reduce_{op}_rows")
    if axis == "col":
        @T.prim_func
        def reduce_cols(A: T.Buffer((M, N), dtype), C: T.Buffer((1, N), "float32")):
            bx = T.launch_thread("blockIdx.x", (N + block_n - 1) // block_n)
            A_s = T.alloc_buffer((MP, block_n), dtype, scope="shared")
            r = T.alloc_buffer((1, block_n), "float32", scope="local")
            Tx.copy(A_s, A[0:MP, bx * block_n:bx * block_n + block_n])
            fn(r, A_s, axes=0)
            Tx.copy(C[0:1, bx * block_n:bx * block_n + block_n], r)
        return reduce_cols.with_attr("global_symbol", f"reduce_{op}_cols")

    @T.prim_func
    def reduce_all(A: T.Buffer((M, N), dtype), C: T.Buffer((1, 1), "float32")):
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((MP, NP), dtype, scope="shared")
        r = T.alloc_buffer((1, 1), "float32", scope="local")
        Tx.copy(A_s, A[0:MP, 0:NP])
        fn(r, A_s, axes=(0, 1))
        Tx.copy(C[0:1, 0:1], r)
    return reduce_all.with_attr("global_symbol", f"reduce_{op}_all")


def running_reduce(op: str, M: int, N: int, block_m: int = 32, block_n: int = 64, dtype: str = "bfloat16"):
    """C = op over the rows of A (op "sum" or "max"; C is (M, 1) float32) as a running value: a serial loop
    over the N // block_n column blocks loads each block, reduces it and folds it into a (block_m, 1) state
    in a shared buffer (Tx.add / Tx.maximum in place), initialised before the loop and read after it. The
    state is carried across iterations in its CB (docs/ops.md "State carried across a loop"): the pattern of
    flash attention's running max and sum."""
    if N % block_n:
        raise ValueError(f"running_reduce: block_n={block_n} must divide N={N}")
    fn, fold, init = {"sum": (Tx.sum, Tx.add, 0.0), "max": (Tx.max, Tx.maximum, float("-inf"))}[op]

    @T.prim_func
    def running_reduce(A: T.Buffer((M, N), dtype), C: T.Buffer((M, 1), "float32")):
        by = T.launch_thread("blockIdx.x", (M + block_m - 1) // block_m)
        A_s = T.alloc_buffer((block_m, block_n), dtype, scope="shared")
        part = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        state = T.alloc_buffer((block_m, 1), "float32", scope="shared")
        r = T.alloc_buffer((block_m, 1), "float32", scope="local")
        Tx.fill(state, T.float32(init))
        for j in T.serial(N // block_n):
            Tx.copy(A_s, A[by * block_m:by * block_m + block_m, j * block_n:j * block_n + block_n])
            fn(part, A_s, axes=-1)
            fold(state, state, part)
        Tx.copy(r, state)
        Tx.copy(C[by * block_m:by * block_m + block_m, 0:1], r)
    return running_reduce.with_attr("global_symbol", f"running_{op}")


def eltwise_breadth(M: int, N: int, block_m: int = 32):
    """Element-wise ops beyond add / sub / mul on float32 data: scalar operands on either side, fdiv of
    tensors and by a scalar, maximum / minimum of two tensors, exp2, a bf16 result in L1 (a cast by the
    packer) and locals that later ops read through the unpacker (spilled):
    C = exp2(min((2 - A) / 4, max(A, B))) * bf16(A / B)."""

    @T.prim_func
    def eltwise_breadth(A: T.Buffer((M, N), "float32"), B: T.Buffer((M, N), "float32"),
                        C: T.Buffer((M, N), "float32")):
        by = T.launch_thread("blockIdx.x", M // block_m)
        A_s = T.alloc_buffer((block_m, N), "float32", scope="shared")
        B_s = T.alloc_buffer((block_m, N), "float32", scope="shared")
        H = T.alloc_buffer((block_m, N), "bfloat16", scope="shared")
        x = T.alloc_buffer((block_m, N), "float32", scope="local")
        y = T.alloc_buffer((block_m, N), "float32", scope="local")
        z = T.alloc_buffer((block_m, N), "float32", scope="local")
        Tx.copy(A_s, A[by * block_m:by * block_m + block_m, 0:N])
        Tx.copy(B_s, B[by * block_m:by * block_m + block_m, 0:N])
        Tx.sub(x, T.float32(2), A_s)
        Tx.fdiv(x, x, T.float32(4))
        Tx.maximum(y, A_s, B_s)
        Tx.fdiv(H, A_s, B_s)
        Tx.minimum(x, x, y)
        Tx.exp2(x, x)
        Tx.mul(x, x, H)
        Tx.cast(z, x)
        Tx.copy(C[by * block_m:by * block_m + block_m, 0:N], z)

    return eltwise_breadth


def fma(M: int, N: int, block_m: int = 32, dtype: str = "bfloat16", scalars: bool = True):
    """Tx.fma in its forms (docs/ops.md): three tensors, in place with immediate scale and bias, a shared
    destination with a local bias (read back through its spill CB), and a local that is both bias and
    destination: y = A * B + C; y = y * 0.5 + 1; S = A * -2 + y; out = S * B + y. With scalars=False only the
    first (FPU only: mul_tiles and the dest-reuse add, a program the wolfpine device runs): out = A * B + C."""

    @T.prim_func
    def fma(A: T.Buffer((M, N), dtype), B: T.Buffer((M, N), dtype), C: T.Buffer((M, N), dtype),
            D: T.Buffer((M, N), dtype)):
        by = T.launch_thread("blockIdx.x", M // block_m)
        A_s = T.alloc_buffer((block_m, N), dtype, scope="shared")
        B_s = T.alloc_buffer((block_m, N), dtype, scope="shared")
        C_s = T.alloc_buffer((block_m, N), dtype, scope="shared")
        y = T.alloc_buffer((block_m, N), dtype, scope="local")
        Tx.copy(A_s, A[by * block_m:by * block_m + block_m, 0:N])
        Tx.copy(B_s, B[by * block_m:by * block_m + block_m, 0:N])
        Tx.copy(C_s, C[by * block_m:by * block_m + block_m, 0:N])
        Tx.fma(y, A_s, B_s, C_s)
        if scalars:             # a Python constant: TVMScript keeps the branch taken
            S = T.alloc_buffer((block_m, N), dtype, scope="shared")
            Tx.fma(y, y, T.float32(0.5), T.float32(1))
            Tx.fma(S, A_s, T.float32(-2), y)
            Tx.fma(y, S, B_s, y)
        Tx.copy(D[by * block_m:by * block_m + block_m, 0:N], y)

    return fma


def cast(M: int, N: int, block_m: int = 32, dtype: str = "bfloat16"):
    """Tx.cast between bf16 and fp32 CBs (docs/ops.md): the input into a shared buffer of the other format
    (copy_tile, packed in that format), an FPU multiply reading the two formats through SrcA / SrcB, the
    fp32 product packed to a bf16 shared buffer, an add of bf16 pages, and the result cast to fp32 by the
    packer: O = other(X); y = O * X (fp32); H = bf16(y); out = fp32(H + X)."""
    other = "float32" if dtype == "bfloat16" else "bfloat16"

    @T.prim_func
    def cast(X: T.Buffer((M, N), dtype), D: T.Buffer((M, N), "float32")):
        by = T.launch_thread("blockIdx.x", M // block_m)
        X_s = T.alloc_buffer((block_m, N), dtype, scope="shared")
        O = T.alloc_buffer((block_m, N), other, scope="shared")
        H = T.alloc_buffer((block_m, N), "bfloat16", scope="shared")
        y = T.alloc_buffer((block_m, N), "float32", scope="local")
        z = T.alloc_buffer((block_m, N), dtype, scope="local")
        zf = T.alloc_buffer((block_m, N), "float32", scope="local")
        Tx.copy(X_s, X[by * block_m:by * block_m + block_m, 0:N])
        Tx.cast(O, X_s)
        Tx.mul(y, O, X_s)
        Tx.cast(H, y)
        Tx.add(z, H, X_s)
        Tx.cast(zf, z)
        Tx.copy(D[by * block_m:by * block_m + block_m, 0:N], zf)

    return cast
