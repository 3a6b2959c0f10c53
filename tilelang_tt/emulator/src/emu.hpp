// Internal state of the TT-Metalium emulator runtime (not part of the SDK surface).
#pragma once
#define TT_EMU_BUILDING_RUNTIME 1
#include <atomic>
#include <cstdlib>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tt-metalium/tt_emu_host.hpp"

namespace emu {

constexpr uint32_t L1_BASE = 0x12000;                 // first byte CBs may use; below it: reserved region
constexpr uint32_t L1_MAX_USABLE = 1536 * 1024;       // largest target.py l1_bytes (the per-model value is Model::l1_bytes)
constexpr uint32_t L1_ARENA = L1_BASE + L1_MAX_USABLE; // bytes of host memory per core
constexpr uint32_t SEM_BASE = 0x11000;                // semaphores live in the reserved region
constexpr uint32_t SEM_STRIDE = 16;
constexpr uint32_t MAX_SEMS = 16;
constexpr uint32_t DRAM_BASE = 0x20000;               // first DRAM bank offset handed to buffers
constexpr int MAX_CBS = 64;                           // largest target.py max_cbs (the per-model limit is Model::max_cbs)
constexpr int DST_TILES = 16;                         // largest target.py dst_tiles entry (full sync, bf16)

struct Model {
  std::string name;
  int gx, gy, dram_banks;
  uint64_t bank_bytes;
  uint32_t dram_align, max_cbs, noc_burst;
  uint32_t l1_bytes;                                  // target.py l1_bytes: CBs live in [L1_BASE, l1_end())
  uint32_t l1_end() const { return L1_BASE + l1_bytes; }
};
const Model& model();
int api_era();

struct CB {
  bool configured = false;
  uint32_t base = 0, page_size = 0, num_pages = 0;
  tt::DataFormat fmt = tt::DataFormat::Float16_b;
  uint64_t pushed = 0, popped = 0;   // cumulative pages
  uint32_t wr_page = 0, rd_page = 0; // page offsets inside the FIFO
  int32_t reserved = 0;              // pages reserved and not yet pushed
  int32_t waited = 0;                // pages confirmed by cb_wait_front and not yet popped
  int32_t packed = 0;                // pack_tile position inside the reserved pages
  uint32_t avail() const { return uint32_t(pushed - popped); }
  uint32_t free_pages() const { return num_pages - avail(); }
};

struct L1Region { uint32_t start, end; std::string what; };

struct Core {
  int x = 0, y = 0;
  uint8_t* l1 = nullptr;
  CB cbs[MAX_CBS];
  std::vector<L1Region> regions;  // CBs and semaphores of the running program
};

struct KernelDef;
struct ComputeState;

enum WaitKind { W_NONE = 0, W_CB_RESERVE, W_CB_WAIT, W_SEM };

struct Fiber {
  Core* core = nullptr;
  KernelDef* kernel = nullptr;
  void (*entry)() = nullptr;
  const std::vector<uint32_t>* args = nullptr;
  const std::vector<uint32_t>* common_args = nullptr;
  void* sp = nullptr;
  void* stack = nullptr;
  size_t stack_size = 0;
  bool done = false;
  bool is_compute = false;
  int thread = 0;
  // what the fiber is blocked on
  int wait = W_NONE;
  int wait_cb = 0;
  int32_t wait_n = 0;
  std::atomic<uint32_t>* wait_sem = nullptr;
  uint32_t wait_sem_addr = 0, wait_val = 0;
  bool wait_at_least = false;
  const char* call = "";
  uint32_t line = 0;
  ComputeState* cs = nullptr;
  uint64_t noc_reads = 0, noc_writes = 0;
  uint64_t last_page_noc = ~0ull;   // last address an accessor produced, and from which page id / base
  uint32_t last_page_id = 0, last_page_base = 0;
#ifndef __x86_64__
  void* uctx = nullptr;
#endif
};

struct KernelDef {
  std::string path, name, source;
  bool from_string = false;
  bool compute = false;
  int processor = 0;  // DM: 0/1; compute: 2
  int noc = 0;
  tt::tt_metal::DataMovementConfig dm;
  tt::tt_metal::ComputeConfig cc;
  std::vector<CoreCoord> cores;
  std::map<std::pair<int, int>, std::vector<uint32_t>> rt_args;
  std::vector<uint32_t> common_args;
  // JIT
  std::string so_path, log_path, tmp_path, cmdline;
  int compile_pid = -1;
  void (*entry)() = nullptr;
  // Kernels with mutable globals/statics get one loaded copy per core (each core has its own on the device).
  std::vector<std::string> globals;
  std::map<std::pair<int, int>, void (*)()> core_entry;
};
void (*jit_entry_for_core(KernelDef& k, int x, int y))();

struct CBDef {
  std::vector<CoreCoord> cores;
  tt::tt_metal::CircularBufferConfig cfg{0};
  uint32_t addr = 0;
};
struct SemDef { std::vector<CoreCoord> cores; uint32_t id, init; };

struct Buffer {
  uint32_t base = 0;             // bank offset (same on every bank)
  uint64_t size = 0;
  uint32_t page_size = 0, aligned = 0, num_pages = 0;
  uint8_t* data = nullptr;       // page p at p * aligned; calloc'd so the OS commits pages only when touched
  bool alive = true;
  uint8_t* bytes() { return data; }
  ~Buffer() { std::free(data); }
};

struct DeviceState {
  std::vector<std::unique_ptr<Core>> cores;
  std::map<uint32_t, Buffer*> buffers;  // by base
  uint32_t dram_top = DRAM_BASE;
  Core* core(int x, int y);
};
DeviceState* device();

// Kernel-visible L1 addresses. When the L1 arena could be mapped below 4 GiB, an L1 address handed to a
// kernel is the host address of that byte (so kernels may dereference it, as on the device); otherwise
// it is the core-relative offset. Internally everything uses offsets; l1_norm maps either form back.
extern uintptr_t g_arena;
extern uintptr_t g_arena_end;
inline uint32_t l1_norm(uint64_t a) {
  if (g_arena && a >= g_arena && a < g_arena_end) return uint32_t((a - g_arena) % L1_ARENA);
  return uint32_t(a);
}
inline uint32_t l1_kaddr(const Core* c, uint32_t off) {
  return g_arena ? uint32_t(reinterpret_cast<uintptr_t>(c->l1) + off) : off;
}

// Progress of each scheduler thread, read by the hang watchdog: API calls made, fiber now running.
constexpr int MAX_THREADS = 64;
struct alignas(64) ThreadProgress {  // one cache line per thread: no false sharing on the hot path
  std::atomic<uint64_t> api_calls{0};
  std::atomic<Fiber*> running{nullptr};
};
extern ThreadProgress g_progress[MAX_THREADS];
// libtt_emu is linked at program start (never dlopened), so the cheaper initial-exec TLS model is valid.
#define TT_EMU_TLS thread_local __attribute__((tls_model("initial-exec")))
extern TT_EMU_TLS int t_index;
inline void api_tick(int thread) {
  auto& c = g_progress[thread].api_calls;
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // single writer: no RMW needed
}

// failure reporting (prints to stderr, writes $TT_EMU_REPORT, exits with the code)
enum ExitCode { EX_DEADLOCK = 70, EX_L1 = 71, EX_DST = 72, EX_NOC = 73, EX_CB = 74, EX_API = 75, EX_COMPILE = 76,
               EX_FORMAT = 77 };
[[noreturn]] void fail(int code, const char* kind, Fiber* f, const std::string& msg, const std::string& details = "");
[[noreturn]] void fail_core(int code, const char* kind, int cx, int cy, const std::string& kernel,
                            const std::string& msg, const std::string& details = "");
std::string json_str(const std::string& s);
std::string cb_state_json(const CB& cb, int id);

// JIT
void jit_start(KernelDef& k, const std::vector<CoreCoord>& cores);
void jit_finish(KernelDef& k);
void jit_abort_pending();

// running a program
void run_program(tt::tt_metal::ProgramImpl& p);

// tile math (tile_math.cpp)
void unpack_tile(const uint8_t* src, tt::DataFormat fmt, float* out);   // face layout -> row-major fp32
// row-major fp32 (Dst) -> face layout, converted as the packer does (fp32_dst: Dst holds fp32;
// bfp8_pack_precise: ComputeConfig's choice for block-float outputs)
void pack_tile_data(const float* in, tt::DataFormat fmt, uint8_t* dst, bool fp32_dst = true,
                    bool bfp8_pack_precise = false);
// matrix engine (matrix_engine.cpp)
int fidelity_phases(int math_fidelity);                                  // LoFi 1 .. HiFi4 4
float src_register(float x, tt::DataFormat cb_fmt, bool fp32_dst);       // what the unpacker writes to SrcA/B
void to_src_registers(float* t, int n, tt::DataFormat cb_fmt, bool fp32_dst);
// Dst tile c += a (in0, SrcB) @ b (in1, SrcA) over `phases` fidelity phases, operands already in
// source-register form; with a bf16 Dst every MVMUL's partial sum is rounded into c.
void matmul_fidelity(float* c, const float* a, const float* b, bool transpose_b, int phases, bool fp32_dst);
// block-float tiles on the device (blockfloat.cpp)
bool is_bfp(tt::DataFormat f);
uint16_t bfp8_to_bf16(uint8_t datum, uint8_t exp);
void unpack_bfp_tile(const uint8_t* src, tt::DataFormat fmt, float* out);               // -> row-major
void pack_bfp_tile(const float* in, tt::DataFormat fmt, bool fp32_dst, bool precise, uint8_t* dst);
uint16_t packer_bf16(float v);                                           // packer rounding to bf16
void round_bf16(float* t, int n);
float bf16_round(float v);
// the release's SFPU routines of log_tile / exp2_tile (sfpu_routines.cpp); fp32_dest: DST holds fp32
float sfpu_routine_log(float x, bool fp32_dest);
float sfpu_routine_exp2(float x, bool fp32_dest);
const char* fmt_name(tt::DataFormat f);
bool fmt_supported(tt::DataFormat f);

}  // namespace emu

namespace tt::tt_metal {
struct ProgramImpl {
  std::vector<std::unique_ptr<emu::KernelDef>> kernels;
  std::vector<emu::CBDef> cbs;
  std::vector<emu::SemDef> sems;
  std::map<std::pair<int, int>, uint32_t> l1_top;
  std::map<std::pair<int, int>, std::vector<std::pair<std::string, uint32_t>>> l1_table;
  uint32_t next_sem = 0;
};
}  // namespace tt::tt_metal
