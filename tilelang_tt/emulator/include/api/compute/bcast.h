// Broadcast binary FPU ops (api/compute/bcast.h of the 0.81.1 release): A <op> B where B's column 0
// (BroadcastType::COL, *_bcast_cols), row 0 (ROW, *_bcast_rows) or element [0,0] (SCALAR) is replicated over
// the tile. Each op runs under its own init; the release's add / sub inits fix LoFi fidelity, mul uses
// MATH_FIDELITY (the emulator's math is exact either way for add / sub).
#pragma once
#include "api/compute/common.h"

namespace ckernel {
#define TT_EMU_BCAST(op, ELW, dimname, DIM)                                                                   \
  ALWI void op##_bcast_##dimname##_init(std::uint32_t icb0, std::uint32_t icb1,                              \
                                        std::uint32_t call_line = __builtin_LINE()) {                        \
    tt_emu_bcast_init((int)EltwiseBinaryType::ELW, (int)BroadcastType::DIM, icb0, icb1, call_line);          \
  }
#define TT_EMU_BCAST_TILES(op, ELW, dimname, DIM)                                                             \
  template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                                      \
  ALWI void op##_tiles_bcast_##dimname(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0,          \
                                       std::uint32_t itile1, std::uint32_t idst, TT_EMU_LINE) {             \
    tt_emu_bcast_tiles((int)EltwiseBinaryType::ELW, (int)BroadcastType::DIM, icb0, icb1, itile0, itile1, idst, \
                       tt_emu_line);                                                                        \
  }
// The release's *_tiles_bcast_rows take a trailing bcast_row_idx (default 0); only row 0 is emulated.
#define TT_EMU_BCAST_ROWS_TILES(op, ELW)                                                                      \
  template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                                      \
  ALWI void op##_tiles_bcast_rows(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0,               \
                                  std::uint32_t itile1, std::uint32_t idst, std::uint32_t bcast_row_idx = 0,  \
                                  TT_EMU_LINE) {                                                            \
    tt_emu_bcast_tiles((int)EltwiseBinaryType::ELW, (int)BroadcastType::ROW, icb0, icb1, itile0, itile1, idst, \
                       tt_emu_line);                                                                        \
  }
TT_EMU_BCAST(add, ELWADD, rows, ROW)
TT_EMU_BCAST(add, ELWADD, cols, COL)
TT_EMU_BCAST(add, ELWADD, scalar, SCALAR)
TT_EMU_BCAST(sub, ELWSUB, rows, ROW)
TT_EMU_BCAST(sub, ELWSUB, cols, COL)
TT_EMU_BCAST(sub, ELWSUB, scalar, SCALAR)
TT_EMU_BCAST(mul, ELWMUL, rows, ROW)
TT_EMU_BCAST(mul, ELWMUL, cols, COL)
TT_EMU_BCAST(mul, ELWMUL, scalar, SCALAR)
TT_EMU_BCAST_ROWS_TILES(add, ELWADD)
TT_EMU_BCAST_ROWS_TILES(sub, ELWSUB)
TT_EMU_BCAST_ROWS_TILES(mul, ELWMUL)
TT_EMU_BCAST_TILES(add, ELWADD, cols, COL)
TT_EMU_BCAST_TILES(sub, ELWSUB, cols, COL)
TT_EMU_BCAST_TILES(mul, ELWMUL, cols, COL)
TT_EMU_BCAST_TILES(add, ELWADD, scalar, SCALAR)
TT_EMU_BCAST_TILES(sub, ELWSUB, scalar, SCALAR)
TT_EMU_BCAST_TILES(mul, ELWMUL, scalar, SCALAR)
#undef TT_EMU_BCAST
#undef TT_EMU_BCAST_TILES
#undef TT_EMU_BCAST_ROWS_TILES
}  // namespace ckernel
