// Compute kernel API common header (api/compute/common.h), emulated.
//
// The compute API lives in namespace ckernel, as in TT-Metalium; the device build's chlkc_list.h says
// `using namespace ckernel;` before it includes the kernel, so kernels call it unqualified. We say it
// here, the one header every compute API header includes.
#pragma once
#include "tt_emu/kernel_rt.h"
#include "api/compile_time_args.h"
#include "tt_emu/args.h"
#include "hostdevcommon/kernel_structs.h"

#ifndef MATH_FIDELITY
#define MATH_FIDELITY 4
#endif
#ifndef DST_ACCUM_MODE
#define DST_ACCUM_MODE false
#endif
#ifndef APPROX
#define APPROX false
#endif

namespace ckernel {
// llk_defs.h of the release (tt_llk_<arch>/llk_lib).
enum class VectorMode : std::uint8_t { None = 0, R = 1, C = 2, RC = 4, RC_custom = 6, Invalid = 0xFF };
enum class ReduceDim : std::uint8_t { REDUCE_ROW, REDUCE_COL, REDUCE_SCALAR };
enum class PoolType : std::uint8_t { SUM, AVG, MAX, MIN };
enum class EltwiseBinaryType : std::uint8_t { ELWMUL, ELWDIV, ELWADD, ELWSUB, ELWLESS };
enum class EltwiseBinaryReuseDestType { NONE = 0, DEST_TO_SRCA = 1, DEST_TO_SRCB = 2 };
enum class DstSync : std::uint8_t { SyncHalf = 0, SyncFull = 1 };
enum class BroadcastType : std::uint8_t { NONE = 0x0, COL = 0x1, ROW = 0x2, SCALAR = 0x3 };
}  // namespace ckernel
using namespace ckernel;

#include "api/compute/reg_api.h"
#include "api/compute/pack.h"
#include "api/compute/reconfig_data_format.h"
#include "api/compute/cb_api.h"
#include "api/compute/compute_kernel_hw_startup.h"
