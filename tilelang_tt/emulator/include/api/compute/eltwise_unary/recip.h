#pragma once
#include "api/compute/common.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 5
enum class ReciprocalDestAcc { BF16, FP32 };
enum class ReciprocalApproxMode { Default, Precise, Approximate };
template <ReciprocalDestAcc dest_acc = DST_ACCUM_MODE ? ReciprocalDestAcc::FP32 : ReciprocalDestAcc::BF16,
          ReciprocalApproxMode approximation = ReciprocalApproxMode::Default>
ALWI void recip_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_RECIP, tt_emu_line); }
template <ReciprocalDestAcc dest_acc = DST_ACCUM_MODE ? ReciprocalDestAcc::FP32 : ReciprocalDestAcc::BF16,
          ReciprocalApproxMode approximation = ReciprocalApproxMode::Default>
ALWI void recip_tile(uint32_t idst, VectorMode vector_mode = VectorMode::RC, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_RECIP, idst, 0.f, approximation == ReciprocalApproxMode::Approximate, tt_emu_line);
}
#else
ALWI void recip_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_RECIP, tt_emu_line); }
ALWI void recip_tile(uint32_t idst, VectorMode vector_mode = VectorMode::RC, TT_EMU_LINE) {
  tt_emu_sfpu(TT_EMU_SFPU_RECIP, idst, 0.f, 0, tt_emu_line);
}
#endif
}  // namespace ckernel
