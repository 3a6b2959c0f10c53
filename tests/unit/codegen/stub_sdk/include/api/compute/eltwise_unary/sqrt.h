#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

ALWI void sqrt_tile_init();
template <bool FAST_APPROX = false>
ALWI void sqrt_tile(std::uint32_t idst);
