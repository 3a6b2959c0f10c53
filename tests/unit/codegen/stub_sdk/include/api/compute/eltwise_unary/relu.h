#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

ALWI void relu_tile_init();
ALWI void relu_tile(std::uint32_t idst);
