// Tile numerics: 32x32 tiles as four 16x16 faces (TL, TR, BL, BR, each row-major) in L1;
// DST holds row-major fp32. See docs/numerics.md.
#include <cmath>
#include <cstring>

#include "emu.hpp"

namespace emu {

static inline float bits_to_f(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
static inline uint32_t f_to_bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

static inline uint16_t to_bf16_rne(float f) {
  uint32_t u = f_to_bits(f);
  if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu)) return uint16_t((u >> 16) | 0x40);  // keep NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}
float bf16_round(float v) { return bits_to_f(uint32_t(to_bf16_rne(v)) << 16); }
// The packer's rounding to bf16 (from an fp32 Dst): to nearest, ties away from zero (Packers/
// FormatConversion.md). NaN stays a NaN here: the device's NaN -> inf is not modelled (docs/numerics.md).
uint16_t packer_bf16(float f) {
  uint32_t u = f_to_bits(f);
  if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu)) return uint16_t((u >> 16) | 0x40);
  return uint16_t((u + 0x8000u) >> 16);
}

void round_bf16(float* t, int n) {
  // Branch-free so it vectorizes: RNE on the upper 16 bits; NaN stays a (quiet) NaN; Inf stays Inf.
  uint32_t* u = reinterpret_cast<uint32_t*>(t);
  for (int i = 0; i < n; ++i) {
    uint32_t x = u[i];
    uint32_t r = (x + 0x7fffu + ((x >> 16) & 1u)) & 0xffff0000u;
    uint32_t q = (x | 0x400000u) & 0xffff0000u;
    u[i] = (x & 0x7fffffffu) > 0x7f800000u ? q : r;
  }
}

const char* fmt_name(tt::DataFormat f) {
  switch (f) {
    case tt::DataFormat::Float32: return "Float32";
    case tt::DataFormat::Float16_b: return "Float16_b";
    case tt::DataFormat::Float16: return "Float16";
    case tt::DataFormat::Bfp8_b: return "Bfp8_b";
    case tt::DataFormat::Bfp4_b: return "Bfp4_b";
    case tt::DataFormat::Int32: return "Int32";
    case tt::DataFormat::UInt32: return "UInt32";
    case tt::DataFormat::UInt16: return "UInt16";
    default: return "other";
  }
}
bool fmt_supported(tt::DataFormat f) { return f == tt::DataFormat::Float32 || f == tt::DataFormat::Float16_b || is_bfp(f); }

// face-layout element i -> row-major index
static inline int face_to_rm(int f, int r) { return ((f >> 1) * 16 + r) * 32 + (f & 1) * 16; }

void unpack_tile(const uint8_t* src, tt::DataFormat fmt, float* out) {
  if (is_bfp(fmt)) {
    unpack_bfp_tile(src, fmt, out);
  } else if (fmt == tt::DataFormat::Float16_b) {
    const uint16_t* s = reinterpret_cast<const uint16_t*>(src);
    uint32_t* o = reinterpret_cast<uint32_t*>(out);
    for (int f = 0; f < 4; ++f)
      for (int r = 0; r < 16; ++r) {
        const uint16_t* row = s + f * 256 + r * 16;
        uint32_t* dst = o + face_to_rm(f, r);
        for (int c = 0; c < 16; ++c) dst[c] = uint32_t(row[c]) << 16;
      }
  } else {
    const float* s = reinterpret_cast<const float*>(src);
    for (int f = 0; f < 4; ++f)
      for (int r = 0; r < 16; ++r) std::memcpy(out + face_to_rm(f, r), s + f * 256 + r * 16, 64);
  }
}

void pack_tile_data(const float* in, tt::DataFormat fmt, uint8_t* dst, bool fp32_dst, bool bfp8_pack_precise) {
  if (is_bfp(fmt)) {
    pack_bfp_tile(in, fmt, fp32_dst, bfp8_pack_precise, dst);
  } else if (fmt == tt::DataFormat::Float16_b) {
    uint16_t* d = reinterpret_cast<uint16_t*>(dst);
    for (int f = 0; f < 4; ++f)
      for (int r = 0; r < 16; ++r) {
        const float* row = in + face_to_rm(f, r);
        uint16_t* o = d + f * 256 + r * 16;
        for (int c = 0; c < 16; ++c) o[c] = packer_bf16(row[c]);
      }
  } else {
    float* d = reinterpret_cast<float*>(dst);
    for (int f = 0; f < 4; ++f)
      for (int r = 0; r < 16; ++r) std::memcpy(d + f * 256 + r * 16, in + face_to_rm(f, r), 64);
  }
}

}  // namespace emu
