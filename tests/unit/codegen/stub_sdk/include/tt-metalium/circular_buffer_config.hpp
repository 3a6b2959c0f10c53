#pragma once
#include <cstdint>
#include <map>

#include <tt-metalium/tt_backend_api_types.hpp>

namespace tt::tt_metal {
class CircularBufferConfig {
public:
    CircularBufferConfig(std::uint32_t total_size, const std::map<std::uint8_t, tt::DataFormat>& data_format_spec);
    CircularBufferConfig& set_page_size(std::uint8_t buffer_index, std::uint32_t page_size);
    CircularBufferConfig& set_total_size(std::uint32_t total_size);
};
}  // namespace tt::tt_metal
