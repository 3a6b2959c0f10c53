#pragma once
#include "api/compute/common.h"
#include "api/compute/tile_move_copy.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 5
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
[[deprecated("Use compute_kernel_hw_startup(icb, ocb) once at kernel start, then copy_init(icb). This will be removed "
             "after 20-09-2026.")]] ALWI void
unary_op_init_common(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(icb, icb, ocb, TT_EMU_CONFIGURE_REGULAR, call_line);
  tt_emu_fpu_init(TT_EMU_FAM_COPY, icb, icb, call_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
[[deprecated("Use compute_kernel_hw_startup(icb, ocb) once at kernel start, then copy_init(icb). This will be removed "
             "after 20-09-2026.")]] ALWI void
init_sfpu(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(icb, icb, ocb, TT_EMU_CONFIGURE_REGULAR, call_line);
  tt_emu_fpu_init(TT_EMU_FAM_COPY, icb, icb, call_line);
}
#else
ALWI void unary_op_init_common(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(icb, icb, ocb, TT_EMU_CONFIGURE_REGULAR, call_line);
  tt_emu_fpu_init(TT_EMU_FAM_COPY, icb, icb, call_line);
}
ALWI void init_sfpu(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  unary_op_init_common(icb, ocb, call_line);
}
#endif
}  // namespace ckernel
