// Every core below the top row: receives each B block from the top core of its column (the in0
// receivers' handshake, on c_1), then writes this core's C block to DRAM subblock by subblock.
#include <cstdint>

void kernel_main() {
    // output block (args 0..10), as in writer_in1_mcast_sender.cpp
    uint32_t out_tensor_addr = get_arg_val<uint32_t>(0);
    uint32_t out_tensor_start_tile_id = get_arg_val<uint32_t>(1);
    uint32_t out_tensor_stride_w = get_arg_val<uint32_t>(2);
    uint32_t out_tensor_stride_h = get_arg_val<uint32_t>(3);
    uint32_t out_tensor_next_subblock_stride_w = get_arg_val<uint32_t>(4);
    uint32_t out_tensor_next_subblock_stride_h = get_arg_val<uint32_t>(5);
    uint32_t out_subblock_w = get_arg_val<uint32_t>(6);
    uint32_t out_subblock_h = get_arg_val<uint32_t>(7);
    uint32_t out_subblock_tile_count = get_arg_val<uint32_t>(8);
    uint32_t out_num_subblocks_w = get_arg_val<uint32_t>(9);
    uint32_t out_num_subblocks_h = get_arg_val<uint32_t>(10);
    // in1 blocks from the column's sender
    uint32_t in1_block_num_tiles = get_arg_val<uint32_t>(11);
    uint32_t num_blocks = get_arg_val<uint32_t>(12);
    uint32_t in1_mcast_sender_noc_x = get_arg_val<uint32_t>(13);
    uint32_t in1_mcast_sender_noc_y = get_arg_val<uint32_t>(14);
    uint32_t sender_semaphore_addr = get_semaphore(get_arg_val<uint32_t>(15));
    uint32_t receiver_semaphore_addr = get_semaphore(get_arg_val<uint32_t>(16));

    constexpr uint32_t cb_id_in1 = tt::CBIndex::c_1;
    constexpr uint32_t cb_id_out0 = tt::CBIndex::c_16;
    const uint32_t single_tile_size_bytes = get_tile_size(cb_id_out0);
    constexpr auto out_args = TensorAccessorArgs<0>();
    const auto s_out = TensorAccessor(out_args, out_tensor_addr, single_tile_size_bytes);

    volatile tt_l1_ptr uint32_t* receiver_semaphore =
        reinterpret_cast<volatile tt_l1_ptr uint32_t*>(receiver_semaphore_addr);
    const uint64_t sender_semaphore_noc_addr =
        get_noc_addr(in1_mcast_sender_noc_x, in1_mcast_sender_noc_y, sender_semaphore_addr);
    for (uint32_t block = 0; block < num_blocks; block++) {
        cb_reserve_back(cb_id_in1, in1_block_num_tiles);
        noc_semaphore_set(receiver_semaphore, INVALID);
        noc_semaphore_inc(sender_semaphore_noc_addr, 1);
        noc_semaphore_wait(receiver_semaphore, VALID);
        cb_push_back(cb_id_in1, in1_block_num_tiles);
    }
    noc_async_atomic_barrier();

    uint32_t out_tensor_sbh_start_tile_id = out_tensor_start_tile_id;
    for (uint32_t sbh = 0; sbh < out_num_subblocks_h; sbh++) {
        uint32_t out_tensor_sbw_start_tile_id = out_tensor_sbh_start_tile_id;
        for (uint32_t sbw = 0; sbw < out_num_subblocks_w; sbw++) {
            uint32_t out_tensor_sb_row_start_tile_id = out_tensor_sbw_start_tile_id;
            cb_wait_front(cb_id_out0, out_subblock_tile_count);
            uint32_t l1_read_addr = get_read_ptr(cb_id_out0);
            for (uint32_t h = 0; h < out_subblock_h; h++) {
                uint32_t out_tensor_tile_id = out_tensor_sb_row_start_tile_id;
                for (uint32_t w = 0; w < out_subblock_w; w++) {
                    noc_async_write_page(out_tensor_tile_id, s_out, l1_read_addr);
                    l1_read_addr += single_tile_size_bytes;
                    out_tensor_tile_id += out_tensor_stride_w;
                }
                out_tensor_sb_row_start_tile_id += out_tensor_stride_h;
            }
            noc_async_write_barrier();
            cb_pop_front(cb_id_out0, out_subblock_tile_count);
            out_tensor_sbw_start_tile_id += out_tensor_next_subblock_stride_w;
        }
        out_tensor_sbh_start_tile_id += out_tensor_next_subblock_stride_h;
    }
}
