#pragma once
#include <cstdint>

namespace ckernel {
#if TT_EMU_API_ERA >= 4
// How (icb0, icb1) map onto SrcA/SrcB; matmul uses Reverse (in0 -> SrcB, in1 -> SrcA).
enum class SrcOrder : uint8_t { Regular = 0, Reverse = 1 };
#endif
}  // namespace ckernel
