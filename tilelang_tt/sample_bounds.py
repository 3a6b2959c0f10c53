"""Bounded references of the samples beyond matmul (samples.py): each kernel's value in float64 with an
error bound propagated op by op through the numerics chain (numerics.py, docs/tolerance.md), following
the kernel's own sequence of tile ops and the formats it stores intermediates in. Used by the examples,
the tests and the demo; never tuned.

The samples keep every intermediate in float32 CBs and accumulate in a float32 DST (reductions turn it
on), so the chain's roundings are fp32 ones plus the FPU source registers' 19-bit rounding of fp32 data
(`src`) and the one rounding to the output format at the end.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

from . import numerics as N

F32 = "float32"


def _src(dtype: str):
    """Source-register rounding of data unpacked from a CB of `dtype` (fp32: 19 bits; bf16: exact)."""
    return F32 if dtype == F32 else None


def softmax(a, out_dtype: str) -> N.Bounded:
    src = _src(F32 if np.asarray(a).dtype == np.float32 else "bfloat16")
    return _softmax_rows(N.Bounded.exact(a), src, out_dtype)


def _softmax_rows(x: N.Bounded, src, out_dtype: str, scale: float | None = None) -> N.Bounded:
    """The samples' softmax chain over rows of x (read from a CB whose source rounding is `src`):
    max, subtract, (scale,) exp, sum, reciprocal, multiply."""
    mx = N.reduce("max", x, 1, src).stored(F32)
    e = N.fpu_binary("sub", x, mx, src or F32).stored(F32)
    if scale is not None:
        e = N.scalar("mul", e, scale).stored(F32)
    e = N.unary("exp", e).stored(F32)
    rs = N.reduce("sum", e, 1, F32).stored(F32)
    rs = N.unary("reciprocal", rs).stored(F32)
    return N.fpu_binary("mul", e, rs, F32).stored(out_dtype)


def attention(q, k, v, out_dtype: str, scale: float | None = None, causal: bool = False) -> N.Bounded:
    """samples.attention: scores Q @ K^T in an fp32 DST packed to an fp32 CB (causal: keys after the query
    replaced by -inf, exactly), the softmax chain with the scale after the max, probabilities stored in the
    kernel's dtype, then P @ V in an fp32 DST."""
    scale = 1.0 / float(np.asarray(q).shape[1]) ** 0.5 if scale is None else scale
    s = N.matmul(q, np.asarray(k).T, fp32_acc=True).stored(F32)
    if causal:
        s = N.select(np.tril(np.ones(s.value.shape, bool)), s, float("-inf"))
    p = _softmax_rows(s, F32, out_dtype, scale)
    return N.matmul_of(p, out_dtype, v, fp32_acc=True).stored(out_dtype)


def flash_attention(q, k, v, out_dtype: str, block_n: int = 64, scale: float | None = None,
                    causal: bool = False) -> N.Bounded:
    """samples.flash_attention, op by op over the key blocks: scores in an fp32 DST packed to an fp32 CB,
    the block row max (exact), the new running max (exact maximum), corr = exp(scale (m - m_new)), the
    probabilities exp(scale (s - m_new)) stored in the kernel's dtype, the running sum and output rescaled by
    corr (FPU ops on fp32 CBs: the source registers' rounding), P @ V in an fp32 DST plus the rescaled output
    (dest reuse), and after the loop O times the reciprocal of l. The value is the exact attention (the
    online form is algebraically exact); the error is what each op can add. causal: the scores of later keys
    are -inf (the select moves values unchanged)."""
    qa, ka, va = (np.asarray(x) for x in (q, k, v))
    scale = 1.0 / float(qa.shape[1]) ** 0.5 if scale is None else scale
    rows = qa.shape[0]
    m = N.Bounded.exact(np.full((rows, 1), -np.inf))
    lsum = N.Bounded.exact(np.zeros((rows, 1)))
    o = N.Bounded.exact(np.zeros((rows, va.shape[1])))
    src = _src(out_dtype)
    for j in range(0, ka.shape[0], block_n):
        s = N.matmul(qa, ka[j:j + block_n].T, fp32_acc=True).stored(F32)
        if causal:
            keep = np.arange(j, j + block_n)[None, :] <= np.arange(rows)[:, None]
            s = N.select(keep, s, float("-inf"))
        mn = N.extremum("maximum", N.reduce("max", s, 1, F32).stored(F32), m)
        corr = N.fpu_binary("sub", m, mn, F32).stored(F32)
        corr = N.unary("exp", N.scalar("mul", corr, scale).stored(F32)).stored(F32)
        m = N.extremum("maximum", m, mn)
        e = N.scalar("mul", N.fpu_binary("sub", s, mn, F32).stored(F32), scale).stored(F32)
        p = N.unary("exp", e).stored(out_dtype)
        rs = N.reduce("sum", p, 1, src).stored(F32)
        lsum = N.fpu_binary("add", N.fpu_binary("mul", lsum, corr, F32).stored(F32), rs, F32).stored(F32)
        o = N.fpu_binary("mul", o, corr, F32).stored(F32)
        pv = N.matmul_of(p, out_dtype, va[j:j + block_n], fp32_acc=True)
        o = N.fpu_binary("add", pv, o, F32).stored(F32)
    inv = N.unary("reciprocal", lsum).stored(F32)
    return N.fpu_binary("mul", o, inv, F32).stored(out_dtype)


def masked(a, keep, fill: float, out_dtype: str) -> N.Bounded:
    """samples.masked: the input (exact: the tensor's own dtype moves unchanged) or the fill rounded to the
    output's dtype, never combined: a zero bound, so the check is exact."""
    fill = float(np.asarray(fill, np.float32).astype(ml_dtypes.bfloat16 if out_dtype == "bfloat16" else np.float32))
    return N.select(keep, N.Bounded.exact(a), fill)


def layernorm(a, gamma, beta, out_dtype: str, eps: float = 1e-5) -> N.Bounded:
    x, g, b = N.Bounded.exact(a), N.Bounded.exact(gamma), N.Bounded.exact(beta)
    n = np.asarray(a).shape[1]
    src = _src(F32 if np.asarray(a).dtype == np.float32 else "bfloat16")
    mean = N.scalar("mul", N.reduce("sum", x, 1, src).stored(F32), 1.0 / n).stored(F32)
    d = N.fpu_binary("sub", x, mean, F32).stored(F32)
    d2 = N.fpu_binary("mul", d, d, F32).stored(F32)
    var = N.scalar("mul", N.reduce("sum", d2, 1, F32).stored(F32), 1.0 / n).stored(F32)
    var = N.scalar("add", var, eps).stored(F32)
    inv = N.unary("reciprocal", N.unary("sqrt", var).stored(F32)).stored(F32)
    nrm = N.fpu_binary("mul", d, inv, F32).stored(F32)
    sc = N.fpu_binary("mul", nrm, g, F32).stored(F32)
    return N.fpu_binary("add", sc, b, F32).stored(out_dtype)


def rmsnorm(a, gamma, out_dtype: str, eps: float = 1e-6) -> N.Bounded:
    x, g = N.Bounded.exact(a), N.Bounded.exact(gamma)
    n = np.asarray(a).shape[1]
    src = _src(F32 if np.asarray(a).dtype == np.float32 else "bfloat16")
    x2 = N.fpu_binary("mul", x, x, src).stored(F32)
    ms = N.scalar("mul", N.reduce("sum", x2, 1, F32).stored(F32), 1.0 / n).stored(F32)
    ms = N.scalar("add", ms, eps).stored(F32)
    inv = N.unary("reciprocal", N.unary("sqrt", ms).stored(F32)).stored(F32)
    nrm = N.fpu_binary("mul", x, inv, F32).stored(F32)
    return N.fpu_binary("mul", nrm, g, F32).stored(out_dtype)


def matmul_bias_row(a, b, bias, out_dtype: str, fp32_acc: bool = True, op: str = "add") -> N.Bounded:
    """A @ B in DST, spilled to a CB of the accumulation's format (fp32, or bf16 with a bf16 DST), <op>
    the bias row (row broadcast; in a bf16 DST the result is rounded to bf16 there)."""
    acc_dtype = F32 if fp32_acc else "bfloat16"
    acc = N.matmul(a, b, fp32_acc=fp32_acc).stored(acc_dtype)
    out = N.fpu_binary(op, acc, N.Bounded.exact(bias), _src(acc_dtype))
    return (out if fp32_acc else out.stored("bfloat16")).stored(out_dtype)


def reduce(op: str, axis: str, a) -> N.Bounded:
    """The reduce samples: float32 outputs of shape (M, 1) / (1, N) / (1, 1)."""
    src = _src(F32 if np.asarray(a).dtype == np.float32 else "bfloat16")
    ax = {"row": 1, "col": 0, "all": None}[axis]
    return N.reduce(op, N.Bounded.exact(a), ax, src).stored(F32)


def running_reduce(op: str, a, block_n: int) -> N.Bounded:
    """samples.running_reduce: per column block a row reduce (fp32 DST, stored fp32), folded into the fp32
    state by an FPU add of two fp32 CBs (the source registers' rounding of both) or an exact maximum."""
    src = _src(F32 if np.asarray(a).dtype == np.float32 else "bfloat16")
    x = np.asarray(a)
    state = N.Bounded.exact(np.full((x.shape[0], 1), 0.0 if op == "sum" else -np.inf))
    for j in range(0, x.shape[1], block_n):
        part = N.reduce(op, N.Bounded.exact(x[:, j:j + block_n]), 1, src).stored(F32)
        state = (N.fpu_binary("add", state, part, F32) if op == "sum" else N.extremum("maximum", state, part))
        state = state.stored(F32)
    return state
