#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

#if TT_STUB_API_ERA >= 4
ALWI void copy_init(std::uint32_t cbid, std::uint32_t transpose = 0, std::uint32_t transpose_within_16x16_face = false,
                    std::uint32_t call_line = __builtin_LINE());
[[deprecated("Renamed to copy_init(). This will be removed after 15-09-2026.")]]
#endif
ALWI void copy_tile_to_dst_init_short(std::uint32_t cbid, std::uint32_t transpose = 0,
                                      std::uint32_t transpose_within_16x16_face = false,
                                      std::uint32_t call_line = __builtin_LINE());
ALWI void copy_tile(std::uint32_t in_cb_id, std::uint32_t in_tile_index, std::uint32_t dst_tile_index);
