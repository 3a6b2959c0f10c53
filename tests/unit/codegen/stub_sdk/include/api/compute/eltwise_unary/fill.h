#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

ALWI void fill_tile_init();
ALWI void fill_tile(std::uint32_t idst, float param);
