// Eltwise host program (tt-metal eltwise_binary / eltwise_sfpu example style), multi-core.
// C = op(A, B) on M x N bf16 matrices, tiles split over cores with split_work_to_cores.
// Environment: EW_M, EW_N, EW_CORES, EW_OP (add|sub|mul|copy|exp|sqrt|recip|relu|relu_max|relu_min|gelu|silu|sigmoid|fill|
// reuse_add|reuse_sub|reuse_mul), EW_OUT_FP32, EW_FP32_ACC, EW_RAW (write C still tilized),
// EW_BUG (deadlock|dst_overflow|oob_read|push_no_reserve|pop_no_wait|pack_format|
// pack_reconfig_old_new|pack_reconfig_wrong_old), EW_CB_PAGES (input CB pages),
// EW_LOCAL_HEADER (fill with LOCAL_FILL_VALUE from local_params.h next to compute.cpp).
// Usage: tt_program <kernel_dir> <A file> <B file> <C file>
#include <cstdio>
#include <cstdlib>
#include <fstream>

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
static std::string env_s(const char* n, const char* d) { const char* v = std::getenv(n); return v ? v : d; }

int main(int argc, char** argv) try {
  if (argc < 5) throw std::runtime_error("usage: tt_program <kernel_dir> <A> <B> <C>");
  const std::string kdir = argv[1];
  const uint32_t M = env_u("EW_M", 32), N = env_u("EW_N", 64);
  const bool out_fp32 = env_u("EW_OUT_FP32", 0), fp32_acc = env_u("EW_FP32_ACC", 0), raw = env_u("EW_RAW", 0);
  const std::string op = env_s("EW_OP", "add"), bug = env_s("EW_BUG", "");
  const uint32_t n_tiles = (M / 32) * (N / 32);

  auto mesh_device = distributed::MeshDevice::create_unit_mesh(0);
  auto& cq = mesh_device->mesh_command_queue();
  Program program = CreateProgram();
  const uint32_t tile_in = 2 * constants::TILE_HW, tile_out = (out_fp32 ? 4 : 2) * constants::TILE_HW;
  auto make_buf = [&](uint32_t page) {
    distributed::DeviceLocalBufferConfig dram_config{.page_size = page, .buffer_type = BufferType::DRAM};
    distributed::ReplicatedBufferConfig buffer_config{.size = page * n_tiles};
    return distributed::MeshBuffer::create(buffer_config, dram_config, mesh_device.get());
  };
  auto a_buf = make_buf(tile_in), b_buf = make_buf(tile_in), c_buf = make_buf(tile_out);
  for (auto [buf, path] : {std::pair{&a_buf, argv[2]}, std::pair{&b_buf, argv[3]}}) {
    std::vector<bfloat16> host(size_t(M) * N);
    std::ifstream f(path, std::ios::binary);
    f.read(reinterpret_cast<char*>(host.data()), host.size() * 2);
    distributed::EnqueueWriteMeshBuffer(cq, *buf, tilize_nfaces(host, M, N), false);
  }

  CoreCoord grid = mesh_device->compute_with_storage_grid_size();
  uint32_t want = env_u("EW_CORES", 1);
  grid = {std::min<size_t>(grid.x, want), (want + grid.x - 1) / grid.x};
  auto [num_cores, all_cores, g1, g2, per_g1, per_g2] = split_work_to_cores(grid, n_tiles, true);

  const uint32_t in_pages = env_u("EW_CB_PAGES", 2);
  for (auto cb : {CBIndex::c_0, CBIndex::c_1, CBIndex::c_2})
    CreateCircularBuffer(program, all_cores,
                         CircularBufferConfig(in_pages * tile_in, {{cb, DataFormat::Float16_b}}).set_page_size(cb, tile_in));
  CreateCircularBuffer(program, all_cores,
                       CircularBufferConfig(2 * tile_out, {{CBIndex::c_16, out_fp32 ? DataFormat::Float32 : DataFormat::Float16_b}})
                           .set_page_size(CBIndex::c_16, tile_out));

  std::map<std::string, std::string> defs;
  if (!bug.empty()) defs["BUG_" + bug] = "1";
  std::map<std::string, std::string> cdefs = defs;
  auto binary = [&](const char* name) {
    cdefs["OP_BINARY"] = "1";
    cdefs["BINARY_INIT"] = std::string(name) + (TT_EMU_API_ERA >= 5 ? "_init" : "_tiles_init");  // M081 names
    cdefs["BINARY_OP"] = std::string(name) + "_tiles";
  };
  if (op == "add" || op == "sub" || op == "mul") binary(op.c_str());
  else if (op.rfind("bcast_", 0) == 0) {  // bcast_<add|sub|mul>_<rows|cols|scalar>: B broadcast over A
    auto rest = op.substr(6);
    auto name = rest.substr(0, 3), dim = rest.substr(4);
    cdefs["OP_BINARY"] = "1";
    cdefs["BINARY_INIT"] = name + "_bcast_" + dim + "_init";
    cdefs["BINARY_OP"] = name + "_tiles_bcast_" + dim;
  } else if (op.rfind("scalar_", 0) == 0) {  // scalar_<add|sub|mul|div|rsub>: A <op> 1.5 on the SFPU
    cdefs["OP_UNARY"] = "1";
    cdefs["UNARY_INIT"] = "binop_with_scalar_tile_init";
    cdefs["UNARY_OP"] = op.substr(7) + "_unary_tile";
    cdefs["UNARY_PARAM"] = "0x3fc00000u";
  }
  else if (op.rfind("reduce_", 0) == 0) {  // reduce_<sum|max>_<row|col|scalar>; B holds the scaler tile
    cdefs["OP_REDUCE"] = "1";
    auto rest = op.substr(7);
    cdefs["REDUCE_POOL"] = rest.rfind("sum", 0) == 0 ? "SUM" : "MAX";
    auto dim = rest.substr(4);
    cdefs["REDUCE_AXIS"] = dim == "row" ? "REDUCE_ROW" : dim == "col" ? "REDUCE_COL" : "REDUCE_SCALAR";
  } else if (op.rfind("reuse_", 0) == 0) {
    cdefs["OP_REUSE"] = "1";
    cdefs["REUSE_TYPE"] = op == "reuse_add" ? "ELWADD" : op == "reuse_sub" ? "ELWSUB" : "ELWMUL";
    cdefs["REUSE_INIT"] = op.substr(6) + "_reuse_dest_init";    // M081: add_reuse_dest_init<...>
    cdefs["REUSE_TILES"] = op.substr(6) + "_reuse_dest_tiles";
  } else {
    cdefs["OP_UNARY"] = "1";
    if (op != "copy") {
      cdefs["UNARY_INIT"] = op + "_tile_init";
      cdefs["UNARY_OP"] = op + "_tile";
      if (op == "fill") cdefs["UNARY_PARAM"] = "2.5f";
      if (op == "fill" && !env_s("EW_LOCAL_HEADER", "").empty()) {  // the value from the kernel's own header
        cdefs["USE_LOCAL_HEADER"] = "1";
        cdefs["UNARY_PARAM"] = "LOCAL_FILL_VALUE";
      }
      if (op == "relu_max" || op == "relu_min") cdefs["UNARY_PARAM"] = "0x3fc00000u";  // 1.5f
    }
  }

  std::vector<uint32_t> reader_ct, writer_ct;
  TensorAccessorArgs(*a_buf).append_to(reader_ct);
  TensorAccessorArgs(*b_buf).append_to(reader_ct);
  TensorAccessorArgs(*c_buf).append_to(writer_ct);
  auto reader = CreateKernel(program, kdir + "/reader.cpp", all_cores,
                             DataMovementConfig{.processor = DataMovementProcessor::RISCV_1,
                                                .noc = NOC::RISCV_1_default, .compile_args = reader_ct, .defines = defs});
  auto writer = CreateKernel(program, kdir + "/writer.cpp", all_cores,
                             DataMovementConfig{.processor = DataMovementProcessor::RISCV_0,
                                                .noc = NOC::RISCV_0_default, .compile_args = writer_ct, .defines = defs});
  auto compute = CreateKernel(program, kdir + "/compute.cpp", all_cores,
                              ComputeConfig{.math_fidelity = MathFidelity::HiFi4, .fp32_dest_acc_en = fp32_acc,
                                            .math_approx_mode = false, .defines = cdefs});
  uint32_t start = 0;
  for (const auto& [group, count] : {std::pair{g1, per_g1}, std::pair{g2, per_g2}})
    for (const auto& core : corerange_to_cores(group, std::nullopt, true)) {
      SetRuntimeArgs(program, reader, core, {(uint32_t)a_buf->address(), (uint32_t)b_buf->address(), start, count});
      SetRuntimeArgs(program, compute, core, {count});
      SetRuntimeArgs(program, writer, core, {(uint32_t)c_buf->address(), start, count});
      start += count;
    }
  distributed::MeshWorkload workload;
  workload.add_program(distributed::MeshCoordinateRange(mesh_device->shape()), std::move(program));
  distributed::EnqueueMeshWorkload(cq, workload, false);
  distributed::Finish(cq);

  std::ofstream out(argv[4], std::ios::binary);
  auto emit = [&](auto proto) {
    std::vector<decltype(proto)> c;
    distributed::EnqueueReadMeshBuffer(cq, c, c_buf, true);
    if (!raw) c = untilize_nfaces(c, M, N);
    out.write(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(proto));
  };
  if (out_fp32) emit(float{}); else emit(bfloat16{});
  mesh_device->close();
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "tt_program: %s\n", e.what());
  return 1;
}
