#pragma once
namespace tt::tt_metal::distributed {
class MeshCommandQueue {
public:
    MeshCommandQueue(const MeshCommandQueue&) = delete;
};
}  // namespace tt::tt_metal::distributed
