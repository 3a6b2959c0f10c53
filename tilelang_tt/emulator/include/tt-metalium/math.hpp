// Integer helpers of tt-metalium/math.hpp (namespace tt).
#pragma once
#include <cstdint>

namespace tt {
template <typename A, typename B>
constexpr auto div_up(A n, B d) { return (n + d - 1) / d; }
template <typename A, typename B>
constexpr auto round_up(A n, B m) { return div_up(n, m) * m; }
template <typename A, typename B>
constexpr auto round_down(A n, B m) { return (n / m) * m; }
}  // namespace tt
