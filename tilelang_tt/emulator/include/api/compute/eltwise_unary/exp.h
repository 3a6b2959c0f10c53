#pragma once
#include "api/compute/common.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 5
enum class InputClamping : uint8_t { ClampToNegative = 1, None = 0 };
template <bool approx = false, uint32_t scale = 0x3F800000, InputClamping input_clamping = InputClamping::ClampToNegative,
          bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void exp_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_EXP, tt_emu_line); }
// scale is a bf16 bit pattern (p_sfpu::kCONST_1_FP16B = 0x3F80 is 1.0).
template <bool approx = false, bool scale_en = false, InputClamping input_clamping = InputClamping::ClampToNegative,
          int iterations = 8, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void exp_tile(uint32_t idst, VectorMode vector_mode = VectorMode::RC, uint16_t scale = 0x3F80, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_EXP, idst, scale_en ? __builtin_bit_cast(float, (uint32_t)scale << 16) : 1.0f, approx,
              tt_emu_line);
}
#else
template <bool approx = false, uint32_t scale = 0x3F800000>
ALWI void exp_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_EXP, tt_emu_line); }
template <bool approx = false, bool scale_en = false>
ALWI void exp_tile(uint32_t idst, VectorMode vector_mode = VectorMode::RC, uint16_t scale = 0x3F80, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_EXP, idst, scale_en ? __builtin_bit_cast(float, (uint32_t)scale << 16) : 1.0f, approx,
              tt_emu_line);
}
#endif
}  // namespace ckernel
