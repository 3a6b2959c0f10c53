// Element-wise binary FPU ops (api/compute/eltwise_binary.h).
// M081 (released 0.81.1): {add,sub,mul}_init and the per-op dest-reuse templates; E3/E4: *_tiles_init and
// binary_dest_reuse_tiles[_init].
#pragma once
#include "api/compute/common.h"

namespace ckernel {
template <bool full_init, EltwiseBinaryType eltwise_binary_type>
ALWI void binary_tiles_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = false,
                            std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_BINARY, icb0, icb1, call_line);
}

#if TT_EMU_API_ERA >= 5
ALWI void add_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = false,
                   std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_BINARY, icb0, icb1, call_line);
}
ALWI void sub_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = false,
                   std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_BINARY, icb0, icb1, call_line);
}
// The release defaults mul_init's acc_to_dest to true (unlike add_init/sub_init).
ALWI void mul_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = true,
                   std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_BINARY, icb0, icb1, call_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_tiles(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0, std::uint32_t itile1,
                    std::uint32_t idst, TT_EMU_LINE) {
  tt_emu_binary_tiles((int)EltwiseBinaryType::ELWADD, icb0, icb1, itile0, itile1, idst, tt_emu_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_tiles(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0, std::uint32_t itile1,
                    std::uint32_t idst, TT_EMU_LINE) {
  tt_emu_binary_tiles((int)EltwiseBinaryType::ELWSUB, icb0, icb1, itile0, itile1, idst, tt_emu_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_tiles(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0, std::uint32_t itile1,
                    std::uint32_t idst, TT_EMU_LINE) {
  tt_emu_binary_tiles((int)EltwiseBinaryType::ELWMUL, icb0, icb1, itile0, itile1, idst, tt_emu_line);
}
// Dest reuse: DEST_TO_SRCA: DST[idst] = DST[idst] <op> cb tile; DEST_TO_SRCB: DST[idst] = cb tile <op> DST[idst].
#define TT_EMU_REUSE_DEST(op, ELW)                                                                              \
  template <EltwiseBinaryReuseDestType reuse_dest>                                                              \
  ALWI void op##_reuse_dest_init(std::uint32_t icb, std::uint32_t call_line = __builtin_LINE()) {               \
    static_assert(reuse_dest != EltwiseBinaryReuseDestType::NONE,                                               \
                  "reuse_dest must be DEST_TO_SRCA or DEST_TO_SRCB; for the two-operand op call " #op "_init"); \
    tt_emu_fpu_init(TT_EMU_FAM_DEST_REUSE, icb, icb, call_line);                                                \
  }                                                                                                             \
  template <EltwiseBinaryReuseDestType reuse_dest, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                   \
  ALWI void op##_reuse_dest_tiles(std::uint32_t in_cb_id, std::uint32_t in_tile_index,                          \
                                  std::uint32_t dst_tile_index, TT_EMU_LINE) {                                  \
    tt_emu_dest_reuse((int)EltwiseBinaryType::ELW, (int)reuse_dest, in_cb_id, in_tile_index, dst_tile_index,    \
                      tt_emu_line);                                                                             \
  }
TT_EMU_REUSE_DEST(add, ELWADD)
TT_EMU_REUSE_DEST(sub, ELWSUB)
TT_EMU_REUSE_DEST(mul, ELWMUL)
#undef TT_EMU_REUSE_DEST
#else
ALWI void binary_op_init_common(uint32_t icb0, uint32_t icb1, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(icb0, icb1, ocb, TT_EMU_CONFIGURE_REGULAR, call_line);
  tt_emu_fpu_init(TT_EMU_FAM_BINARY, icb0, icb1, call_line);
}
ALWI void add_tiles_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false, uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_BINARY, icb0, icb1, call_line);
}
ALWI void sub_tiles_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false, uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_BINARY, icb0, icb1, call_line);
}
ALWI void mul_tiles_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_BINARY, icb0, icb1, call_line);
}
ALWI void add_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst, TT_EMU_LINE) {
  tt_emu_binary_tiles((int)EltwiseBinaryType::ELWADD, icb0, icb1, itile0, itile1, idst, tt_emu_line);
}
ALWI void sub_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst, TT_EMU_LINE) {
  tt_emu_binary_tiles((int)EltwiseBinaryType::ELWSUB, icb0, icb1, itile0, itile1, idst, tt_emu_line);
}
ALWI void mul_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst, TT_EMU_LINE) {
  tt_emu_binary_tiles((int)EltwiseBinaryType::ELWMUL, icb0, icb1, itile0, itile1, idst, tt_emu_line);
}
// DEST_TO_SRCA: DST[idst] = DST[idst] <op> cb tile; DEST_TO_SRCB: DST[idst] = cb tile <op> DST[idst].
template <EltwiseBinaryType eltwise_binary_type = EltwiseBinaryType::ELWADD,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE>
ALWI void binary_dest_reuse_tiles_init(uint32_t icb0, uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_DEST_REUSE, icb0, icb0, call_line);
}
template <EltwiseBinaryType eltwise_binary_type = EltwiseBinaryType::ELWADD,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE>
ALWI void binary_dest_reuse_tiles(uint32_t in_cb_id, uint32_t in_tile_index, uint32_t dst_tile_index, TT_EMU_LINE) {
  tt_emu_dest_reuse((int)eltwise_binary_type, (int)binary_reuse_dest, in_cb_id, in_tile_index, dst_tile_index,
                    tt_emu_line);
}
#endif
}  // namespace ckernel
