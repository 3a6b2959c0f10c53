#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <tt-metalium/mesh_buffer.hpp>

namespace tt::tt_metal {
class TensorAccessorArgs {
public:
    TensorAccessorArgs();
    explicit TensorAccessorArgs(const distributed::MeshBuffer& buffer);
    explicit TensorAccessorArgs(const distributed::MeshBuffer* buffer);
    explicit TensorAccessorArgs(const std::shared_ptr<distributed::MeshBuffer>& buffer);
    void append_to(std::vector<std::uint32_t>& compile_time_args) const;
    std::vector<std::uint32_t> get_compile_time_args() const;
};
}  // namespace tt::tt_metal
