// The compute_kernel_api.h monolith: pulls in the SFPU ops; in 0.81.1 it also declares silu and sigmoid.
#pragma once
#include "api/compute/common.h"
#include "api/compute/eltwise_unary/eltwise_unary.h"
#include "api/compute/eltwise_unary/exp.h"
#include "api/compute/eltwise_unary/sqrt.h"
#include "api/compute/eltwise_unary/rsqrt.h"
#include "api/compute/eltwise_unary/recip.h"
#include "api/compute/eltwise_unary/relu.h"
#include "api/compute/eltwise_unary/gelu.h"
#include "api/compute/eltwise_unary/activations.h"
#include "api/compute/eltwise_unary/fill.h"

#if TT_EMU_API_ERA >= 5
namespace ckernel {
template <bool fast_and_approx = false>
ALWI void sigmoid_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_SIGMOID, tt_emu_line); }
template <VectorMode vec_mode = VectorMode::RC, bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sigmoid_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_SIGMOID, idst, 0.f, 0, tt_emu_line); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void silu_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_SILU, idst, 0.f, 0, tt_emu_line); }
ALWI void silu_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_SILU, tt_emu_line); }
// log and exp2 are declared in the monolith too; the emulator computes both as the release's SFPU routines
// do, per DST format (src/sfpu_routines.cpp; exp2's APPROXIMATE flag selects nothing in 0.81.1).
template <bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void log_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_LOG, tt_emu_line); }
template <bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void log_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_LOG, idst, 0.f, fast_and_approx, tt_emu_line); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void exp2_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_EXP2, tt_emu_line); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void exp2_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_EXP2, idst, 0.f, 1, tt_emu_line); }
}  // namespace ckernel
#else
// The older eras (E3, E4) declare log_tile and exp2_tile in the monolith too (tt-metal's
// compute_kernel_api.h has carried both since before the api/ reorg), without the fp32-DST template.
namespace ckernel {
template <bool fast_and_approx = false>
ALWI void log_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_LOG, tt_emu_line); }
template <bool fast_and_approx = false>
ALWI void log_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_LOG, idst, 0.f, fast_and_approx, tt_emu_line); }
ALWI void exp2_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_EXP2, tt_emu_line); }
ALWI void exp2_tile(uint32_t idst, TT_EMU_LINE) { tt_emu_sfpu(TT_EMU_SFPU_EXP2, idst, 0.f, 1, tt_emu_line); }
}  // namespace ckernel
#endif
