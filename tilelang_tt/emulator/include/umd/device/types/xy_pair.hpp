// UMD's coordinate pair (umd/device/types/xy_pair.hpp). TT-Metalium's CoreCoord is this type:
// `tt::xy_pair` in the released libtt_metal.so's mangled names, `tt_xy_pair` as the global alias.
#pragma once
#include <cstddef>
#include <string>

namespace tt {
struct xy_pair {
  constexpr xy_pair() : x{}, y{} {}
  constexpr xy_pair(std::size_t x, std::size_t y) : x(x), y(y) {}
  std::size_t x;
  std::size_t y;
  std::string str() const { return "(x=" + std::to_string(x) + ",y=" + std::to_string(y) + ")"; }
};
constexpr bool operator==(const xy_pair& a, const xy_pair& b) { return a.x == b.x && a.y == b.y; }
constexpr bool operator!=(const xy_pair& a, const xy_pair& b) { return !(a == b); }
constexpr bool operator<(const xy_pair& a, const xy_pair& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); }
}  // namespace tt

using tt_xy_pair = tt::xy_pair;
