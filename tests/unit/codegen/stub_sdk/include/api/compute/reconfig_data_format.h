#pragma once
// Stub of api/compute/reconfig_data_format.h: the unpacker's source-register formats
// (metalium-api.md A.7: (new_cb) and (old_cb, new_cb) forms).
#include <cstdint>
#ifndef ALWI
#define ALWI
#endif

ALWI void reconfig_data_format_srca(const std::uint32_t srca_new_operand);
ALWI void reconfig_data_format_srca(const std::uint32_t srca_old_operand, const std::uint32_t srca_new_operand);
ALWI void reconfig_data_format_srcb(const std::uint32_t srcb_new_operand);
ALWI void reconfig_data_format_srcb(const std::uint32_t srcb_old_operand, const std::uint32_t srcb_new_operand);
