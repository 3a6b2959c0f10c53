#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

template <bool approx = false>
ALWI void exp_tile_init();
template <bool approx = false, bool scale_en = false>
ALWI void exp_tile(std::uint32_t idst, int vector_mode = 0, std::uint16_t scale = 0x3F80);
