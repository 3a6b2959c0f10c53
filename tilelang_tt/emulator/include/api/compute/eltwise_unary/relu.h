#pragma once
#include "api/compute/common.h"

namespace ckernel {
ALWI void relu_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_RELU, tt_emu_line); }
ALWI void relu_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_RELU, idst, 0.f, 0, tt_emu_line); }
ALWI void relu_max_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_RELU_MAX, tt_emu_line); }
ALWI void relu_max_tile(uint32_t idst, uint32_t param0, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_RELU_MAX, idst, __builtin_bit_cast(float, param0), 0, tt_emu_line);
}
ALWI void relu_min_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_RELU_MIN, tt_emu_line); }
ALWI void relu_min_tile(uint32_t idst, uint32_t param0, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_RELU_MIN, idst, __builtin_bit_cast(float, param0), 0, tt_emu_line);
}
}  // namespace ckernel
