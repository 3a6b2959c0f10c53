#pragma once
// Stub of tt_metal/hw/inc/api/dataflow/dataflow_api.h (+ the tensor accessor headers it includes).
#include <cstddef>
#include <cstdint>

#include "hostdevcommon/kernel_structs.h"

#ifndef TT_STUB_API_ERA
#error "define TT_STUB_API_ERA (3 or 4)"
#endif

extern std::uint8_t noc_index;

template <typename T>
T get_arg_val(int arg_idx);
template <typename T>
T get_common_arg_val(int arg_idx);

template <std::uint32_t idx>
constexpr std::uint32_t get_ct_arg() { return 0; }
#define get_compile_time_arg_val(arg_idx) get_ct_arg<arg_idx>()

void cb_reserve_back(std::int32_t operand, std::int32_t num_pages);
void cb_push_back(const std::int32_t operand, const std::int32_t num_pages);
void cb_wait_front(std::int32_t operand, std::int32_t num_pages);
void cb_pop_front(std::int32_t operand, std::int32_t num_pages);
std::uint32_t get_write_ptr(std::uint32_t operand);
std::uint32_t get_read_ptr(std::uint32_t operand);
constexpr std::int32_t get_tile_size(const std::int32_t operand) { return operand * 0 + 2048; }

namespace tensor_accessor {
constexpr std::size_t UNKNOWN = static_cast<std::size_t>(-1);
}

template <std::size_t CTA_OFFSET, std::size_t CRTA_OFFSET = tensor_accessor::UNKNOWN>
struct TensorAccessorArgs {
    // Interleaved accessors take 2 compile-time args at HEAD, 1 in older trees: never hard-code.
    static constexpr std::size_t num_compile_time_args() { return TT_STUB_API_ERA >= 4 ? 2 : 1; }
    static constexpr std::size_t next_compile_time_args_offset() { return CTA_OFFSET + num_compile_time_args(); }
    static constexpr std::size_t num_common_runtime_args() { return 0; }
};

template <typename DSpec>
struct TensorAccessor {
    TensorAccessor(const DSpec& args, std::size_t bank_base_address, std::uint32_t page_size);
    std::uint64_t get_noc_addr(std::uint32_t page_id, std::uint32_t offset = 0, std::uint8_t noc = noc_index) const;
};
template <std::size_t CTA, std::size_t CRTA>
TensorAccessor(const TensorAccessorArgs<CTA, CRTA>&, std::size_t, std::uint32_t) -> TensorAccessor<TensorAccessorArgs<CTA, CRTA>>;

template <typename AddrGen, bool enable_noc_tracing = true>
void noc_async_read_page(const std::uint32_t id, const AddrGen& addrgen, std::uint32_t dst_local_l1_addr,
                         std::uint32_t offset = 0, std::uint8_t noc = noc_index);
template <typename AddrGen, bool enable_noc_tracing = true, bool posted = false>
void noc_async_write_page(const std::uint32_t id, const AddrGen& addrgen, std::uint32_t src_local_l1_addr,
                          std::uint32_t size = 0, std::uint32_t offset = 0, std::uint8_t noc = noc_index);
void noc_async_read_barrier(std::uint8_t noc = noc_index);
void noc_async_write_barrier(std::uint8_t noc = noc_index);

// Multicast and semaphores (metalium-api.md A.6).
#define tt_l1_ptr
enum class ProgrammableCoreType { TENSIX = 0, ACTIVE_ETH = 1, IDLE_ETH = 2 };
template <ProgrammableCoreType type = ProgrammableCoreType::TENSIX>
std::uintptr_t get_semaphore(std::uint32_t semaphore_id);
void noc_semaphore_set(volatile tt_l1_ptr std::uint32_t* sem_addr, std::uint32_t val);
void noc_semaphore_wait(volatile tt_l1_ptr std::uint32_t* sem_addr, std::uint32_t val);
std::uint64_t get_noc_addr(std::uint32_t noc_x, std::uint32_t noc_y, std::uint32_t addr, std::uint8_t noc = noc_index);
std::uint64_t get_noc_multicast_addr(std::uint32_t noc_x_start, std::uint32_t noc_y_start, std::uint32_t noc_x_end,
                                     std::uint32_t noc_y_end, std::uint32_t addr, std::uint8_t noc = noc_index);
template <bool posted = false>
void noc_semaphore_inc(std::uint64_t addr, std::uint32_t incr, std::uint8_t noc_id = noc_index, std::uint8_t vc = 0);
template <std::uint32_t max_page_size = 8193>
void noc_async_write_multicast(std::uint32_t src_local_l1_addr, std::uint64_t dst_noc_addr_multicast, std::uint32_t size,
                               std::uint32_t num_dests, bool linked = false, std::uint8_t noc = noc_index,
                               std::uint8_t vc = 4);
void noc_semaphore_set_multicast(std::uint32_t src_local_l1_addr, std::uint64_t dst_noc_addr_multicast,
                                 std::uint32_t num_dests, bool linked = false, std::uint8_t noc = noc_index,
                                 std::uint8_t vc = 4);
void noc_async_writes_flushed(std::uint8_t noc = noc_index);
void noc_async_atomic_barrier(std::uint8_t noc_idx = noc_index);
