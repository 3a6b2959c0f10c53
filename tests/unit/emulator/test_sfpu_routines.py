"""The error of the release's SFPU log and rsqrt routines, the constants of the bounds derived from it
(numerics.OP_ROUNDOFF, BF16_DST_ROUNDOFF; docs/tolerance.md).

The model follows the 0.81.1 sources step by step, with every SFPMAD (multiply, add, multiply-add) one
rounding of the exact result to float32 (tt-isa-documentation, WormholeB0 SFPMAD.md: "a single rounding
step ... round to nearest with ties to even"; the product is kept in more than fp32 precision, so
modelling it as fused is off by at most the last bit, which the constants leave room for):
  * log: tt_metal/hw/ckernels/{wormhole_b0,blackhole}/metal/llk_api/llk_sfpu/ckernel_sfpu_log.h,
    calculate_log_body (m in [0.75, 1.5) from the exponent bits, log1p(m - 1) by a polynomial of 9
    coefficients with a float32 DST or 2 with a bf16 DST, plus k ln 2), then the bf16 conversion;
  * rsqrt: ckernel_sfpu_sqrt.h, _calculate_sqrt_body_<APPROXIMATE=false, RECIPROCAL=true> (the magic
    constant 0x5f1110a0, a cubic correction, one Newton step).
Both are evaluated on every 5th (3rd) float32 of the ranges that repeat (log: per binade, the three around 1 and
a sample of the others; rsqrt: per factor 4) and compared with float64 (every float32: the same maxima to
three digits, 6x slower)."""
import numpy as np

from tilelang_tt import numerics as N

U32, UBF = 2.0 ** -24, 2.0 ** -8


def _bits(x):
    return np.asarray(x, np.float32).view(np.int32)


def _float(b):
    return np.asarray(b, np.int64).astype(np.uint32).view(np.float32)


def _mad(a, b, c):
    """SFPMAD: a * b + c rounded once to float32 (a float32 product is exact in float64)."""
    return (np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)).astype(np.float32)


def _f(hexfloat: str) -> np.float32:
    return np.float32(float.fromhex(hexfloat))


def log_routine(a, fp32_dest: bool):
    """calculate_log_body<FAST_APPROX=false, HAS_BASE_SCALING=false> for positive normal a, before the bf16
    conversion of a bf16 DST."""
    e = _bits(a).astype(np.int64) - int(_bits(np.float32(0.75)))
    e = (e & 0xFF800000) - ((e & 0x80000000) << 1)            # setman(e, 0): sign and exponent of a - 0.75
    m = (_float(_bits(a) - e).astype(np.float64) - 1.0).astype(np.float32)
    s = _mad(m, m, 0)
    if fp32_dest:
        r = _f("-0x1.92cp-5")
        for c in ("0x1.b84p-4", "-0x1.0c4p-3", "0x1.274p-3", "-0x1.55p-3", "0x1.998p-3",
                  "-0x1.00001ap-2", "0x1.555572p-2", "-0x1.0p-1"):      # the last three: Prgm1, Prgm2, -0.5
            r = _mad(r, m, _f(c))
    else:
        r = _mad(np.float32(-0.25), m, _f("0x1.744p-2"))
        r = _mad(r, m, _f("-0x1.008p-1"))
    r = _mad(r, s, m)
    ln2_scaled = np.float32(np.float32(0.693147182) * np.float32(1.19209290e-7))    # log_init's Prgm0
    return _mad((e >> 23).astype(np.float64) * 2.0 ** 23, ln2_scaled, r)


def rsqrt_routine(x):
    """_calculate_sqrt_body_<false, true, false> for positive normal x (before the bf16 conversion)."""
    y = _float(0x5f1110a0 - (_bits(x).view(np.uint32).astype(np.int64) >> 1))
    c = _mad(-y, _mad(x, y, 0), 0)
    y = _mad(y, _mad(c, _mad(c, 1, np.float32(2.2533049)), np.float32(2.2825186)), 0)
    one_minus_xyy = _mad(-y, _mad(x, y, 0), 1)
    return _mad(one_minus_xyy, y * np.float32(0.5), y)


def _every_float(lo, hi, step=1):
    return _float(np.arange(int(_bits(np.float32(lo))), int(_bits(np.float32(hi))), step))


def _rel(got, exact):
    exact = np.asarray(exact, np.float64)
    ok = exact != 0
    return float((np.abs(got.astype(np.float64) - exact)[ok] / np.abs(exact[ok])).max())


def test_log_routine_error_is_within_the_bound_constants():
    m = _every_float(0.75, 1.5, 5)
    worst = {True: 0.0, False: 0.0}
    for k in (-1, 0, 1):                     # the binades around 1 are the worst relative to |ln x|
        x = (m * np.float32(2.0 ** k)).astype(np.float32)
        for fp32 in (True, False):
            worst[fp32] = max(worst[fp32], _rel(log_routine(x, fp32), np.log(x.astype(np.float64))))
    far = (_every_float(0.75, 1.5, 97)[None, :] * (2.0 ** np.arange(-125, 127, 5))[:, None]).astype(np.float32)
    for fp32 in (True, False):
        worst[fp32] = max(worst[fp32], _rel(log_routine(far.ravel(), fp32), np.log(far.ravel().astype(np.float64))))
    assert 1.0 < worst[True] / U32 < 1.5 and worst[True] / U32 < N.OP_ROUNDOFF["log"] - 1
    assert 0.7 < worst[False] / UBF < 0.81 and worst[False] / UBF < N.BF16_DST_ROUNDOFF["log"]


def test_rsqrt_routine_error_is_within_the_bound_constant():
    x = _every_float(1.0, 4.0, 3)            # the seed and the steps repeat per factor 4 (half the exponent)
    worst = _rel(rsqrt_routine(x), 1.0 / np.sqrt(x.astype(np.float64)))
    assert 1.0 < worst / U32 < 1.3 and worst / U32 < N.OP_ROUNDOFF["rsqrt"] - 1
