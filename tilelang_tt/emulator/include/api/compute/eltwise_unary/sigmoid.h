#pragma once
#include "api/compute/common.h"

#if TT_EMU_API_ERA >= 5
#error "api/compute/eltwise_unary/sigmoid.h does not exist in TT-Metalium 0.81.1: sigmoid_tile is declared in api/compute/compute_kernel_api.h"
#endif
namespace ckernel {
template <bool fast_and_approx = false>
ALWI void sigmoid_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_SIGMOID, tt_emu_line); }
template <int vector_mode = (int)VectorMode::RC, bool fast_and_approx = false>
ALWI void sigmoid_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_SIGMOID, idst, 0.f, 0, tt_emu_line); }
}  // namespace ckernel
