#pragma once
#include "tt_emu/kernel_rt.h"

template <typename T>
FORCE_INLINE T get_arg_val(int arg_idx, TT_EMU_LINE) {
  static_assert(sizeof(T) == 4, "get_arg_val: T must be 4 bytes");
  uint32_t v = tt_emu_get_arg(arg_idx, 0, tt_emu_line);
  return __builtin_bit_cast(T, v);
}
template <typename T>
FORCE_INLINE T get_common_arg_val(int arg_idx, TT_EMU_LINE) {
  static_assert(sizeof(T) == 4, "get_common_arg_val: T must be 4 bytes");
  uint32_t v = tt_emu_get_arg(arg_idx, 1, tt_emu_line);
  return __builtin_bit_cast(T, v);
}
static inline uintptr_t get_arg_addr(int arg_idx) { return tt_emu_get_arg_addr(arg_idx, 0); }
static inline uintptr_t get_common_arg_addr(int arg_idx) { return tt_emu_get_arg_addr(arg_idx, 1); }
inline uint32_t get_absolute_logical_x() { return tt_emu_my_coord(0); }
inline uint32_t get_absolute_logical_y() { return tt_emu_my_coord(1); }
inline uint32_t get_relative_logical_x() { return tt_emu_my_coord(0); }
inline uint32_t get_relative_logical_y() { return tt_emu_my_coord(1); }
#define my_x (tt_emu_my_coord(2))
#define my_y (tt_emu_my_coord(3))
