#include "api/dataflow/dataflow_api.h"

void kernel_main() {
  uint32_t c_addr = get_arg_val<uint32_t>(0);
  uint32_t page = get_arg_val<uint32_t>(1);
  constexpr uint32_t cb = tt::CBIndex::c_0;
  constexpr auto c_args = TensorAccessorArgs<0>();
  const auto c = TensorAccessor(c_args, c_addr, get_tile_size(cb));
  cb_wait_front(cb, 1);
  noc_async_write_page(page, c, get_read_ptr(cb));
  noc_async_write_barrier();
  cb_pop_front(cb, 1);
}
