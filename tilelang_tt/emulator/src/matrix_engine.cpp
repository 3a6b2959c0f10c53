// The matrix engine's arithmetic (docs/numerics.md, "Matrix engine"): what the unpacker writes into the
// SrcA / SrcB registers, and MVMUL's fidelity phases. Facts: the Wormhole ISA documentation
// (tt-isa-documentation: SrcASrcB.md "Fidelity phases", MVMUL.md, ELWMUL.md SrcAFidelityBits /
// SrcBFidelityBits, UNPACR_Regular.md FormatConversion) and the pinned release's llk_math_matmul.h.
//
// MVMUL computes Dst[8x16] += SrcB[8x16] @ SrcA[16x16]; matmul puts in0 (A) in SrcB and in1 (B) in SrcA.
// The multipliers take 7 bits of a SrcB significand and 5 of a SrcA one, so a product is split in phases:
//   SrcB: phases 0, 1 use the hidden one and the top 6 mantissa bits, phases 2, 3 the rest (bf16: 1 bit,
//         tf32: 4 bits);
//   SrcA: phases 0, 2 use the hidden one and the top 4 mantissa bits, phases 1, 3 the next 5 (bf16: 3
//         bits; tf32: 5, its last mantissa bit is never used).
// LoFi runs phase 0, HiFi2 phases 0-1, HiFi3 0-2, HiFi4 0-3 (llk_math_matmul.h: the MOP's inner loop
// count is the fidelity value and each pass ends with an address mod that increments the phase). Within
// a phase the 32x32x32 tile product is two MVMUL passes over k (0-15, then 16-31), each adding its 16-term
// partial sum to Dst; with a bf16 Dst every one of those additions is rounded to bf16.
#include <cstring>

#include "emu.hpp"

namespace emu {

static inline float f_of(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
static inline uint32_t u_of(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
static inline bool finite_bits(uint32_t u) { return (u & 0x7f800000u) != 0x7f800000u; }

int fidelity_phases(int math_fidelity) {
  // MathFidelity: LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4 (llk_defs.h); LoFi is one phase.
  return math_fidelity <= 1 ? 1 : math_fidelity > 4 ? 4 : math_fidelity;
}

float src_register(float x, tt::DataFormat cb_fmt, bool fp32_dst) {
  uint32_t u = u_of(x);
  if (cb_fmt == tt::DataFormat::Float32)  // the unpacker's FP32 -> TF32 (fp32 Dst) or -> BF16: both truncate
    u &= fp32_dst ? 0xffffe000u : 0xffff0000u;
  if ((u & 0x7f800000u) == 0) u &= 0x80000000u;  // the FPU reads denormals as zero
  return f_of(u);
}
void to_src_registers(float* t, int n, tt::DataFormat cb_fmt, bool fp32_dst) {
  for (int i = 0; i < n; ++i) t[i] = src_register(t[i], cb_fmt, fp32_dst);
}

// The part of a source-register value one phase multiplies with (ISA SrcAFidelityBits / SrcBFidelityBits).
// A non-finite value passes whole in the high part (IEEE behaviour; the FPU itself is not IEEE there).
static inline float srcb_hi(float x) { uint32_t u = u_of(x); return finite_bits(u) ? f_of(u & 0xfffe0000u) : x; }
static inline float srcb_lo(float x) { uint32_t u = u_of(x); return finite_bits(u) ? f_of(u & 0xffffe000u) - f_of(u & 0xfffe0000u) : 0.f; }
static inline float srca_hi(float x) { uint32_t u = u_of(x); return finite_bits(u) ? f_of(u & 0xfff80000u) : x; }
static inline float srca_lo(float x) { uint32_t u = u_of(x); return finite_bits(u) ? f_of(u & 0xffffc000u) - f_of(u & 0xfff80000u) : 0.f; }
static inline float srca_all(float x) { uint32_t u = u_of(x); return finite_bits(u) ? f_of(u & 0xffffc000u) : x; }

// C (32x32) += A (32x32, columns k0..k0+K) @ B (rows k0..k0+K), fp32, row-major. ROWS rows of C per step
// stay in vector registers; the runtime is built with -march=native, so AVX-512 machines get 16 wide.
// ROUND: the K-term partial sum starts from zero and is added to C with one rounding to bf16 (one
// MVMUL into a bf16 Dst); otherwise C itself is the accumulator (fp32 Dst).
template <int VW, int ROWS, bool ROUND>
static inline void mm_kernel(float* __restrict c, const float* __restrict a, const float* __restrict b, int k0, int K) {
  typedef float vec __attribute__((vector_size(VW * 4), aligned(4)));
  constexpr int NV = 32 / VW;
  for (int i = 0; i < 32; i += ROWS) {
    vec acc[ROWS][NV];
    for (int r = 0; r < ROWS; ++r)
      for (int v = 0; v < NV; ++v) {
        if (ROUND) acc[r][v] = vec{} ; else std::memcpy(&acc[r][v], c + (i + r) * 32 + v * VW, VW * 4);
      }
    for (int k = k0; k < k0 + K; ++k) {
      vec bv[NV];
      std::memcpy(bv, b + k * 32, 128);
      for (int r = 0; r < ROWS; ++r) {
        const float x = a[(i + r) * 32 + k];
        for (int v = 0; v < NV; ++v) acc[r][v] += x * bv[v];
      }
    }
    if (ROUND) {
      alignas(64) float part[ROWS * 32];
      for (int r = 0; r < ROWS; ++r)
        for (int v = 0; v < NV; ++v) std::memcpy(part + r * 32 + v * VW, &acc[r][v], VW * 4);
      float* row = c + i * 32;
      for (int j = 0; j < ROWS * 32; ++j) row[j] += part[j];
      round_bf16(row, ROWS * 32);
    } else {
      for (int r = 0; r < ROWS; ++r)
        for (int v = 0; v < NV; ++v) std::memcpy(c + (i + r) * 32 + v * VW, &acc[r][v], VW * 4);
    }
  }
}
template <bool ROUND>
static void mm(float* c, const float* a, const float* b, int k0, int K) {
#if defined(__AVX512F__)
  mm_kernel<16, 8, ROUND>(c, a, b, k0, K);
#else
  mm_kernel<8, 2, ROUND>(c, a, b, k0, K);
#endif
}

template <float (*F)(float)>
static void split(float* out, const float* in) { for (int i = 0; i < 1024; ++i) out[i] = F(in[i]); }

void matmul_fidelity(float* __restrict c, const float* __restrict a, const float* __restrict b_in, bool transpose_b,
                     int phases, bool fp32_dst) {
  alignas(64) float bt[1024], ap[1024], bp[1024];
  const float* b = b_in;
  if (transpose_b) {
    for (int i = 0; i < 32; ++i)
      for (int j = 0; j < 32; ++j) bt[i * 32 + j] = b_in[j * 32 + i];
    b = bt;
  }
  if (fp32_dst) {
    // An fp32 Dst adds the phases' products in an order the ISA leaves open; their exact sum is a product
    // of the operands' used bits, so one pass per distinct operand pair gives the same value up to fp32
    // summation order: LoFi hi*hi, HiFi2 hi(A) * all(B), HiFi3 that + lo(A) * hi(B), HiFi4 all * all.
    if (phases >= 4) {
      split<srca_all>(bp, b);
      mm<false>(c, a, bp, 0, 32);
      return;
    }
    split<srcb_hi>(ap, a);
    if (phases == 1) split<srca_hi>(bp, b); else split<srca_all>(bp, b);
    mm<false>(c, ap, bp, 0, 32);
    if (phases == 3) {
      split<srcb_lo>(ap, a);
      split<srca_hi>(bp, b);
      mm<false>(c, ap, bp, 0, 32);
    }
    return;
  }
  // bf16 Dst: every MVMUL's partial sum is rounded into Dst, so follow the LLK's order exactly.
  alignas(64) float a_lo[1024], b_lo[1024];
  split<srcb_hi>(ap, a);
  split<srca_hi>(bp, b);
  if (phases > 1) { split<srcb_lo>(a_lo, a); split<srca_lo>(b_lo, b); }
  for (int p = 0; p < phases; ++p) {
    const float* pa = (p & 2) ? a_lo : ap;   // SrcB (in0): phases 2, 3 take the low bits
    const float* pb = (p & 1) ? b_lo : bp;   // SrcA (in1): phases 1, 3 take the low bits
    mm<true>(c, pa, pb, 0, 16);
    mm<true>(c, pa, pb, 16, 16);
  }
}

}  // namespace emu
