#pragma once
#include "api/compute/common.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 5
template <bool fast_and_approx = true, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
#else
template <bool fast_and_approx = true>
#endif
ALWI void gelu_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_GELU, tt_emu_line); }
#if TT_EMU_API_ERA >= 5
template <bool fast_and_approx = true, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
#else
template <bool fast_and_approx = true>
#endif
ALWI void gelu_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_GELU, idst, 0.f, fast_and_approx, tt_emu_line); }
}  // namespace ckernel
