#include "api/dataflow/dataflow_api.h"

void kernel_main() {
  uint32_t a_addr = get_arg_val<uint32_t>(0);
  uint32_t x0 = get_arg_val<uint32_t>(1), y0 = get_arg_val<uint32_t>(2);
  uint32_t x1 = get_arg_val<uint32_t>(3), y1 = get_arg_val<uint32_t>(4);
  uint32_t num_dests = get_arg_val<uint32_t>(5);
  uint32_t sender_sem_addr = get_semaphore(get_arg_val<uint32_t>(6));
  uint32_t receiver_sem_addr = get_semaphore(get_arg_val<uint32_t>(7));
  constexpr uint32_t cb = tt::CBIndex::c_0;
  const uint32_t tile = get_tile_size(cb);
  constexpr auto a_args = TensorAccessorArgs<0>();
  const auto a = TensorAccessor(a_args, a_addr, tile);

  volatile tt_l1_ptr uint32_t* sender_sem = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(sender_sem_addr);
  volatile tt_l1_ptr uint32_t* receiver_sem = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(receiver_sem_addr);

  cb_reserve_back(cb, 1);
  uint32_t l1 = get_write_ptr(cb);
  noc_async_read_page(0, a, l1);
  noc_async_read_barrier();
  noc_semaphore_wait(sender_sem, num_dests);  // every receiver has reserved space
  noc_semaphore_set(sender_sem, 0);
  uint64_t data_mcast = get_noc_multicast_addr(x0, y0, x1, y1, l1);
  noc_async_write_multicast(l1, data_mcast, tile, num_dests);
  noc_async_writes_flushed();
  noc_semaphore_set(receiver_sem, VALID);
  uint64_t flag_mcast = get_noc_multicast_addr(x0, y0, x1, y1, receiver_sem_addr);
  noc_semaphore_set_multicast(receiver_sem_addr, flag_mcast, num_dests);
  noc_async_write_barrier();
  cb_push_back(cb, 1);
}
