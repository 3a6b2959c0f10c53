#pragma once
#include "api/compute/common.h"
// 0.81.1's activations.h declares hardsigmoid/softsign/... (not emulated); silu and sigmoid live in
// compute_kernel_api.h there. The older eras' emulator kept them here.
#if TT_EMU_API_ERA < 5
#include "api/compute/eltwise_unary/silu.h"
#include "api/compute/eltwise_unary/sigmoid.h"
#endif
