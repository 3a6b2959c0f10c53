#pragma once
#include "api/compute/common.h"

ALWI void sqrt_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_SQRT, tt_emu_line); }
template <bool FAST_APPROX = false>
ALWI void sqrt_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_SQRT, idst, 0.f, FAST_APPROX, tt_emu_line); }
