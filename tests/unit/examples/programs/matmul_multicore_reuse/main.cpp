// C = A @ B (bf16, 256 x 256 x 256) on a 2x2 core grid with block reuse, in the shape of tt-metal's
// matmul_multicore_reuse example: per-core output blocks, K in blocks of in0_block_w tiles, output
// subblocks in DST, partial results spilled to c_24, which shares its L1 with the output c_16 (one
// CircularBufferConfig for both indices), 12 compute compile-time args, 21/13 reader/writer runtime args.
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/device.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/tilize_utils.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <tt-metalium/work_split.hpp>
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

// sum_k |a[i,k] b[k,j]|: the scale of every rounding error of the matmul
static void magnitude_matmul(const std::vector<bfloat16>& a, const std::vector<bfloat16>& b, std::vector<float>& c,
                             uint32_t M, uint32_t N, uint32_t K) {
    for (uint32_t i = 0; i < M; i++)
        for (uint32_t j = 0; j < N; j++) {
            float acc = 0;
            for (uint32_t k = 0; k < K; k++) acc += std::abs(a[i * K + k].to_float() * b[k * N + j].to_float());
            c[i * N + j] = acc;
        }
}

int main() {
    constexpr uint32_t M = 256, N = 256, K = 256, B = 1;
    const uint32_t Mt = M / TILE_HEIGHT, Kt = K / TILE_WIDTH, Nt = N / TILE_WIDTH;
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<bfloat16> src0_vec(M * K), src1_vec(K * N);
    for (auto& v : src0_vec) v = bfloat16(dist(rng));
    for (auto& v : src1_vec) v = bfloat16(dist(rng));
    std::vector<float> golden(M * N);
    golden_matmul(src0_vec, src1_vec, golden, M, N, K);

    auto mesh_device = distributed::MeshDevice::create_unit_mesh(0);
    distributed::MeshCommandQueue& cq = mesh_device->mesh_command_queue();
    Program program{};
    const tt::DataFormat cb_data_format = tt::DataFormat::Float16_b;
    const uint32_t single_tile_size = tt::tile_size(cb_data_format);

    // Block sizes (the example picks them with bmm_op_utils::get_large_matmul_params)
    auto compute_with_storage_grid_size = mesh_device->compute_with_storage_grid_size();
    const uint32_t num_cores_x = compute_with_storage_grid_size.x;
    // A 2x2 grid of output blocks; K in 4 blocks, so partials spill to c_24 and are reloaded.
    const uint32_t in0_block_w = 2, per_core_M = Mt / 2, per_core_N = Nt / 2;
    const uint32_t out_subblock_h = 2, out_subblock_w = 2;
    TT_FATAL(out_subblock_h * out_subblock_w <= 8, "subblock {}x{} does not fit DST", out_subblock_h, out_subblock_w);
    const uint32_t num_blocks_y = Mt / per_core_M, num_blocks_x = Nt / per_core_N;
    CoreRangeSet all_cores =
        num_cores_to_corerangeset(num_blocks_x * num_blocks_y, compute_with_storage_grid_size, true);

    const uint32_t in0_CB_tiles = per_core_M * in0_block_w * 2;   // double buffered
    const uint32_t in1_CB_tiles = per_core_N * in0_block_w * 2;
    const uint32_t out_CB_tiles = per_core_M * per_core_N;
    CreateCircularBuffer(program, all_cores,
                         CircularBufferConfig(in0_CB_tiles * single_tile_size, {{tt::CBIndex::c_0, cb_data_format}})
                             .set_page_size(tt::CBIndex::c_0, single_tile_size));
    CreateCircularBuffer(program, all_cores,
                         CircularBufferConfig(in1_CB_tiles * single_tile_size, {{tt::CBIndex::c_1, cb_data_format}})
                             .set_page_size(tt::CBIndex::c_1, single_tile_size));
    std::map<uint8_t, tt::DataFormat> output_cb_data_format_spec{
        {tt::CBIndex::c_16, cb_data_format}, {tt::CBIndex::c_24, cb_data_format}};
    CreateCircularBuffer(program, CoreRangeSet(all_cores),
                         CircularBufferConfig(out_CB_tiles * single_tile_size, output_cb_data_format_spec)
                             .set_page_size(tt::CBIndex::c_16, single_tile_size)
                             .set_page_size(tt::CBIndex::c_24, single_tile_size));

    distributed::DeviceLocalBufferConfig dram_config{.page_size = single_tile_size, .buffer_type = BufferType::DRAM};
    auto src0_dram_buffer = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = single_tile_size * Mt * Kt}, dram_config, mesh_device.get());
    auto src1_dram_buffer = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = single_tile_size * Kt * Nt}, dram_config, mesh_device.get());
    auto dst_dram_buffer = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = single_tile_size * Mt * Nt}, dram_config, mesh_device.get());

    std::vector<uint32_t> reader_compile_time_args;
    TensorAccessorArgs(*src0_dram_buffer).append_to(reader_compile_time_args);
    TensorAccessorArgs(*src1_dram_buffer).append_to(reader_compile_time_args);
    std::vector<uint32_t> writer_compile_time_args;
    TensorAccessorArgs(*dst_dram_buffer).append_to(writer_compile_time_args);
    auto mm_reader_kernel_id = CreateKernel(
        program, OVERRIDE_KERNEL_PREFIX "matmul_multicore_reuse/kernels/reader_bmm_tile_layout.cpp", all_cores,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = NOC::RISCV_1_default,
                           .compile_args = reader_compile_time_args});
    auto unary_writer_kernel_id = CreateKernel(
        program, OVERRIDE_KERNEL_PREFIX "matmul_multicore_reuse/kernels/writer_bmm_tile_layout.cpp", all_cores,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::RISCV_0_default,
                           .compile_args = writer_compile_time_args});
    const uint32_t in0_num_subblocks = per_core_M / out_subblock_h;
    const uint32_t in0_block_num_tiles = out_subblock_h * in0_block_w * in0_num_subblocks;
    const uint32_t in0_subblock_num_tiles = out_subblock_h * in0_block_w;
    const uint32_t in1_num_subblocks = per_core_N / out_subblock_w;
    const uint32_t in1_block_num_tiles = out_subblock_w * in0_block_w * in1_num_subblocks;
    const uint32_t in1_per_core_w = out_subblock_w * in1_num_subblocks;
    const uint32_t out_subblock_num_tiles = out_subblock_h * out_subblock_w;
    const uint32_t num_blocks = Kt / in0_block_w;
    std::vector<uint32_t> compute_kernel_args = {in0_block_w, in0_num_subblocks, in0_block_num_tiles,
                                                 in0_subblock_num_tiles, in1_num_subblocks, in1_block_num_tiles,
                                                 in1_per_core_w, num_blocks, out_subblock_h, out_subblock_w,
                                                 out_subblock_num_tiles, B};
    CreateKernel(program, OVERRIDE_KERNEL_PREFIX "matmul_multicore_reuse/kernels/bmm_large_block_zm.cpp", all_cores,
                 ComputeConfig{.math_fidelity = MathFidelity::HiFi4, .compile_args = compute_kernel_args});

    for (uint32_t output_idx_y = 0; output_idx_y < num_blocks_y; output_idx_y++) {
        for (uint32_t output_idx_x = 0; output_idx_x < num_blocks_x; output_idx_x++) {
            const uint32_t num_blocks_read = output_idx_y * num_blocks_x + output_idx_x;
            CoreCoord core = {num_blocks_read % num_cores_x, num_blocks_read / num_cores_x};
            std::vector<uint32_t> mm_reader_args = {
                static_cast<uint32_t>(src0_dram_buffer->address()), Kt * per_core_M * output_idx_y, 1, Kt,
                in0_block_w, in0_block_w, per_core_M, in0_block_w * per_core_M,
                static_cast<uint32_t>(src1_dram_buffer->address()), per_core_N * output_idx_x, 1, Nt,
                in0_block_w * Nt, per_core_N, in0_block_w, per_core_N * in0_block_w,
                Kt / in0_block_w, Mt * Kt, Kt * Nt, B, 0};
            std::vector<uint32_t> writer_args = {
                static_cast<uint32_t>(dst_dram_buffer->address()), output_idx_x * per_core_N + output_idx_y * per_core_M * Nt,
                1, Nt, out_subblock_w, out_subblock_h * Nt, out_subblock_w, out_subblock_h,
                out_subblock_w * out_subblock_h, per_core_N / out_subblock_w, per_core_M / out_subblock_h, Mt * Nt, B};
            SetRuntimeArgs(program, mm_reader_kernel_id, core, mm_reader_args);
            SetRuntimeArgs(program, unary_writer_kernel_id, core, writer_args);
        }
    }

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

    // A bf16 DST at HiFi4 rounds the running sum after every 16-deep MVMUL of each of the 4 fidelity phases
    // (docs/numerics.md, "Matrix engine"), and each of the Kt / in0_block_w partial / output packs rounds
    // once more: each rounding is at most half a bf16 ulp (2^-8 relative) of a value no larger than
    // sum_k |a b| (docs/tolerance.md's bf16-DST matmul bound).
    std::vector<float> magnitude(M * N);
    magnitude_matmul(src0_vec, src1_vec, magnitude, M, N, K);
    const double roundings = 4.0 * (K / 16) + Kt / in0_block_w;
    double worst = 0, ratio = 0;
    for (uint32_t i = 0; i < M * N; ++i) {
        const double err = std::abs(golden[i] - result_vec[i].to_float());
        worst = std::max(worst, err);
        ratio = std::max(ratio, err / (roundings * magnitude[i] / 256.0 + 1e-30));
    }
    fmt::print("Metalium vs Golden -- max abs error = {:.4f}, worst error / bound {:.3f}\n", worst, ratio);
    TT_FATAL(ratio <= 1.0, "max abs error {} exceeds the bf16-DST rounding bound (ratio {})", worst, ratio);
    mesh_device->close();
    fmt::print("Test Passed\n");
    return 0;
}
