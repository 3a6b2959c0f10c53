// Reduce (api/compute/reduce.h). Row 0 of the scaler tile weights each element along the reduced dimension
// (1.0 for SUM/MAX, 1/N for AVG); reduce_init sets the packer mask reduce_uninit clears. PoolType / ReduceDim
// are the release's enum classes (common.h).
#pragma once
#include "api/compute/common.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 5
// 0.81.1: no defaults for the pool type and dimension.
template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_init(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t ocb,
                      std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_reduce_init((int)reduce_type, (int)reduce_dim, icb, icb_scaler, call_line);
}
template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_tile(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t itile, std::uint32_t itile_scaler,
                      std::uint32_t idst, TT_EMU_LINE) {
  tt_emu_reduce_tile((int)reduce_type, (int)reduce_dim, icb, icb_scaler, itile, itile_scaler, idst, tt_emu_line);
}
ALWI void reduce_uninit(std::uint32_t icb = 0, std::uint32_t call_line = __builtin_LINE()) { tt_emu_reduce_uninit(call_line); }
#else
#ifndef REDUCE_OP
#define REDUCE_OP PoolType::SUM
#endif
#ifndef REDUCE_DIM
#define REDUCE_DIM ReduceDim::REDUCE_ROW
#endif
template <PoolType reduce_type = REDUCE_OP, ReduceDim reduce_dim = REDUCE_DIM, bool enforce_fp32_accumulation = false>
ALWI void reduce_init(uint32_t icb, uint32_t icb_scaler, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  tt_emu_reduce_init((int)reduce_type, (int)reduce_dim, icb, icb_scaler, call_line);
}
template <PoolType reduce_type = REDUCE_OP, ReduceDim reduce_dim = REDUCE_DIM, bool enforce_fp32_accumulation = false>
ALWI void reduce_tile(uint32_t icb, uint32_t icb_scaler, uint32_t itile, uint32_t itile_scaler, uint32_t idst,
                      TT_EMU_LINE) {
  tt_emu_reduce_tile((int)reduce_type, (int)reduce_dim, icb, icb_scaler, itile, itile_scaler, idst, tt_emu_line);
}
template <bool enforce_fp32_accumulation = false>
ALWI void reduce_uninit(uint32_t icb = 0, uint32_t call_line = __builtin_LINE()) { tt_emu_reduce_uninit(call_line); }
#endif
}  // namespace ckernel
