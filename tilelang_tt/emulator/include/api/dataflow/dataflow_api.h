// Data-movement kernel API (E3/E4 path api/dataflow/dataflow_api.h), emulated.
#pragma once
#include "tt_emu/kernel_rt.h"
#include "api/compile_time_args.h"
#include "tt_emu/args.h"
#include "tt_emu/cb.h"
#include "hostdevcommon/kernel_structs.h"

#include "tt_emu/data_format.h"
enum class ProgrammableCoreType { TENSIX = 0, ACTIVE_ETH = 1, IDLE_ETH = 2 };

inline uint32_t get_write_ptr(uint32_t operand) { return tt_emu_get_write_ptr(operand); }
inline uint32_t get_read_ptr(uint32_t operand) { return tt_emu_get_read_ptr(operand); }
inline int32_t get_tile_size(const int32_t operand) { return (int32_t)tt_emu_get_tile_size(operand); }
inline uint32_t get_tile_hw(const int32_t) { return 1024; }
inline uint32_t get_tile_num_faces(const int32_t) { return 4; }
inline DataFormat get_dataformat(const int32_t operand) { return (DataFormat)tt_emu_get_dataformat(operand); }

#include "internal/dataflow/dataflow_api_addrgen.h"
#include "api/tensor/tensor_accessor.h"

template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true>
inline void noc_async_read(uint64_t src_noc_addr, uint32_t dst_local_l1_addr, uint32_t size, uint8_t noc = noc_index,
                           uint32_t read_req_vc = NOC_UNICAST_WRITE_VC, TT_EMU_LINE) {
  tt_emu_noc_read(src_noc_addr, dst_local_l1_addr, size, tt_emu_line);
}
inline void noc_async_read_one_packet(uint64_t src_noc_addr, uint32_t dst_local_l1_addr, uint32_t size,
                                      uint8_t noc = noc_index, uint32_t read_req_vc = NOC_UNICAST_WRITE_VC, TT_EMU_LINE) {
  tt_emu_noc_read(src_noc_addr, dst_local_l1_addr, size, tt_emu_line);
}
template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true, bool posted = false>
inline void noc_async_write(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint32_t size, uint8_t noc = noc_index,
                            uint32_t vc = NOC_UNICAST_WRITE_VC, TT_EMU_LINE) {
  tt_emu_noc_write(src_local_l1_addr, dst_noc_addr, size, tt_emu_line);
}
inline void noc_async_write_one_packet(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint32_t size,
                                       uint8_t noc = noc_index, TT_EMU_LINE) {
  tt_emu_noc_write(src_local_l1_addr, dst_noc_addr, size, tt_emu_line);
}

template <typename AddrGen, bool enable_noc_tracing = true>
inline void noc_async_read_page(const uint32_t id, const AddrGen& addrgen, uint32_t dst_local_l1_addr,
                                uint32_t offset = 0, uint8_t noc = noc_index, TT_EMU_LINE) {
  tt_emu_noc_read(addrgen.get_noc_addr(id, offset, noc), dst_local_l1_addr, addrgen.page_size - offset, tt_emu_line);
}
template <typename AddrGen, bool enable_noc_tracing = true, bool posted = false>
inline void noc_async_write_page(const uint32_t id, const AddrGen& addrgen, uint32_t src_local_l1_addr,
                                 uint32_t size = 0, uint32_t offset = 0, uint8_t noc = noc_index, TT_EMU_LINE) {
  tt_emu_noc_write(src_local_l1_addr, addrgen.get_noc_addr(id, offset, noc), size ? size : addrgen.page_size - offset,
                   tt_emu_line);
}
template <typename AddrGen>
[[deprecated("Use noc_async_read_page")]] inline void noc_async_read_tile(const uint32_t id, const AddrGen& addrgen,
                                                                          uint32_t dst_local_l1_addr, uint32_t offset = 0,
                                                                          uint8_t noc = noc_index, TT_EMU_LINE) {
  tt_emu_noc_read(addrgen.get_noc_addr(id, offset, noc), dst_local_l1_addr, addrgen.page_size, tt_emu_line);
}
template <typename AddrGen>
[[deprecated("Use noc_async_write_page")]] inline void noc_async_write_tile(const uint32_t id, const AddrGen& addrgen,
                                                                            uint32_t src_local_l1_addr,
                                                                            uint8_t noc = noc_index, TT_EMU_LINE) {
  tt_emu_noc_write(src_local_l1_addr, addrgen.get_noc_addr(id, 0, noc), addrgen.page_size, tt_emu_line);
}

inline void noc_async_read_barrier(uint8_t noc = noc_index, TT_EMU_LINE) { tt_emu_noc_barrier(0, tt_emu_line); }
inline void noc_async_write_barrier(uint8_t noc = noc_index, TT_EMU_LINE) { tt_emu_noc_barrier(1, tt_emu_line); }
inline void noc_async_writes_flushed(uint8_t noc = noc_index, TT_EMU_LINE) { tt_emu_noc_barrier(1, tt_emu_line); }
inline void noc_async_atomic_barrier(uint8_t noc_idx = noc_index, TT_EMU_LINE) { tt_emu_noc_barrier(2, tt_emu_line); }
inline void noc_async_full_barrier(uint8_t noc_idx = noc_index, TT_EMU_LINE) { tt_emu_noc_barrier(3, tt_emu_line); }

// Multicast: num_dests excludes the sender; the _loopback_src forms include it.
template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1>
inline void noc_async_write_multicast(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast, uint32_t size,
                                      uint32_t num_dests, bool linked = false, uint8_t noc = noc_index,
                                      uint8_t vc = NOC_MULTICAST_WRITE_VC, TT_EMU_LINE) {
  tt_emu_noc_write_mcast(src_local_l1_addr, dst_noc_addr_multicast, size, num_dests, 0, tt_emu_line);
}
inline void noc_async_write_multicast_loopback_src(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast,
                                                   uint32_t size, uint32_t num_dests, bool linked = false,
                                                   uint8_t noc = noc_index, TT_EMU_LINE) {
  tt_emu_noc_write_mcast(src_local_l1_addr, dst_noc_addr_multicast, size, num_dests, 1, tt_emu_line);
}

// Semaphores live in L1; a pointer to one is an L1 address (the runtime translates and bounds-checks it).
template <ProgrammableCoreType type = ProgrammableCoreType::TENSIX>
inline uintptr_t get_semaphore(uint32_t semaphore_id) { return tt_emu_get_semaphore(semaphore_id); }
inline void noc_semaphore_set(volatile tt_l1_ptr uint32_t* sem_addr, uint32_t val, TT_EMU_LINE) {
  tt_emu_sem_set((uintptr_t)sem_addr, val, tt_emu_line);
}
inline void noc_semaphore_wait(volatile tt_l1_ptr uint32_t* sem_addr, uint32_t val, TT_EMU_LINE) {
  tt_emu_sem_wait((uintptr_t)sem_addr, val, 0, tt_emu_line);
}
inline void noc_semaphore_wait_min(volatile tt_l1_ptr uint32_t* sem_addr, uint32_t val, TT_EMU_LINE) {
  tt_emu_sem_wait((uintptr_t)sem_addr, val, 1, tt_emu_line);
}
template <bool posted = false>
inline void noc_semaphore_inc(uint64_t addr, uint32_t incr, uint8_t noc_id = noc_index,
                              uint8_t vc = NOC_UNICAST_WRITE_VC, TT_EMU_LINE) {
  tt_emu_sem_inc(addr, incr, 0, tt_emu_line);
}
template <bool posted = false>
inline void noc_semaphore_inc_multicast(uint64_t addr, uint32_t incr, uint32_t num_dests, uint8_t noc_id = noc_index,
                                        uint8_t vc = NOC_MULTICAST_WRITE_VC, TT_EMU_LINE) {
  tt_emu_sem_inc(addr, incr, num_dests, tt_emu_line);
}
inline void noc_semaphore_set_remote(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint8_t noc = noc_index,
                                     TT_EMU_LINE) {
  tt_emu_sem_set_remote(src_local_l1_addr, dst_noc_addr, 0, 0, 0, tt_emu_line);
}
inline void noc_semaphore_set_multicast(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast, uint32_t num_dests,
                                        bool linked = false, uint8_t noc = noc_index,
                                        uint8_t vc = NOC_MULTICAST_WRITE_VC, TT_EMU_LINE) {
  tt_emu_sem_set_remote(src_local_l1_addr, dst_noc_addr_multicast, num_dests, 1, 0, tt_emu_line);
}
inline void noc_semaphore_set_multicast_loopback_src(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast,
                                                     uint32_t num_dests, bool linked = false,
                                                     uint8_t noc = noc_index, TT_EMU_LINE) {
  tt_emu_sem_set_remote(src_local_l1_addr, dst_noc_addr_multicast, num_dests, 1, 1, tt_emu_line);
}
