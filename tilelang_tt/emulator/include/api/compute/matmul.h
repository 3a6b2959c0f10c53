// Matmul (api/compute/matmul.h). E4 and later: matmul_init after compute_kernel_hw_startup<SrcOrder::Reverse>;
// E3: the mm_init family. All: 5-arg matmul_tiles accumulating DST += A @ B.
#pragma once
#include "api/compute/common.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 4
ALWI void matmul_init(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, const std::uint32_t transpose = 0,
                      std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
  tt_emu_matmul_transpose(transpose, call_line);
}
ALWI void matmul_block_init(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, const std::uint32_t transpose = 0,
                            std::uint32_t ct_dim = 1, std::uint32_t rt_dim = 1, std::uint32_t kt_dim = 1,
                            std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
  tt_emu_matmul_transpose(transpose, call_line);
}
ALWI void matmul_block(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, std::uint32_t in0_tile_index,
                       std::uint32_t in1_tile_index, std::uint32_t idst, const std::uint32_t transpose,
                       std::uint32_t ct_dim, std::uint32_t rt_dim, std::uint32_t kt_dim,
                       std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_matmul_tiles(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose, ct_dim, rt_dim, kt_dim,
                      call_line);
}
#if TT_EMU_API_ERA >= 5
// Leaves matmul mode before another op family (the release's mm_uninit); the emulator tracks the
// family through the next init, so this only clears it.
ALWI void mm_uninit(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id) {
  tt_emu_fpu_init(TT_EMU_FAM_NONE, in0_cb_id, in1_cb_id, __builtin_LINE());
}
#endif
#else
ALWI void mm_init(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t out_cb_id, const uint32_t transpose = 0,
                  uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(in0_cb_id, in1_cb_id, out_cb_id, TT_EMU_CONFIGURE_REVERSE, call_line);  // mm_init also configures the hardware
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
  tt_emu_matmul_transpose(transpose, call_line);
}
ALWI void mm_init_short(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0,
                        uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
  tt_emu_matmul_transpose(transpose, call_line);
}
ALWI void mm_block_init(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t out_cb_id, const uint32_t transpose = 0,
                        uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1,
                        uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(in0_cb_id, in1_cb_id, out_cb_id, TT_EMU_CONFIGURE_REVERSE, call_line);
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
  tt_emu_matmul_transpose(transpose, call_line);
}
ALWI void mm_block_init_short(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0,
                              uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1,
                              uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
  tt_emu_matmul_transpose(transpose, call_line);
}
ALWI void matmul_block(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index,
                       uint32_t idst, const uint32_t transpose, uint32_t ct_dim, uint32_t rt_dim, uint32_t kt_dim,
                       TT_EMU_LINE) {
  tt_emu_matmul_tiles(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose, ct_dim, rt_dim, kt_dim,
                      tt_emu_line);
}
#endif
ALWI void matmul_tiles(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, std::uint32_t in0_tile_index,
                       std::uint32_t in1_tile_index, std::uint32_t idst, TT_EMU_LINE) {
  tt_emu_matmul_tiles(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, TT_EMU_FROM_INIT, 1, 1, 1,
                      tt_emu_line);
}
}  // namespace ckernel
