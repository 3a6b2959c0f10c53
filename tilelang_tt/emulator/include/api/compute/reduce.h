#pragma once
#include "api/compute/common.h"

enum PoolType { SUM = 0, AVG = 1, MAX = 2 };
enum ReduceDim { REDUCE_ROW = 0, REDUCE_COL = 1, REDUCE_SCALAR = 2 };
#ifndef REDUCE_OP
#define REDUCE_OP PoolType::SUM
#endif
#ifndef REDUCE_DIM
#define REDUCE_DIM ReduceDim::REDUCE_ROW
#endif
// The scaler tile's element (0,0) multiplies every input (1.0 for SUM/MAX, 1/N for AVG).
template <PoolType reduce_type = REDUCE_OP, ReduceDim reduce_dim = REDUCE_DIM, bool enforce_fp32_accumulation = false>
ALWI void reduce_init(uint32_t icb, uint32_t icb_scaler, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  tt_emu_reduce_init(reduce_type, reduce_dim, icb, icb_scaler, call_line);
}
template <PoolType reduce_type = REDUCE_OP, ReduceDim reduce_dim = REDUCE_DIM, bool enforce_fp32_accumulation = false>
ALWI void reduce_tile(uint32_t icb, uint32_t icb_scaler, uint32_t itile, uint32_t itile_scaler, uint32_t idst,
                      TT_EMU_LINE) {
  tt_emu_reduce_tile(reduce_type, reduce_dim, icb, icb_scaler, itile, itile_scaler, idst, tt_emu_line);
}
template <bool enforce_fp32_accumulation = false>
ALWI void reduce_uninit(uint32_t icb = 0) { tt_emu_fpu_init(TT_EMU_FAM_NONE, icb, icb, __builtin_LINE()); }
