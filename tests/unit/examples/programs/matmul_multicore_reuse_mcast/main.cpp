// C = A @ B (bf16, 384 x 256 x 512) on a 3 x 4 core grid in the shape of tt-metal's
// matmul_multicore_reuse_mcast example: each core owns a per_core_M x per_core_N tile block of C, K goes in
// blocks of in0_block_w tiles, and each A / B block is read from DRAM once per row / column of cores:
// the left column reads A and multicasts it along its row, the top row reads B and multicasts it down its
// column, with a sender and a receiver semaphore per operand for the handshake. Four kernel groups
// (in0 sender / receiver on RISCV_1, in1 sender / receiver + C writer on RISCV_0) and one compute kernel.
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/device.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/tilize_utils.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <tt-metalium/core_coord.hpp>
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
    // M, N differ so that a row / column mix-up in the grid or the multicast rectangles shows.
    constexpr uint32_t M = 384, N = 512, K = 256, B = 1;
    const uint32_t Mt = M / TILE_HEIGHT, Kt = K / TILE_WIDTH, Nt = N / TILE_WIDTH;
    std::mt19937 rng(23);
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

    // Block sizes (the example derives them with bmm_op_utils::get_large_matmul_params): 4 x 4 tile blocks
    // of C per core, 2 x 2 subblocks in DST, K in 4 blocks of 2 tiles so partial sums go through c_24.
    const uint32_t in0_block_w = 2, per_core_M = 4, per_core_N = 4;
    const uint32_t out_subblock_h = 2, out_subblock_w = 2;
    TT_FATAL(out_subblock_h * out_subblock_w <= 8, "subblock {}x{} does not fit DST", out_subblock_h, out_subblock_w);
    TT_FATAL(Mt % per_core_M == 0 && Nt % per_core_N == 0 && Kt % in0_block_w == 0, "blocks must divide the tiles");
    TT_FATAL(per_core_M % out_subblock_h == 0 && per_core_N % out_subblock_w == 0, "subblocks must divide blocks");
    const uint32_t num_cores_r = Mt / per_core_M, num_cores_c = Nt / per_core_N;   // grid rows (y), columns (x)
    auto compute_with_storage_grid_size = mesh_device->compute_with_storage_grid_size();
    TT_FATAL(num_cores_c <= compute_with_storage_grid_size.x && num_cores_r <= compute_with_storage_grid_size.y,
             "{}x{} blocks do not fit the {}x{} grid", num_cores_c, num_cores_r, compute_with_storage_grid_size.x,
             compute_with_storage_grid_size.y);

    CoreRange all_cores({0, 0}, {num_cores_c - 1, num_cores_r - 1});
    CoreRange left_column({0, 0}, {0, num_cores_r - 1});
    CoreRange all_except_left_column({1, 0}, {num_cores_c - 1, num_cores_r - 1});
    CoreRange top_row({0, 0}, {num_cores_c - 1, 0});
    CoreRange all_except_top_row({0, 1}, {num_cores_c - 1, num_cores_r - 1});

    const uint32_t in0_block_tiles = per_core_M * in0_block_w, in1_block_tiles = per_core_N * in0_block_w;
    const uint32_t out_block_tiles = per_core_M * per_core_N;
    auto make_cb = [&](uint32_t tiles, tt::CBIndex index) {
        CreateCircularBuffer(program, all_cores,
                             CircularBufferConfig(tiles * single_tile_size, {{index, cb_data_format}})
                                 .set_page_size(index, single_tile_size));
    };
    make_cb(in0_block_tiles * 2, tt::CBIndex::c_0);   // double buffered: the next block arrives during compute
    make_cb(in1_block_tiles * 2, tt::CBIndex::c_1);
    make_cb(out_block_tiles, tt::CBIndex::c_16);
    make_cb(out_block_tiles, tt::CBIndex::c_24);      // partial sums of the whole block between K blocks

    distributed::DeviceLocalBufferConfig dram_config{.page_size = single_tile_size, .buffer_type = BufferType::DRAM};
    auto src0_dram_buffer = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = single_tile_size * Mt * Kt}, dram_config, mesh_device.get());
    auto src1_dram_buffer = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = single_tile_size * Kt * Nt}, dram_config, mesh_device.get());
    auto dst_dram_buffer = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = single_tile_size * Mt * Nt}, dram_config, mesh_device.get());

    std::vector<uint32_t> in0_sender_ct_args, in1_sender_ct_args, in1_receiver_ct_args;
    TensorAccessorArgs(*src0_dram_buffer).append_to(in0_sender_ct_args);
    TensorAccessorArgs(*src1_dram_buffer).append_to(in1_sender_ct_args);
    TensorAccessorArgs(*dst_dram_buffer).append_to(in1_sender_ct_args);
    TensorAccessorArgs(*dst_dram_buffer).append_to(in1_receiver_ct_args);

    // Senders multicast on NOC 0, where a multicast rectangle runs from its low to its high corner.
    auto in0_sender_id = CreateKernel(
        program, OVERRIDE_KERNEL_PREFIX "matmul_multicore_reuse_mcast/kernels/reader_in0_mcast_sender.cpp",
        left_column,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = NOC::RISCV_0_default,
                           .compile_args = in0_sender_ct_args});
    auto in0_receiver_id = CreateKernel(
        program, OVERRIDE_KERNEL_PREFIX "matmul_multicore_reuse_mcast/kernels/reader_in0_mcast_receiver.cpp",
        all_except_left_column,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = NOC::RISCV_1_default});
    auto in1_sender_id = CreateKernel(
        program, OVERRIDE_KERNEL_PREFIX "matmul_multicore_reuse_mcast/kernels/writer_in1_mcast_sender.cpp", top_row,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::RISCV_0_default,
                           .compile_args = in1_sender_ct_args});
    auto in1_receiver_id = CreateKernel(
        program, OVERRIDE_KERNEL_PREFIX "matmul_multicore_reuse_mcast/kernels/writer_in1_mcast_receiver.cpp",
        all_except_top_row,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::RISCV_0_default,
                           .compile_args = in1_receiver_ct_args});

    const uint32_t in0_num_subblocks = per_core_M / out_subblock_h;
    const uint32_t in0_subblock_num_tiles = out_subblock_h * in0_block_w;
    const uint32_t in1_num_subblocks = per_core_N / out_subblock_w;
    const uint32_t out_subblock_num_tiles = out_subblock_h * out_subblock_w;
    const uint32_t num_blocks = Kt / in0_block_w;
    std::vector<uint32_t> compute_kernel_args = {in0_block_w, in0_num_subblocks, in0_block_tiles,
                                                 in0_subblock_num_tiles, in1_num_subblocks, in1_block_tiles,
                                                 per_core_N, num_blocks, out_subblock_h, out_subblock_w,
                                                 out_subblock_num_tiles, B};
    CreateKernel(program, OVERRIDE_KERNEL_PREFIX "matmul_multicore_reuse_mcast/kernels/bmm_large_block_mcast.cpp",
                 all_cores, ComputeConfig{.math_fidelity = MathFidelity::HiFi4, .compile_args = compute_kernel_args});

    const uint32_t in0_sender_semaphore_id = CreateSemaphore(program, all_cores, INVALID);
    const uint32_t in0_receiver_semaphore_id = CreateSemaphore(program, all_cores, INVALID);
    const uint32_t in1_sender_semaphore_id = CreateSemaphore(program, all_cores, INVALID);
    const uint32_t in1_receiver_semaphore_id = CreateSemaphore(program, all_cores, INVALID);

    for (uint32_t y = 0; y < num_cores_r; y++) {
        for (uint32_t x = 0; x < num_cores_c; x++) {
            CoreCoord core = {x, y};
            // NOC coordinates of this row's sender and receivers, and of this column's
            CoreCoord left_core = mesh_device->worker_core_from_logical_core({0, y});
            CoreCoord left_core_plus_one = mesh_device->worker_core_from_logical_core({1, y});
            CoreCoord right_core = mesh_device->worker_core_from_logical_core({num_cores_c - 1, y});
            CoreCoord top_core = mesh_device->worker_core_from_logical_core({x, 0});
            CoreCoord top_core_plus_one = mesh_device->worker_core_from_logical_core({x, 1});
            CoreCoord bottom_core = mesh_device->worker_core_from_logical_core({x, num_cores_r - 1});

            if (x == 0) {
                SetRuntimeArgs(program, in0_sender_id, core,
                               {static_cast<uint32_t>(src0_dram_buffer->address()), y * per_core_M * Kt, 1, Kt,
                                in0_block_w, in0_block_w, per_core_M, in0_block_tiles, num_blocks,
                                static_cast<uint32_t>(left_core_plus_one.x), static_cast<uint32_t>(left_core_plus_one.y),
                                static_cast<uint32_t>(right_core.x), static_cast<uint32_t>(right_core.y),
                                num_cores_c - 1, in0_sender_semaphore_id, in0_receiver_semaphore_id});
            } else {
                SetRuntimeArgs(program, in0_receiver_id, core,
                               {in0_block_tiles, num_blocks, static_cast<uint32_t>(left_core.x),
                                static_cast<uint32_t>(left_core.y), in0_sender_semaphore_id,
                                in0_receiver_semaphore_id});
            }

            std::vector<uint32_t> writer_args = {
                static_cast<uint32_t>(dst_dram_buffer->address()), y * per_core_M * Nt + x * per_core_N, 1, Nt,
                out_subblock_w, out_subblock_h * Nt, out_subblock_w, out_subblock_h, out_subblock_num_tiles,
                in1_num_subblocks, in0_num_subblocks};
            if (y == 0) {
                std::vector<uint32_t> in1_args = {
                    static_cast<uint32_t>(src1_dram_buffer->address()), x * per_core_N, 1, Nt, in0_block_w * Nt,
                    per_core_N, in0_block_w, in1_block_tiles, num_blocks,
                    static_cast<uint32_t>(top_core_plus_one.x), static_cast<uint32_t>(top_core_plus_one.y),
                    static_cast<uint32_t>(bottom_core.x), static_cast<uint32_t>(bottom_core.y), num_cores_r - 1,
                    in1_sender_semaphore_id, in1_receiver_semaphore_id};
                writer_args.insert(writer_args.end(), in1_args.begin(), in1_args.end());
                SetRuntimeArgs(program, in1_sender_id, core, writer_args);
            } else {
                std::vector<uint32_t> in1_args = {in1_block_tiles, num_blocks, static_cast<uint32_t>(top_core.x),
                                                  static_cast<uint32_t>(top_core.y), in1_sender_semaphore_id,
                                                  in1_receiver_semaphore_id};
                writer_args.insert(writer_args.end(), in1_args.begin(), in1_args.end());
                SetRuntimeArgs(program, in1_receiver_id, core, writer_args);
            }
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
    // (docs/numerics.md, "Matrix engine"); C and each of the num_blocks - 1 partial sums in c_24 are rounded
    // to bf16 once more: each rounding is at most half a bf16 ulp (2^-8 relative) of a value no larger than
    // sum_k |a b| (docs/tolerance.md's bf16-DST matmul bound).
    std::vector<float> magnitude(M * N);
    magnitude_matmul(src0_vec, src1_vec, magnitude, M, N, K);
    const double roundings = 4.0 * (K / 16) + num_blocks;
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
