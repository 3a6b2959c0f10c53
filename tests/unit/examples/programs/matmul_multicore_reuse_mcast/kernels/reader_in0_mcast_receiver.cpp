// Every core but the left column: for each K block, reserve CB space for the A block, tell the row's
// sender (one increment of its sender semaphore), and wait until it has multicast the block and set our
// receiver semaphore back to VALID.
#include <cstdint>

void kernel_main() {
    uint32_t in0_block_num_tiles = get_arg_val<uint32_t>(0);
    uint32_t num_blocks = get_arg_val<uint32_t>(1);
    uint32_t in0_mcast_sender_noc_x = get_arg_val<uint32_t>(2);
    uint32_t in0_mcast_sender_noc_y = get_arg_val<uint32_t>(3);
    uint32_t sender_semaphore_addr = get_semaphore(get_arg_val<uint32_t>(4));
    uint32_t receiver_semaphore_addr = get_semaphore(get_arg_val<uint32_t>(5));

    constexpr uint32_t cb_id_in0 = tt::CBIndex::c_0;
    volatile tt_l1_ptr uint32_t* receiver_semaphore =
        reinterpret_cast<volatile tt_l1_ptr uint32_t*>(receiver_semaphore_addr);
    const uint64_t sender_semaphore_noc_addr =
        get_noc_addr(in0_mcast_sender_noc_x, in0_mcast_sender_noc_y, sender_semaphore_addr);

    for (uint32_t block = 0; block < num_blocks; block++) {
        cb_reserve_back(cb_id_in0, in0_block_num_tiles);
        noc_semaphore_set(receiver_semaphore, INVALID);
        noc_semaphore_inc(sender_semaphore_noc_addr, 1);
        noc_semaphore_wait(receiver_semaphore, VALID);
        cb_push_back(cb_id_in0, in0_block_num_tiles);
    }
    noc_async_atomic_barrier();
}
