// DST register protocol (api/compute/reg_api.h): acquire (zeroes DST) -> math -> commit -> wait -> pack
// -> release.
#pragma once
#include "api/compute/common.h"

namespace ckernel {
ALWI void tile_regs_acquire(TT_EMU_LINE) { tt_emu_tile_regs(0, tt_emu_line); }
ALWI void tile_regs_wait(TT_EMU_LINE) { tt_emu_tile_regs(2, tt_emu_line); }
#if TT_EMU_API_ERA >= 5
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tile_regs_commit(TT_EMU_LINE) { tt_emu_tile_regs(1, tt_emu_line); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tile_regs_release(TT_EMU_LINE) { tt_emu_tile_regs(3, tt_emu_line); }
[[deprecated("Use tile_regs_acquire() instead")]] ALWI void acquire_dst(TT_EMU_LINE) {
  tt_emu_tile_regs(0, tt_emu_line); tt_emu_tile_regs(1, tt_emu_line); tt_emu_tile_regs(2, tt_emu_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
[[deprecated("Use tile_regs_release() instead")]] ALWI void release_dst(TT_EMU_LINE) {
  tt_emu_tile_regs(3, tt_emu_line);
}
#else
ALWI void tile_regs_commit(TT_EMU_LINE) { tt_emu_tile_regs(1, tt_emu_line); }
ALWI void tile_regs_release(TT_EMU_LINE) { tt_emu_tile_regs(3, tt_emu_line); }
[[deprecated("Use tile_regs_acquire()")]] ALWI void acquire_dst(TT_EMU_LINE) {
  tt_emu_tile_regs(0, tt_emu_line); tt_emu_tile_regs(1, tt_emu_line); tt_emu_tile_regs(2, tt_emu_line);
}
[[deprecated("Use tile_regs_release()")]] ALWI void release_dst(TT_EMU_LINE) { tt_emu_tile_regs(3, tt_emu_line); }
#endif
}  // namespace ckernel
