// Copy tiles from a CB into DST (api/compute/tile_move_copy.h).
#pragma once
#include "api/compute/common.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 5
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_init(std::uint32_t cbid, std::uint32_t transpose = 0, std::uint32_t transpose_within_16x16_face = false,
                    std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_COPY, cbid, cbid, call_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_tile(std::uint32_t in_cb_id, std::uint32_t in_tile_index, std::uint32_t dst_tile_index, TT_EMU_LINE) {
  tt_emu_copy_tile(in_cb_id, in_tile_index, dst_tile_index, 1, tt_emu_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_block(std::uint32_t in_cb_id, std::uint32_t start_in_tile_index, std::uint32_t start_dst_tile_index,
                     std::uint32_t ntiles, TT_EMU_LINE) {
  tt_emu_copy_tile(in_cb_id, start_in_tile_index, start_dst_tile_index, ntiles, tt_emu_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
[[deprecated("Renamed to copy_init(). This will be removed after 20-09-2026.")]] ALWI void copy_tile_init(
    std::uint32_t cbid, std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_COPY, cbid, cbid, call_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
[[deprecated("Renamed to copy_init(). This will be removed after 20-09-2026.")]] ALWI void copy_tile_to_dst_init_short(
    std::uint32_t cbid, std::uint32_t transpose = 0, std::uint32_t transpose_within_16x16_face = false,
    std::uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_COPY, cbid, cbid, call_line);
}
#elif TT_EMU_API_ERA == 4
ALWI void copy_init(uint32_t cbid, uint32_t transpose = 0, uint32_t transpose_within_16x16_face = false,
                    uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_COPY, cbid, cbid, call_line);
}
[[deprecated("Renamed to copy_init(). This will be removed after 15-09-2026.")]]
ALWI void copy_tile_to_dst_init_short(uint32_t cbid, uint32_t transpose = 0, uint32_t transpose_within_16x16_face = false,
                                      uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_COPY, cbid, cbid, call_line);
}
[[deprecated("Use copy_init()")]]
ALWI void copy_tile_init(uint32_t cbid, uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_COPY, cbid, cbid, call_line);
}
ALWI void copy_block(uint32_t in_cb_id, uint32_t start_in_tile_index, uint32_t start_dst_tile_index, uint32_t ntiles,
                     TT_EMU_LINE) {
  tt_emu_copy_tile(in_cb_id, start_in_tile_index, start_dst_tile_index, ntiles, tt_emu_line);
}
#else
ALWI void copy_tile_to_dst_init_short(uint32_t cbid, uint32_t transpose = 0, uint32_t transpose_within_16x16_face = false,
                                      uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_COPY, cbid, cbid, call_line);
}
ALWI void copy_tile_init(uint32_t cbid, uint32_t call_line = __builtin_LINE()) {
  tt_emu_fpu_init(TT_EMU_FAM_COPY, cbid, cbid, call_line);
}
#endif
#if TT_EMU_API_ERA < 5
ALWI void copy_tile(uint32_t in_cb_id, uint32_t in_tile_index, uint32_t dst_tile_index, TT_EMU_LINE) {
  tt_emu_copy_tile(in_cb_id, in_tile_index, dst_tile_index, 1, tt_emu_line);
}
ALWI void copy_block_matmul_partials(uint32_t in_cb_id, uint32_t start_in_tile_index, uint32_t start_dst_tile_index,
                                     uint32_t ntiles, TT_EMU_LINE) {
  tt_emu_copy_tile(in_cb_id, start_in_tile_index, start_dst_tile_index, ntiles, tt_emu_line);
}
#endif
}  // namespace ckernel
