// SFPU binary op with a scalar (api/compute/eltwise_unary/binop_with_scalar.h of the 0.81.1 release):
// DST[idst] = DST[idst] <op> scalar, the scalar passed as the bits of an fp32 value.
#pragma once
#include "api/compute/common.h"

namespace ckernel {
enum { ADD_UNARY = 0, SUB_UNARY = 1, MUL_UNARY = 2, DIV_UNARY = 3, RSUB_UNARY = 4 };
ALWI void binop_with_scalar_tile_init(TT_EMU_LINE) { tt_emu_sfpu_init(TT_EMU_SFPU_BINOP_SCALAR, tt_emu_line); }
#define TT_EMU_SCALAR_OP(name, MODE)                                                     \
  template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                   \
  ALWI void name##_unary_tile(uint32_t idst, uint32_t param1, TT_EMU_LINE) {             \
    tt_emu_sfpu_scalar(MODE, idst, param1, tt_emu_line);                                 \
  }
TT_EMU_SCALAR_OP(add, ADD_UNARY)
TT_EMU_SCALAR_OP(sub, SUB_UNARY)
TT_EMU_SCALAR_OP(mul, MUL_UNARY)
TT_EMU_SCALAR_OP(div, DIV_UNARY)
TT_EMU_SCALAR_OP(rsub, RSUB_UNARY)
#undef TT_EMU_SCALAR_OP
}  // namespace ckernel
