// SFPU ternary select (api/compute/eltwise_unary/where.h of the 0.81.1 release): DST[odst] = DST[idst0] != 0 ?
// DST[idst1] : DST[idst2]. The LLK (ckernel_sfpu_where.h) loads each datum's bits (SFPLOAD LO16 for
// Float16_b, INT32 otherwise) and tests them against 0, so -0.0 selects the true side.
#pragma once
#include "api/compute/common.h"
#include "tt_emu/data_format.h"

namespace ckernel {
ALWI void where_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_WHERE, tt_emu_line); }
template <DataFormat data_format>
ALWI void where_tile(uint32_t idst0, uint32_t idst1, uint32_t idst2, uint32_t odst, TT_EMU_LINE) {
  tt_emu_sfpu_where(int(data_format), idst0, idst1, idst2, odst, tt_emu_line);
}
}  // namespace ckernel
