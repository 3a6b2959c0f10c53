#pragma once
#include "tt_emu/kernel_rt.h"

#if TT_EMU_API_ERA >= 4
enum class SrcOrder : uint8_t { Regular = 0, Reverse = 1 };
// Must be called once, first. Matmul uses SrcOrder::Reverse (in0 -> SrcB, in1 -> SrcA).
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb) {
  tt_emu_hw_startup(icb0, icb1, ocb, (int)src_order, __builtin_LINE());
}
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t ocb) {
  tt_emu_hw_startup(icb0, icb0, ocb, (int)src_order, __builtin_LINE());
}
ALWI void enable_fp32_dest_acc() {}
ALWI void disable_fp32_dest_acc() {}
#else
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb) {
  tt_emu_hw_startup(icb0, icb1, ocb, 0, __builtin_LINE());
}
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t ocb) {
  tt_emu_hw_startup(icb0, icb0, ocb, 0, __builtin_LINE());
}
#endif
