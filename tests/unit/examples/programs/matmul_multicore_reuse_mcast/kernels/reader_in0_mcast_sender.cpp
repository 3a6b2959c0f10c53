// Left column: reads this row's A block (per_core_M x in0_block_w tiles) from DRAM for each K block and
// multicasts it to the same CB address on every other core of the row. Handshake per block: each
// receiver increments our sender semaphore once it has reserved space; we wait for all of them, send the
// block, then flip their receiver semaphores to VALID with one more multicast.
#include <cstdint>

void kernel_main() {
    uint32_t in0_tensor_addr = get_arg_val<uint32_t>(0);
    uint32_t in0_tensor_start_tile_id = get_arg_val<uint32_t>(1);
    uint32_t in0_tensor_stride_w = get_arg_val<uint32_t>(2);
    uint32_t in0_tensor_stride_h = get_arg_val<uint32_t>(3);
    uint32_t in0_tensor_next_block_stride = get_arg_val<uint32_t>(4);
    uint32_t in0_block_w = get_arg_val<uint32_t>(5);
    uint32_t in0_block_h = get_arg_val<uint32_t>(6);
    uint32_t in0_block_num_tiles = get_arg_val<uint32_t>(7);
    uint32_t num_blocks = get_arg_val<uint32_t>(8);
    uint32_t mcast_dest_noc_start_x = get_arg_val<uint32_t>(9);
    uint32_t mcast_dest_noc_start_y = get_arg_val<uint32_t>(10);
    uint32_t mcast_dest_noc_end_x = get_arg_val<uint32_t>(11);
    uint32_t mcast_dest_noc_end_y = get_arg_val<uint32_t>(12);
    uint32_t mcast_num_dests = get_arg_val<uint32_t>(13);
    uint32_t sender_semaphore_addr = get_semaphore(get_arg_val<uint32_t>(14));
    uint32_t receiver_semaphore_addr = get_semaphore(get_arg_val<uint32_t>(15));

    constexpr uint32_t cb_id_in0 = tt::CBIndex::c_0;
    const uint32_t single_tile_size_bytes = get_tile_size(cb_id_in0);
    const uint32_t in0_block_size_bytes = in0_block_num_tiles * single_tile_size_bytes;
    constexpr auto s0_args = TensorAccessorArgs<0>();
    const auto s0 = TensorAccessor(s0_args, in0_tensor_addr, single_tile_size_bytes);

    volatile tt_l1_ptr uint32_t* sender_semaphore = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(sender_semaphore_addr);
    volatile tt_l1_ptr uint32_t* receiver_semaphore =
        reinterpret_cast<volatile tt_l1_ptr uint32_t*>(receiver_semaphore_addr);
    // Our own receiver semaphore holds VALID: it is the source of the flag multicast.
    noc_semaphore_set(receiver_semaphore, VALID);
    const uint64_t receiver_semaphore_mcast_addr = get_noc_multicast_addr(
        mcast_dest_noc_start_x, mcast_dest_noc_start_y, mcast_dest_noc_end_x, mcast_dest_noc_end_y,
        receiver_semaphore_addr);

    uint32_t in0_tensor_current_block_start_tile_id = in0_tensor_start_tile_id;
    for (uint32_t block = 0; block < num_blocks; block++) {
        cb_reserve_back(cb_id_in0, in0_block_num_tiles);
        uint32_t l1_write_addr_in0 = get_write_ptr(cb_id_in0);
        const uint32_t in0_start_address = l1_write_addr_in0;
        uint32_t in0_tensor_row_start_tile_id = in0_tensor_current_block_start_tile_id;
        for (uint32_t h = 0; h < in0_block_h; h++) {
            uint32_t in0_tensor_tile_id = in0_tensor_row_start_tile_id;
            for (uint32_t w = 0; w < in0_block_w; w++) {
                noc_async_read_page(in0_tensor_tile_id, s0, l1_write_addr_in0);
                l1_write_addr_in0 += single_tile_size_bytes;
                in0_tensor_tile_id += in0_tensor_stride_w;
            }
            in0_tensor_row_start_tile_id += in0_tensor_stride_h;
        }
        in0_tensor_current_block_start_tile_id += in0_tensor_next_block_stride;
        noc_async_read_barrier();

        if (mcast_num_dests > 0) {
            // every receiver of the row has reserved its CB space for this block
            noc_semaphore_wait(sender_semaphore, mcast_num_dests);
            noc_semaphore_set(sender_semaphore, 0);
            // all cores run the same CB sequence, so the block lands at the same L1 address on each
            const uint64_t in0_multicast_data_addr = get_noc_multicast_addr(
                mcast_dest_noc_start_x, mcast_dest_noc_start_y, mcast_dest_noc_end_x, mcast_dest_noc_end_y,
                in0_start_address);
            noc_async_write_multicast(in0_start_address, in0_multicast_data_addr, in0_block_size_bytes,
                                      mcast_num_dests);
            // the data and the flag travel on the same NOC in order, so no barrier between them
            noc_semaphore_set_multicast(receiver_semaphore_addr, receiver_semaphore_mcast_addr, mcast_num_dests);
            noc_async_write_barrier();
        }
        cb_push_back(cb_id_in0, in0_block_num_tiles);
    }
}
