#pragma once
#include "api/compile_time_args.h"

#include "hostdevcommon/tensor_accessor/arg_config.hpp"

namespace tensor_accessor {
constexpr std::size_t UNKNOWN = static_cast<std::size_t>(-1);
}  // namespace tensor_accessor

// Interleaved accessors only. E4 consumes 2 compile-time args (config, aligned page size), E3 consumes 1.
template <std::size_t CTA_OFFSET, std::size_t CRTA_OFFSET = tensor_accessor::UNKNOWN>
struct TensorAccessorArgs {
  static constexpr uint32_t ArgsConfig = get_ct_arg<CTA_OFFSET>();
  static constexpr bool is_sharded = (ArgsConfig & 1u) != 0;
  static constexpr bool is_dram = (ArgsConfig & 2u) != 0;
  static_assert(!is_sharded, "tt-emu: sharded TensorAccessor is not emulated (interleaved only)");
#if TT_EMU_API_ERA >= 4
  static constexpr uint32_t AlignedPageSize = get_ct_arg<CTA_OFFSET + 1>();
  static constexpr uint32_t NumArgsCT = 2;
  static constexpr uint32_t get_aligned_page_size() { return AlignedPageSize; }
#else
  static constexpr uint32_t NumArgsCT = 1;
#endif
  constexpr TensorAccessorArgs() = default;
  static constexpr uint32_t num_compile_time_args() { return NumArgsCT; }
  static constexpr uint32_t next_compile_time_args_offset() { return CTA_OFFSET + NumArgsCT; }
  static constexpr uint32_t num_common_runtime_args() { return 0; }
  static constexpr uint32_t next_common_runtime_args_offset() {
    return CRTA_OFFSET == tensor_accessor::UNKNOWN ? 0 : CRTA_OFFSET;
  }
};
