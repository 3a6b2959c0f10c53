// Data-format reconfiguration (api/compute/reconfig_data_format.h). The unpacker's SrcA / SrcB and the
// packer's formats are engine state (set by compute_kernel_hw_startup and these calls only; the op
// inits leave them alone): unpacking or packing a CB of another format is a format_mismatch error.
// The (old, new) forms reprogram only when the two CBs' formats differ, as the LLK's do: with a wrong
// `old` they may leave the engine configured for the wrong format. Which call sets what:
// tilelang_tt/analysis/format_table.py (checked against this file and the release's headers).
#pragma once
#include "api/compute/common.h"
#include "api/compute/src_order.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 5
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_data_format(const uint32_t icb0_new_operand, const uint32_t icb1_new_operand, TT_EMU_LINE) {
  constexpr bool reverse = (src_order == SrcOrder::Reverse);
  tt_emu_reconfig_df(TT_EMU_SRCA, TT_EMU_NO_CB, reverse ? icb1_new_operand : icb0_new_operand, tt_emu_line);
  tt_emu_reconfig_df(TT_EMU_SRCB, TT_EMU_NO_CB, reverse ? icb0_new_operand : icb1_new_operand, tt_emu_line);
}
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_data_format(const uint32_t icb0_old_operand, const uint32_t icb0_new_operand,
                               const uint32_t icb1_old_operand, const uint32_t icb1_new_operand, TT_EMU_LINE) {
  constexpr bool reverse = (src_order == SrcOrder::Reverse);
  tt_emu_reconfig_df(TT_EMU_SRCA, reverse ? icb1_old_operand : icb0_old_operand,
                     reverse ? icb1_new_operand : icb0_new_operand, tt_emu_line);
  tt_emu_reconfig_df(TT_EMU_SRCB, reverse ? icb0_old_operand : icb1_old_operand,
                     reverse ? icb0_new_operand : icb1_new_operand, tt_emu_line);
}
#else
ALWI void reconfig_data_format(const uint32_t srca_new_operand, const uint32_t srcb_new_operand, TT_EMU_LINE) {
  tt_emu_reconfig_df(TT_EMU_SRCA, TT_EMU_NO_CB, srca_new_operand, tt_emu_line);
  tt_emu_reconfig_df(TT_EMU_SRCB, TT_EMU_NO_CB, srcb_new_operand, tt_emu_line);
}
ALWI void reconfig_data_format(const uint32_t srca_old_operand, const uint32_t srca_new_operand,
                               const uint32_t srcb_old_operand, const uint32_t srcb_new_operand, TT_EMU_LINE) {
  tt_emu_reconfig_df(TT_EMU_SRCA, srca_old_operand, srca_new_operand, tt_emu_line);
  tt_emu_reconfig_df(TT_EMU_SRCB, srcb_old_operand, srcb_new_operand, tt_emu_line);
}
#endif
ALWI void reconfig_data_format_srca(const uint32_t srca_new_operand, TT_EMU_LINE) {
  tt_emu_reconfig_df(TT_EMU_SRCA, TT_EMU_NO_CB, srca_new_operand, tt_emu_line);
}
ALWI void reconfig_data_format_srca(const uint32_t srca_old_operand, const uint32_t srca_new_operand, TT_EMU_LINE) {
  tt_emu_reconfig_df(TT_EMU_SRCA, srca_old_operand, srca_new_operand, tt_emu_line);
}
ALWI void reconfig_data_format_srcb(const uint32_t srcb_new_operand, TT_EMU_LINE) {
  tt_emu_reconfig_df(TT_EMU_SRCB, TT_EMU_NO_CB, srcb_new_operand, tt_emu_line);
}
ALWI void reconfig_data_format_srcb(const uint32_t srcb_old_operand, const uint32_t srcb_new_operand, TT_EMU_LINE) {
  tt_emu_reconfig_df(TT_EMU_SRCB, srcb_old_operand, srcb_new_operand, tt_emu_line);
}
template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const uint32_t new_cb_id, TT_EMU_LINE) {
  tt_emu_reconfig_df(TT_EMU_PACK, TT_EMU_NO_CB, new_cb_id, tt_emu_line);
}
template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const uint32_t old_cb_id, const uint32_t new_cb_id, TT_EMU_LINE) {
  tt_emu_reconfig_df(TT_EMU_PACK, old_cb_id, new_cb_id, tt_emu_line);
}
}  // namespace ckernel
