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
Both are evaluated on every 11th (3rd) float32 of the ranges that repeat (log: per binade, the three around 1
and a sample of the others; rsqrt: per factor 4) and compared with float64 (every float32: the same maxima to
three digits, 10x slower). exp2 (ckernel_sfpu_exp2.h) likewise, and the emulator's log_tile / exp2_tile
against the model, bit for bit."""
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


def exp2_routine(x, fp32_dest: bool):
    """ckernel_sfpu_exp2.h: _sfpu_exp2_fp32_accurate_ (fp32 DST) or _sfpu_exp2_bf16_ before its bf16
    conversion (bf16 DST), for finite x."""
    x = np.asarray(x, np.float32)
    if fp32_dest:
        j = np.clip(np.sign(x) * np.floor(np.abs(x).astype(np.float64) + 0.5), -32767, 32767).astype(np.float32)
        f = _mad(x, 1, -j)
        r = _f("0x1.41cp-13")
        for c in ("0x1.5f4p-10", "0x1.3b4p-7", "0x1.c6afd8p-5", "0x1.ebfba0p-3", "0x1.62e42ep-1", "0x1.0p0"):
            r = _mad(r, f, _f(c))
        e = ((_bits(r) >> 23) & 0xFF) + j.astype(np.int64)
        y = _float((_bits(r).astype(np.int64) & 0x807FFFFF) | ((e & 0xFF) << 23))
        return np.where(e >= 255, np.float32(np.inf), np.where(e < 1, np.float32(0), y))
    xlog2 = np.clip(_mad(x, 1, np.float32(127)), 0, 255).astype(np.float32)
    ex = ((_bits(xlog2) >> 23) & 0xFF).astype(np.int64) - 127
    man = (_bits(xlog2).astype(np.int64) & 0x7FFFFF) | 0x800000
    z = np.where(ex >= 0, man << np.maximum(ex, 0), man >> np.minimum(-ex, 63))
    frac = (z & 0x7FFFFF).astype(np.float32)
    poly = _mad(frac, _mad(frac, np.float32(4.791750143340323e-15), np.float32(7.839635491371155e-08)),
                np.float32(1.0017248))
    part = (z >> 23) & 0xFF
    y = _float((_bits(poly).astype(np.int64) & 0x807FFFFF) | (part << 23))
    return np.where(part == 255, np.float32(np.inf), y)


def bf16_nearest_away(x):
    """SFPSTOCHRND to bf16, round to nearest: ties away from zero, denormals and -0 to +0."""
    u = _bits(x).astype(np.int64) & 0xFFFFFFFF
    r = _float(((u + 0x8000) & 0xFFFF0000))
    special = (u & 0x7F800000) == 0x7F800000
    return np.where(special, x, np.where((u & 0x7F800000) == 0, np.float32(0), r))


def _every_float(lo, hi, step=1):
    return _float(np.arange(int(_bits(np.float32(lo))), int(_bits(np.float32(hi))), step))


def _rel(got, exact):
    exact = np.asarray(exact, np.float64)
    ok = exact != 0
    return float((np.abs(got.astype(np.float64) - exact)[ok] / np.abs(exact[ok])).max())


def test_log_routine_error_is_within_the_bound_constants():
    m = _every_float(0.75, 1.5, 11)
    worst = {True: 0.0, False: 0.0}
    for k in (-1, 0, 1):                     # the binades around 1 are the worst relative to |ln x|
        x = (m * np.float32(2.0 ** k)).astype(np.float32)
        for fp32 in (True, False):
            worst[fp32] = max(worst[fp32], _rel(log_routine(x, fp32), np.log(x.astype(np.float64))))
    far = (_every_float(0.75, 1.5, 997)[None, :] * (2.0 ** np.arange(-125, 127, 5))[:, None]).astype(np.float32)
    for fp32 in (True, False):
        worst[fp32] = max(worst[fp32], _rel(log_routine(far.ravel(), fp32), np.log(far.ravel().astype(np.float64))))
    assert 1.0 < worst[True] / U32 < 1.5 and worst[True] / U32 < N.OP_ROUNDOFF["log"] - 1
    assert 0.7 < worst[False] / UBF < 0.81 and worst[False] / UBF < N.BF16_DST_ROUNDOFF["log"]


def test_rsqrt_routine_error_is_within_the_bound_constant():
    x = _every_float(1.0, 4.0, 3)            # the seed and the steps repeat per factor 4 (half the exponent)
    worst = _rel(rsqrt_routine(x), 1.0 / np.sqrt(x.astype(np.float64)))
    assert 1.0 < worst / U32 < 1.3 and worst / U32 < N.OP_ROUNDOFF["rsqrt"] - 1


def test_exp2_routine_error_is_within_the_bound_constant():
    """fp32 DST: every 41st float32 of 2^-12 <= |f| < 0.5 (the polynomial's range; the exponent is added
    exactly) and a sample up to the overflow; bf16 DST: every bf16 value of (-126, 126) (its input is bf16)."""
    f = np.concatenate([_every_float(2.0 ** -12, 0.5, 41), -_every_float(2.0 ** -12, 0.5, 41),
                        np.random.default_rng(0).uniform(-126, 127.9, 100000).astype(np.float32)])
    got = exp2_routine(f, True)
    worst32 = _rel(got, np.exp2(f.astype(np.float64)))
    b = _float(np.arange(0, 0x10000, dtype=np.int64) << 16)
    b = b[np.isfinite(b) & (np.abs(b) < 126)]
    worst16 = _rel(exp2_routine(b, False), np.exp2(b.astype(np.float64)))    # before the bf16 conversion
    print(f"exp2: fp32 DST {worst32 / U32:.3f} u_fp32, bf16 DST {worst16 / UBF:.3f} u_bf16 before the conversion")
    assert 0.5 < worst32 / U32 < 2 and worst32 / U32 < N.OP_ROUNDOFF["exp2"]
    # the quadratic's constant term is 1.0017248: 2^k comes out 0.17% high before the bf16 conversion
    assert 0.4 < worst16 / UBF < 0.5 and worst16 / UBF < N.BF16_DST_ROUNDOFF["exp2"]


def _run(a, b, dtype):
    """(log(a), 2^b) through the emulator in one program (a bf16 local: bf16 DST, fp32: fp32 DST)."""
    import tvm
    from tvm.script import tirx as T
    from tilelang_tt import tile as TTx
    import tilelang_tt
    M, Nc = a.shape
    blk = f"(({M}, {Nc}), \"{dtype}\""
    src = ("# from tvm.script import tirx as T\n@T.prim_func\n"
           f"def k(A: T.Buffer{blk}), B: T.Buffer{blk}), C: T.Buffer{blk}), D: T.Buffer{blk})):\n"
           '    bx = T.launch_thread("blockIdx.x", 1)\n'
           + "".join(f'    {n} = T.alloc_buffer{blk}, scope="{sc}")\n'
                     for n, sc in (("A_s", "shared"), ("B_s", "shared"), ("y", "local"), ("z", "local")))
           + f"    T.tile.copy(A_s, A[0:{M}, 0:{Nc}])\n    T.tile.copy(B_s, B[0:{M}, 0:{Nc}])\n"
           "    TTx.log(y, A_s)\n    T.tile.exp2(z, B_s)\n"
           f"    T.tile.copy(C[0:{M}, 0:{Nc}], y)\n    T.tile.copy(D[0:{M}, 0:{Nc}], z)\n")
    k = tilelang_tt.compile(tvm.script.from_source(src, extra_vars={"T": T, "TTx": TTx}), out_idx=[2, 3])
    return [np.asarray(r, np.float32) for r in k(a, b)]


def _same(got, want):
    got, want = np.asarray(got, np.float32), np.asarray(want, np.float32)
    same = (_bits(got) == _bits(want)) | (np.isnan(got) & np.isnan(want))
    assert same.all(), f"{(~same).sum()} differ, e.g. {got[~same][:4]} vs {want[~same][:4]}"


def test_the_emulator_computes_the_release_routines():
    """log_tile and exp2_tile on the emulator give the bits of the model above (both DST formats), where
    libm's logf / exp2f differ from them."""
    import ml_dtypes
    rng = np.random.default_rng(1)
    pos = np.exp(rng.uniform(-80, 80, (32, 128))).astype(np.float32)
    pos[0, :4] = [0.0, np.inf, 1.0, 0.75]
    pos[1, :2] = [-1.0, np.nan]
    ex = rng.uniform(-130, 130, (32, 128)).astype(np.float32)
    for dtype, fp32 in (("float32", True), ("bfloat16", False)):
        cast = np.float32 if fp32 else ml_dtypes.bfloat16
        x, e = pos.astype(cast).astype(np.float32), ex.astype(cast).astype(np.float32)
        got_log, got_exp2 = _run(x.astype(cast), e.astype(cast), dtype)
        with np.errstate(all="ignore"):
            want = log_routine(np.where(x > 0, x, 1), fp32)
            want = np.where(x == 0, -np.inf, np.where(np.isinf(x), np.inf, np.where(x > 0, want, np.nan)))
        _same(got_log, want if fp32 else bf16_nearest_away(want.astype(np.float32)))
        assert fp32 or not np.array_equal(got_log, np.log(x).astype(ml_dtypes.bfloat16).astype(np.float32))
        want = exp2_routine(e, fp32)
        _same(got_exp2, want if fp32 else bf16_nearest_away(want))
