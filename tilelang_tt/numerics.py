"""Error bounds that the end-to-end checks use, derived from the numerics policy (docs/numerics.md).

Policy in one line: bf16 inputs are exact in fp32; matmul operands are truncated to the bits the math
fidelity uses; math is fp32; DST holds fp32 when `fp32_dest_acc_en` is on and is rounded to bf16 after
every operation (every MVMUL) when it is off; pack rounds to the output format (to nearest). The bounds below are the standard rounding-error bounds for
that policy, element by element; they are not tuned to make tests pass (docs/tolerance.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .target import TILE_COLS

# Unit roundoff (half an ulp at 1.0) per storage format.
UNIT_ROUNDOFF = {"bfloat16": 2.0 ** -8, "float32": 2.0 ** -24}
# Math fidelity (docs/tolerance.md, "Matmul"): MVMUL multiplies 7 bits of a SrcB significand (in0, A)
# with 5 of a SrcA one (in1, B) per phase; LoFi runs phase 0, HiFi2 0-1, HiFi3 0-2, HiFi4 0-3.
FIDELITY_PHASES = {"LoFi": 1, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}
# Mantissa bits of each source-register format, and of those the bits a fidelity uses per operand:
# in0 (SrcB) uses 6 in LoFi / HiFi2, all 10 of a TF32 register from HiFi3 on; in1 (SrcA) uses 4 in LoFi,
# 9 of a TF32 register (its last bit never) from HiFi2 on. bf16 registers (7 bits) are used whole there.
SRC_MANTISSA = {"bf16": 7, "tf32": 10}
USED_MANTISSA = {  # fidelity -> (in0 bits, in1 bits); None: the whole register (at most 10 / 9)
    "LoFi": (6, 4), "HiFi2": (6, 9), "HiFi3": (10, 9), "HiFi4": (10, 9)}
TILE_K_STEP = 16   # an MVMUL adds a 16-deep partial product to DST
# Relative error of an operand as an FPU element-wise / reduce op sees it in SrcA / SrcB: bf16 exactly,
# fp32 truncated to the register's 10 mantissa bits (docs/numerics.md "Unpack").
SRC_REGISTER_ROUNDOFF = {"bfloat16": 0.0, "float32": 2.0 ** -10}
TILE = TILE_COLS


def unit_roundoff(dtype: str) -> float:
    return UNIT_ROUNDOFF[str(dtype)]


def src_register_format(in_dtype: str, fp32_acc: bool) -> str:
    """What the unpacker writes into SrcA / SrcB: bf16 data (and block-float, which unpacks to bf16)
    exactly; float32 data truncated to TF32 with fp32 DST accumulation, to bf16 without."""
    return "tf32" if in_dtype == "float32" and fp32_acc else "bf16"


def product_roundoff(in_dtype: str, fp32_acc: bool = True, fidelity: str = "HiFi4") -> float:
    """Relative error bound of one product a*b as the matrix engine forms it, against the exact product
    of the kernel's inputs. Each operand is truncated (never rounded) to the bits used: the unpacker's
    truncation of float32 data to the register format and the fidelity's choice of register bits compose
    to a truncation to min(register, used) mantissa bits, an error below 2^-bits relative (none when
    the data has no more bits). HiFi3 also drops the product of the two low parts, in0's bits below its
    top 6 (< 2^-6) times in1's below its top 4 (< 2^-4): < 2^-10 |a b|."""
    data = 23 if in_dtype == "float32" else 7                        # bf16 and block-float: 7
    reg = SRC_MANTISSA[src_register_format(in_dtype, fp32_acc)]
    used0, used1 = USED_MANTISSA[fidelity]
    e0 = 2.0 ** -min(reg, used0) if data > min(reg, used0) else 0.0
    e1 = 2.0 ** -min(reg, used1) if data > min(reg, used1) else 0.0
    extra = 2.0 ** -10 if fidelity == "HiFi3" else 0.0
    return (1 + e0) * (1 + e1) - 1 + extra


def _matmul_error(K, magnitude, in_dtype, fp32_acc, fidelity):
    """Bound on |DST - exact| before pack (per element, magnitude = |A||B|): the products' truncation,
    then the sum. The device adds phases x K exact products (a used-bits product fits fp32): fp32 DST
    rounds at most phases * K times (u_fp32 each, relative to sum |terms| <= |A||B|); a bf16 DST is
    rounded after each MVMUL, phases * K / 16 times (u_bf16 each, relative to the running sum)."""
    phases = FIDELITY_PHASES[fidelity]
    err = product_roundoff(in_dtype, fp32_acc, fidelity) * magnitude
    err = err + phases * K * UNIT_ROUNDOFF["float32"] * magnitude
    if not fp32_acc:
        err = err + phases * (K / TILE_K_STEP) * UNIT_ROUNDOFF["bfloat16"] * (magnitude + err)
    return err


def matmul_bound(a, b, out_dtype: str = "bfloat16", fp32_acc: bool = True, block_k: int = TILE,
                 fidelity: str = "HiFi4"):
    """Per-element bound on |C - A@B| (A@B computed exactly from the same bf16 / float32 inputs): the
    matrix engine's error at the given math fidelity (_matmul_error), then one rounding to the output
    format at pack (u_out * |C|)."""
    in_dtype = "float32" if np.asarray(a).dtype == np.float32 else "bfloat16"
    a32 = np.asarray(a, dtype=np.float32)
    b32 = np.asarray(b, dtype=np.float32)
    K = a32.shape[1]
    exact = a32.astype(np.float64) @ b32.astype(np.float64)
    magnitude = np.abs(a32).astype(np.float64) @ np.abs(b32).astype(np.float64)
    acc = _matmul_error(K, magnitude, in_dtype, fp32_acc, fidelity)
    bound = acc + unit_roundoff(out_dtype) * (np.abs(exact) + acc)
    return exact, bound + np.finfo(np.float32).tiny


def elementwise_bound(exact, out_dtype: str = "bfloat16", roundings: int = 1):
    """Per-element bound for an element-wise result computed in fp32 and rounded `roundings` times
    to a format no finer than out_dtype (DST rounding when fp32 accumulation is off, then pack)."""
    exact = np.asarray(exact, dtype=np.float64)
    u = unit_roundoff(out_dtype)
    return ((1 + u) ** roundings - 1) * np.abs(exact) + 4 * UNIT_ROUNDOFF["float32"] * np.abs(exact) \
        + np.finfo(np.float32).tiny


def check(result, exact, bound) -> tuple[bool, float, float]:
    """(all within bound, max |error|, max error/bound ratio)."""
    err = np.abs(np.asarray(result, dtype=np.float64) - exact)
    ratio = err / bound
    return bool(np.all(err <= bound)), float(err.max()), float(ratio.max())


# ---------------------------------------------------------------------------------------------------
# Chains: error bounds that propagate through a sequence of tile ops (docs/numerics.md, "Chains").
#
# A per-element bound relative to the final result cannot hold for a chain whose last op cancels
# (exp(x) - y with exp(x) ~ y: a 1-ulp error of exp is huge relative to the difference). Instead the
# reference carries, per element, the exact value (float64, from the same inputs the kernel gets), a
# bound on |computed - exact| propagated op by op through each op's modulus of continuity (the chain's
# condition number, element by element), plus each op's own rounding, and a `loose` flag for elements
# whose result the policy leaves open: an overflow threshold or a domain boundary (sqrt of ~0, 1/~0)
# lies within the propagated error, or relu of a NaN whose sign an invalid operation chose.

# Roundoff of each op as the emulator computes it in fp32, in units of u_fp32 (half an ulp): correctly
# rounded ops 1, glibc expf < 1 ulp, silu = x * e / (1 + e) a handful of roundings. log, exp2 and rsqrt:
# what the release's SFPU routines reach with a float32 DST (the emulator computes log and exp2 as they do,
# rsqrt as 1 / sqrtf): log's polynomial (ckernel_sfpu_log.h) is within 1.47 u_fp32 of ln(x), exp2's
# (ckernel_sfpu_exp2.h, _sfpu_exp2_fp32_accurate_) within 1.45 u_fp32 of 2^x, rsqrt's Newton step
# (ckernel_sfpu_sqrt.h, RECIPROCAL) within 1.25 u_fp32 of 1/sqrt(x) (SFPMAD modelled as one rounding:
# tests/unit/emulator/test_sfpu_routines.py); 3 leaves room for SFPMAD's partial fusion.
OP_ROUNDOFF = {"copy": 0, "relu": 0, "add": 1, "sub": 1, "mul": 1, "sqrt": 1, "reciprocal": 1, "exp": 2,
               "silu": 10, "div": 1, "exp2": 3, "log": 3, "rsqrt": 3, "maximum": 0, "minimum": 0}
# Ops whose SFPU routine is a shorter approximation when DST holds bf16 (is_fp32_dest_acc_en false), as a
# relative error in units of u_bf16 before the routine's own bf16 conversion (which the DST rounding after
# the op stands for): log's bf16 polynomial (two coefficients) is within 0.80 u_bf16 of ln(x) (worst in
# [0.375, 0.75)), exp2's bf16 quadratic (_sfpu_exp2_bf16_, constant term 1.0017248) within 0.44 u_bf16 of 2^x
# (same test file).
BF16_DST_ROUNDOFF = {"log": 1, "exp2": 1}
# Smallest magnitude that rounds to infinity in each format (round to nearest even).
OVERFLOW = {"float32": (2.0 - 2.0 ** -24) * 2.0 ** 127, "bfloat16": (2.0 - 2.0 ** -8) * 2.0 ** 127}
# Absolute error allowed per rounding below the smallest normal fp32: gradual underflow (the emulator)
# or flush to zero (the device) both stay within it.
UNDERFLOW = float(np.finfo(np.float32).tiny)


class Bounded:
    """Per element: `value` (exact, float64), `err` (bound on |computed - value|), `loose` (unchecked)."""

    def __init__(self, value, err=None, loose=None):
        self.value = np.asarray(value, dtype=np.float64)
        self.err = np.zeros_like(self.value) if err is None else np.asarray(err, dtype=np.float64)
        self.loose = np.zeros(self.value.shape, bool) if loose is None else np.asarray(loose, bool)
        self._normalize()

    @classmethod
    def exact(cls, x):
        """A kernel input: bf16 / fp32 data enter the device exactly."""
        return cls(np.asarray(x, dtype=np.float32).astype(np.float64))

    def _normalize(self):
        # Non-finite exact values are produced deterministically by IEEE rules: no error term. Loose
        # elements carry NaN so that nothing downstream computes with them.
        bad = ~np.isfinite(self.err)
        self.loose = self.loose | bad
        self.err = np.where(np.isfinite(self.value) & ~self.loose, self.err, 0.0)
        self.value = np.where(self.loose, np.nan, self.value)

    def _rounded(self, dtype: str, roundings: float) -> "Bounded":
        """`roundings` roundings to `dtype` (relative u each, plus UNDERFLOW absolute), then the
        format's range: +-inf when the whole error interval lies past the overflow threshold, loose
        when it straddles it."""
        v, e = self.value, self.err
        fin = np.isfinite(v)
        mag = np.abs(np.where(fin, v, 0.0))
        e = e + roundings * (unit_roundoff(dtype) * (mag + e) + UNDERFLOW)
        thr = OVERFLOW[dtype]
        over = fin & (mag - e >= thr)
        straddle = fin & ~over & (mag + e >= thr)
        value = np.where(over, np.copysign(np.inf, v), v)
        return Bounded(value, np.where(over, 0.0, e), self.loose | straddle)

    def stored(self, dtype: str) -> "Bounded":
        """Rounded once to a storage format: DST in bf16 mode after an op, a CB page at pack."""
        return self._rounded(dtype, 1)

    def computed(self, op: str) -> "Bounded":
        """The op's own fp32 rounding (OP_ROUNDOFF, in units of u_fp32) and the fp32 range."""
        return self._rounded("float32", OP_ROUNDOFF[op]) if OP_ROUNDOFF[op] else self


def _silu(x):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(-np.abs(x))
        sig = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return np.where(np.isneginf(x), -0.0, x * sig)


def _relu(x):
    # The device's sign test (docs/numerics.md): sign bit set -> +0, everything else unchanged.
    return np.where(np.signbit(x) & ~np.isnan(x), 0.0, x)


UNARY_REFERENCE = {"exp": np.exp, "sqrt": np.sqrt, "reciprocal": lambda x: 1.0 / x, "silu": _silu,
                   "relu": _relu, "exp2": np.exp2, "log": np.log, "rsqrt": lambda x: 1.0 / np.sqrt(x)}
BINARY_REFERENCE = {"add": np.add, "sub": np.subtract, "mul": np.multiply}


def unary(op: str, x: Bounded, dst: str = "float32") -> Bounded:
    """op(x) in fp32 before any DST rounding: value, propagated error, the op's rounding; `dst` is the DST
    format the routine runs with (a bf16 DST selects a shorter polynomial for some ops: BF16_DST_ROUNDOFF)."""
    v, e = x.value, x.err
    loose = x.loose.copy()
    with np.errstate(all="ignore"):
        value = UNARY_REFERENCE[op](v)
        if op == "exp":          # |exp(v + d) - exp(v)| <= exp(v) * expm1(|d|)
            prop = np.exp(v) * np.expm1(e)
            # +inf for sure when even exp(v - e) is past the fp32 range; open when only part of it is
            sure_inf = v - e > np.log(OVERFLOW["float32"])
            loose |= np.isinf(value) & ~sure_inf & np.isfinite(v)
            value = np.where(sure_inf, np.inf, value)
            prop = np.where(sure_inf, 0.0, prop)
        elif op == "sqrt":       # |d| / (sqrt(v - |d|) + sqrt(v)); NaN or not is open when v - e < 0 <= v + e
            loose |= (v - e < 0) & (v + e >= 0) & (e > 0)
            prop = np.where(v + e < 0, 0.0,   # NaN for sure
                            e / (np.sqrt(np.maximum(v - e, 0)) + np.sqrt(np.maximum(v, 0))))
        elif op == "reciprocal":  # |d| / (|v| (|v| - |d|)); any value when 0 is within the error
            loose |= (np.abs(v) <= e) & (e > 0)
            prop = e / (np.abs(v) * (np.abs(v) - e))
        elif op == "exp2":       # |2^(v + d) - 2^v| <= 2^v * expm1(|d| ln 2)
            prop = np.exp2(v) * np.expm1(e * np.log(2.0))
            loose |= np.isinf(value) & np.isfinite(v)
        elif op == "log":        # |d| / (v - |d|)
            # The device's log reads a subnormal (of either sign) as +0 (SFPMAD treats denormal inputs as
            # zero; ckernel_sfpu_log.h normalises a * 1 + 0 first): -inf. Which of NaN (x <= -tiny), -inf
            # (|x| < tiny) and a finite log (x >= tiny) is open when the error interval spans two of them.
            tiny = float(np.finfo(np.float32).tiny)
            side = lambda x: np.where(x <= -tiny, 0, np.where(x < tiny, 1, 2))   # noqa: E731
            loose |= side(v - e) != side(v + e)
            value = np.where(side(v) == 1, -np.inf, value)
            prop = np.where(v - e > 0, e / np.maximum(v - e, np.finfo(np.float64).tiny), 0.0)
        elif op == "rsqrt":      # |d| / (2 (v - |d|)^(3/2)); NaN / inf or not is open when v - e <= 0 < v + e
            loose |= (v - e <= 0) & (v + e > 0) & (e > 0)
            prop = np.where(v - e > 0, e / (2 * np.maximum(v - e, np.finfo(np.float64).tiny) ** 1.5), 0.0)
        elif op == "silu":       # |silu'| <= 1.0998
            prop = 1.1 * e
        elif op == "relu":       # 1-Lipschitz; a NaN with the sign bit set (the sign an invalid
            prop = e             # operation gives it is platform-defined) may become 0 or stay NaN
            loose |= np.isnan(v) & np.signbit(v)
        else:
            raise ValueError(f"no reference for unary op {op!r}")
        prop = np.where(np.isfinite(v) & (e > 0), prop, 0.0)
    out = Bounded(value, prop, loose).computed(op)
    if dst == "bfloat16" and op in BF16_DST_ROUNDOFF:
        out = out._rounded("bfloat16", BF16_DST_ROUNDOFF[op])
    return out


def binary(op: str, a: Bounded, b: Bounded) -> Bounded:
    loose = a.loose | b.loose
    with np.errstate(all="ignore"):
        value = BINARY_REFERENCE[op](a.value, b.value)
        if op == "mul":
            prop = np.abs(a.value) * b.err + np.abs(b.value) * a.err + a.err * b.err
            # inf * (something that may be 0) is inf or NaN
            loose |= (np.isinf(a.value) & (np.abs(b.value) <= b.err) & (b.err > 0)) | \
                     (np.isinf(b.value) & (np.abs(a.value) <= a.err) & (a.err > 0))
        else:
            prop = a.err + b.err
        both = np.isfinite(a.value) & np.isfinite(b.value)
        loose |= both & ~np.isfinite(value)    # past float64's range: beyond any fp32 check
        prop = np.where(both, prop, 0.0)
    return Bounded(value, prop, loose).computed(op)


def _src(x: Bounded, src_dtype) -> np.ndarray:
    """The FPU source registers' rounding of an operand unpacked from a CB of `src_dtype` (fp32 data
    enters SrcA / SrcB with 19 bits; bf16 exactly)."""
    if src_dtype is None:
        return 0.0
    return SRC_REGISTER_ROUNDOFF[src_dtype] * (np.abs(np.where(np.isfinite(x.value), x.value, 0.0)) + x.err)


def fpu_binary(op: str, a: Bounded, b: Bounded, src_dtype=None) -> Bounded:
    """An FPU element-wise or broadcast op (add / sub / mul; numpy broadcasting stands for the
    broadcast of a (R, 1) / (1, C) / (1, 1) operand): `binary` plus the source-register rounding of
    both operands when they come from fp32 CBs."""
    a = Bounded(a.value, a.err + _src(a, src_dtype), a.loose)
    b = Bounded(b.value, b.err + _src(b, src_dtype), b.loose)
    return binary(op, a, b)


def scalar(op: str, a: Bounded, s: float) -> Bounded:
    """The SFPU's binop_with_scalar: a <op> s with s as an fp32 immediate (add, sub, mul, div, rsub)."""
    sv = Bounded.exact(np.float32(s))
    if op == "div":
        loose = a.loose.copy()
        with np.errstate(all="ignore"):
            value = a.value / sv.value
            prop = a.err / abs(float(sv.value))
        return Bounded(value, prop, loose).computed("div")
    if op == "rsub":
        return binary("sub", sv, a)
    return binary(op, a, sv)


def fma(x, scale, bias, dst_dtype: str, src_dtype=None) -> Bounded:
    """Tx.fma as lowered (docs/ops.md): the product as Tx.mul (FPU of two tensors, or the SFPU's scalar
    multiply), rounded to the DST format, then the bias added: an FPU add with the product moved from DST
    into SrcA (dest reuse: the source-register rounding of fp32 data), or the SFPU's scalar add. Two roundings,
    not one: the release has no single-rounding FMA of tiles at arbitrary DST indices."""
    if not isinstance(x, Bounded):
        x, scale = scale, x
    prod = scalar("mul", x, scale) if not isinstance(scale, Bounded) else fpu_binary("mul", x, scale, src_dtype)
    prod = prod.stored(dst_dtype)
    if not isinstance(bias, Bounded):
        return scalar("add", prod, bias)
    return fpu_binary("add", prod, bias, src_dtype)


def extremum(op: str, a: Bounded, b: Bounded) -> Bounded:
    """maximum / minimum of two tensors (binary_max_tile): 1-Lipschitz in each operand, no rounding."""
    with np.errstate(all="ignore"):
        value = np.maximum(a.value, b.value) if op == "maximum" else np.minimum(a.value, b.value)
    return Bounded(value, np.maximum(a.err, b.err) + 0 * value, a.loose | b.loose)


def select(keep, t, f) -> Bounded:
    """Tx.select (where_tile): each element is one side's value moved without arithmetic, so it carries the
    chosen side's bound; `t` / `f` a Bounded or an immediate (exact; store the result to round it)."""
    shape = np.shape(keep)

    def side(x):
        return x if isinstance(x, Bounded) else Bounded(np.full(shape, float(x)))
    t, f = side(t), side(f)
    keep = np.asarray(keep, bool)
    return Bounded(np.where(keep, t.value, f.value), np.where(keep, t.err, f.err), np.where(keep, t.loose, f.loose))


def reduce(op: str, x: Bounded, axis, src_dtype=None) -> Bounded:
    """Tx.sum / max / min over `axis` (1: rows, into (R, 1); 0: columns, into (1, C); None: both, (1, 1))
    with fp32 accumulation in DST: SUM adds n * u_fp32 * sum|x| (any summation order), the source-register
    rounding of fp32 data, and the propagated input errors, and is open where sum|x| can overflow fp32 (a
    partial sum may be +-inf in some order); MAX / MIN are exact (their error is the largest input error)."""
    keep = axis is not None
    v, e = x.value, x.err + _src(x, src_dtype)
    loose = np.any(x.loose, axis=axis, keepdims=keep) if keep else np.any(x.loose).reshape(1, 1)
    with np.errstate(all="ignore"):
        if op == "sum":
            value = np.sum(v, axis=axis, keepdims=keep)
            n = v.size if axis is None else v.shape[axis]
            mag = np.sum(np.where(np.isfinite(v), np.abs(v), 0.0), axis=axis, keepdims=keep)
            err = np.sum(e, axis=axis, keepdims=keep) + n * UNIT_ROUNDOFF["float32"] * (mag + np.sum(
                e, axis=axis, keepdims=keep)) + n * UNDERFLOW
            # a partial sum may reach +-inf in some summation order (and inf - inf is NaN) once the finite
            # magnitudes can add up past the fp32 range, whatever the exact sum: open, as matmul's partial sums
            loose = loose | (mag * (1 + n * UNIT_ROUNDOFF["float32"]) >= OVERFLOW["float32"])
        else:
            f = np.max if op == "max" else np.min
            value = f(v, axis=axis, keepdims=keep)
            err = np.max(e, axis=axis, keepdims=keep)
            # The FPU's MAX (GMPOOL) orders sign-magnitude keys: a NaN wins or loses by its sign bit (min is
            # -max(-x)), and the sign of a NaN an invalid operation made is platform-defined: open.
            nan = np.any(np.isnan(v), axis=axis, keepdims=keep) if keep else np.any(np.isnan(v)).reshape(1, 1)
            loose = loose | nan
    if axis is None:
        value, err = np.reshape(value, (1, 1)), np.reshape(err, (1, 1))
    return Bounded(value, err, loose)


def matmul(a, b, fp32_acc: bool = True, fidelity: str = "HiFi4") -> Bounded:
    """A @ B accumulated in DST (before pack): the bound of matmul_bound without the output rounding,
    IEEE special values where the inputs hold them, loose where a partial sum may overflow DST."""
    in_dtype = "float32" if np.asarray(a).dtype == np.float32 else "bfloat16"
    a64 = np.asarray(a, dtype=np.float32).astype(np.float64)
    b64 = np.asarray(b, dtype=np.float32).astype(np.float64)
    finite = np.all(np.isfinite(a64)) and np.all(np.isfinite(b64))
    with np.errstate(all="ignore"):
        # BLAS may not follow IEEE for inf * 0; einsum does every product.
        exact = a64 @ b64 if finite else np.einsum("ik,kj->ij", a64, b64)
        af, bf = np.where(np.isfinite(a64), np.abs(a64), 0), np.where(np.isfinite(b64), np.abs(b64), 0)
        magnitude = af @ bf
    K = a64.shape[1]
    err = _matmul_error(K, magnitude, in_dtype, fp32_acc, fidelity)
    dst = "float32" if fp32_acc else "bfloat16"
    err = err + FIDELITY_PHASES[fidelity] * (K / TILE_K_STEP) * UNDERFLOW
    loose = magnitude * (1 + 2 * UNIT_ROUNDOFF[dst]) >= OVERFLOW[dst]
    # The sign of a NaN out of a sum of products (inf - inf, a NaN operand meeting others in a different
    # order per schedule) is platform-defined: mark it with the sign bit set, which the ops that read a
    # NaN's sign (relu's sign test) treat as "either way".
    exact = np.where(np.isnan(exact), -np.nan, exact)
    return Bounded(exact, err, loose)


def matmul_of(a: Bounded, a_dtype: str, b, fp32_acc: bool = True, fidelity: str = "HiFi4") -> Bounded:
    """A @ B where A is a computed operand (a CB of `a_dtype` the kernel wrote) and B an input: the
    engine's error on the stored A' (|A'| <= |A| + err, used for the magnitude) plus the propagated
    |A' - A| |B|. Finite inputs only: a row of A with a loose element makes its output row loose."""
    b64 = np.asarray(b, dtype=np.float32).astype(np.float64)
    ab = np.abs(b64)
    value = np.where(a.loose, 0.0, a.value) @ b64
    magnitude = (np.abs(np.where(a.loose, 0.0, a.value)) + a.err) @ ab
    K = b64.shape[0]
    err = _matmul_error(K, magnitude, a_dtype, fp32_acc, fidelity) + a.err @ ab
    err = err + FIDELITY_PHASES[fidelity] * (K / TILE_K_STEP) * UNDERFLOW
    loose = np.repeat(np.any(a.loose, axis=1, keepdims=True), b64.shape[1], axis=1)
    return Bounded(value, err, loose)


@dataclass
class ChainCheck:
    ok: bool
    checked: int                   # elements compared
    loose: int                     # elements the policy leaves open
    max_ratio: float               # max |result - value| / err over finite checked elements
    failures: list = field(default_factory=list)   # (flat index, result, value, err) of the worst

    def describe(self) -> str:
        head = f"{len(self.failures)} shown of the elements outside their bound" if not self.ok else "ok"
        rows = [f"  [{i}] got {r!r}, expected {v!r} +- {e:.3g}" for i, r, v, e in self.failures]
        return "\n".join([head, *rows])


def check_bounded(result, ref: Bounded, show: int = 8) -> ChainCheck:
    """NaN where the reference is NaN, the same infinity where it is infinite, and within `err`
    elsewhere; loose elements are not compared."""
    r = np.asarray(result, dtype=np.float64).reshape(ref.value.shape)
    v, e = ref.value, ref.err
    on = ~ref.loose
    with np.errstate(invalid="ignore"):
        diff = np.abs(r - v)
        good = np.where(np.isnan(v), np.isnan(r),
                        np.where(np.isinf(v), r == v, np.isfinite(r) & (diff <= e)))
    bad = on & ~good
    fin = on & np.isfinite(v) & np.isfinite(r)
    ratio = float(np.max(np.where(fin, diff / np.maximum(e, UNDERFLOW), 0.0))) if fin.any() else 0.0
    idx = np.flatnonzero(bad)
    if idx.size:
        order = np.argsort(-np.nan_to_num(diff.reshape(-1)[idx], nan=np.inf))[:show]
        idx = idx[order]
    failures = [(int(i), float(r.reshape(-1)[i]), float(v.reshape(-1)[i]), float(e.reshape(-1)[i])) for i in idx]
    return ChainCheck(not bad.any(), int(on.sum()), int(ref.loose.sum()), ratio, failures)
