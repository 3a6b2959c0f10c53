#include <cstdint>
#include "api/compute/matmul.h"

using std::uint32_t;

void kernel_main() {
    constexpr int onetile = 1;
    const uint32_t Mt = get_compile_time_arg_val(0);
    const uint32_t Kt = get_compile_time_arg_val(1);
    const uint32_t Nt = get_compile_time_arg_val(2);
    constexpr tt::CBIndex cb_in0 = tt::CBIndex::c_0;
    constexpr tt::CBIndex cb_in1 = tt::CBIndex::c_1;
    constexpr tt::CBIndex cb_out = tt::CBIndex::c_16;
    compute_kernel_hw_startup<SrcOrder::Reverse>(cb_in0, cb_in1, cb_out);
    matmul_init(cb_in0, cb_in1);
    for (uint32_t mt = 0; mt < Mt; ++mt) {
        for (uint32_t nt = 0; nt < Nt; ++nt) {
            tile_regs_acquire();
            for (uint32_t kt = 0; kt < Kt; kt++) {
                cb_wait_front(cb_in0, onetile);
                cb_wait_front(cb_in1, onetile);
                matmul_tiles(cb_in0, cb_in1, 0, 0, 0);
                cb_pop_front(cb_in0, onetile);
                cb_pop_front(cb_in1, onetile);
            }
            tile_regs_commit();
            tile_regs_wait();
            cb_reserve_back(cb_out, onetile);
            pack_tile(0, cb_out);
            cb_push_back(cb_out, onetile);
            tile_regs_release();
        }
    }
}
