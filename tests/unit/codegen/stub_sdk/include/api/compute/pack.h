#pragma once
#include <cstdint>
#ifndef ALWI
#define ALWI  // the real headers make these always_inline; declarations only here
#endif

template <bool out_of_order_output = false>
ALWI void pack_tile(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t output_tile_index = 0);

// packer L1 accumulation: 1 = pack_tile adds to the CB page, 0 = overwrites (since 0.48)
ALWI void pack_reconfig_l1_acc(const std::uint32_t l1_acc_en);

// packer output format for a CB's data format (metalium-api.md A.7: declared in pack.h at HEAD)
template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const std::uint32_t new_cb_id);
template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const std::uint32_t old_cb_id, const std::uint32_t new_cb_id);
