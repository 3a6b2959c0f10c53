#pragma once
#include "api/compute/common.h"
#include "api/compute/tile_move_copy.h"

ALWI void unary_op_init_common(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(icb, icb, ocb, -1, call_line);
  tt_emu_fpu_init(TT_EMU_FAM_COPY, icb, icb, call_line);
}
ALWI void init_sfpu(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  unary_op_init_common(icb, ocb, call_line);
}
