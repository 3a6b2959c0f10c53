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
bool fmt_supported(tt::DataFormat f) { return f == tt::DataFormat::Float32 || f == tt::DataFormat::Float16_b; }

// face-layout element i -> row-major index
static inline int face_to_rm(int f, int r) { return ((f >> 1) * 16 + r) * 32 + (f & 1) * 16; }

void unpack_tile(const uint8_t* src, tt::DataFormat fmt, float* out) {
  if (fmt == tt::DataFormat::Float16_b) {
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

void pack_tile_data(const float* in, tt::DataFormat fmt, uint8_t* dst) {
  if (fmt == tt::DataFormat::Float16_b) {
    uint16_t* d = reinterpret_cast<uint16_t*>(dst);
    for (int f = 0; f < 4; ++f)
      for (int r = 0; r < 16; ++r) {
        const float* row = in + face_to_rm(f, r);
        uint16_t* o = d + f * 256 + r * 16;
        for (int c = 0; c < 16; ++c) o[c] = to_bf16_rne(row[c]);
      }
  } else {
    float* d = reinterpret_cast<float*>(dst);
    for (int f = 0; f < 4; ++f)
      for (int r = 0; r < 16; ++r) std::memcpy(d + f * 256 + r * 16, in + face_to_rm(f, r), 64);
  }
}

// C (32x32) += A (32x32) @ B (32x32), fp32, row-major. ROWS rows of C per step stay in vector
// registers (ROWS * 32/VW accumulators); the runtime is built with -march=native, so AVX-512 machines
// get 16-wide vectors.
template <int VW, int ROWS>
static inline void mm_kernel(float* __restrict c, const float* __restrict a, const float* __restrict b) {
  typedef float vec __attribute__((vector_size(VW * 4), aligned(4)));
  constexpr int NV = 32 / VW;
  for (int i = 0; i < 32; i += ROWS) {
    vec acc[ROWS][NV];
    for (int r = 0; r < ROWS; ++r)
      for (int v = 0; v < NV; ++v) std::memcpy(&acc[r][v], c + (i + r) * 32 + v * VW, VW * 4);
    for (int k = 0; k < 32; ++k) {
      vec bv[NV];
      std::memcpy(bv, b + k * 32, 128);
      for (int r = 0; r < ROWS; ++r) {
        const float x = a[(i + r) * 32 + k];
        for (int v = 0; v < NV; ++v) acc[r][v] += x * bv[v];
      }
    }
    for (int r = 0; r < ROWS; ++r)
      for (int v = 0; v < NV; ++v) std::memcpy(c + (i + r) * 32 + v * VW, &acc[r][v], VW * 4);
  }
}

void matmul_acc(float* __restrict c, const float* __restrict a, const float* __restrict b_in, bool transpose_b) {
  alignas(64) float bt[1024];
  const float* b = b_in;
  if (transpose_b) {
    for (int i = 0; i < 32; ++i)
      for (int j = 0; j < 32; ++j) bt[i * 32 + j] = b_in[j * 32 + i];
    b = bt;
  }
#if defined(__AVX512F__)
  mm_kernel<16, 8>(c, a, b);
#else
  mm_kernel<8, 2>(c, a, b);
#endif
}

}  // namespace emu
