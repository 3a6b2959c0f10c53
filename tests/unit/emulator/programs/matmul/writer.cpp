#include "api/dataflow/dataflow_api.h"

void kernel_main() {
  uint32_t block_start = get_arg_val<uint32_t>(0);
  uint32_t block_count = get_arg_val<uint32_t>(1);
  uint32_t c_addr = get_arg_val<uint32_t>(2);
  uint32_t Nt = get_arg_val<uint32_t>(3);
  uint32_t grid_x = get_arg_val<uint32_t>(4);
  uint32_t BH = get_arg_val<uint32_t>(5);
  uint32_t BW = get_arg_val<uint32_t>(6);

  constexpr uint32_t cb_out = tt::CBIndex::c_16;
  const uint32_t tile = get_tile_size(cb_out);
  constexpr auto c_args = TensorAccessorArgs<0>();
  const auto c = TensorAccessor(c_args, c_addr, tile);

  for (uint32_t blk = 0; blk < block_count; ++blk) {
    uint32_t bid = block_start + blk, by = bid / grid_x, bx = bid % grid_x;
    cb_wait_front(cb_out, BH * BW);
    uint32_t l1 = get_read_ptr(cb_out);
    for (uint32_t i = 0; i < BH; ++i)
      for (uint32_t j = 0; j < BW; ++j)
        noc_async_write_page((by * BH + i) * Nt + bx * BW + j, c, l1 + (i * BW + j) * tile);
    noc_async_write_barrier();
    cb_pop_front(cb_out, BH * BW);
  }
}
