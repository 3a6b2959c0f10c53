#include "api/dataflow/dataflow_api.h"

#ifdef BUG_syntax
this is not C++;
#endif

#ifdef BUG_global
uint32_t tiles_read = 0;  // per-core state: every core has its own copy on the device
#endif

void kernel_main() {
  uint32_t a_addr = get_arg_val<uint32_t>(0);
  uint32_t b_addr = get_arg_val<uint32_t>(1);
  uint32_t start = get_arg_val<uint32_t>(2);
  uint32_t n_tiles = get_arg_val<uint32_t>(3);
  constexpr uint32_t cb_a = tt::CBIndex::c_0, cb_b = tt::CBIndex::c_1;
  const uint32_t tile = get_tile_size(cb_a);
  constexpr auto a_args = TensorAccessorArgs<0>();
  const auto a = TensorAccessor(a_args, a_addr, tile);
  constexpr auto b_args = TensorAccessorArgs<a_args.next_compile_time_args_offset()>();
  const auto b = TensorAccessor(b_args, b_addr, tile);
  for (uint32_t i = start; i < start + n_tiles; ++i) {
#ifdef BUG_global
    static uint32_t calls = 0;
    ++tiles_read;
    if (++calls != tiles_read || tiles_read > n_tiles) cb_pop_front(cb_a, 99);  // shared state would trip this
#endif
#ifdef BUG_push_no_reserve
    cb_push_back(cb_a, 1);
#endif
    cb_reserve_back(cb_a, 1);
#ifdef BUG_spin
    for (volatile uint32_t spin = 1; spin;) {}  // never yields: only the time limit can stop it
#endif
#ifdef BUG_segv
    *reinterpret_cast<volatile uint32_t*>(uintptr_t(16)) = 1;  // a wild pointer
#endif
#if defined(BUG_ptr_fill)
    // L1 addresses may be dereferenced, as on the device: fill the A tile with bf16 1.0 in place.
    volatile tt_l1_ptr uint16_t* p = reinterpret_cast<volatile tt_l1_ptr uint16_t*>(get_write_ptr(cb_a));
    for (uint32_t e = 0; e < 1024; ++e) p[e] = 0x3f80;
#elif defined(BUG_oob_read)
    noc_async_read_page(i + 10 * n_tiles + 100, a, get_write_ptr(cb_a));
#elif defined(BUG_l1_outside_cb)
    // a destination past every CB and semaphore of this core
    noc_async_read_page(i, a, get_write_ptr(cb_b) + 64 * tile);
#elif defined(BUG_dram_unallocated)
    // bank 0 below the first buffer the host allocated
    noc_async_read(get_noc_addr_from_bank_id<true>(0, 0x100), get_write_ptr(cb_a), tile);
#elif defined(BUG_dram_past_end)
    // bank 0 far past the last buffer
    noc_async_read(get_noc_addr_from_bank_id<true>(0, 0x7ff00000), get_write_ptr(cb_a), tile);
#elif defined(BUG_bad_coords)
    // NOC coordinates that name neither a DRAM bank nor a worker core
    noc_async_read(get_noc_addr(60, 60, 0x20000), get_write_ptr(cb_a), tile);
#elif defined(BUG_remote_l1)
    // another worker's L1 (core (1,1) at NOC (2,2)) outside its CBs: the reserved low region
    noc_async_read(get_noc_addr(2, 2, 0x100), get_write_ptr(cb_a), tile);
#else
    noc_async_read_page(i, a, get_write_ptr(cb_a));
#endif
#ifdef BUG_wrap
    cb_reserve_back(cb_b, 2);  // pushes of 2 into a 3-page CB cannot wrap exactly
    noc_async_read_page(i, b, get_write_ptr(cb_b));
    noc_async_read_barrier();
    cb_push_back(cb_a, 1);
    cb_push_back(cb_b, 2);
#else
    cb_reserve_back(cb_b, 1);
    noc_async_read_page(i, b, get_write_ptr(cb_b));
    noc_async_read_barrier();
    cb_push_back(cb_a, 1);
    cb_push_back(cb_b, 1);
#endif
  }
}
