#pragma once
#include "api/compute/common.h"

namespace ckernel {
ALWI void sqrt_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_SQRT, tt_emu_line); }
#if TT_EMU_API_ERA >= 5
template <bool FAST_APPROX = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
#else
template <bool FAST_APPROX = false>
#endif
ALWI void sqrt_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_SQRT, idst, 0.f, FAST_APPROX, tt_emu_line); }
}  // namespace ckernel
