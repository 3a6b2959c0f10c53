#pragma once
#include "tt_emu/kernel_rt.h"

// pack_tile writes sequentially into the pages reserved at the back of icb (the pointer resets at
// cb_push_back) unless out_of_order_output selects output_tile_index.
template <bool out_of_order_output = false>
ALWI void pack_tile(uint32_t ifrom_dst, uint32_t icb, std::uint32_t output_tile_index = 0, TT_EMU_LINE) {
  tt_emu_pack_tile(ifrom_dst, icb, output_tile_index, out_of_order_output, 1, tt_emu_line);
}
ALWI void pack_tile_block(uint32_t ifrom_dst, uint32_t icb, uint32_t ntiles, TT_EMU_LINE) {
  tt_emu_pack_tile(ifrom_dst, icb, 0, 0, ntiles, tt_emu_line);
}
template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const uint32_t new_cb_id) {}
template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const uint32_t old_cb_id, const uint32_t new_cb_id) {}
// Packer L1 accumulation: while enabled, pack_tile adds DST to the page's current value (in the CB's
// format) instead of overwriting it.
ALWI void pack_reconfig_l1_acc(const uint32_t l1_acc_en, TT_EMU_LINE) { tt_emu_pack_l1_acc(l1_acc_en, tt_emu_line); }
