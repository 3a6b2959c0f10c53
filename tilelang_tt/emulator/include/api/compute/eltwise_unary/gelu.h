#pragma once
#include "api/compute/common.h"

template <bool fast_and_approx = true>
ALWI void gelu_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_GELU, tt_emu_line); }
template <bool fast_and_approx = true>
ALWI void gelu_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_GELU, idst, 0.f, fast_and_approx, tt_emu_line); }
