// TT_THROW / TT_FATAL / TT_ASSERT (tt_stl/assert.hpp of tt-metal), and fmt, which the release's host
// headers pull in for every program (tt-metal's programming examples call fmt::print without including
// it). The emulator brings its own small fmt (tt_emu/fmt_lite.hpp: fmt::format / fmt::print with {} and
// {:spec}: fill, align, width, precision and the d/x/f/e/g/s types). -DTT_EMU_SYSTEM_FMT uses the
// system's {fmt} (Debian libfmt-dev) header-only instead; it is not the default because header-only
// {fmt} adds about 0.6 s of compile time to every host program. docs/emulator.md.
#pragma once
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#if defined(TT_EMU_SYSTEM_FMT)
#ifndef FMT_HEADER_ONLY
#define FMT_HEADER_ONLY
#endif
#include <fmt/core.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#else
#include "tt_emu/fmt_lite.hpp"
#endif

namespace tt::assert_detail {
template <typename... Args>
[[noreturn]] inline void tt_throw(const char* file, int line, const char* what, const std::string& message) {
  std::string m = std::string(what) + " @ " + file + ":" + std::to_string(line);
  if (!message.empty()) m += ": " + message;
  throw std::runtime_error(m);
}
inline std::string message() { return {}; }
template <typename... Args>
std::string message(fmt::format_string<std::type_identity_t<Args>...> f, Args&&... args) {
  return fmt::format(f, std::forward<Args>(args)...);
}
}  // namespace tt::assert_detail

#define TT_THROW(...) ::tt::assert_detail::tt_throw(__FILE__, __LINE__, "TT_THROW", ::tt::assert_detail::message(__VA_ARGS__))
#define TT_FATAL(condition, ...)                                                                              \
  do {                                                                                                        \
    if (!(condition))                                                                                         \
      ::tt::assert_detail::tt_throw(__FILE__, __LINE__, "TT_FATAL: " #condition,                              \
                                    ::tt::assert_detail::message(__VA_ARGS__));                               \
  } while (0)
// The release compiles TT_ASSERT away outside debug builds; the emulator checks it always.
#define TT_ASSERT(condition, ...)                                                                             \
  do {                                                                                                        \
    if (!(condition))                                                                                         \
      ::tt::assert_detail::tt_throw(__FILE__, __LINE__, "TT_ASSERT: " #condition,                             \
                                    ::tt::assert_detail::message(__VA_ARGS__));                               \
  } while (0)
