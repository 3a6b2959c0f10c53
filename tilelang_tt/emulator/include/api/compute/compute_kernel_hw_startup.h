// One-time hardware configuration (api/compute/compute_kernel_hw_startup.h): must be called once,
// first. Matmul uses SrcOrder::Reverse (in0 -> SrcB, in1 -> SrcA).
#pragma once
#include "api/compute/common.h"
#include "api/compute/src_order.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 4
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb, TT_EMU_LINE) {
  tt_emu_hw_startup(icb0, icb1, ocb, (int)src_order, tt_emu_line);
}
#if TT_EMU_API_ERA >= 5
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t ocb, TT_EMU_LINE) {
  tt_emu_hw_startup(icb0, icb0, ocb, 0, tt_emu_line);
}
template <bool enable>
ALWI void set_fp32_dest_acc() {}
template <bool enable>
ALWI void restore_fp32_dest_acc() {}
#else
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t ocb, TT_EMU_LINE) {
  tt_emu_hw_startup(icb0, icb0, ocb, (int)src_order, tt_emu_line);
}
#endif
ALWI void enable_fp32_dest_acc() {}
ALWI void disable_fp32_dest_acc() {}
#else
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb, TT_EMU_LINE) {
  tt_emu_hw_startup(icb0, icb1, ocb, 0, tt_emu_line);
}
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t ocb, TT_EMU_LINE) {
  tt_emu_hw_startup(icb0, icb0, ocb, 0, tt_emu_line);
}
#endif
}  // namespace ckernel
