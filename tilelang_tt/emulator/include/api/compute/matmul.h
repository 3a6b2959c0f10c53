// Matmul (api/compute/matmul.h). E4: matmul_init after compute_kernel_hw_startup<SrcOrder::Reverse>;
// E3: mm_init family. Both: 5-arg matmul_tiles accumulating DST += A @ B.
#pragma once
#include "api/compute/common.h"

#if TT_EMU_API_ERA >= 4
ALWI void matmul_init(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0,
                      uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
}
ALWI void matmul_block_init(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0,
                            uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1,
                            uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
}
ALWI void matmul_block(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index,
                       uint32_t idst, const uint32_t transpose, uint32_t ct_dim, uint32_t rt_dim, uint32_t kt_dim,
                       uint32_t call_line = __builtin_LINE()) {
  tt_emu_matmul_tiles(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose, ct_dim, rt_dim, kt_dim,
                      call_line);
}
#else
ALWI void mm_init(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t out_cb_id, const uint32_t transpose = 0,
                  uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(in0_cb_id, in1_cb_id, out_cb_id, -1, call_line);  // mm_init also configures the hardware
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
}
ALWI void mm_init_short(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0,
                        uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
}
ALWI void mm_block_init(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t out_cb_id, const uint32_t transpose = 0,
                        uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1,
                        uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(in0_cb_id, in1_cb_id, out_cb_id, -1, call_line);
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
}
ALWI void mm_block_init_short(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0,
                              uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1,
                              uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_MATMUL, in0_cb_id, in1_cb_id, call_line);
}
ALWI void matmul_block(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index,
                       uint32_t idst, const uint32_t transpose, uint32_t ct_dim, uint32_t rt_dim, uint32_t kt_dim,
                       TT_EMU_LINE) {
  tt_emu_matmul_tiles(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose, ct_dim, rt_dim, kt_dim,
                      tt_emu_line);
}
#endif
ALWI void matmul_tiles(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index,
                       uint32_t idst, TT_EMU_LINE) {
  tt_emu_matmul_tiles(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, 0, 1, 1, 1, tt_emu_line);
}
