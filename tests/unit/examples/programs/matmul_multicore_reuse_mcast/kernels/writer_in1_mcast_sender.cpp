// Top row: reads this column's B block (in0_block_w x per_core_N tiles) from DRAM for each K block and
// multicasts it down the column (same handshake as the in0 sender); then writes this core's C block to
// DRAM subblock by subblock as the compute kernel produces it.
#include <cstdint>

void kernel_main() {
    // output block (args 0..10), as in writer_in1_mcast_receiver.cpp
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
    // in1 blocks and their multicast down the column
    uint32_t in1_tensor_addr = get_arg_val<uint32_t>(11);
    uint32_t in1_tensor_start_tile_id = get_arg_val<uint32_t>(12);
    uint32_t in1_tensor_stride_w = get_arg_val<uint32_t>(13);
    uint32_t in1_tensor_stride_h = get_arg_val<uint32_t>(14);
    uint32_t in1_tensor_next_block_stride = get_arg_val<uint32_t>(15);
    uint32_t in1_block_w = get_arg_val<uint32_t>(16);
    uint32_t in1_block_h = get_arg_val<uint32_t>(17);
    uint32_t in1_block_num_tiles = get_arg_val<uint32_t>(18);
    uint32_t num_blocks = get_arg_val<uint32_t>(19);
    uint32_t mcast_dest_noc_start_x = get_arg_val<uint32_t>(20);
    uint32_t mcast_dest_noc_start_y = get_arg_val<uint32_t>(21);
    uint32_t mcast_dest_noc_end_x = get_arg_val<uint32_t>(22);
    uint32_t mcast_dest_noc_end_y = get_arg_val<uint32_t>(23);
    uint32_t mcast_num_dests = get_arg_val<uint32_t>(24);
    uint32_t sender_semaphore_addr = get_semaphore(get_arg_val<uint32_t>(25));
    uint32_t receiver_semaphore_addr = get_semaphore(get_arg_val<uint32_t>(26));

    constexpr uint32_t cb_id_in1 = tt::CBIndex::c_1;
    constexpr uint32_t cb_id_out0 = tt::CBIndex::c_16;
    const uint32_t single_tile_size_bytes = get_tile_size(cb_id_in1);
    const uint32_t in1_block_size_bytes = in1_block_num_tiles * single_tile_size_bytes;
    constexpr auto s1_args = TensorAccessorArgs<0>();
    const auto s1 = TensorAccessor(s1_args, in1_tensor_addr, single_tile_size_bytes);
    constexpr auto out_args = TensorAccessorArgs<s1_args.next_compile_time_args_offset()>();
    const auto s_out = TensorAccessor(out_args, out_tensor_addr, get_tile_size(cb_id_out0));

    volatile tt_l1_ptr uint32_t* sender_semaphore = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(sender_semaphore_addr);
    volatile tt_l1_ptr uint32_t* receiver_semaphore =
        reinterpret_cast<volatile tt_l1_ptr uint32_t*>(receiver_semaphore_addr);
    noc_semaphore_set(receiver_semaphore, VALID);
    const uint64_t receiver_semaphore_mcast_addr = get_noc_multicast_addr(
        mcast_dest_noc_start_x, mcast_dest_noc_start_y, mcast_dest_noc_end_x, mcast_dest_noc_end_y,
        receiver_semaphore_addr);

    uint32_t in1_tensor_current_block_start_tile_id = in1_tensor_start_tile_id;
    for (uint32_t block = 0; block < num_blocks; block++) {
        cb_reserve_back(cb_id_in1, in1_block_num_tiles);
        uint32_t l1_write_addr_in1 = get_write_ptr(cb_id_in1);
        const uint32_t in1_start_address = l1_write_addr_in1;
        uint32_t in1_tensor_row_start_tile_id = in1_tensor_current_block_start_tile_id;
        for (uint32_t h = 0; h < in1_block_h; h++) {
            uint32_t in1_tensor_tile_id = in1_tensor_row_start_tile_id;
            for (uint32_t w = 0; w < in1_block_w; w++) {
                noc_async_read_page(in1_tensor_tile_id, s1, l1_write_addr_in1);
                l1_write_addr_in1 += single_tile_size_bytes;
                in1_tensor_tile_id += in1_tensor_stride_w;
            }
            in1_tensor_row_start_tile_id += in1_tensor_stride_h;
        }
        in1_tensor_current_block_start_tile_id += in1_tensor_next_block_stride;
        noc_async_read_barrier();

        if (mcast_num_dests > 0) {
            noc_semaphore_wait(sender_semaphore, mcast_num_dests);
            noc_semaphore_set(sender_semaphore, 0);
            const uint64_t in1_multicast_data_addr = get_noc_multicast_addr(
                mcast_dest_noc_start_x, mcast_dest_noc_start_y, mcast_dest_noc_end_x, mcast_dest_noc_end_y,
                in1_start_address);
            noc_async_write_multicast(in1_start_address, in1_multicast_data_addr, in1_block_size_bytes,
                                      mcast_num_dests);
            noc_semaphore_set_multicast(receiver_semaphore_addr, receiver_semaphore_mcast_addr, mcast_num_dests);
            noc_async_write_barrier();
        }
        cb_push_back(cb_id_in1, in1_block_num_tiles);
    }

    // The output arrives only after the last K block, so writing it after the loop cannot stall the reads.
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
