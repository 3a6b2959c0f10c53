// Device print (api/debug/dprint.h of TT-Metalium 0.81.1): DPRINT("x = {}, y = {:#x}\n", x, y), an alias of
// DEVICE_PRINT with an fmt-style format string. The stream style of older releases (`DPRINT << x <<
// ENDL();`) was removed there and fails to compile here too. As on a device, output appears only when
// TT_METAL_DPRINT_CORES is set (any value); it goes to stderr prefixed with the core. The emulator runs a
// compute kernel's three threads as one, so DPRINT_UNPACK/MATH/PACK all print, once each.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include "tt_emu/fmt_lite.hpp"
#include "tt_emu/kernel_rt.h"

namespace tt_emu_dprint {
inline bool enabled() {
  static const bool on = std::getenv("TT_METAL_DPRINT_CORES") != nullptr;
  return on;
}
template <typename... Args>
inline void print(fmt::format_string_t<Args...> f, Args&&... args) {
  if (!enabled()) return;
  std::string text = fmt::format(f, std::forward<Args>(args)...);
  std::fprintf(stderr, "DPRINT (%u,%u): %s", tt_emu_my_coord(0), tt_emu_my_coord(1), text.c_str());
}
// The removed stream API: using it is a compile error that names the replacement, as in the release.
struct Legacy {};
template <typename T>
Legacy& operator<<(Legacy& p, const T&) {
  static_assert(sizeof(T) == 0, "Old style DPRINT is deprecated. Use DPRINT(format, ...) instead.");
  return p;
}
}  // namespace tt_emu_dprint

inline tt_emu_dprint::Legacy DPRINT;
struct [[deprecated("Use DEVICE_PRINT instead")]] ENDL {};
struct [[deprecated("Use DEVICE_PRINT instead")]] SETW { int w; };
struct [[deprecated("Use DEVICE_PRINT instead")]] HEX {};
struct [[deprecated("Use DEVICE_PRINT instead")]] DEC {};

#define DEVICE_PRINT(format, ...) tt_emu_dprint::print(format, ##__VA_ARGS__)
#define DPRINT(format, ...) DEVICE_PRINT(format, ##__VA_ARGS__)
#define DPRINT_UNPACK(format, ...) DEVICE_PRINT(format, ##__VA_ARGS__)
#define DPRINT_MATH(format, ...) DEVICE_PRINT(format, ##__VA_ARGS__)
#define DPRINT_PACK(format, ...) DEVICE_PRINT(format, ##__VA_ARGS__)
#define DPRINT_DATA0(format, ...) \
  if (noc_index == 0) {           \
    DEVICE_PRINT(format, ##__VA_ARGS__); \
  }
#define DPRINT_DATA1(format, ...) \
  if (noc_index == 1) {           \
    DEVICE_PRINT(format, ##__VA_ARGS__); \
  }
