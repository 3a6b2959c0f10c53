#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

template <bool out_of_order_output = false>
ALWI void pack_tile(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t output_tile_index = 0);
