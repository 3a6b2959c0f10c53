#pragma once
#include "tt_emu/kernel_rt.h"

// -DKERNEL_COMPILE_TIME_ARGS=a,b,c from the host's compile_args. A leading 0 keeps the array non-empty.
#ifndef KERNEL_COMPILE_TIME_ARGS
#define KERNEL_COMPILE_TIME_ARGS
#endif
inline constexpr uint32_t tt_emu_ct_args_[] = {0u, KERNEL_COMPILE_TIME_ARGS};
inline constexpr uint32_t tt_emu_num_ct_args_ = sizeof(tt_emu_ct_args_) / sizeof(uint32_t) - 1;

template <uint32_t Idx>
constexpr uint32_t get_ct_arg() {
  static_assert(Idx < tt_emu_num_ct_args_, "get_compile_time_arg_val: index out of range of the compile-time args");
  return tt_emu_ct_args_[Idx + 1];
}
#define get_compile_time_arg_val(arg_idx) get_ct_arg<(arg_idx)>()
