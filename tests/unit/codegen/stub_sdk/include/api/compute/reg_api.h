#pragma once
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

ALWI void tile_regs_acquire();
ALWI void tile_regs_commit();
ALWI void tile_regs_wait();
ALWI void tile_regs_release();
