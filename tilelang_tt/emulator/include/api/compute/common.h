// Compute kernel API common header (api/compute/common.h), emulated.
#pragma once
#include "tt_emu/kernel_rt.h"
#include "api/compile_time_args.h"
#include "tt_emu/args.h"
#include "hostdevcommon/kernel_structs.h"
#include "api/compute/reg_api.h"
#include "api/compute/pack.h"
#include "api/compute/cb_api.h"
#include "api/compute/compute_kernel_hw_startup.h"

#ifndef MATH_FIDELITY
#define MATH_FIDELITY 4
#endif
#ifndef DST_ACCUM_MODE
#define DST_ACCUM_MODE false
#endif
#ifndef APPROX
#define APPROX false
#endif
enum class VectorMode : int { NONE = 0, R = 1, C = 2, RC = 4, RC_custom = 6, INVALID = 0xFF };

ALWI void reconfig_data_format(const uint32_t srca_new_operand, const uint32_t srcb_new_operand) {}
ALWI void reconfig_data_format(const uint32_t srca_old_operand, const uint32_t srca_new_operand,
                               const uint32_t srcb_old_operand, const uint32_t srcb_new_operand) {}
ALWI void reconfig_data_format_srca(const uint32_t srca_new_operand) {}
ALWI void reconfig_data_format_srca(const uint32_t srca_old_operand, const uint32_t srca_new_operand) {}
ALWI void reconfig_data_format_srcb(const uint32_t srcb_new_operand) {}
ALWI void reconfig_data_format_srcb(const uint32_t srcb_old_operand, const uint32_t srcb_new_operand) {}
