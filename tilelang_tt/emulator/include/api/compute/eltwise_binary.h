#pragma once
#include "api/compute/common.h"

enum EltwiseBinaryType : uint8_t { ELWMUL = 0, ELWDIV = 1, ELWADD = 2, ELWSUB = 3 };
enum class EltwiseBinaryReuseDestType : uint8_t { NONE = 0, DEST_TO_SRCA = 1, DEST_TO_SRCB = 2 };

ALWI void binary_op_init_common(uint32_t icb0, uint32_t icb1, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
  tt_emu_hw_startup(icb0, icb1, ocb, -1, call_line);
  tt_emu_fpu_init(TT_EMU_FAM_BINARY, icb0, icb1, call_line);
}
template <bool full_init, EltwiseBinaryType eltwise_binary_type>
ALWI void binary_tiles_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false, uint32_t call_line = __builtin_LINE()) {
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
  tt_emu_binary_tiles(ELWADD, icb0, icb1, itile0, itile1, idst, tt_emu_line);
}
ALWI void sub_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst, TT_EMU_LINE) {
  tt_emu_binary_tiles(ELWSUB, icb0, icb1, itile0, itile1, idst, tt_emu_line);
}
ALWI void mul_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst, TT_EMU_LINE) {
  tt_emu_binary_tiles(ELWMUL, icb0, icb1, itile0, itile1, idst, tt_emu_line);
}
// DEST_TO_SRCA: DST[idst] = DST[idst] <op> cb tile; DEST_TO_SRCB: DST[idst] = cb tile <op> DST[idst].
template <EltwiseBinaryType eltwise_binary_type = ELWADD,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE>
ALWI void binary_dest_reuse_tiles_init(uint32_t icb0, uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_DEST_REUSE, icb0, icb0, call_line);
}
template <EltwiseBinaryType eltwise_binary_type = ELWADD,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE>
ALWI void binary_dest_reuse_tiles(uint32_t in_cb_id, uint32_t in_tile_index, uint32_t dst_tile_index, TT_EMU_LINE) {
  tt_emu_dest_reuse(eltwise_binary_type, (int)binary_reuse_dest, in_cb_id, in_tile_index, dst_tile_index, tt_emu_line);
}
