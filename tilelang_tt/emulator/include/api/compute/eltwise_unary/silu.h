#pragma once
#include "api/compute/common.h"

#if TT_EMU_API_ERA >= 5
#error "api/compute/eltwise_unary/silu.h does not exist in TT-Metalium 0.81.1: silu_tile is declared in api/compute/compute_kernel_api.h"
#endif
namespace ckernel {
ALWI void silu_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_SILU, tt_emu_line); }
ALWI void silu_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_SILU, idst, 0.f, 0, tt_emu_line); }
}  // namespace ckernel
