#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include <tt-metalium/core_coord.hpp>
#include <tt-metalium/mesh_command_queue.hpp>

namespace tt::tt_metal::distributed {
class MeshShape {
public:
    std::size_t mesh_size() const;
};

class MeshDevice {
public:
    static std::shared_ptr<MeshDevice> create_unit_mesh(int device_id);
    MeshCommandQueue& mesh_command_queue(std::optional<std::uint8_t> cq_id = std::nullopt);
    const MeshShape& shape() const;
    CoreCoord compute_with_storage_grid_size() const;
    CoreCoord worker_core_from_logical_core(const CoreCoord& logical_core) const;
    bool close();
};
}  // namespace tt::tt_metal::distributed
