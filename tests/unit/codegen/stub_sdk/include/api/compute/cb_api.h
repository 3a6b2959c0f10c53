#pragma once
#include <cstdint>
#include "hostdevcommon/kernel_structs.h"

#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

ALWI void cb_wait_front(std::uint32_t cbid, std::uint32_t ntiles);
ALWI void cb_pop_front(std::uint32_t cbid, std::uint32_t ntiles);
ALWI void cb_reserve_back(std::uint32_t cbid, std::uint32_t ntiles);
ALWI void cb_push_back(std::uint32_t cbid, std::uint32_t ntiles);
