#include "api/dataflow/dataflow_api.h"

void kernel_main() {
  uint32_t sender_x = get_arg_val<uint32_t>(0), sender_y = get_arg_val<uint32_t>(1);
  uint32_t sender_sem_addr = get_semaphore(get_arg_val<uint32_t>(2));
  uint32_t receiver_sem_addr = get_semaphore(get_arg_val<uint32_t>(3));
  constexpr uint32_t cb = tt::CBIndex::c_0;
  volatile tt_l1_ptr uint32_t* receiver_sem = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(receiver_sem_addr);

  cb_reserve_back(cb, 1);
  noc_semaphore_set(receiver_sem, INVALID);
  noc_semaphore_inc(get_noc_addr(sender_x, sender_y, sender_sem_addr), 1);
  noc_semaphore_wait(receiver_sem, VALID);
  cb_push_back(cb, 1);
  noc_async_atomic_barrier();
}
