// No #include: the firmware wrapper of a data movement kernel includes the dataflow API first.
#include "api/debug/dprint.h"

void kernel_main() {
    uint32_t in_addr = get_arg_val<uint32_t>(0);
    uint32_t out_addr = get_arg_val<uint32_t>(1);
    uint32_t num_tiles = get_arg_val<uint32_t>(2);
    constexpr auto in_args = TensorAccessorArgs<0>();
    constexpr auto out_args = TensorAccessorArgs<in_args.next_compile_time_args_offset()>();
    const uint32_t tile_size_bytes = get_tile_size(tt::CBIndex::c_0);
    const auto in = TensorAccessor(in_args, in_addr, tile_size_bytes);
    const auto out = TensorAccessor(out_args, out_addr, tile_size_bytes);
    uint32_t l1_buffer_addr = get_write_ptr(tt::CBIndex::c_0);
    for (uint32_t i = 0; i < num_tiles; i++) {
        noc_async_read_page(i, in, l1_buffer_addr);
        noc_async_read_barrier();
        noc_async_write_page(i, out, l1_buffer_addr);
        noc_async_write_barrier();
    }
    DPRINT("loopback copied {} tiles\n", num_tiles);
}
