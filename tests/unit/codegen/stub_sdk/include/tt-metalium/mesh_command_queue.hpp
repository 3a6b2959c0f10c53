#pragma once
#include <memory>
#include <span>
namespace tt::tt_metal::distributed {
class MeshBuffer;
class MeshWorkload;
// Members as in the released 0.81.1 (virtual there; present in the older eras' non-virtual queue too).
class MeshCommandQueue {
public:
    MeshCommandQueue(const MeshCommandQueue&) = delete;
    virtual ~MeshCommandQueue() = default;
    virtual void enqueue_mesh_workload(MeshWorkload& mesh_workload, bool blocking) = 0;
    virtual void enqueue_write_mesh_buffer(const std::shared_ptr<MeshBuffer>& buffer, const void* host_data,
                                           bool blocking) = 0;
    virtual void enqueue_read_mesh_buffer(void* host_data, const std::shared_ptr<MeshBuffer>& buffer,
                                          bool blocking) = 0;
    virtual void finish() = 0;
};
}  // namespace tt::tt_metal::distributed
