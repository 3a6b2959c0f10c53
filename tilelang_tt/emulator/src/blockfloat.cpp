// Block-float tiles (Bfp8_b, Bfp4_b) on the device: the unpacker's conversion into source registers and the
// packer's conversion of Dst. They differ from the host conversion (tilelang_tt/blockfloat.py, bit-exact
// with the release's libtt_metal.so); docs/numerics.md "Block-float" lists both and the differences.
//
// Facts (tt-isa-documentation WormholeB0): UNPACR_Regular.md FormatConversion / BFP8ToBF16; Packers/
// FormatConversion.md (early conversion from Dst, late conversion to L1: BFP8 = "converted to BF16, then
// round to BFP8 with one shared 8b exponent per 16 datums", BFP4 = "converted to BFP8, then truncate";
// deterministic rounding is to nearest, ties away from zero; rounding flushes denormals, turns -0 into +0
// and NaN into infinity). The packer's source format per CB comes from the release's own
// tt::get_single_pack_src_format (libtt_metal.so, called with the CB format Bfp8_b / Bfp4_b):
// bfp8_pack_precise false -> Bfp8_b (early rounding of each datum to E8M6), true -> Float32 with an fp32
// Dst, Float16_b with a bf16 Dst. Assumed where the documents are silent: a datum whose magnitude rounds
// to 0 is written +0 (never the sign-only byte the unpacker reads as -inf), and rounding that would carry
// past 7 magnitude bits saturates (as the host conversion does).
#include <algorithm>
#include <cstring>

#include "emu.hpp"

namespace emu {

static inline uint32_t u_of(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
static inline float f_of(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

bool is_bfp(tt::DataFormat f) { return f == tt::DataFormat::Bfp8_b || f == tt::DataFormat::Bfp4_b; }

// ISA BFP8ToBF16: a datum of sign + 7-bit magnitude (explicit leading one) and its group's exponent -> the
// bf16 bits the unpacker writes. A zero magnitude is 0, or -inf when the sign is set.
uint16_t bfp8_to_bf16(uint8_t datum, uint8_t exp) {
  uint8_t sign = datum >> 7;
  uint8_t mag = uint8_t(datum << 1);
  if (mag == 0) return sign ? 0xff80 : 0;
  int lz = __builtin_clz(uint32_t(mag)) - 24;
  mag = uint8_t(mag << lz);
  exp = uint8_t(exp - lz);
  return uint16_t((sign << 15) | (exp << 7) | (mag & 0x7e));
}

// face-layout group (face f, row r) -> first row-major index of its 16 values
static inline int group_to_rm(int g) { int f = g >> 4, r = g & 15; return ((f >> 1) * 16 + r) * 32 + (f & 1) * 16; }

void unpack_bfp_tile(const uint8_t* src, tt::DataFormat fmt, float* out) {
  const uint8_t* data = src + 64;
  for (int g = 0; g < 64; ++g) {
    float* o = out + group_to_rm(g);
    for (int c = 0; c < 16; ++c) {
      int i = g * 16 + c;
      uint8_t d = fmt == tt::DataFormat::Bfp8_b ? data[i] : uint8_t(((data[i >> 1] >> ((i & 1) * 4)) & 0xf) << 4);
      o[c] = f_of(uint32_t(bfp8_to_bf16(d, src[g])) << 16);
    }
  }
}

// Early conversion of one Dst value to the packer's source format, as (sign, exponent, significand with
// `bits` bits, leading one included). Rounding conversions flush denormals and -0 and turn NaN into inf.
struct Datum { uint32_t sign, exp, sig; };
static inline Datum early_round(uint32_t u, int frac_bits) {
  uint32_t exp = (u >> 23) & 0xff, man = u & 0x7fffff;
  if (exp == 0) return {0, 0, 0};
  if (exp == 255) return {u >> 31, 255, 1u << frac_bits};      // inf, and NaN -> inf
  uint32_t sig = (0x800000u | man) >> (23 - frac_bits - 1);    // one guard bit
  sig = (sig + 1) >> 1;                                         // nearest, ties away from zero
  if (sig >> (frac_bits + 1)) { sig >>= 1; if (++exp == 255) sig = 1u << frac_bits; }
  return {u >> 31, exp, sig};
}
static inline Datum truncate_bf16(uint32_t u) {   // late FP32 -> BF16: truncation
  uint32_t exp = (u >> 23) & 0xff;
  if (exp == 0) return {0, 0, 0};
  return {u >> 31, exp, 0x80u | ((u >> 16) & 0x7f)};
}

void pack_bfp_tile(const float* in, tt::DataFormat fmt, bool fp32_dst, bool precise, uint8_t* dst) {
  // The significand width after the early conversion: E8M6 (7 bits) unless bfp8_pack_precise keeps BF16
  // / FP32 (8 bits after the late conversion's truncation to BF16).
  const int sig_bits = precise ? 8 : 7;
  uint8_t* data = dst + 64;
  if (fmt == tt::DataFormat::Bfp4_b) std::memset(data, 0, 512);
  for (int g = 0; g < 64; ++g) {
    const float* row = in + group_to_rm(g);
    Datum d[16];
    uint32_t shared = 0;
    for (int c = 0; c < 16; ++c) {
      uint32_t u = u_of(row[c]);
      if (!precise) d[c] = early_round(u, 6);
      else if (fp32_dst) d[c] = truncate_bf16(u);               // FP32 identity, then the late truncation
      else d[c] = early_round(u, 7);                            // BF16 Dst through BF16 rounding: no change but flushes
      shared = std::max(shared, d[c].exp);
    }
    dst[g] = uint8_t(shared);
    for (int c = 0; c < 16; ++c) {
      uint32_t t = shared - d[c].exp + uint32_t(sig_bits - 7);  // right shift down to 7 magnitude bits
      uint32_t mag = d[c].sig == 0 ? 0 : t == 0 ? d[c].sig : t >= 32 ? 0 : (d[c].sig + (1u << (t - 1))) >> t;
      mag = std::min(mag, 127u);
      if (fmt == tt::DataFormat::Bfp4_b) mag >>= 4;             // Bfp4: Bfp8 truncated
      uint32_t byte = mag ? (d[c].sign << (fmt == tt::DataFormat::Bfp4_b ? 3 : 7)) | mag : 0;
      int i = g * 16 + c;
      if (fmt == tt::DataFormat::Bfp8_b) data[i] = uint8_t(byte);
      else data[i >> 1] |= uint8_t(byte << ((i & 1) * 4));
    }
  }
}

}  // namespace emu
