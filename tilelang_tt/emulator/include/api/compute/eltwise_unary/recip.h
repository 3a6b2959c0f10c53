#pragma once
#include "api/compute/common.h"

ALWI void recip_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_RECIP, tt_emu_line); }
ALWI void recip_tile(uint32_t idst, int vector_mode = (int)VectorMode::RC, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_RECIP, idst, 0.f, 0, tt_emu_line);
}
