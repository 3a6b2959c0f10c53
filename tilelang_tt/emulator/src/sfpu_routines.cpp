// The SFPU routines behind log_tile and exp2_tile, computed step by step as the 0.81.1 release does, so
// that the emulator's numbers are the device's (docs/numerics.md "SFPU routines"):
//   log_tile:  tt_metal/hw/ckernels/{wormhole_b0,blackhole}/metal/llk_api/llk_sfpu/ckernel_sfpu_log.h,
//              calculate_log_body<FAST_APPROX=false, HAS_BASE_SCALING=false> and log_init's constants;
//   exp2_tile: ckernel_sfpu_exp2.h, _sfpu_exp2_fp32_accurate_ (fp32 DST) / _sfpu_exp2_bf16_ (bf16 DST),
//              with exp2_init's constants and ckernel_sfpu_exp.h's EXP_21F_BF16_C0..C2.
// The two chips' sources compute the same (they differ in loop structure only).
//
// Instruction semantics (tt-isa-documentation, WormholeB0 TensixCoprocessor):
//   SFPMAD a * b + c: one rounding to fp32, the product kept wider than fp32 (SFPMAD.md); modelled as the
//     exact product (a float product is exact in double) plus c, rounded to double, then to float;
//   SFPSTOCHRND to bf16, round to nearest: ties away from zero, denormals and -0 become +0
//     (SFPSTOCHRND_FloatFloat.md). Not modelled, as for the packer (docs/numerics.md "Pack"): NaN becoming
//     infinity; the emulator keeps NaN.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "emu.hpp"

namespace emu {
namespace {

inline uint32_t bits_of(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}
inline float float_of(uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}
inline float mad(float a, float b, float c) { return float(double(a) * double(b) + double(c)); }

inline float stochrnd_bf16(float x) {
  uint32_t u = bits_of(x);
  if ((u & 0x7f800000u) == 0x7f800000u) return x;  // inf stays; NaN kept (see above)
  if ((u & 0x7f800000u) == 0) return 0.f;          // denormals and -0 -> +0
  return float_of((u + 0x8000u) & 0xffff0000u);      // nearest, ties away from zero (sign-magnitude)
}
inline float setexp(float x, uint32_t e) { return float_of((bits_of(x) & 0x807fffffu) | ((e & 0xffu) << 23)); }

// log(a): a = 2^k m, m in [0.75, 1.5); log1p(m - 1) by a polynomial, plus k ln 2.
float sfpu_log(float a, bool fp32_dest) {
  if ((bits_of(a) & 0x7f800000u) == 0) a = 0.f;  // a * 1 + 0: -0 and denormals become +0
  if (std::signbit(a)) return NAN;                // v_if(a >= 0) is a sign test: negatives, -inf, -NaN
  if (std::isnan(a)) return a;
  const int32_t e = int32_t((bits_of(a) - bits_of(0.75f)) & 0xff800000u);  // setman(a - 0.75, 0)
  float m = float_of(bits_of(a) - uint32_t(e));
  m = mad(m, 1.f, -1.f);
  const float s = mad(m, m, 0.f);
  float r;
  if (fp32_dest) {
    static const float c[] = {0x1.b84p-4f, -0x1.0c4p-3f, 0x1.274p-3f, -0x1.55p-3f, 0x1.998p-3f,
                              -0x1.00001ap-2f /* Prgm1 */, 0x1.555572p-2f /* Prgm2 */, -0.5f};
    r = -0x1.92cp-5f;
    for (float ci : c) r = mad(r, m, ci);
  } else {
    r = mad(-0.25f, m, 0x1.744p-2f /* Prgm1 */);
    r = mad(r, m, -0x1.008p-1f /* Prgm2 */);
  }
  r = mad(r, s, m);
  const float e_float = float(e);                          // k << 23, exact
  const float ln2_scaled = 0.693147182f * 1.19209290e-7f;  // Prgm0 = ln 2 * 2^-23
  float result = mad(e_float, ln2_scaled, r);
  // addexp(a, -1) wraps a zero's exponent to 255: 0 -> -88.03 * inf = -inf; +inf -> 88.7 * inf = +inf
  if (a == 0.f || std::isinf(a)) result *= INFINITY;
  return fp32_dest ? result : stochrnd_bf16(result);
}

// 2^x, fp32 DST: x = j + f, j the nearest integer (ties away), f in [-0.5, 0.5]; a minimax polynomial of
// 2^f, then j added to its exponent (0 below the normal range, y * inf above it).
float exp2_fp32(float x) {
  if (std::isnan(x)) return x;
  const float j = std::fmax(-32767.f, std::fmin(32767.f, std::round(x)));  // SFPSTOCHRND to int16 (ties away)
  const float f = mad(x, 1.f, -j);
  float r = 0x1.41cp-13f;
  r = mad(r, f, 0x1.5f4p-10f);
  r = mad(r, f, 0x1.3b4p-7f);
  float y = mad(r, f, 0x1.c6afd8p-5f /* Prgm2 */);
  r = mad(y, f, 0x1.ebfba0p-3f /* Prgm1 */);
  y *= INFINITY;
  r = mad(r, f, 0x1.62e42ep-1f /* Prgm0 */);
  r = mad(r, f, 1.f);
  const int32_t e = int32_t((bits_of(r) >> 23) & 0xffu) + int32_t(j);
  if (e < 255) y = e < 1 ? 0.f : setexp(r, uint32_t(e));
  return y;
}

// 2^x, bf16 DST: xlog2 = x + 127 clamped to [0, 255]; its integer part is the exponent and its fraction,
// as a 23-bit integer, the argument of a quadratic; then rounded to bf16.
float exp2_bf16(float x) {
  if (std::isnan(x)) return x;
  const float xlog2 = std::fmax(0.f, std::fmin(255.f, mad(x, 1.f, 127.f)));
  // _float_to_int32_for_exp_21f_: the mantissa with its implicit one shifted by the unbiased exponent
  const int32_t ex = int32_t((bits_of(xlog2) >> 23) & 0xffu) - 127;
  const uint32_t man = (bits_of(xlog2) & 0x7fffffu) | 0x800000u;
  const uint32_t z = ex >= 0 ? man << ex : (ex > -32 ? man >> -ex : 0u);
  const uint32_t exponential_part = (z >> 23) & 0xffu;
  const float frac = float(z & 0x7fffffu);
  // PolynomialEvaluator::eval(frac, C0, C1, C2): C0 + frac * (C1 + frac * C2)
  const float poly = mad(frac, mad(frac, 4.791750143340323e-15f, 7.839635491371155e-08f), 1.0017248f);
  float y = setexp(poly, exponential_part);
  if (exponential_part == 255) y = INFINITY;  // a NaN encoding, which the bf16 conversion makes +inf
  return stochrnd_bf16(y);
}

}  // namespace

float sfpu_routine_log(float x, bool fp32_dest) { return sfpu_log(x, fp32_dest); }
float sfpu_routine_exp2(float x, bool fp32_dest) { return fp32_dest ? exp2_fp32(x) : exp2_bf16(x); }

}  // namespace emu
