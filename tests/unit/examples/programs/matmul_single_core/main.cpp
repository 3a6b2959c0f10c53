// C = A @ B (bf16, M=K=N=128) on one core, in the shape of tt-metal's matmul_single_core example:
// host tilize/untilize, DRAM MeshBuffers, TensorAccessorArgs, compile-time args for the compute kernel.
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/device.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/tilize_utils.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <tt-metalium/util.hpp>
#include <cmath>
#include <random>

using namespace tt::constants;
using namespace tt::tt_metal;
#ifndef OVERRIDE_KERNEL_PREFIX
#define OVERRIDE_KERNEL_PREFIX ""
#endif

static void golden_matmul(const std::vector<bfloat16>& a, const std::vector<bfloat16>& b, std::vector<float>& c,
                          uint32_t M, uint32_t N, uint32_t K) {
    for (uint32_t i = 0; i < M; i++)
        for (uint32_t j = 0; j < N; j++) {
            float acc = 0;
            for (uint32_t k = 0; k < K; k++) acc += a[i * K + k].to_float() * b[k * N + j].to_float();
            c[i * N + j] = acc;
        }
}

int main() {
    constexpr uint32_t M = 128, N = 128, K = 128;
    const uint32_t Mt = M / TILE_HEIGHT, Kt = K / TILE_WIDTH, Nt = N / TILE_WIDTH;
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<bfloat16> src0_vec(M * K), src1_vec(K * N);
    for (auto& v : src0_vec) v = bfloat16(dist(rng));
    for (auto& v : src1_vec) v = bfloat16(dist(rng));
    std::vector<float> golden(M * N);
    golden_matmul(src0_vec, src1_vec, golden, M, N, K);

    auto mesh_device = distributed::MeshDevice::create_unit_mesh(0);
    distributed::MeshCommandQueue& cq = mesh_device->mesh_command_queue();
    Program program{};
    CoreCoord core({0, 0});
    const uint32_t single_tile_size = sizeof(bfloat16) * TILE_HEIGHT * TILE_WIDTH;
    distributed::DeviceLocalBufferConfig dram_config{.page_size = single_tile_size, .buffer_type = BufferType::DRAM};
    auto src0_dram_buffer = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = single_tile_size * Mt * Kt}, dram_config, mesh_device.get());
    auto src1_dram_buffer = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = single_tile_size * Kt * Nt}, dram_config, mesh_device.get());
    auto dst_dram_buffer = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = single_tile_size * Mt * Nt}, dram_config, mesh_device.get());

    const tt::DataFormat cb_data_format = tt::DataFormat::Float16_b;
    const uint32_t num_input_tiles = 2, num_output_tiles = 2;
    CreateCircularBuffer(program, core,
                         CircularBufferConfig(num_input_tiles * single_tile_size, {{tt::CBIndex::c_0, cb_data_format}})
                             .set_page_size(tt::CBIndex::c_0, single_tile_size));
    CreateCircularBuffer(program, core,
                         CircularBufferConfig(num_input_tiles * single_tile_size, {{tt::CBIndex::c_1, cb_data_format}})
                             .set_page_size(tt::CBIndex::c_1, single_tile_size));
    CreateCircularBuffer(program, core,
                         CircularBufferConfig(num_output_tiles * single_tile_size, {{tt::CBIndex::c_16, cb_data_format}})
                             .set_page_size(tt::CBIndex::c_16, single_tile_size));

    std::vector<uint32_t> reader_compile_time_args;
    TensorAccessorArgs(*src0_dram_buffer).append_to(reader_compile_time_args);
    TensorAccessorArgs(*src1_dram_buffer).append_to(reader_compile_time_args);
    std::vector<uint32_t> writer_compile_time_args;
    TensorAccessorArgs(*dst_dram_buffer).append_to(writer_compile_time_args);
    auto reader_id = CreateKernel(
        program, OVERRIDE_KERNEL_PREFIX "matmul_single_core/kernels/reader_single_core_mm.cpp", core,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = NOC::RISCV_1_default,
                           .compile_args = reader_compile_time_args});
    auto writer_id = CreateKernel(
        program, OVERRIDE_KERNEL_PREFIX "matmul_single_core/kernels/writer_single_core_mm.cpp", core,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::RISCV_0_default,
                           .compile_args = writer_compile_time_args});
    std::vector<uint32_t> compute_compile_time_args = {Mt, Kt, Nt};
    CreateKernel(program, OVERRIDE_KERNEL_PREFIX "matmul_single_core/kernels/mm.cpp", core,
                 ComputeConfig{.math_fidelity = MathFidelity::HiFi4, .compile_args = compute_compile_time_args});
    SetRuntimeArgs(program, reader_id, core,
                   {static_cast<uint32_t>(src0_dram_buffer->address()),
                    static_cast<uint32_t>(src1_dram_buffer->address()), Mt, Kt, Nt});
    SetRuntimeArgs(program, writer_id, core, {static_cast<uint32_t>(dst_dram_buffer->address()), Mt, Nt});

    auto a_tiled = tilize_nfaces(src0_vec, M, K);
    auto b_tiled = tilize_nfaces(src1_vec, K, N);
    distributed::EnqueueWriteMeshBuffer(cq, src0_dram_buffer, a_tiled, false);
    distributed::EnqueueWriteMeshBuffer(cq, src1_dram_buffer, b_tiled, false);
    distributed::MeshWorkload workload;
    workload.add_program(distributed::MeshCoordinateRange(mesh_device->shape()), std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    std::vector<bfloat16> result_vec;
    distributed::EnqueueReadMeshBuffer(cq, result_vec, dst_dram_buffer, true);
    result_vec = untilize_nfaces(result_vec, M, N);

    double num = 0, den_a = 0, den_b = 0, mean_a = 0, mean_b = 0;   // Pearson correlation, as the example
    for (uint32_t i = 0; i < M * N; ++i) { mean_a += golden[i]; mean_b += result_vec[i].to_float(); }
    mean_a /= M * N; mean_b /= M * N;
    for (uint32_t i = 0; i < M * N; ++i) {
        double x = golden[i] - mean_a, y = result_vec[i].to_float() - mean_b;
        num += x * y; den_a += x * x; den_b += y * y;
    }
    const double pcc = num / std::sqrt(den_a * den_b);
    fmt::print("Metalium vs Golden -- PCC = {:.6f}\n", pcc);
    TT_FATAL(pcc > 0.99, "PCC not high enough: {}", pcc);
    mesh_device->close();
    fmt::print("Test Passed\n");
    return 0;
}
