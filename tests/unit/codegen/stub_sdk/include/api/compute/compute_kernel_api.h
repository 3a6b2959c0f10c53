#pragma once
// Stub of the api/compute/compute_kernel_api.h monolith: only the SFPU ops codegen takes from it.
#include <cstdint>
#include "hostdevcommon/kernel_structs.h"
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

ALWI void silu_tile_init();
ALWI void silu_tile(std::uint32_t idst);
