#pragma once
#include "api/compute/common.h"

ALWI void rsqrt_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_RSQRT, tt_emu_line); }
template <bool FAST_APPROX = false>
ALWI void rsqrt_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_RSQRT, idst, 0.f, FAST_APPROX, tt_emu_line); }
