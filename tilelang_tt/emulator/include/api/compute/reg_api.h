#pragma once
#include "tt_emu/kernel_rt.h"

// DST register protocol: acquire (zeroes DST) -> math -> commit -> wait -> pack -> release.
ALWI void tile_regs_acquire(TT_EMU_LINE) { tt_emu_tile_regs(0, tt_emu_line); }
ALWI void tile_regs_commit(TT_EMU_LINE) { tt_emu_tile_regs(1, tt_emu_line); }
ALWI void tile_regs_wait(TT_EMU_LINE) { tt_emu_tile_regs(2, tt_emu_line); }
ALWI void tile_regs_release(TT_EMU_LINE) { tt_emu_tile_regs(3, tt_emu_line); }
[[deprecated("Use tile_regs_acquire()")]] ALWI void acquire_dst(TT_EMU_LINE) {
  tt_emu_tile_regs(0, tt_emu_line); tt_emu_tile_regs(1, tt_emu_line); tt_emu_tile_regs(2, tt_emu_line);
}
[[deprecated("Use tile_regs_release()")]] ALWI void release_dst(TT_EMU_LINE) { tt_emu_tile_regs(3, tt_emu_line); }
