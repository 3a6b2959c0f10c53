#pragma once
#include "api/compute/common.h"

namespace ckernel {
ALWI void fill_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_FILL, tt_emu_line); }
ALWI void fill_tile(uint32_t idst, float param0, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_FILL, idst, param0, 0, tt_emu_line); }
ALWI void fill_tile_bitcast(uint32_t idst, uint32_t param0, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_FILL, idst, __builtin_bit_cast(float, param0), 0, tt_emu_line);
}
}  // namespace ckernel
