#include <cstdint>

void kernel_main() {
    uint32_t dst_addr = get_arg_val<uint32_t>(0);
    uint32_t Mt = get_arg_val<uint32_t>(1);
    uint32_t Nt = get_arg_val<uint32_t>(2);
    constexpr uint32_t cb_id_out0 = tt::CBIndex::c_16;
    const uint32_t tile_bytes = get_tile_size(cb_id_out0);
    constexpr auto s_args = TensorAccessorArgs<0>();
    const auto s = TensorAccessor(s_args, dst_addr, tile_bytes);
    for (uint32_t m = 0; m < Mt; ++m) {
        for (uint32_t n = 0; n < Nt; ++n) {
            cb_wait_front(cb_id_out0, 1);
            noc_async_write_page(n + m * Nt, s, get_read_ptr(cb_id_out0));
            noc_async_write_barrier();
            cb_pop_front(cb_id_out0, 1);
        }
    }
}
