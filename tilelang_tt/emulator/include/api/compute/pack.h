// Pack (api/compute/pack.h). pack_tile writes sequentially into the pages reserved at the back of icb (the
// pointer resets at cb_push_back) unless out_of_order_output selects output_tile_index.
#pragma once
#include "api/compute/common.h"

namespace ckernel {
#if TT_EMU_API_ERA >= 5
template <bool out_of_order_output = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_tile(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t output_tile_index = 0, TT_EMU_LINE) {
  tt_emu_pack_tile(ifrom_dst, icb, output_tile_index, out_of_order_output, 1, tt_emu_line);
}
// pack_tile_block of the older eras.
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_block(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t ntiles, TT_EMU_LINE) {
  tt_emu_pack_tile(ifrom_dst, icb, 0, 0, ntiles, tt_emu_line);
}
#else
template <bool out_of_order_output = false>
ALWI void pack_tile(uint32_t ifrom_dst, uint32_t icb, std::uint32_t output_tile_index = 0, TT_EMU_LINE) {
  tt_emu_pack_tile(ifrom_dst, icb, output_tile_index, out_of_order_output, 1, tt_emu_line);
}
ALWI void pack_tile_block(uint32_t ifrom_dst, uint32_t icb, uint32_t ntiles, TT_EMU_LINE) {
  tt_emu_pack_tile(ifrom_dst, icb, 0, 0, ntiles, tt_emu_line);
}
#endif
// Packer L1 accumulation: while enabled, pack_tile adds DST to the page's current value (in the CB's
// format) instead of overwriting it.
ALWI void pack_reconfig_l1_acc(const std::uint32_t l1_acc_en, TT_EMU_LINE) { tt_emu_pack_l1_acc(l1_acc_en, tt_emu_line); }
}  // namespace ckernel
