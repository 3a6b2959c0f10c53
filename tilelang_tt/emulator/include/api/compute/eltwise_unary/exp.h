#pragma once
#include "api/compute/common.h"

template <bool approx = false, uint32_t scale = 0x3F800000>
ALWI void exp_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_EXP, tt_emu_line); }
template <bool approx = false, bool scale_en = false>
ALWI void exp_tile(uint32_t idst, int vector_mode = (int)VectorMode::RC, uint16_t scale = 0x3F80, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_EXP, idst, scale_en ? __builtin_bit_cast(float, (uint32_t)scale << 16) : 1.0f, approx,
              tt_emu_line);
}
