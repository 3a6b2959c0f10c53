// Semaphores + multicast (tt-metal matmul_multicore_reuse_mcast protocol, reduced): core (0,0) reads
// tile 0 of A from DRAM and multicasts it to cores (1..R,0); every core then writes the tile it holds
// to page <core index> of C. Environment: MC_RECEIVERS (default 3), MC_BAD_DESTS (pass a wrong num_dests).
// Usage: tt_program <kernel_dir> <A file (32x32 bf16)> <C file ((R+1)*32 x 32 bf16)>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>

using namespace tt;
using namespace tt::tt_metal;

static uint32_t env_u(const char* n, uint32_t d) { const char* v = std::getenv(n); return v ? std::atoi(v) : d; }

int main(int argc, char** argv) try {
  const std::string kdir = argv[1];
  const uint32_t R = env_u("MC_RECEIVERS", 3);
  auto dev = distributed::MeshDevice::create_unit_mesh(0);
  auto& cq = dev->mesh_command_queue();
  Program program = CreateProgram();
  const uint32_t tile = 2048;
  auto make_buf = [&](uint32_t pages) {
    distributed::DeviceLocalBufferConfig dram{.page_size = tile, .buffer_type = BufferType::DRAM};
    return distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = tile * pages}, dram, dev.get());
  };
  auto a_buf = make_buf(1), c_buf = make_buf(R + 1);
  std::vector<bfloat16> a(1024);
  std::ifstream(argv[2], std::ios::binary).read(reinterpret_cast<char*>(a.data()), 2048);
  distributed::EnqueueWriteMeshBuffer(cq, a_buf, a, false);

  CoreCoord sender{0, 0};
  CoreRange receivers({1, 0}, {R, 0});
  CoreRange all({0, 0}, {R, 0});
  CreateCircularBuffer(program, all, CircularBufferConfig(tile, {{CBIndex::c_0, DataFormat::Float16_b}}).set_page_size(CBIndex::c_0, tile));
  uint32_t sender_sem = CreateSemaphore(program, all, 0);
  uint32_t receiver_sem = CreateSemaphore(program, all, 0);

  std::vector<uint32_t> reader_ct, writer_ct;
  TensorAccessorArgs(*a_buf).append_to(reader_ct);
  TensorAccessorArgs(*c_buf).append_to(writer_ct);
  auto snd = CreateKernel(program, kdir + "/sender.cpp", sender,
                          DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = NOC::RISCV_0_default,
                                             .compile_args = reader_ct});
  auto rcv = CreateKernel(program, kdir + "/receiver.cpp", receivers,
                          DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = NOC::RISCV_0_default});
  auto wr = CreateKernel(program, kdir + "/writer.cpp", all,
                         DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::RISCV_1_default,
                                            .compile_args = writer_ct});
  CoreCoord s_phys = dev->worker_core_from_logical_core(sender);
  CoreCoord r0 = dev->worker_core_from_logical_core({1, 0}), r1 = dev->worker_core_from_logical_core({R, 0});
  uint32_t num_dests = env_u("MC_BAD_DESTS", 0) ? R + 1 : R;
  SetRuntimeArgs(program, snd, sender, {(uint32_t)a_buf->address(), (uint32_t)r0.x, (uint32_t)r0.y, (uint32_t)r1.x,
                                        (uint32_t)r1.y, num_dests, sender_sem, receiver_sem});
  SetRuntimeArgs(program, rcv, receivers, {(uint32_t)s_phys.x, (uint32_t)s_phys.y, sender_sem, receiver_sem});
  for (uint32_t i = 0; i <= R; ++i) SetRuntimeArgs(program, wr, CoreCoord{i, 0}, {(uint32_t)c_buf->address(), i});

  distributed::MeshWorkload workload;
  workload.add_program(distributed::MeshCoordinateRange(dev->shape()), std::move(program));
  distributed::EnqueueMeshWorkload(cq, workload, false);
  distributed::Finish(cq);
  std::vector<bfloat16> c;
  distributed::EnqueueReadMeshBuffer(cq, c, c_buf, true);
  std::ofstream(argv[3], std::ios::binary).write(reinterpret_cast<const char*>(c.data()), c.size() * 2);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "tt_program: %s\n", e.what());
  return 1;
}
