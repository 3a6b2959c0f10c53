#include <cstdint>

void kernel_main() {
    uint32_t dst_addr = get_arg_val<uint32_t>(0);
    uint32_t num_tiles = get_arg_val<uint32_t>(1);
    uint32_t start_id = get_arg_val<uint32_t>(2);
    constexpr uint32_t cb_id_out = tt::CBIndex::c_16;
    const uint32_t tile_bytes = get_tile_size(cb_id_out);
    constexpr auto dst_args = TensorAccessorArgs<0>();
    const auto s = TensorAccessor(dst_args, dst_addr, tile_bytes);
    for (uint32_t i = start_id; i < start_id + num_tiles; ++i) {
        cb_wait_front(cb_id_out, 1);
        noc_async_write_page(i, s, get_read_ptr(cb_id_out));
        noc_async_writes_flushed();
        cb_pop_front(cb_id_out, 1);
    }
    noc_async_write_barrier();
}
