#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

template <bool fast_and_approx = true>
ALWI void gelu_tile_init();
template <bool fast_and_approx = true>
ALWI void gelu_tile(std::uint32_t idst);
