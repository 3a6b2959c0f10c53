#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <variant>

namespace tt::tt_metal {
using DeviceAddr = std::uint64_t;
enum class BufferType { DRAM, L1, SYSTEM_MEMORY, L1_SMALL, TRACE };

namespace distributed {
class MeshDevice;

struct DeviceLocalBufferConfig {
    DeviceAddr page_size = 0;
    BufferType buffer_type = BufferType::DRAM;
    std::optional<bool> bottom_up;
};
struct ReplicatedBufferConfig {
    DeviceAddr size = 0;
};
using MeshBufferConfig = std::variant<ReplicatedBufferConfig>;

class MeshBuffer {
public:
    static std::shared_ptr<MeshBuffer> create(const MeshBufferConfig& mesh_buffer_config,
                                              const DeviceLocalBufferConfig& device_local_config,
                                              MeshDevice* mesh_device,
                                              std::optional<DeviceAddr> address = std::nullopt);
    DeviceAddr address() const;
    DeviceAddr size() const;
};
}  // namespace distributed
}  // namespace tt::tt_metal
