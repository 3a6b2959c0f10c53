#pragma once
#include "api/compute/common.h"

namespace ckernel {
ALWI void rsqrt_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_RSQRT, tt_emu_line); }
#if TT_EMU_API_ERA >= 5
enum class RsqrtMode { Default, Fast };
template <RsqrtMode mode = RsqrtMode::Default, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void rsqrt_tile(uint32_t idst, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_RSQRT, idst, 0.f, mode == RsqrtMode::Fast, tt_emu_line);
}
#else
template <bool FAST_APPROX = false>
ALWI void rsqrt_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_RSQRT, idst, 0.f, FAST_APPROX, tt_emu_line); }
#endif
}  // namespace ckernel
