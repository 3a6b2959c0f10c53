// Compute-side circular buffer calls (api/compute/cb_api.h): the same names as the dataflow side, in
// namespace ckernel, with unsigned operands.
#pragma once
#include "api/compute/common.h"

namespace ckernel {
ALWI void cb_wait_front(uint32_t cbid, uint32_t ntiles, TT_EMU_LINE) { tt_emu_cb_wait_front(cbid, ntiles, tt_emu_line); }
ALWI void cb_pop_front(uint32_t cbid, uint32_t ntiles, TT_EMU_LINE) { tt_emu_cb_pop_front(cbid, ntiles, tt_emu_line); }
ALWI void cb_reserve_back(uint32_t cbid, uint32_t ntiles, TT_EMU_LINE) {
  tt_emu_cb_reserve_back(cbid, ntiles, tt_emu_line);
}
ALWI void cb_push_back(uint32_t cbid, uint32_t ntiles, TT_EMU_LINE) { tt_emu_cb_push_back(cbid, ntiles, tt_emu_line); }
}  // namespace ckernel
