#pragma once
#include "api/compute/common.h"

ALWI void silu_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_SILU, tt_emu_line); }
ALWI void silu_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_SILU, idst, 0.f, 0, tt_emu_line); }
