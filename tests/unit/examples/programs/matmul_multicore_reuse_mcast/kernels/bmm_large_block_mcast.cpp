// Per core: C block (per_core_M x per_core_N tiles) = sum over K blocks of A block @ B block, one
// out_subblock_h x out_subblock_w subblock in DST at a time with matmul_block (one call per inner tile
// of the K block). Partial sums of all subblocks go to c_24 after every K block but the last and are
// reloaded into DST (copy_tile) before the next block accumulates on top.
#include <cstdint>
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/matmul.h"
#include "api/compute/tile_move_copy.h"

void kernel_main() {
    constexpr uint32_t in0_block_w = get_compile_time_arg_val(0);
    constexpr uint32_t in0_num_subblocks = get_compile_time_arg_val(1);
    constexpr uint32_t in0_block_num_tiles = get_compile_time_arg_val(2);
    constexpr uint32_t in0_subblock_num_tiles = get_compile_time_arg_val(3);
    constexpr uint32_t in1_num_subblocks = get_compile_time_arg_val(4);
    constexpr uint32_t in1_block_num_tiles = get_compile_time_arg_val(5);
    constexpr uint32_t in1_per_core_w = get_compile_time_arg_val(6);
    constexpr uint32_t num_blocks = get_compile_time_arg_val(7);
    constexpr uint32_t out_subblock_h = get_compile_time_arg_val(8);
    constexpr uint32_t out_subblock_w = get_compile_time_arg_val(9);
    constexpr uint32_t out_subblock_num_tiles = get_compile_time_arg_val(10);
    constexpr uint32_t batch = get_compile_time_arg_val(11);
    constexpr auto cb_in0 = tt::CBIndex::c_0, cb_in1 = tt::CBIndex::c_1;
    constexpr auto cb_out = tt::CBIndex::c_16, cb_partials = tt::CBIndex::c_24;

    compute_kernel_hw_startup<SrcOrder::Reverse>(cb_in0, cb_in1, cb_out);
    matmul_block_init(cb_in0, cb_in1, 0, out_subblock_w, out_subblock_h, in0_block_w);
    for (uint32_t b = 0; b < batch; b++) {
        for (uint32_t block = 0; block < num_blocks; block++) {
            const bool first_block = block == 0;
            const bool last_block = block == num_blocks - 1;
            cb_wait_front(cb_in0, in0_block_num_tiles);
            cb_wait_front(cb_in1, in1_block_num_tiles);
            for (uint32_t in0_subblock = 0; in0_subblock < in0_num_subblocks; in0_subblock++) {
                for (uint32_t in1_subblock = 0; in1_subblock < in1_num_subblocks; in1_subblock++) {
                    tile_regs_acquire();
                    if (!first_block) {
                        copy_init(cb_partials);
                        cb_wait_front(cb_partials, out_subblock_num_tiles);
                        for (uint32_t i = 0; i < out_subblock_num_tiles; i++) {
                            copy_tile(cb_partials, i, i);
                        }
                        cb_pop_front(cb_partials, out_subblock_num_tiles);
                        matmul_block_init(cb_in0, cb_in1, 0, out_subblock_w, out_subblock_h, in0_block_w);
                    }
                    // A subblock rows start in0_block_w tiles apart; B block rows in1_per_core_w apart
                    uint32_t in0_index = in0_subblock * in0_subblock_num_tiles;
                    uint32_t in1_index = in1_subblock * out_subblock_w;
                    for (uint32_t inner_dim = 0; inner_dim < in0_block_w; inner_dim++) {
                        matmul_block(cb_in0, cb_in1, in0_index, in1_index, 0, false, out_subblock_w, out_subblock_h,
                                     in0_block_w);
                        in0_index++;
                        in1_index += in1_per_core_w;
                    }
                    tile_regs_commit();
                    tile_regs_wait();
                    const auto cb_dst = last_block ? cb_out : cb_partials;
                    cb_reserve_back(cb_dst, out_subblock_num_tiles);
                    for (uint32_t i = 0; i < out_subblock_num_tiles; i++) {
                        pack_tile(i, cb_dst);
                    }
                    cb_push_back(cb_dst, out_subblock_num_tiles);
                    tile_regs_release();
                }
            }
            cb_pop_front(cb_in0, in0_block_num_tiles);
            cb_pop_front(cb_in1, in1_block_num_tiles);
        }
    }
}
