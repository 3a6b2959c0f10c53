// SFPU max / min of two DST tiles (api/compute/binary_max_min.h of the 0.81.1 release).
#pragma once
#include "api/compute/common.h"

namespace ckernel {
ALWI void binary_max_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_BINARY_MAX, tt_emu_line); }
ALWI void binary_max_tile(uint32_t idst0, uint32_t idst1, uint32_t odst, VectorMode vector_mode = VectorMode::RC,
                          TT_EMU_LINE) {
  tt_emu_sfpu_binary(TT_EMU_SFPU_BINARY_MAX, idst0, idst1, odst, tt_emu_line);
}
ALWI void binary_min_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_BINARY_MIN, tt_emu_line); }
ALWI void binary_min_tile(uint32_t idst0, uint32_t idst1, uint32_t odst, VectorMode vector_mode = VectorMode::RC,
                          TT_EMU_LINE) {
  tt_emu_sfpu_binary(TT_EMU_SFPU_BINARY_MIN, idst0, idst1, odst, tt_emu_line);
}
}  // namespace ckernel
