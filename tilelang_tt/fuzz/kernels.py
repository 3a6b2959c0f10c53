"""Kernel families of the fuzzer: TVMScript builders (closures over Python ints and op choices, the way
`tilelang_tt.samples` writes kernels), each with the numpy inputs it takes and the reference its
output must match within the bounds of `tilelang_tt.numerics`.

A family is a `Family` with
  build(params, name)      -> T.prim_func named `name`
  inputs(params)           -> [(parameter name, shape, dtype)] of the inputs, in parameter order
  output(params)           -> the output's parameter index (optional; default: after the inputs; an
                              output that is also read, C = A @ B + C, is among the inputs)
  reference(params, arrays, fp32_dst, fidelity) -> numerics.Bounded of the output (before packing)
Parameters are plain JSON values so a case can be written into a reproducer script. Later kernel
families (the fast-matmul schedules, reductions) are added to FAMILIES.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from tvm.script import tirx as T
from tvm.tirx.script import tile as Tx

from .. import numerics as N
from .. import tile as TTx
from ..samples import b_layout

UNARY_OPS = ("exp", "sqrt", "reciprocal", "silu", "relu")
BINARY_OPS = ("add", "sub", "mul")
MAX_STEPS = 4


@dataclass(frozen=True)
class Family:
    name: str
    build: Callable
    inputs: Callable
    reference: Callable
    output: Callable = None     # params -> parameter index of the output (default: after the inputs)


def _unary_stmt(op):
    """An in-place unary step on a local buffer, written as a user writes it."""
    if op == "relu":
        return lambda c: Tx.maximum(c, c, T.float32(0))
    return lambda c: getattr(Tx, op)(c, c)


def _dst(x: N.Bounded, fp32_dst: bool) -> N.Bounded:
    """After every op that writes DST: bf16 DST rounds (docs/numerics.md)."""
    return x if fp32_dst else x.stored("bfloat16")


# ------------------------------------------------------------------------------------------- matmul
# params: M, N, K, bm, bn, bk, dtype (A, B, D), accum (local C_l), out (C), epilogue: steps applied to
# C_l after the K loop, each "bias" (C_l += X), "sub" (C_l -= X), "mul" (C_l *= X) or a unary op, where
# X is the block of `operand` at C's position: "D" (an extra (M, N) input; the default), "C" (the output
# itself: C = A @ B + C, read before it is overwritten), "A" (needs N == K) or "B" (needs M == K), or
# "R": the extra input D is a (1, N) row, its (1, bn) block broadcast over the block's rows.

BINARY_STEPS = {"bias": "add", "sub": "sub", "mul": "mul"}


def _operand(p) -> str:
    """The tensor the binary epilogue steps read (None when there is none)."""
    if not any(s in BINARY_STEPS for s in p["epilogue"]):
        return None
    return p.get("operand", "D")


def _matmul_build(p, name):
    M, Nn, K, bm, bn, bk = (int(p[k]) for k in ("M", "N", "K", "bm", "bn", "bk"))
    dtype, accum, out = p["dtype"], p["accum"], p["out"]
    tb = bool(p.get("transpose_b", False))          # B stored (N, K), gemm(..., transpose_B=True)
    b_shape, bs_shape, load_b = b_layout(tb, Nn, K, bn, bk)
    epi = list(p["epilogue"])
    n_epi = len(epi)
    operand = _operand(p)

    def step(i):
        if i >= n_epi:
            return lambda c, d: None
        if epi[i] in BINARY_STEPS:
            fn = getattr(Tx, BINARY_STEPS[epi[i]])
            return lambda c, d: fn(c, c, d)
        u = _unary_stmt(epi[i])
        return lambda c, d: u(c)

    s0, s1, s2, s3 = (step(i) for i in range(MAX_STEPS))

    if operand in ("D", "R"):
        # R: D is a (1, N) row; its block is row 0 (by * 0) of bn columns
        dm, dh = (1, 1) if operand == "R" else (M, bm)
        dstep = 0 if operand == "R" else bm

        @T.prim_func
        def kernel(A: T.Buffer((M, K), dtype), B: T.Buffer(b_shape, dtype), D: T.Buffer((dm, Nn), dtype),
                   C: T.Buffer((M, Nn), out)):
            bx = T.launch_thread("blockIdx.x", (Nn + bn - 1) // bn)
            by = T.launch_thread("blockIdx.y", (M + bm - 1) // bm)
            A_s = T.alloc_buffer((bm, bk), dtype, scope="shared")
            B_s = T.alloc_buffer(bs_shape, dtype, scope="shared")
            D_s = T.alloc_buffer((dh, bn), dtype, scope="shared")
            C_l = T.alloc_buffer((bm, bn), accum, scope="local")
            Tx.fill(C_l, T.cast(0, accum))
            for k in T.serial((K + bk - 1) // bk):
                Tx.copy(A_s, A[by * bm:by * bm + bm, k * bk:k * bk + bk])
                load_b(B_s, B, bx, k)
                Tx.gemm(C_l, A_s, B_s, C_l, transpose_B=tb, beta=1.0)
            Tx.copy(D_s, D[by * dstep:by * dstep + dh, bx * bn:bx * bn + bn])
            if n_epi > 0:
                s0(C_l, D_s)
            if n_epi > 1:
                s1(C_l, D_s)
            if n_epi > 2:
                s2(C_l, D_s)
            if n_epi > 3:
                s3(C_l, D_s)
            Tx.copy(C[by * bm:by * bm + bm, bx * bn:bx * bn + bn], C_l)
    elif operand is not None:
        # the epilogue reads A, B or C itself (C's dtype is the output's)
        pick = {"A": lambda a, b, c: a, "B": lambda a, b, c: b, "C": lambda a, b, c: c}[operand]
        xd = out if operand == "C" else dtype

        @T.prim_func
        def kernel(A: T.Buffer((M, K), dtype), B: T.Buffer(b_shape, dtype), C: T.Buffer((M, Nn), out)):
            bx = T.launch_thread("blockIdx.x", (Nn + bn - 1) // bn)
            by = T.launch_thread("blockIdx.y", (M + bm - 1) // bm)
            A_s = T.alloc_buffer((bm, bk), dtype, scope="shared")
            B_s = T.alloc_buffer(bs_shape, dtype, scope="shared")
            X_s = T.alloc_buffer((bm, bn), xd, scope="shared")
            C_l = T.alloc_buffer((bm, bn), accum, scope="local")
            Tx.fill(C_l, T.cast(0, accum))
            for k in T.serial((K + bk - 1) // bk):
                Tx.copy(A_s, A[by * bm:by * bm + bm, k * bk:k * bk + bk])
                load_b(B_s, B, bx, k)
                Tx.gemm(C_l, A_s, B_s, C_l, transpose_B=tb, beta=1.0)
            Tx.copy(X_s, pick(A, B, C)[by * bm:by * bm + bm, bx * bn:bx * bn + bn])
            if n_epi > 0:
                s0(C_l, X_s)
            if n_epi > 1:
                s1(C_l, X_s)
            if n_epi > 2:
                s2(C_l, X_s)
            if n_epi > 3:
                s3(C_l, X_s)
            Tx.copy(C[by * bm:by * bm + bm, bx * bn:bx * bn + bn], C_l)
    else:
        @T.prim_func
        def kernel(A: T.Buffer((M, K), dtype), B: T.Buffer(b_shape, dtype), C: T.Buffer((M, Nn), out)):
            bx = T.launch_thread("blockIdx.x", (Nn + bn - 1) // bn)
            by = T.launch_thread("blockIdx.y", (M + bm - 1) // bm)
            A_s = T.alloc_buffer((bm, bk), dtype, scope="shared")
            B_s = T.alloc_buffer(bs_shape, dtype, scope="shared")
            C_l = T.alloc_buffer((bm, bn), accum, scope="local")
            Tx.fill(C_l, T.cast(0, accum))
            for k in T.serial((K + bk - 1) // bk):
                Tx.copy(A_s, A[by * bm:by * bm + bm, k * bk:k * bk + bk])
                load_b(B_s, B, bx, k)
                Tx.gemm(C_l, A_s, B_s, C_l, transpose_B=tb, beta=1.0)
            if n_epi > 0:
                s0(C_l, None)
            if n_epi > 1:
                s1(C_l, None)
            if n_epi > 2:
                s2(C_l, None)
            if n_epi > 3:
                s3(C_l, None)
            Tx.copy(C[by * bm:by * bm + bm, bx * bn:bx * bn + bn], C_l)
    return kernel.with_attr("global_symbol", name)


def _matmul_inputs(p):
    M, Nn, K, dtype = int(p["M"]), int(p["N"]), int(p["K"]), p["dtype"]
    ins = [("A", (M, K), dtype), ("B", (Nn, K) if p.get("transpose_b") else (K, Nn), dtype)]
    operand = _operand(p)
    if operand == "D":
        ins.append(("D", (M, Nn), dtype))
    elif operand == "R":
        ins.append(("D", (1, Nn), dtype))      # the kernel's D, a (1, N) row
    elif operand == "C":
        ins.append(("C", (M, Nn), p["out"]))    # read and overwritten: an input and the output
    return ins


def _matmul_output(p) -> int:
    """The parameter index of C: the last parameter."""
    return 3 if _operand(p) in ("D", "R") else 2


def _matmul_reference(p, arrays, fp32_dst, fidelity="HiFi4"):
    b = np.ascontiguousarray(arrays["B"].T) if p.get("transpose_b") else arrays["B"]
    acc = N.matmul(arrays["A"], b, fp32_acc=fp32_dst, fidelity=fidelity)
    operand = _operand(p)
    for s in p["epilogue"]:
        if s in BINARY_STEPS and operand == "R":
            # a broadcast reads the accumulator back from a CB (the stage / spill CB in DST's format):
            # the source registers round fp32 data to 19 bits
            src = "float32" if fp32_dst else None
            acc = N.fpu_binary(BINARY_STEPS[s], acc.stored("float32" if fp32_dst else "bfloat16"),
                               N.Bounded.exact(arrays["D"]), src)
        elif s in BINARY_STEPS:
            acc = N.binary(BINARY_STEPS[s], acc, N.Bounded.exact(arrays[operand]))
        else:
            acc = N.unary(s, acc)
        acc = _dst(acc, fp32_dst)
    return acc


# --------------------------------------------------------------------------------- element-wise chains
# params: M, N, bm, bn, x_dtype, y_dtype (None: one input), local, out, first, steps.
# first: ["copy"] | ["unary", op] (copy_tile + SFPU op from X_s) | ["binary", op, lhs, rhs] with lhs,
# rhs in "X", "Y" (binary_tiles on two CBs, possibly the same one).
# steps: ["unary", op] in place | ["reuse", op] (C = C op Y_s) | ["reuse_swapped", op] (C = Y_s op C).

def _eltwise_build(p, name):
    M, Nn, bm, bn = (int(p[k]) for k in ("M", "N", "bm", "bn"))
    xd, yd, local, out = p["x_dtype"], p["y_dtype"], p["local"], p["out"]
    first, steps = p["first"], [list(s) for s in p["steps"]]
    n_steps = len(steps)

    def first_stmt():
        if first[0] == "copy":
            return lambda c, x, y: Tx.copy(c, x)
        if first[0] == "unary":
            if first[1] == "relu":
                return lambda c, x, y: Tx.maximum(c, x, T.float32(0))
            return lambda c, x, y: getattr(Tx, first[1])(c, x)
        fn = getattr(Tx, first[1])
        pick = {"X": lambda x, y: x, "Y": lambda x, y: y}
        lhs, rhs = pick[first[2]], pick[first[3]]
        return lambda c, x, y: fn(c, lhs(x, y), rhs(x, y))

    def step(i):
        if i >= n_steps:
            return lambda c, y: None
        kind, op = steps[i]
        if kind == "unary":
            u = _unary_stmt(op)
            return lambda c, y: u(c)
        fn = getattr(Tx, op)
        if kind == "reuse":
            return lambda c, y: fn(c, c, y)
        return lambda c, y: fn(c, y, c)

    f0 = first_stmt()
    s0, s1, s2, s3 = (step(i) for i in range(MAX_STEPS))

    if yd is not None:
        @T.prim_func
        def kernel(X: T.Buffer((M, Nn), xd), Y: T.Buffer((M, Nn), yd), C: T.Buffer((M, Nn), out)):
            bx = T.launch_thread("blockIdx.x", (Nn + bn - 1) // bn)
            by = T.launch_thread("blockIdx.y", (M + bm - 1) // bm)
            X_s = T.alloc_buffer((bm, bn), xd, scope="shared")
            Y_s = T.alloc_buffer((bm, bn), yd, scope="shared")
            C_l = T.alloc_buffer((bm, bn), local, scope="local")
            Tx.copy(X_s, X[by * bm:by * bm + bm, bx * bn:bx * bn + bn])
            Tx.copy(Y_s, Y[by * bm:by * bm + bm, bx * bn:bx * bn + bn])
            f0(C_l, X_s, Y_s)
            if n_steps > 0:
                s0(C_l, Y_s)
            if n_steps > 1:
                s1(C_l, Y_s)
            if n_steps > 2:
                s2(C_l, Y_s)
            if n_steps > 3:
                s3(C_l, Y_s)
            Tx.copy(C[by * bm:by * bm + bm, bx * bn:bx * bn + bn], C_l)
    else:
        @T.prim_func
        def kernel(X: T.Buffer((M, Nn), xd), C: T.Buffer((M, Nn), out)):
            bx = T.launch_thread("blockIdx.x", (Nn + bn - 1) // bn)
            by = T.launch_thread("blockIdx.y", (M + bm - 1) // bm)
            X_s = T.alloc_buffer((bm, bn), xd, scope="shared")
            C_l = T.alloc_buffer((bm, bn), local, scope="local")
            Tx.copy(X_s, X[by * bm:by * bm + bm, bx * bn:bx * bn + bn])
            f0(C_l, X_s, None)
            if n_steps > 0:
                s0(C_l, None)
            if n_steps > 1:
                s1(C_l, None)
            if n_steps > 2:
                s2(C_l, None)
            if n_steps > 3:
                s3(C_l, None)
            Tx.copy(C[by * bm:by * bm + bm, bx * bn:bx * bn + bn], C_l)
    return kernel.with_attr("global_symbol", name)


def _eltwise_inputs(p):
    M, Nn = int(p["M"]), int(p["N"])
    ins = [("X", (M, Nn), p["x_dtype"])]
    if p["y_dtype"] is not None:
        ins.append(("Y", (M, Nn), p["y_dtype"]))
    return ins


def _eltwise_reference(p, arrays, fp32_dst, fidelity="HiFi4"):
    # The emulator's element-wise ops ignore the fidelity (docs/numerics.md: mul_tiles' phases are not
    # modelled), so neither does the reference.
    x = N.Bounded.exact(arrays["X"])
    y = N.Bounded.exact(arrays["Y"]) if "Y" in arrays else None
    first = p["first"]
    if first[0] == "copy":
        acc = _dst(x, fp32_dst)
    elif first[0] == "unary":
        acc = _dst(N.unary(first[1], _dst(x, fp32_dst)), fp32_dst)   # copy_tile, then the SFPU op
    else:
        pick = {"X": x, "Y": y}
        acc = _dst(N.binary(first[1], pick[first[2]], pick[first[3]]), fp32_dst)
    for kind, op in p["steps"]:
        if kind == "unary":
            acc = N.unary(op, acc)
        elif kind == "reuse":
            acc = N.binary(op, acc, y)
        else:
            acc = N.binary(op, y, acc)
        acc = _dst(acc, fp32_dst)
    return acc


# ------------------------------------------------------------------------------------------- reduce
# params: M, N (either ragged), b (the block along the kept axis), axis ("row": Tx.sum/max(.., axes=-1)
# into (b, 1) per block of b whole rows; "col": axes=0 into (1, b); "all": both axes, one block), x_dtype,
# pre: element-wise steps on the loaded block into a float32 shared buffer P ("scale" / "shift" c,
# "square", "exp", "relu"), op: sum | max, post: "stat" (the statistic is the output), "bcast_<add|sub|
# mul>" (the block combined with its statistic by a broadcast), "softmax" (x - stat, exp, sum, 1 / sum,
# product: a softmax-like chain), out. The reduced axis is read whole, in whole tiles, so a ragged one
# is handled by the device (docs/ops.md "Ragged axes"); the kept axis is ragged through the grid.

def _whole(n: int) -> int:
    return -(-n // 32) * 32


def _pre_stmt(step, d, src) -> str:
    kind = step[0]
    if kind == "scale":
        return f"Tx.mul({d}, {src}, T.float32({step[1]!r}))"
    if kind == "shift":
        return f"Tx.add({d}, {src}, T.float32({step[1]!r}))"
    if kind == "square":
        return f"Tx.mul({d}, {src}, {src})"
    if kind == "relu":
        return f"Tx.maximum({d}, {src}, T.float32(0))"
    return f"Tx.exp({d}, {src})"


def _reduce_shapes(p):
    M, Nn, b, axis = int(p["M"]), int(p["N"]), int(p["b"]), p["axis"]
    MP, NP = _whole(M), _whole(Nn)
    if axis == "row":
        return (b, NP), (b, 1), (M, 1), -(-M // b)
    if axis == "col":
        return (MP, b), (1, b), (1, Nn), -(-Nn // b)
    return (MP, NP), (1, 1), (1, 1), 1


def _reduce_build(p, name):
    """Written as TVMScript text (the buffers a variant does not use are not declared: an unused CB is an
    error), parsed like a user's kernel."""
    import tvm

    M, Nn, b, axis = int(p["M"]), int(p["N"]), int(p["b"]), p["axis"]
    xd, out, op, post = p["x_dtype"], p["out"], p["op"], p["post"]
    blk, vec, stat_shape, grid = _reduce_shapes(p)
    BR, BC = blk
    axes = {"row": "-1", "col": "0", "all": "(0, 1)"}[axis]
    out_shape = stat_shape if post == "stat" else (M, Nn)

    def region(tensor, shape):
        r, c = shape
        if axis == "row":
            return f"{tensor}[g * {b}:g * {b} + {r}, 0:{c}]"
        if axis == "col":
            return f"{tensor}[0:{r}, g * {b}:g * {b} + {c}]"
        return f"{tensor}[0:{r}, 0:{c}]"

    body = [f'g = T.launch_thread("blockIdx.x", {grid})',
            f'X_s = T.alloc_buffer({blk}, "{xd}", scope="shared")']
    src = "X_s"
    if p["pre"]:
        body.append(f'P = T.alloc_buffer({blk}, "float32", scope="shared")')
    stat = "S_l" if post == "stat" else "S"
    body.append(f'{stat} = T.alloc_buffer({vec}, "float32", scope="{"local" if post == "stat" else "shared"}")')
    if post == "softmax":
        body += [f'E = T.alloc_buffer({blk}, "float32", scope="shared")',
                 f'R = T.alloc_buffer({vec}, "float32", scope="shared")']
    if post != "stat":
        body.append(f'Y = T.alloc_buffer({blk}, "float32", scope="local")')
    body.append(f"Tx.copy(X_s, {region('X', blk)})")
    for i, step in enumerate(p["pre"]):
        body.append(_pre_stmt(step, "P", "X_s" if i == 0 else "P"))
        src = "P"
    body.append(f"Tx.{op}({stat}, {src}, axes={axes})")
    if post.startswith("bcast_"):
        body.append(f"Tx.{post[len('bcast_'):]}(Y, {src}, S)")
    elif post == "softmax":
        body += [f"Tx.sub(E, {src}, S)", "Tx.exp(E, E)", f"Tx.sum(R, E, axes={axes})", "Tx.reciprocal(R, R)",
                 "Tx.mul(Y, E, R)"]
    if post == "stat":
        body.append(f"Tx.copy({region('C', vec)}, S_l)")
    else:
        body.append(f"Tx.copy({region('C', blk)}, Y)")
    text = ("# from tvm.script import tirx as T\n@T.prim_func\n"
            f'def kernel(X: T.Buffer(({M}, {Nn}), "{xd}"), C: T.Buffer({tuple(out_shape)}, "{out}")):\n'
            + "".join(f"    {ln}\n" for ln in body))
    func = tvm.script.from_source(text.replace("Tx.", "T.tile."))
    return func.with_attr("global_symbol", name)


def _reduce_inputs(p):
    return [("X", (int(p["M"]), int(p["N"])), p["x_dtype"])]


def _reduce_reference(p, arrays, fp32_dst, fidelity="HiFi4"):
    """The kernel's chain with float32 CBs between ops (docs/tolerance.md: reductions, broadcasts, scalar
    operands; "Ragged axes": the bounds of the logical tensor)."""
    F32 = "float32"
    x = N.Bounded.exact(arrays["X"])
    src = F32 if p["x_dtype"] == F32 else None          # FPU source registers: fp32 data loses bits
    for kind, *arg in p["pre"]:
        if kind == "scale":
            x = N.scalar("mul", x, arg[0])
        elif kind == "shift":
            x = N.scalar("add", x, arg[0])
        elif kind == "square":
            x = N.fpu_binary("mul", x, x, src)
        elif kind == "relu":
            x = N.unary("relu", x)
        else:
            x = N.unary("exp", x)
        x, src = x.stored(F32), F32
    ax = {"row": 1, "col": 0, "all": None}[p["axis"]]
    s = N.reduce(p["op"], x, ax, src).stored(F32)
    post = p["post"]
    if post == "stat":
        return s
    if post.startswith("bcast_"):
        return N.fpu_binary(post[len("bcast_"):], x, s, F32)
    e = N.unary("exp", N.fpu_binary("sub", x, s, F32).stored(F32)).stored(F32)
    r = N.unary("reciprocal", N.reduce("sum", e, ax, F32).stored(F32)).stored(F32)
    return N.fpu_binary("mul", e, r, F32)


FAMILIES = {
    "matmul": Family("matmul", _matmul_build, _matmul_inputs, _matmul_reference, _matmul_output),
    "eltwise": Family("eltwise", _eltwise_build, _eltwise_inputs, _eltwise_reference),
    "reduce": Family("reduce", _reduce_build, _reduce_inputs, _reduce_reference),
}


# ------------------------------------------------------------------------------ element-wise breadth
# params: M, N (ragged: padding is neutral, cropped), bm, bn, x_dtype, y_dtype (None: no Y), local (the
# DST format), out, steps. Each step is [op, to, *args]: `to` is "local" (the local buffer c, in place)
# or "bfloat16" / "float32" (a fresh shared buffer of that format, packed to its CB and read back by the
# next step); args are "cur" (the previous step's result; X_s before the first step), "X", "Y" or an
# immediate float. Ops: fma (cur, scale, bias), maximum / minimum, fdiv, add / sub / mul (a tensor or
# an immediate on either side), exp2, log2, log / rsqrt (TTx, tilelang_tt.tile), cast (cur into a buffer of
# the other format). A result left in a shared buffer is copied into c before the output's copy.

LOG2_SCALE = 1.0 / 0.6931471805599453   # Tx.log2 = log_tile, then mul_unary_tile(1 / ln 2) (docs/ops.md)


def select_predicate(spec, bm: int, bn: int):
    """(lambda text, numpy keep(r, c)) of a fuzzer mask on the global coordinates r = i + by * bm,
    c = j + bx * bn: "causal" c <= r + k, "band" |r - c| <= k, "stride" c % k == 0."""
    kind, k = spec
    r, c = f"i + by * {bm}", f"j + bx * {bn}"
    if kind == "causal":
        return f"lambda i, j: {c} <= {r} + {k}", lambda R, C: C <= R + k
    if kind == "band":
        return f"lambda i, j: ({r} - ({c}) <= {k}) & ({c} - ({r}) <= {k})", lambda R, C: np.abs(R - C) <= k
    return f"lambda i, j: ({c}) % {k} == 0", lambda R, C: C % k == 0


def _breadth_operand(a, cur: str) -> str:
    if a == "cur":
        return cur
    if a in ("X", "Y"):
        return f"{a}_s"
    v = float(a)
    return f"T.float32({v!r})" if np.isfinite(v) else f'T.float32("{v!r}")'     # T.float32("-inf")


def _breadth_build(p, name):
    """Written as TVMScript text, as the reduce family is: a variant declares only the buffers it uses."""
    import tvm

    M, Nn, bm, bn = (int(p[k]) for k in ("M", "N", "bm", "bn"))
    xd, yd, local, out = p["x_dtype"], p["y_dtype"], p["local"], p["out"]
    blk = (bm, bn)
    decl = [f'bx = T.launch_thread("blockIdx.x", {-(-Nn // bn)})',
            f'by = T.launch_thread("blockIdx.y", {-(-M // bm)})',
            f'X_s = T.alloc_buffer({blk}, "{xd}", scope="shared")']
    if yd is not None:
        decl.append(f'Y_s = T.alloc_buffer({blk}, "{yd}", scope="shared")')
    decl.append(f'c = T.alloc_buffer({blk}, "{local}", scope="local")')
    region = "by * {0}:by * {0} + {0}, bx * {1}:bx * {1} + {1}".format(bm, bn)
    body = [f"Tx.copy(X_s, X[{region}])"]
    if yd is not None:
        body.append(f"Tx.copy(Y_s, Y[{region}])")
    cur = "X_s"
    for i, (op, to, *args) in enumerate(p["steps"]):
        dst = "c"
        if to != "local":
            dst = f"S{i}"
            decl.append(f'{dst} = T.alloc_buffer({blk}, "{to}", scope="shared")')
        if op == "select":
            args, (pred, _) = args[:2], select_predicate(args[2], bm, bn)
        ops = [_breadth_operand(a, cur) for a in args] + ([pred] if op == "select" else [])
        ns = "TTx" if op in TTx.OPS else "Tx"
        body.append(f"{ns}.{op}({dst}, {', '.join(ops)})")
        cur = dst
    if cur != "c":
        body.append(f"Tx.copy(c, {cur})")
    body.append(f"Tx.copy(C[{region}], c)")
    params = [f'X: T.Buffer(({M}, {Nn}), "{xd}")']
    if yd is not None:
        params.append(f'Y: T.Buffer(({M}, {Nn}), "{yd}")')
    params.append(f'C: T.Buffer(({M}, {Nn}), "{out}")')
    text = ("# from tvm.script import tirx as T\n@T.prim_func\n"
            f"def kernel({', '.join(params)}):\n" + "".join(f"    {ln}\n" for ln in decl + body))
    func = tvm.script.from_source(re.sub(r"\bTx\.", "T.tile.", text), extra_vars={"T": T, "TTx": TTx})
    return func.with_attr("global_symbol", name)


def _breadth_reference(p, arrays, fp32_dst, fidelity="HiFi4"):
    """The chain op by op as docs/ops.md lowers it: an operand read from a CB is unpacked into DST
    (copy_tile, the DST format) for the SFPU ops, or into SrcA / SrcB for the FPU ones (fp32 data with the
    source registers' rounding; a local moved out of an fp32 DST by dest reuse too); every result is
    rounded to the DST format, a shared one then packed to its CB's format."""
    F32 = "float32"
    dst = F32 if fp32_dst else "bfloat16"
    # value, storage: "dst" (the local) or the CB format it was packed in
    vals = {"X": (N.Bounded.exact(arrays["X"]), p["x_dtype"])}
    if "Y" in arrays:
        vals["Y"] = (N.Bounded.exact(arrays["Y"]), p["y_dtype"])
    cur = vals["X"]

    def get(a):
        if a == "cur":
            return cur
        return vals[a] if a in vals else (float(a), "imm")

    def in_dst(v):          # copy_tile of a CB operand (a local is already in DST)
        b, where = v
        return b if where == "dst" else _dst(b, fp32_dst)

    def src(*vs):           # the FPU source registers' format of these operands
        fp32 = any(w == F32 or (w == "dst" and fp32_dst) for _, w in vs)
        return F32 if fp32 else None

    for op, to, *args in p["steps"]:
        a = [get(x) for x in (args[:2] if op == "select" else args)]
        tensors = [v for v in a if v[1] != "imm"]
        if op == "exp2":
            r = N.unary("exp2", in_dst(a[0]), dst)      # exp2_tile's routine follows the DST format
        elif op == "log2":
            r = N.scalar("mul", _dst(N.unary("log", in_dst(a[0]), dst), fp32_dst), LOG2_SCALE)
        elif op in TTx.OPS:               # log_tile (its polynomial follows the DST format), rsqrt_tile
            r = N.unary(op, in_dst(a[0]), dst)
        elif op == "cast":
            r = in_dst(a[0])
        elif op in ("maximum", "minimum"):
            r = N.extremum(op, in_dst(a[0]), in_dst(a[1]))
        elif op == "select":       # where_tile moves a datum: each side as it sits in DST (an immediate filled)
            keep = select_predicate(args[2], int(p["bm"]), int(p["bn"]))[1](*np.indices(np.shape(arrays["X"])))
            sides = [in_dst(v) if v[1] != "imm" else _dst(N.Bounded(np.full(keep.shape, v[0])), fp32_dst)
                     for v in a[:2]]
            r = N.select(keep, *sides)
        elif op == "fma":
            x = in_dst(a[0]) if a[1][1] == "imm" else a[0][0]    # a scalar scale: copy_tile, mul_unary_tile
            r = N.fma(x, a[1][0], a[2][0], dst, src(*tensors))
        elif len(tensors) == 1:           # a scalar operand: binop_with_scalar on the SFPU
            t = in_dst(tensors[0])
            s = a[1][0] if a[1][1] == "imm" else a[0][0]
            if op == "fdiv":
                r = N.scalar("div", t, s)
            elif op == "sub" and a[0][1] == "imm":
                r = N.scalar("rsub", t, s)
            else:
                r = N.scalar(op, t, s)
        elif op == "fdiv":                # recip_tile of the divisor in DST, then a dest-reuse multiply
            rec = _dst(N.unary("reciprocal", in_dst(a[1])), fp32_dst)
            r = N.fpu_binary("mul", a[0][0], rec, src(a[0], (rec, "dst")))
        else:
            r = N.fpu_binary(op, a[0][0], a[1][0], src(*tensors))
        r = _dst(r, fp32_dst)
        cur = (r, "dst") if to == "local" else (r.stored(to), to)
    b, where = cur
    return b if where == "dst" else _dst(b, fp32_dst)   # the last shared result copied into c


FAMILIES["breadth"] = Family("breadth", _breadth_build, _eltwise_inputs, _breadth_reference)   # X, and Y if read
