// matmul_tiles over a BH x KB by KB x BW block per K step, in the loop order tilelang_tt generates
// (output tile outer, K inner): the working set is BH*KB + KB*BW tiles, more than the emulator's
// unpacked-tile cache holds once it exceeds 8.
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/matmul.h"
#include "api/compute/tile_move_copy.h"

void kernel_main() {
  uint32_t block_count = get_arg_val<uint32_t>(0);
  uint32_t Kt = get_arg_val<uint32_t>(1);
  constexpr uint32_t BH = get_compile_time_arg_val(0);
  constexpr uint32_t BW = get_compile_time_arg_val(1);
  constexpr uint32_t KB = get_compile_time_arg_val(2);
  constexpr auto cb_a = tt::CBIndex::c_0;
  constexpr auto cb_b = tt::CBIndex::c_1;
  constexpr auto cb_out = tt::CBIndex::c_16;

  compute_kernel_hw_startup<SrcOrder::Reverse>(cb_a, cb_b, cb_out);
  matmul_init(cb_a, cb_b);
  for (uint32_t blk = 0; blk < block_count; ++blk) {
    tile_regs_acquire();
    for (uint32_t k = 0; k < Kt; k += KB) {
      cb_wait_front(cb_a, BH * KB);
      cb_wait_front(cb_b, KB * BW);
      for (uint32_t i = 0; i < BH; ++i)
        for (uint32_t j = 0; j < BW; ++j)
          for (uint32_t kk = 0; kk < KB; ++kk) matmul_tiles(cb_a, cb_b, i * KB + kk, kk * BW + j, i * BW + j);
      cb_pop_front(cb_a, BH * KB);
      cb_pop_front(cb_b, KB * BW);
    }
    tile_regs_commit();
    tile_regs_wait();
    cb_reserve_back(cb_out, BH * BW);
    for (uint32_t t = 0; t < BH * BW; ++t) pack_tile(t, cb_out);
    cb_push_back(cb_out, BH * BW);
    tile_regs_release();
  }
}
