// Stand-in for lltt.h ("low-level tensix tools": the replay-buffer helpers). The real header ships with
// the SFPI toolchain, not in the ttnn wheel, and is built on SFPI compiler builtins. The LLK layer calls
// it from code every TRISC includes (ckernel.h on Blackhole, the unpack LLKs on both chips), so without
// it no compute kernel compiles. Declarations follow the release's call sites (tilelang_tt/realapi,
// docs/realapi.md): lltt::record<Exec|NoExec>(start, len), lltt::replay(start, len),
// lltt::replay_insn(start, len). What the replay buffer does is not checked.
#pragma once
#include <cstdint>

namespace lltt {
enum ExecBool : bool { NoExec = false, Exec = true };
template <ExecBool exec = NoExec>
inline __attribute__((always_inline)) void record(std::uint32_t start, std::uint32_t len) {}
inline __attribute__((always_inline)) void replay(std::uint32_t start, std::uint32_t len) {}
inline __attribute__((always_inline)) std::uint32_t replay_insn(std::uint32_t start, std::uint32_t len) { return 0; }
}  // namespace lltt
