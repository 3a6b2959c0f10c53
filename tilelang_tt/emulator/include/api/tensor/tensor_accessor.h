#pragma once
#include "api/tensor/tensor_accessor_args.h"
#include "internal/dataflow/dataflow_api_addrgen.h"

template <typename DSpecT>
struct TensorAccessor {
  uint32_t bank_base_address;
  uint32_t page_size;
  uint32_t aligned_page_size;
  bool is_dram;

#if TT_EMU_API_ERA >= 4
  template <std::size_t A, std::size_t B>
  TensorAccessor(const TensorAccessorArgs<A, B>& args, size_t bank_base, uint32_t page_size_ = TensorAccessorArgs<A, B>::AlignedPageSize)
#else
  template <std::size_t A, std::size_t B>
  TensorAccessor(const TensorAccessorArgs<A, B>& args, size_t bank_base, uint32_t page_size_ = 0)
#endif
      : bank_base_address((uint32_t)bank_base), page_size(page_size_),
        aligned_page_size(tt_emu_detail::align_up(page_size_, TensorAccessorArgs<A, B>::is_dram
                                                                  ? tt_emu_detail::DRAM_ALIGNMENT : L1_ALIGNMENT)),
        is_dram(TensorAccessorArgs<A, B>::is_dram) {}

  uint64_t get_noc_addr(uint32_t page_id, uint32_t offset = 0, uint8_t noc = noc_index) const {
    return tt_emu_noc_addr_interleaved(bank_base_address, aligned_page_size, page_id, offset, is_dram);
  }
  uint32_t get_aligned_page_size() const { return aligned_page_size; }
  uint32_t get_bank_base_address() const { return bank_base_address; }
};
template <std::size_t A, std::size_t B>
TensorAccessor(const TensorAccessorArgs<A, B>&, size_t, uint32_t) -> TensorAccessor<TensorAccessorArgs<A, B>>;
template <std::size_t A, std::size_t B>
TensorAccessor(const TensorAccessorArgs<A, B>&, size_t) -> TensorAccessor<TensorAccessorArgs<A, B>>;
