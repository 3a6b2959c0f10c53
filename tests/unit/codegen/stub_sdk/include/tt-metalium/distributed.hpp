#pragma once
#include <memory>
#include <vector>

#include <tt-metalium/mesh_buffer.hpp>
#include <tt-metalium/mesh_command_queue.hpp>
#include <tt-metalium/mesh_device.hpp>
#include <tt-metalium/mesh_workload.hpp>

namespace tt::tt_metal::distributed {
// Non-const lvalue shared_ptr, as in the real header (pitfall F.9).
template <typename DType>
void EnqueueWriteMeshBuffer(MeshCommandQueue& cq, std::shared_ptr<MeshBuffer>& mesh_buffer,
                            const std::vector<DType>& src, bool blocking = false);
template <typename DType>
void EnqueueReadMeshBuffer(MeshCommandQueue& cq, std::vector<DType>& dst, std::shared_ptr<MeshBuffer>& mesh_buffer,
                           bool blocking = true);
MeshWorkload CreateMeshWorkload();
void EnqueueMeshWorkload(MeshCommandQueue& cq, MeshWorkload& mesh_workload, bool blocking);
void Finish(MeshCommandQueue& cq);
}  // namespace tt::tt_metal::distributed
