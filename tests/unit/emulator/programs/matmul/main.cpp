// Multi-core bf16 matmul host program in the style of tt-metal's matmul_multi_core example: each core
// computes blocks of BH x BW output tiles, accumulating over K one tile at a time.
// Shapes come from the environment (MM_M, MM_K, MM_N, MM_BH, MM_BW, MM_CORES, MM_FP32_ACC, MM_OUT_FP32; MM_KB
// K tiles per step for the *_kblock kernels, which hold a BHxKB A block and a KBxBW B block at once).
// Usage: tt_program <kernel_dir> <A file> <B file> <C file>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/constants.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <tt-metalium/tilize_utils.hpp>
#include <tt-metalium/work_split.hpp>

using namespace tt;
using namespace tt::tt_metal;

static uint32_t env_u(const char* n, uint32_t d) { const char* v = std::getenv(n); return v ? std::atoi(v) : d; }

template <typename T>
static std::vector<T> read_file(const std::string& path, size_t n) {
  std::vector<T> v(n);
  std::ifstream f(path, std::ios::binary);
  if (!f.read(reinterpret_cast<char*>(v.data()), n * sizeof(T))) throw std::runtime_error("cannot read " + path);
  return v;
}

int main(int argc, char** argv) try {
  if (argc < 5) throw std::runtime_error("usage: tt_program <kernel_dir> <A> <B> <C>");
  const std::string kdir = argv[1];
  const uint32_t M = env_u("MM_M", 64), K = env_u("MM_K", 64), N = env_u("MM_N", 64);
  const uint32_t BH = env_u("MM_BH", 1), BW = env_u("MM_BW", 1), KB = env_u("MM_KB", 1);
  const bool fp32_acc = env_u("MM_FP32_ACC", 0), out_fp32 = env_u("MM_OUT_FP32", 0);
  // B's data format (5 Float16_b, 6 Bfp8_b, 7 Bfp4_b; a block-float B file holds its tiles already
  // packed, in tile order) and the math fidelity (0 LoFi, 2 HiFi2, 3 HiFi3, 4 HiFi4).
  const auto fmt_b = static_cast<DataFormat>(env_u("MM_B_FMT", 5));
  const auto fidelity = static_cast<MathFidelity>(env_u("MM_FIDELITY", 4));
  const uint32_t Mt = M / constants::TILE_HEIGHT, Kt = K / constants::TILE_WIDTH, Nt = N / constants::TILE_WIDTH;
  if (Mt % BH || Nt % BW || Kt % KB) throw std::runtime_error("block size must divide the tile grid");

  auto mesh_device = distributed::MeshDevice::create_unit_mesh(0);
  distributed::MeshCommandQueue& cq = mesh_device->mesh_command_queue();
  distributed::MeshWorkload workload;
  distributed::MeshCoordinateRange device_range(mesh_device->shape());
  Program program = CreateProgram();

  const uint32_t tile_bf16 = 2 * constants::TILE_HW, tile_out = (out_fp32 ? 4 : 2) * constants::TILE_HW;
  auto make_buf = [&](uint32_t page, uint32_t pages) {
    distributed::DeviceLocalBufferConfig dram_config{.page_size = page, .buffer_type = BufferType::DRAM};
    distributed::ReplicatedBufferConfig buffer_config{.size = page * pages};
    return distributed::MeshBuffer::create(buffer_config, dram_config, mesh_device.get());
  };
  const uint32_t tile_b = tt::tile_size(fmt_b);
  auto a_buf = make_buf(tile_bf16, Mt * Kt), b_buf = make_buf(tile_b, Kt * Nt), c_buf = make_buf(tile_out, Mt * Nt);

  auto a = tilize_nfaces(read_file<bfloat16>(argv[2], size_t(M) * K), M, K);
  distributed::EnqueueWriteMeshBuffer(cq, a_buf, a, false);
  if (fmt_b == DataFormat::Float16_b) {
    auto b = tilize_nfaces(read_file<bfloat16>(argv[3], size_t(K) * N), K, N);
    distributed::EnqueueWriteMeshBuffer(cq, b_buf, b, false);
  } else {
    auto b = read_file<uint32_t>(argv[3], size_t(Kt) * Nt * tile_b / 4);
    distributed::EnqueueWriteMeshBuffer(cq, b_buf, b, false);
  }

  const uint32_t grid_x_blocks = Nt / BW, num_blocks = (Mt / BH) * grid_x_blocks;
  CoreCoord grid = mesh_device->compute_with_storage_grid_size();
  uint32_t max_cores = env_u("MM_CORES", grid.x * grid.y);
  if (max_cores < grid.x * grid.y) grid = {std::min<size_t>(grid.x, max_cores), (max_cores + grid.x - 1) / grid.x};
  auto [num_cores, all_cores, core_group_1, core_group_2, blocks_g1, blocks_g2] =
      split_work_to_cores(grid, num_blocks, true);

  const auto cb_a = CBIndex::c_0, cb_b = CBIndex::c_1, cb_out = CBIndex::c_16;
  CreateCircularBuffer(program, all_cores,
                       CircularBufferConfig(2 * BH * KB * tile_bf16, {{cb_a, DataFormat::Float16_b}}).set_page_size(cb_a, tile_bf16));
  CreateCircularBuffer(program, all_cores,
                       CircularBufferConfig(2 * BW * KB * tile_b, {{cb_b, fmt_b}}).set_page_size(cb_b, tile_b));
  const auto out_fmt = out_fp32 ? DataFormat::Float32 : DataFormat::Float16_b;
  CreateCircularBuffer(program, all_cores,
                       CircularBufferConfig(2 * BH * BW * tile_out, {{cb_out, out_fmt}}).set_page_size(cb_out, tile_out));

  std::vector<uint32_t> reader_ct, writer_ct;
  TensorAccessorArgs(*a_buf).append_to(reader_ct);
  TensorAccessorArgs(*b_buf).append_to(reader_ct);
  TensorAccessorArgs(*c_buf).append_to(writer_ct);
  auto reader = CreateKernel(program, kdir + "/reader.cpp", all_cores,
                             DataMovementConfig{.processor = DataMovementProcessor::RISCV_1,
                                                .noc = NOC::RISCV_1_default, .compile_args = reader_ct});
  auto writer = CreateKernel(program, kdir + "/writer.cpp", all_cores,
                             DataMovementConfig{.processor = DataMovementProcessor::RISCV_0,
                                                .noc = NOC::RISCV_0_default, .compile_args = writer_ct});
  auto compute = CreateKernel(program, kdir + "/compute.cpp", all_cores,
                              ComputeConfig{.math_fidelity = fidelity, .fp32_dest_acc_en = fp32_acc,
                                            .compile_args = {BH, BW, KB}});

  uint32_t start = 0;
  for (const auto& [group, count] : {std::pair{core_group_1, blocks_g1}, std::pair{core_group_2, blocks_g2}}) {
    for (const auto& range : group.ranges()) {
      for (const auto& core : range) {
        SetRuntimeArgs(program, reader, core, {start, count, (uint32_t)a_buf->address(), (uint32_t)b_buf->address(), Kt, Nt, grid_x_blocks, BH, BW, KB});
        SetRuntimeArgs(program, compute, core, {count, Kt});
        SetRuntimeArgs(program, writer, core, {start, count, (uint32_t)c_buf->address(), Nt, grid_x_blocks, BH, BW});
        start += count;
      }
    }
  }
  workload.add_program(device_range, std::move(program));
  distributed::EnqueueMeshWorkload(cq, workload, false);
  distributed::Finish(cq);

  std::ofstream out(argv[4], std::ios::binary);
  if (out_fp32) {
    std::vector<float> c;
    distributed::EnqueueReadMeshBuffer(cq, c, c_buf, true);
    c = untilize_nfaces(c, M, N);
    out.write(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(float));
  } else {
    std::vector<bfloat16> c;
    distributed::EnqueueReadMeshBuffer(cq, c, c_buf, true);
    c = untilize_nfaces(c, M, N);
    out.write(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(bfloat16));
  }
  mesh_device->close();
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "tt_program: %s\n", e.what());
  return 1;
}
