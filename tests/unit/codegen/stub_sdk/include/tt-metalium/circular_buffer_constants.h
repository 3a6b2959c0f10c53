#pragma once
#include <cstdint>
// Host side: sized for the largest chip (tt_metal/api/tt-metalium/circular_buffer_constants.h).
inline constexpr std::uint32_t NUM_CIRCULAR_BUFFERS = 64;
