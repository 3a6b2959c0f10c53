#pragma once
#include "tt_emu/kernel_rt.h"

// NOC addresses: bits 0..31 local address, 32..39 NOC x, 40..47 NOC y; multicast sets bit 63.
inline uint64_t get_noc_addr(uint32_t noc_x, uint32_t noc_y, uint32_t addr, uint8_t noc = noc_index) {
  return tt_emu_noc_addr_xy(noc_x, noc_y, addr);
}
inline uint64_t get_noc_addr(uint32_t addr, uint8_t noc = noc_index) { return tt_emu_noc_addr_self(addr); }
inline uint64_t get_noc_addr_helper(uint32_t noc_xy, uint32_t addr) {
  return tt_emu_noc_addr_xy(noc_xy & 0x3f, (noc_xy >> 6) & 0x3f, addr);
}
template <typename AddrGen>
inline auto get_noc_addr(const uint32_t id, const AddrGen& addrgen, uint32_t offset = 0, uint8_t noc = noc_index)
    -> decltype(addrgen.get_noc_addr(id, offset, noc)) {
  return addrgen.get_noc_addr(id, offset, noc);
}
template <bool DRAM>
inline uint64_t get_noc_addr_from_bank_id(uint32_t bank_id, uint32_t bank_address_offset, uint8_t noc = noc_index) {
  return tt_emu_noc_addr_bank(bank_id, bank_address_offset, DRAM);
}
inline uint64_t get_noc_multicast_addr(uint32_t noc_x_start, uint32_t noc_y_start, uint32_t noc_x_end,
                                       uint32_t noc_y_end, uint32_t addr, uint8_t noc = noc_index) {
  return tt_emu_noc_mcast_addr(noc_x_start, noc_y_start, noc_x_end, noc_y_end, addr);
}

namespace tt_emu_detail {
constexpr uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }
#ifdef ARCH_BLACKHOLE
constexpr uint32_t DRAM_ALIGNMENT = 64;
#else
constexpr uint32_t DRAM_ALIGNMENT = 32;
#endif
}  // namespace tt_emu_detail

template <bool DRAM>
struct InterleavedAddrGen {
  uint32_t bank_base_address;
  const uint32_t page_size;
  uint32_t get_aligned_page_size() const {
    return tt_emu_detail::align_up(page_size, DRAM ? tt_emu_detail::DRAM_ALIGNMENT : L1_ALIGNMENT);
  }
  uint64_t get_noc_addr(const uint32_t id, const uint32_t offset = 0, uint8_t noc = noc_index) const {
    return tt_emu_noc_addr_interleaved(bank_base_address, get_aligned_page_size(), id, offset, DRAM);
  }
};
template <bool DRAM>
struct InterleavedPow2AddrGen {
  const uint32_t bank_base_address;
  const uint32_t log_base_2_of_page_size;
  uint64_t get_noc_addr(const uint32_t id, const uint32_t offset = 0, uint8_t noc = noc_index) const {
    uint32_t ps = 1u << log_base_2_of_page_size;
    return tt_emu_noc_addr_interleaved(bank_base_address,
        tt_emu_detail::align_up(ps, DRAM ? tt_emu_detail::DRAM_ALIGNMENT : L1_ALIGNMENT), id, offset, DRAM);
  }
};
template <bool DRAM, uint32_t tile_hw = 1024>
struct InterleavedAddrGenFast {
  uint32_t bank_base_address;
  uint32_t page_size;
  DataFormat data_format;
  uint64_t get_noc_addr(const uint32_t id, const uint32_t offset = 0, uint8_t noc = noc_index) const {
    return tt_emu_noc_addr_interleaved(bank_base_address,
        tt_emu_detail::align_up(page_size, DRAM ? tt_emu_detail::DRAM_ALIGNMENT : L1_ALIGNMENT), id, offset, DRAM);
  }
};
