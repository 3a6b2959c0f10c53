// DRAM -> L1 -> DRAM copy by one data movement kernel, written the way tt-metal's loopback example is:
// Mesh device and queue, interleaved DRAM MeshBuffers, TensorAccessorArgs, fmt::print, TT_FATAL.
// (The example's L1 scratch MeshBuffer is a circular buffer here: the emulator has no L1 MeshBuffers.)
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/device.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <random>

using namespace tt::tt_metal;
#ifndef OVERRIDE_KERNEL_PREFIX
#define OVERRIDE_KERNEL_PREFIX ""
#endif

int main() {
    auto mesh_device = distributed::MeshDevice::create_unit_mesh(/*device_id=*/0);
    distributed::MeshCommandQueue& cq = mesh_device->mesh_command_queue();
    distributed::MeshWorkload workload;
    distributed::MeshCoordinateRange device_range = distributed::MeshCoordinateRange(mesh_device->shape());
    Program program = CreateProgram();
    constexpr CoreCoord core = {0, 0};

    constexpr uint32_t num_tiles = 50;
    constexpr uint32_t tile_size_bytes = sizeof(bfloat16) * tt::constants::TILE_HW;
    distributed::DeviceLocalBufferConfig dram_config{.page_size = tile_size_bytes, .buffer_type = BufferType::DRAM};
    distributed::ReplicatedBufferConfig buffer_config{.size = tile_size_bytes * num_tiles};
    auto input_dram_buffer = distributed::MeshBuffer::create(buffer_config, dram_config, mesh_device.get());
    auto output_dram_buffer = distributed::MeshBuffer::create(buffer_config, dram_config, mesh_device.get());

    CreateCircularBuffer(program, core,
                         CircularBufferConfig(tile_size_bytes, {{tt::CBIndex::c_0, tt::DataFormat::Float16_b}})
                             .set_page_size(tt::CBIndex::c_0, tile_size_bytes));

    std::vector<uint32_t> dram_copy_compile_time_args;
    TensorAccessorArgs(*input_dram_buffer).append_to(dram_copy_compile_time_args);
    TensorAccessorArgs(*output_dram_buffer).append_to(dram_copy_compile_time_args);
    KernelHandle dram_copy_kernel_id = CreateKernel(
        program, OVERRIDE_KERNEL_PREFIX "loopback/kernels/loopback_dram_copy.cpp", core,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::RISCV_0_default,
                           .compile_args = dram_copy_compile_time_args});

    std::mt19937 rng(42);
    std::uniform_real_distribution<float> dist(0.0f, 100.0f);
    std::vector<bfloat16> input_vec(tile_size_bytes * num_tiles / sizeof(bfloat16));
    for (auto& v : input_vec) v = bfloat16(dist(rng));
    distributed::EnqueueWriteMeshBuffer(cq, input_dram_buffer, input_vec, false);

    SetRuntimeArgs(program, dram_copy_kernel_id, core,
                   {static_cast<uint32_t>(input_dram_buffer->address()),
                    static_cast<uint32_t>(output_dram_buffer->address()), num_tiles});
    workload.add_program(device_range, std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    distributed::Finish(cq);

    std::vector<bfloat16> result_vec;
    distributed::EnqueueReadMeshBuffer(cq, result_vec, output_dram_buffer, true);
    TT_FATAL(result_vec.size() == input_vec.size(), "read {} values, wrote {}", result_vec.size(), input_vec.size());
    bool pass = true;
    for (size_t i = 0; i < input_vec.size(); ++i) {
        if (result_vec[i].to_float() != input_vec[i].to_float()) {
            pass = false;
            fmt::print(stderr, "mismatch at {}: {} != {}\n", i, result_vec[i].to_float(), input_vec[i].to_float());
            break;
        }
    }
    mesh_device->close();
    if (!pass) {
        TT_THROW("Test Failed");
    }
    fmt::print("Test Passed\n");
    return 0;
}
