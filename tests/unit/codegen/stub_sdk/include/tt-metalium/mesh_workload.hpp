#pragma once
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/mesh_device.hpp>

namespace tt::tt_metal::distributed {
class MeshCoordinateRange {
public:
    explicit MeshCoordinateRange(const MeshShape& shape);
};

class MeshWorkload {
public:
    MeshWorkload();
    void add_program(const MeshCoordinateRange& device_range, Program&& program);
};
}  // namespace tt::tt_metal::distributed
