#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

#ifndef TT_STUB_API_ERA
#error "define TT_STUB_API_ERA (3 or 4)"
#endif

#if TT_STUB_API_ERA >= 4
enum class SrcOrder : std::uint8_t { Regular = 0, Reverse = 1 };
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t ocb);
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(std::uint32_t icb0, std::uint32_t ocb);
#else
ALWI void compute_kernel_hw_startup(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t ocb);
ALWI void compute_kernel_hw_startup(std::uint32_t icb0, std::uint32_t ocb);
#endif
