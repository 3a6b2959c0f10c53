// Reader for the *_kblock compute kernels: per K step, a BH x KB block of A (row-major tile order) and a
// KB x BW block of B, each pushed as one reservation.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
  uint32_t block_start = get_arg_val<uint32_t>(0);
  uint32_t block_count = get_arg_val<uint32_t>(1);
  uint32_t a_addr = get_arg_val<uint32_t>(2);
  uint32_t b_addr = get_arg_val<uint32_t>(3);
  uint32_t Kt = get_arg_val<uint32_t>(4);
  uint32_t Nt = get_arg_val<uint32_t>(5);
  uint32_t grid_x = get_arg_val<uint32_t>(6);
  uint32_t BH = get_arg_val<uint32_t>(7);
  uint32_t BW = get_arg_val<uint32_t>(8);
  uint32_t KB = get_arg_val<uint32_t>(9);

  constexpr uint32_t cb_a = tt::CBIndex::c_0;
  constexpr uint32_t cb_b = tt::CBIndex::c_1;
  const uint32_t tile_a = get_tile_size(cb_a), tile_b = get_tile_size(cb_b);
  constexpr auto a_args = TensorAccessorArgs<0>();
  const auto a = TensorAccessor(a_args, a_addr, tile_a);
  constexpr auto b_args = TensorAccessorArgs<a_args.next_compile_time_args_offset()>();
  const auto b = TensorAccessor(b_args, b_addr, tile_b);

  for (uint32_t blk = 0; blk < block_count; ++blk) {
    uint32_t bid = block_start + blk, by = bid / grid_x, bx = bid % grid_x;
    for (uint32_t k = 0; k < Kt; k += KB) {
      cb_reserve_back(cb_a, BH * KB);
      uint32_t l1 = get_write_ptr(cb_a);
      for (uint32_t i = 0; i < BH; ++i)
        for (uint32_t kk = 0; kk < KB; ++kk)
          noc_async_read_page((by * BH + i) * Kt + k + kk, a, l1 + (i * KB + kk) * tile_a);
      noc_async_read_barrier();
      cb_push_back(cb_a, BH * KB);
      cb_reserve_back(cb_b, KB * BW);
      l1 = get_write_ptr(cb_b);
      for (uint32_t kk = 0; kk < KB; ++kk)
        for (uint32_t j = 0; j < BW; ++j) noc_async_read_page((k + kk) * Nt + bx * BW + j, b, l1 + (kk * BW + j) * tile_b);
      noc_async_read_barrier();
      cb_push_back(cb_b, KB * BW);
    }
  }
}
