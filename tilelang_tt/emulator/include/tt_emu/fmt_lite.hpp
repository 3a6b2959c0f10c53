// A small {fmt} subset for hosts without libfmt (tt_stl/assert.hpp): fmt::format, fmt::print (stdout or a
// FILE*), fmt::format_string. Replacement fields "{}" and "{:[[fill]align][width][.precision][type]}",
// types d x X f e g s; "{{" and "}}" escape braces. Arguments are formatted with iostreams.
#pragma once
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace fmt {
template <typename... Args>
struct format_string {
  std::string_view str;
  template <typename S>
    requires std::is_convertible_v<const S&, std::string_view>
  constexpr format_string(const S& s) : str(s) {}
};
template <typename... Args>
using format_string_t = format_string<std::type_identity_t<Args>...>;

namespace detail {
template <typename T>
void put(std::ostringstream& os, std::string_view spec, const T& v) {
  std::ostringstream one;
  char fill = ' ', align = 0, type = 0;
  size_t i = 0;
  if (spec.size() >= 2 && (spec[1] == '<' || spec[1] == '>' || spec[1] == '^')) { fill = spec[0]; align = spec[1]; i = 2; }
  else if (!spec.empty() && (spec[0] == '<' || spec[0] == '>' || spec[0] == '^')) { align = spec[0]; i = 1; }
  int width = 0, precision = -1;
  while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') width = width * 10 + (spec[i++] - '0');
  if (i < spec.size() && spec[i] == '.') {
    precision = 0; ++i;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') precision = precision * 10 + (spec[i++] - '0');
  }
  if (i < spec.size()) type = spec[i];
  if (type == 'x' || type == 'X') one << std::hex << (type == 'X' ? std::uppercase : std::nouppercase);
  if (type == 'f') one << std::fixed;
  if (type == 'e') one << std::scientific;
  if (precision >= 0) one << std::setprecision(precision);
  one << v;
  std::string s = one.str();
  if (int(s.size()) < width) {
    size_t pad = size_t(width) - s.size();
    bool numeric = std::is_arithmetic_v<T>;
    char a = align ? align : (numeric ? '>' : '<');
    if (a == '<') s += std::string(pad, fill);
    else if (a == '>') s = std::string(pad, fill) + s;
    else s = std::string(pad / 2, fill) + s + std::string(pad - pad / 2, fill);
  }
  os << s;
}
inline void format_rest(std::ostringstream& os, std::string_view f) {
  for (size_t i = 0; i < f.size(); ++i) {
    if ((f[i] == '{' || f[i] == '}') && i + 1 < f.size() && f[i + 1] == f[i]) { os << f[i]; ++i; continue; }
    if (f[i] == '{') throw std::runtime_error("fmt: more replacement fields than arguments");
    os << f[i];
  }
}
template <typename T, typename... Rest>
void format_rest(std::ostringstream& os, std::string_view f, const T& v, const Rest&... rest) {
  for (size_t i = 0; i < f.size(); ++i) {
    if ((f[i] == '{' || f[i] == '}') && i + 1 < f.size() && f[i + 1] == f[i]) { os << f[i]; ++i; continue; }
    if (f[i] == '{') {
      size_t close = f.find('}', i);
      if (close == std::string_view::npos) throw std::runtime_error("fmt: unterminated replacement field");
      std::string_view field = f.substr(i + 1, close - i - 1);
      put(os, field.empty() ? field : field.substr(field.find(':') == std::string_view::npos ? field.size()
                                                                                              : field.find(':') + 1),
          v);
      format_rest(os, f.substr(close + 1), rest...);
      return;
    }
    os << f[i];
  }
  throw std::runtime_error("fmt: more arguments than replacement fields");
}
}  // namespace detail

template <typename... Args>
std::string format(format_string_t<Args...> f, Args&&... args) {
  std::ostringstream os;
  detail::format_rest(os, f.str, args...);
  return os.str();
}
template <typename... Args>
void print(format_string_t<Args...> f, Args&&... args) {
  std::fputs(fmt::format(f, std::forward<Args>(args)...).c_str(), stdout);
}
template <typename... Args>
void print(std::FILE* file, format_string_t<Args...> f, Args&&... args) {
  std::fputs(fmt::format(f, std::forward<Args>(args)...).c_str(), file);
}
}  // namespace fmt
