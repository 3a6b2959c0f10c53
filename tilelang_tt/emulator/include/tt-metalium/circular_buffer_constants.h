// Host-side circular buffer constants (tt-metalium/circular_buffer_constants.h): host code sizes its
// per-CB tables for the largest chip (64 CBs on Blackhole; Wormhole kernels use the first 32).
#pragma once
#include <cstdint>

inline constexpr std::uint32_t NUM_CIRCULAR_BUFFERS = 64;
