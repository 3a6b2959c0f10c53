// Values visible to host and device code (hostdevcommon/common_values.hpp of the release, where the host
// headers and the kernel dataflow API both pull them in: semaphore states, default device sizes).
#pragma once
#include <cstddef>
#include <cstdint>

constexpr static std::uint32_t INVALID = 0;
constexpr static std::uint32_t VALID = 1;
constexpr static std::size_t DEFAULT_L1_SMALL_SIZE = 0;
constexpr static std::size_t DEFAULT_TRACE_REGION_SIZE = 0;
constexpr static std::size_t DEFAULT_WORKER_L1_SIZE = 0;
