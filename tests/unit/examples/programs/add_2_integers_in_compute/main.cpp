// One tile of small integers plus another, added by the compute engine, in the shape of tt-metal's
// add_2_integers_in_compute example.
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/device.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <cmath>
#include <random>

using namespace tt::tt_metal;
#ifndef OVERRIDE_KERNEL_PREFIX
#define OVERRIDE_KERNEL_PREFIX ""
#endif

int main() {
    bool pass = true;
    try {
        auto mesh_device = distributed::MeshDevice::create_unit_mesh(0);
        distributed::MeshCommandQueue& cq = mesh_device->mesh_command_queue();
        distributed::MeshWorkload workload;
        distributed::MeshCoordinateRange device_range = distributed::MeshCoordinateRange(mesh_device->shape());
        Program program = CreateProgram();
        constexpr CoreCoord core = {0, 0};

        constexpr uint32_t n_tiles = 1;
        constexpr uint32_t elements_per_tile = tt::constants::TILE_WIDTH * tt::constants::TILE_HEIGHT;
        constexpr uint32_t tile_size_bytes = sizeof(bfloat16) * elements_per_tile;
        distributed::DeviceLocalBufferConfig dram_config{.page_size = tile_size_bytes, .buffer_type = BufferType::DRAM};
        distributed::ReplicatedBufferConfig buffer_config{.size = n_tiles * tile_size_bytes};
        auto src0_dram_buffer = distributed::MeshBuffer::create(buffer_config, dram_config, mesh_device.get());
        auto src1_dram_buffer = distributed::MeshBuffer::create(buffer_config, dram_config, mesh_device.get());
        auto dst_dram_buffer = distributed::MeshBuffer::create(buffer_config, dram_config, mesh_device.get());

        std::mt19937 rng(7);
        std::uniform_int_distribution<int> distribution(0, 100);
        std::vector<bfloat16> a_data(elements_per_tile * n_tiles);
        for (auto& val : a_data) val = bfloat16(static_cast<float>(distribution(rng)));
        constexpr float val_to_add = 14.0f;
        std::vector<bfloat16> b_data(elements_per_tile * n_tiles, bfloat16(val_to_add));
        distributed::EnqueueWriteMeshBuffer(cq, src0_dram_buffer, a_data, false);
        distributed::EnqueueWriteMeshBuffer(cq, src1_dram_buffer, b_data, false);

        constexpr uint32_t tiles_per_cb = 2;
        for (tt::CBIndex cb : {tt::CBIndex::c_0, tt::CBIndex::c_1, tt::CBIndex::c_16}) {
            CreateCircularBuffer(program, core,
                                 CircularBufferConfig(tiles_per_cb * tile_size_bytes, {{cb, tt::DataFormat::Float16_b}})
                                     .set_page_size(cb, tile_size_bytes));
        }

        std::vector<uint32_t> reader_compile_time_args;
        TensorAccessorArgs(*src0_dram_buffer).append_to(reader_compile_time_args);
        TensorAccessorArgs(*src1_dram_buffer).append_to(reader_compile_time_args);
        std::vector<uint32_t> writer_compile_time_args;
        TensorAccessorArgs(*dst_dram_buffer).append_to(writer_compile_time_args);
        auto reader = CreateKernel(
            program, OVERRIDE_KERNEL_PREFIX "add_2_integers_in_compute/kernels/reader_binary_1_tile.cpp", core,
            DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::RISCV_0_default,
                               .compile_args = reader_compile_time_args});
        auto writer = CreateKernel(
            program, OVERRIDE_KERNEL_PREFIX "add_2_integers_in_compute/kernels/writer_1_tile.cpp", core,
            DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = NOC::RISCV_1_default,
                               .compile_args = writer_compile_time_args});
        auto compute = CreateKernel(program, OVERRIDE_KERNEL_PREFIX "add_2_integers_in_compute/kernels/add_2_tiles.cpp", core,
                                    ComputeConfig{.math_fidelity = MathFidelity::HiFi4});

        SetRuntimeArgs(program, reader, core,
                       {static_cast<uint32_t>(src0_dram_buffer->address()),
                        static_cast<uint32_t>(src1_dram_buffer->address()), n_tiles});
        SetRuntimeArgs(program, writer, core, {static_cast<uint32_t>(dst_dram_buffer->address()), n_tiles});
        SetRuntimeArgs(program, compute, core, {n_tiles});

        workload.add_program(device_range, std::move(program));
        distributed::EnqueueMeshWorkload(cq, workload, false);
        distributed::Finish(cq);

        std::vector<bfloat16> result_vec;
        distributed::EnqueueReadMeshBuffer(cq, result_vec, dst_dram_buffer, true);
        constexpr float eps = 0.0f;   // small integers are exact in bf16
        TT_FATAL(result_vec.size() == a_data.size(), "Result vector size mismatch");
        for (size_t i = 0; i < result_vec.size(); ++i) {
            const float expected = static_cast<float>(bfloat16(a_data[i].to_float() + val_to_add));
            const float actual = result_vec[i].to_float();
            if (std::abs(expected - actual) > eps) {
                pass = false;
                fmt::print(stderr, "Result mismatch at index {}: expected {}, got {}\n", i, expected, actual);
                break;
            }
        }
        pass &= mesh_device->close();
    } catch (const std::exception& e) {
        fmt::print(stderr, "Test failed with exception!\n{}\n", e.what());
        throw;
    }
    if (pass) {
        fmt::print("Test Passed\n");
    } else {
        TT_THROW("Test Failed");
    }
    return 0;
}
