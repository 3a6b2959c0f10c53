#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

ALWI void recip_tile_init();
ALWI void recip_tile(std::uint32_t idst, int vector_mode = 0);
