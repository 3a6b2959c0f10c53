// Host API (tt-metalium/*.hpp subset) and the kernel JIT.
#include <dirent.h>
#include <elf.h>
#include <dlfcn.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "emu.hpp"

extern char** environ;

#ifndef TT_EMU_SDK_HASH
#define TT_EMU_SDK_HASH "dev"
#endif
#ifndef TT_EMU_SDK_DIR
#define TT_EMU_SDK_DIR ""
#endif

using namespace tt;
using namespace tt::tt_metal;

namespace tt::tt_metal::distributed {
struct BufferImpl : emu::Buffer {};
struct DeviceImpl {};
}  // namespace tt::tt_metal::distributed

// ------------------------------------------------------------------ helpers
namespace {
template <typename T>
std::vector<T> convert_layout(const std::vector<T>& in, uint32_t m, uint32_t n, bool to_tiles) {
  if (m % 32 || n % 32) throw std::runtime_error("tilize/untilize: rows and cols must be multiples of 32");
  if (in.size() != std::size_t(m) * n) throw std::runtime_error("tilize/untilize: input size != rows * cols");
  std::vector<T> out(in.size());
  std::size_t idx = 0;
  for (uint32_t tr = 0; tr < m / 32; ++tr)
    for (uint32_t tc = 0; tc < n / 32; ++tc)
      for (uint32_t f = 0; f < 4; ++f)
        for (uint32_t r = 0; r < 16; ++r)
          for (uint32_t c = 0; c < 16; ++c, ++idx) {
            std::size_t rm = std::size_t(tr * 32 + (f / 2) * 16 + r) * n + tc * 32 + (f % 2) * 16 + c;
            if (to_tiles) out[idx] = in[rm]; else out[rm] = in[idx];
          }
  return out;
}
}  // namespace
template <typename T>
std::vector<T> tilize_nfaces(const std::vector<T>& input, uint32_t m, uint32_t n) {
  return convert_layout(input, m, n, true);
}
template <typename T>
std::vector<T> untilize_nfaces(const std::vector<T>& input, uint32_t m, uint32_t n) {
  return convert_layout(input, m, n, false);
}
template std::vector<bfloat16> tilize_nfaces<bfloat16>(const std::vector<bfloat16>&, uint32_t, uint32_t);
template std::vector<float> tilize_nfaces<float>(const std::vector<float>&, uint32_t, uint32_t);
template std::vector<uint32_t> tilize_nfaces<uint32_t>(const std::vector<uint32_t>&, uint32_t, uint32_t);
template std::vector<uint16_t> tilize_nfaces<uint16_t>(const std::vector<uint16_t>&, uint32_t, uint32_t);
template std::vector<bfloat16> untilize_nfaces<bfloat16>(const std::vector<bfloat16>&, uint32_t, uint32_t);
template std::vector<float> untilize_nfaces<float>(const std::vector<float>&, uint32_t, uint32_t);
template std::vector<uint32_t> untilize_nfaces<uint32_t>(const std::vector<uint32_t>&, uint32_t, uint32_t);
template std::vector<uint16_t> untilize_nfaces<uint16_t>(const std::vector<uint16_t>&, uint32_t, uint32_t);

// Mirrors tilelang_tt/target.py TILE_BYTES for the formats listed there.
uint32_t tt::tile_size(const DataFormat& f) {
  switch (f) {
    case DataFormat::Float32: case DataFormat::Int32: case DataFormat::UInt32: case DataFormat::Tf32: return 4096;
    case DataFormat::Float16: case DataFormat::Float16_b: case DataFormat::UInt16: case DataFormat::Int16: return 2048;
    case DataFormat::Bfp8: case DataFormat::Bfp8_b: return 1088;
    case DataFormat::Bfp4: case DataFormat::Bfp4_b: return 576;
    case DataFormat::Bfp2: case DataFormat::Bfp2_b: return 320;
    case DataFormat::MxFp4: return 544;
    case DataFormat::Int8: case DataFormat::UInt8: case DataFormat::Fp8_e4m3: case DataFormat::Lf8: return 1024;
    default: throw std::runtime_error("tile_size: unsupported data format");
  }
}

namespace tt::tt_metal {
CoreRange::CoreRange(const CoreCoord& point) : start_coord(point), end_coord(point) {}
CoreRange::CoreRange(const CoreCoord& start, const CoreCoord& end) : start_coord(start), end_coord(end) {
  if (end.x < start.x || end.y < start.y)
    throw std::invalid_argument("CoreRange: invalid range " + start.str() + " - " + end.str());
}
std::size_t CoreRange::size() const { return (end_coord.x - start_coord.x + 1) * (end_coord.y - start_coord.y + 1); }
bool CoreRange::contains(const CoreCoord& c) const {
  return c.x >= start_coord.x && c.x <= end_coord.x && c.y >= start_coord.y && c.y <= end_coord.y;
}
CoreCoord CoreRange::grid_size() const { return {end_coord.x - start_coord.x + 1, end_coord.y - start_coord.y + 1}; }
std::string CoreRange::str() const { return "[" + start_coord.str() + " - " + end_coord.str() + "]"; }

CoreRangeSet::CoreRangeSet(const CoreRange& r) : ranges_{r} {}
CoreRangeSet::CoreRangeSet(const std::set<CoreRange>& rs) : ranges_(rs.begin(), rs.end()) {}
CoreRangeSet::CoreRangeSet(std::span<const CoreRange> rs) : ranges_(rs.begin(), rs.end()) {}
CoreRangeSet::CoreRangeSet(std::vector<CoreRange>&& rs) : ranges_(std::move(rs)) {}
CoreRangeSet::CoreRangeSet(const CoreRangeSet& o) = default;
CoreRangeSet::CoreRangeSet(CoreRangeSet&& o) = default;
const std::vector<CoreRange>& CoreRangeSet::ranges() const { return ranges_; }
uint32_t CoreRangeSet::num_cores() const {
  std::size_t n = 0;
  for (auto& r : ranges_) n += r.size();
  return uint32_t(n);
}
bool CoreRangeSet::empty() const { return ranges_.empty(); }
std::size_t CoreRangeSet::size() const { return ranges_.size(); }
bool CoreRangeSet::contains(const CoreCoord& c) const {
  for (auto& r : ranges_) if (r.contains(c)) return true;
  return false;
}
CoreRange CoreRangeSet::bounding_box() const {
  if (ranges_.empty()) throw std::runtime_error("CoreRangeSet::bounding_box of an empty set");
  std::size_t x0 = SIZE_MAX, y0 = SIZE_MAX, x1 = 0, y1 = 0;
  for (auto& r : ranges_) {
    x0 = std::min(x0, r.start_coord.x); y0 = std::min(y0, r.start_coord.y);
    x1 = std::max(x1, r.end_coord.x); y1 = std::max(y1, r.end_coord.y);
  }
  return CoreRange({x0, y0}, {x1, y1});
}

std::vector<CoreCoord> corerange_to_cores(const CoreRangeSet& crs, std::optional<uint32_t> max_cores, bool row_wise) {
  std::vector<CoreCoord> out;
  for (auto& r : crs.ranges()) {
    if (row_wise) {
      for (auto y = r.start_coord.y; y <= r.end_coord.y; ++y)
        for (auto x = r.start_coord.x; x <= r.end_coord.x; ++x) out.push_back({x, y});
    } else {
      for (auto x = r.start_coord.x; x <= r.end_coord.x; ++x)
        for (auto y = r.start_coord.y; y <= r.end_coord.y; ++y) out.push_back({x, y});
    }
  }
  if (max_cores && out.size() > *max_cores) out.resize(*max_cores);
  return out;
}
std::vector<CoreCoord> grid_to_cores(uint32_t num_cores, uint32_t gx, uint32_t gy, bool row_wise) {
  std::vector<CoreCoord> out;
  for (uint32_t i = 0; i < num_cores; ++i)
    out.push_back(row_wise ? CoreCoord{i % gx, i / gx} : CoreCoord{i / gy, i % gy});
  return out;
}

ReaderDataMovementConfig::ReaderDataMovementConfig(std::vector<uint32_t> compile_args,
                                                   std::map<std::string, std::string> defines,
                                                   std::unordered_map<std::string, uint32_t> named_compile_args,
                                                   KernelBuildOptLevel opt_level,
                                                   std::vector<std::filesystem::path> compiler_include_paths)
    : DataMovementConfig{DataMovementProcessor::RISCV_1, NOC::NOC_0, NOC_MODE::DM_DEDICATED_NOC,
                         std::move(compile_args), std::move(defines), std::move(named_compile_args), opt_level} {}
WriterDataMovementConfig::WriterDataMovementConfig(std::vector<uint32_t> compile_args,
                                                   std::map<std::string, std::string> defines,
                                                   std::unordered_map<std::string, uint32_t> named_compile_args,
                                                   KernelBuildOptLevel opt_level,
                                                   std::vector<std::filesystem::path> compiler_include_paths)
    : DataMovementConfig{DataMovementProcessor::RISCV_0, NOC::NOC_1, NOC_MODE::DM_DEDICATED_NOC,
                         std::move(compile_args), std::move(defines), std::move(named_compile_args), opt_level} {}

CircularBufferConfig::CircularBufferConfig(uint32_t total_size) : total_size_(total_size) {}
CircularBufferConfig::CircularBufferConfig(uint32_t total_size, const std::map<uint8_t, tt::DataFormat>& spec)
    : total_size_(total_size), formats_(spec) {}
CircularBufferConfig& CircularBufferConfig::set_page_size(uint8_t buffer_index, uint32_t page_size) {
  if (!formats_.count(buffer_index))
    throw std::runtime_error("CircularBufferConfig::set_page_size: buffer index " + std::to_string(buffer_index) +
                             " has no data format in this config");
  if (page_size == 0 || total_size_ < page_size || total_size_ % page_size != 0)
    throw std::runtime_error("CircularBufferConfig::set_page_size: total size " + std::to_string(total_size_) +
                             " B must be a non-zero multiple of the page size " + std::to_string(page_size) +
                             " B of buffer index " + std::to_string(buffer_index));
  page_sizes_[buffer_index] = page_size;
  return *this;
}

CoreRangeSet num_cores_to_corerangeset(uint32_t n, const CoreCoord grid, bool row_wise) {
  if (n > grid.x * grid.y) throw std::runtime_error("num_cores_to_corerangeset: more cores than the grid holds");
  std::vector<CoreRange> rs;
  if (row_wise) {
    uint32_t full = n / grid.x, rem = n % grid.x;
    if (full) rs.push_back(CoreRange({0, 0}, {grid.x - 1, full - 1}));
    if (rem) rs.push_back(CoreRange({0, full}, {rem - 1, full}));
  } else {
    uint32_t full = n / grid.y, rem = n % grid.y;
    if (full) rs.push_back(CoreRange({0, 0}, {full - 1, grid.y - 1}));
    if (rem) rs.push_back(CoreRange({full, 0}, {full, rem - 1}));
  }
  return CoreRangeSet(std::move(rs));
}
// group1 gets one more unit per core than group2 when the split is uneven.
std::tuple<uint32_t, CoreRangeSet, CoreRangeSet, CoreRangeSet, uint32_t, uint32_t> split_work_to_cores(
    const CoreCoord grid, const uint32_t units, const bool row_wise) {
  uint32_t max_cores = grid.x * grid.y;
  if (units == 0) return {0, CoreRangeSet(), CoreRangeSet(), CoreRangeSet(), 0, 0};
  uint32_t ncores = std::min(units, max_cores);
  CoreRangeSet all = num_cores_to_corerangeset(ncores, grid, row_wise);
  uint32_t per = units / ncores, extra = units % ncores;
  if (extra == 0) return {ncores, all, all, CoreRangeSet(), per, 0};
  auto cores = corerange_to_cores(all, std::nullopt, row_wise);
  std::vector<CoreRange> g1, g2;
  for (uint32_t i = 0; i < ncores; ++i) (i < extra ? g1 : g2).push_back(CoreRange(cores[i]));
  return {ncores, all, CoreRangeSet(std::move(g1)), CoreRangeSet(std::move(g2)), per + 1, per};
}

using CoreSpec = std::variant<CoreCoord, CoreRange, CoreRangeSet>;
static std::vector<CoreCoord> cores_of(const CoreSpec& spec) {
  std::vector<CoreCoord> out;
  if (auto* c = std::get_if<CoreCoord>(&spec)) out.push_back(*c);
  else if (auto* r = std::get_if<CoreRange>(&spec)) for (auto c : *r) out.push_back(c);
  else for (auto& r : std::get<CoreRangeSet>(spec).ranges()) for (auto c : r) out.push_back(c);
  return out;
}

Program::Program() : impl_(std::make_unique<ProgramImpl>()) {}
Program::~Program() = default;
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;
Program CreateProgram() { return Program(); }

static std::string stem_of(const std::string& path) {
  auto s = path.substr(path.find_last_of('/') + 1);
  auto d = s.find_last_of('.');
  return d == std::string::npos ? s : s.substr(0, d);
}
static bool file_exists(const std::string& p) { struct stat st; return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode); }

static KernelHandle add_kernel(Program& program, std::unique_ptr<emu::KernelDef> k, const CoreSpec& core_spec,
                               const std::variant<DataMovementConfig, ComputeConfig, EthernetConfig>& config) {
  k->cores = cores_of(core_spec);
  const auto& m = emu::model();
  for (auto& c : k->cores)
    if (int(c.x) >= m.gx || int(c.y) >= m.gy)
      throw std::runtime_error("CreateKernel(" + k->name + "): core " + c.str() + " is outside the " +
                               std::to_string(m.gx) + "x" + std::to_string(m.gy) + " compute grid of " + m.name);
  if (auto* dm = std::get_if<DataMovementConfig>(&config)) {
    k->dm = *dm;
    k->processor = int(dm->processor);
    k->noc = int(dm->noc);
  } else if (auto* cc = std::get_if<ComputeConfig>(&config)) {
    k->cc = *cc;
    k->compute = true;
    k->processor = 2;
  } else {
    throw std::runtime_error("CreateKernel(" + k->name + "): Ethernet kernels are not emulated");
  }
  auto* impl = program.impl();
  emu::jit_start(*k, k->cores);
  impl->kernels.push_back(std::move(k));
  return KernelHandle(impl->kernels.size() - 1);
}

static KernelHandle create_kernel(Program& program, const std::string& file_name, const CoreSpec& core_spec,
                                  const std::variant<DataMovementConfig, ComputeConfig, EthernetConfig>& config) {
  std::string path = file_name;
  if (!file_exists(path)) {
    for (const char* env : {"TT_METAL_KERNEL_PATH", "TT_METAL_HOME", "TT_METAL_RUNTIME_ROOT"}) {
      const char* base = std::getenv(env);
      if (base && *base && file_exists(std::string(base) + "/" + file_name)) { path = std::string(base) + "/" + file_name; break; }
    }
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error("CreateKernel: cannot open kernel source '" + file_name + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto k = std::make_unique<emu::KernelDef>();
  k->path = path;
  k->name = stem_of(path);
  k->source = ss.str();
  return add_kernel(program, std::move(k), core_spec, config);
}
KernelHandle CreateKernel(Program& program, const std::string& file_name, const CoreSpec& core_spec,
                          const std::variant<DataMovementConfig, ComputeConfig>& config) {
  if (auto* dm = std::get_if<DataMovementConfig>(&config)) return create_kernel(program, file_name, core_spec, *dm);
  return create_kernel(program, file_name, core_spec, std::get<ComputeConfig>(config));
}
KernelHandle CreateKernel(Program& program, const std::string& file_name, const CoreSpec& core_spec,
                          const EthernetConfig& config) {
  return create_kernel(program, file_name, core_spec, config);
}
KernelHandle CreateKernelFromString(Program& program, const std::string& src, const CoreSpec& core_spec,
                                    const std::variant<DataMovementConfig, ComputeConfig>& config) {
  auto k = std::make_unique<emu::KernelDef>();
  k->from_string = true;
  k->name = "kernel" + std::to_string(program.impl()->kernels.size());
  k->path = "<string>";
  k->source = src;
  if (auto* dm = std::get_if<DataMovementConfig>(&config)) return add_kernel(program, std::move(k), core_spec, *dm);
  return add_kernel(program, std::move(k), core_spec, std::get<ComputeConfig>(config));
}

CBHandle CreateCircularBuffer(Program& program, const CoreSpec& core_spec, const CircularBufferConfig& config) {
  auto* impl = program.impl();
  const auto& m = emu::model();
  emu::CBDef d;
  d.cores = cores_of(core_spec);
  d.cfg = config;
  if (config.data_formats().empty()) throw std::runtime_error("CreateCircularBuffer: the config names no buffer index");
  for (auto& [idx, fmt] : config.data_formats()) {
    if (idx >= m.max_cbs)
      throw std::runtime_error("CreateCircularBuffer: CB index " + std::to_string(idx) + " is out of range 0.." +
                               std::to_string(m.max_cbs - 1) + " on " + m.name);
    if (!config.page_sizes().count(idx))
      throw std::runtime_error("CreateCircularBuffer: CB index " + std::to_string(idx) + " has no page size (set_page_size)");
    for (auto& prev : impl->cbs)
      if (prev.cfg.data_formats().count(idx))
        for (auto& c : d.cores)
          for (auto& pc : prev.cores)
            if (c == pc)
              throw std::runtime_error("CreateCircularBuffer: CB index " + std::to_string(idx) +
                                       " already exists on core " + c.str());
  }
  for (auto& c : d.cores)
    if (int(c.x) >= m.gx || int(c.y) >= m.gy)
      throw std::runtime_error("CreateCircularBuffer: core " + c.str() + " is outside the compute grid");
  // Same address on every core of the spec: above the highest allocation among them.
  uint32_t addr = emu::L1_BASE;
  for (auto& c : d.cores) {
    auto it = impl->l1_top.find({int(c.x), int(c.y)});
    if (it != impl->l1_top.end()) addr = std::max(addr, it->second);
  }
  addr = (addr + 31) / 32 * 32;
  d.addr = addr;
  std::string label;
  for (auto& [idx, fmt] : config.data_formats())
    label += (label.empty() ? "c_" : "+c_") + std::to_string(idx) + "(" + std::to_string(config.page_sizes().at(idx)) +
             " B pages)";
  uint64_t end = uint64_t(addr) + config.total_size();
  for (auto& c : d.cores) {
    auto key = std::make_pair(int(c.x), int(c.y));
    impl->l1_top[key] = uint32_t(std::min<uint64_t>(end, 0xffffffffu));
    impl->l1_table[key].push_back({label, config.total_size()});
  }
  const uint32_t l1_end = emu::model().l1_end();
  if (end > l1_end) {
    auto& c = d.cores.front();
    auto& table = impl->l1_table[{int(c.x), int(c.y)}];
    std::ostringstream text, js;
    uint64_t total = 0;
    text << "circular buffers need " << (end - emu::L1_BASE) << " B of L1 but a core has " << emu::model().l1_bytes
         << " B usable (" << (end - l1_end) << " B too many). Per CB on core " << c.str() << ":";
    js << "{\"l1_usable_bytes\":" << emu::model().l1_bytes << ",\"required_bytes\":" << (end - emu::L1_BASE) << ",\"cbs\":[";
    for (size_t i = 0; i < table.size(); ++i) {
      total += table[i].second;
      text << "\n  " << table[i].first << ": " << table[i].second << " B";
      js << (i ? "," : "") << "{\"cb\":" << emu::json_str(table[i].first) << ",\"bytes\":" << table[i].second << "}";
    }
    text << "\n  total: " << total << " B";
    js << "]}";
    emu::fail_core(emu::EX_L1, "l1_overflow", int(c.x), int(c.y), "", text.str(), js.str());
  }
  impl->cbs.push_back(std::move(d));
  return CBHandle(impl->cbs.size());
}

uint32_t CreateSemaphore(Program& program, const std::variant<CoreRange, CoreRangeSet>& core_spec, uint32_t init) {
  return CreateSemaphore(program, core_spec, init, tt::CoreType::WORKER);
}
uint32_t CreateSemaphore(Program& program, const std::variant<CoreRange, CoreRangeSet>& core_spec, uint32_t init,
                         tt::CoreType core_type) {
  if (core_type != tt::CoreType::WORKER && core_type != tt::CoreType::TENSIX)
    throw std::runtime_error("CreateSemaphore: only Tensix (worker) semaphores are emulated");
  auto* impl = program.impl();
  if (impl->next_sem >= emu::MAX_SEMS)
    throw std::runtime_error("CreateSemaphore: more than " + std::to_string(emu::MAX_SEMS) + " semaphores");
  emu::SemDef s;
  if (auto* r = std::get_if<CoreRange>(&core_spec)) s.cores = cores_of(*r);
  else s.cores = cores_of(std::get<CoreRangeSet>(core_spec));
  s.id = impl->next_sem++;
  s.init = init;
  impl->sems.push_back(s);
  return s.id;
}

static emu::KernelDef& kernel_of(const Program& p, KernelHandle k) {
  auto* impl = p.impl();
  if (k >= impl->kernels.size()) throw std::runtime_error("SetRuntimeArgs: no kernel with handle " + std::to_string(k));
  return *impl->kernels[k];
}
static void set_args(emu::KernelDef& k, const CoreCoord& c, std::span<const uint32_t> args) {
  if (args.size() + k.common_args.size() > max_runtime_args)
    throw std::runtime_error("SetRuntimeArgs(" + k.name + "): " + std::to_string(args.size()) +
                             " runtime args exceed the limit of " + std::to_string(max_runtime_args));
  bool found = false;
  for (auto& kc : k.cores) if (kc == c) { found = true; break; }
  if (!found) throw std::runtime_error("SetRuntimeArgs(" + k.name + "): core " + c.str() + " does not run this kernel");
  k.rt_args[{int(c.x), int(c.y)}] = std::vector<uint32_t>(args.begin(), args.end());
}
void SetRuntimeArgs(const Program& p, KernelHandle kh, const CoreSpec& spec, std::span<const uint32_t> args) {
  auto& k = kernel_of(p, kh);
  for (auto& c : cores_of(spec)) set_args(k, c, args);
}
void SetRuntimeArgs(const Program& p, KernelHandle kh, const CoreSpec& spec, std::initializer_list<uint32_t> args) {
  SetRuntimeArgs(p, kh, spec, std::span<const uint32_t>(args.begin(), args.size()));
}
void SetRuntimeArgs(const Program& p, KernelHandle kh, const std::vector<CoreCoord>& cores,
                    const std::vector<std::vector<uint32_t>>& args) {
  if (cores.size() != args.size()) throw std::runtime_error("SetRuntimeArgs: cores and args differ in length");
  auto& k = kernel_of(p, kh);
  for (size_t i = 0; i < cores.size(); ++i) set_args(k, cores[i], args[i]);
}
void SetCommonRuntimeArgs(const Program& p, KernelHandle kh, std::span<const uint32_t> args) {
  kernel_of(p, kh).common_args.assign(args.begin(), args.end());
}
void SetCommonRuntimeArgs(const Program& p, KernelHandle kh, std::initializer_list<uint32_t> args) {
  SetCommonRuntimeArgs(p, kh, std::span<const uint32_t>(args.begin(), args.size()));
}

TensorAccessorArgs::TensorAccessorArgs(const distributed::MeshBuffer* b, tensor_accessor::ArgsConfig cfg)
    : TensorAccessorArgs(*b, cfg) {}
TensorAccessorArgs::TensorAccessorArgs(const std::shared_ptr<distributed::MeshBuffer>& b, tensor_accessor::ArgsConfig cfg)
    : TensorAccessorArgs(*b, cfg) {}
TensorAccessorArgs::TensorAccessorArgs(const distributed::MeshBuffer& b, tensor_accessor::ArgsConfig cfg) {
  if (cfg.raw() & ~uint8_t(tensor_accessor::ArgConfig::IsDram))
    throw std::runtime_error("TensorAccessorArgs: only interleaved accessors with compile-time args are emulated");
  config_ = uint32_t(tensor_accessor::ArgConfig::IsDram);   // every emulated MeshBuffer is DRAM interleaved
  aligned_page_size_ = b.impl()->aligned;
}
std::vector<uint32_t> TensorAccessorArgs::get_compile_time_args() const {
#if TT_EMU_API_ERA >= 4
  if (emu::api_era() >= 4) return {config_, aligned_page_size_};
#endif
  return {config_};
}
std::vector<uint32_t> TensorAccessorArgs::get_common_runtime_args() const { return {}; }
void TensorAccessorArgs::append_to(std::vector<uint32_t>& cta) const {
  auto v = get_compile_time_args();
  cta.insert(cta.end(), v.begin(), v.end());
}
void TensorAccessorArgs::append_to(std::vector<uint32_t>& cta, std::vector<uint32_t>& crta) const { append_to(cta); }

// ------------------------------------------------------------------ devices and buffers
namespace distributed {
MeshDevice::MeshDevice() : cq_(std::make_unique<MeshCommandQueue>(this)) {}
MeshDevice::~MeshDevice() = default;
std::shared_ptr<MeshDevice> MeshDevice::create_unit_mesh(int device_id, std::size_t, std::size_t, std::size_t,
                                                         const DispatchCoreConfig&, std::span<const std::uint32_t>,
                                                         std::size_t) {
  if (device_id != 0) throw std::runtime_error("MeshDevice::create_unit_mesh: the emulator has one device (id 0)");
  emu::model();
  return std::make_shared<MeshDevice>();
}
MeshCommandQueue& MeshDevice::mesh_command_queue(std::optional<uint8_t> cq_id) const {
  if (cq_id && *cq_id != 0) throw std::runtime_error("mesh_command_queue: only command queue 0 is emulated");
  return *cq_;
}
CoreCoord MeshDevice::compute_with_storage_grid_size() const { return {size_t(emu::model().gx), size_t(emu::model().gy)}; }
CoreCoord MeshDevice::worker_core_from_logical_core(const CoreCoord& c) const {
  const auto& m = emu::model();
  if (int(c.x) >= m.gx || int(c.y) >= m.gy)
    throw std::runtime_error("worker_core_from_logical_core: " + c.str() + " is outside the compute grid");
  return {c.x + 1, c.y + 1};
}
tt::ARCH MeshDevice::arch() const { return emu::model().name == "blackhole" ? tt::ARCH::BLACKHOLE : tt::ARCH::WORMHOLE_B0; }
uint32_t MeshDevice::l1_size_per_core() const { return emu::model().l1_bytes; }
uint32_t MeshDevice::num_dram_channels() const { return uint32_t(emu::model().dram_banks); }
uint32_t MeshDevice::dram_size_per_channel() const { return uint32_t(std::min<uint64_t>(emu::model().bank_bytes, 0xffffffffu)); }
bool MeshDevice::close() { return true; }
const MeshShape& MeshDevice::shape() const { return shape_; }
std::size_t MeshDevice::num_devices() const { return 1; }
int MeshDevice::id() const { return 0; }

std::shared_ptr<MeshBuffer> MeshBuffer::create(const MeshBufferConfig& config, const DeviceLocalBufferConfig& local,
                                               MeshDevice* dev, std::optional<DeviceAddr> address) {
  const auto& m = emu::model();
  if (!std::holds_alternative<ReplicatedBufferConfig>(config))
    throw std::runtime_error("MeshBuffer::create: sharded mesh buffers are not emulated (use ReplicatedBufferConfig)");
  if (address)
    throw std::runtime_error("MeshBuffer::create: buffers at a caller-chosen address are not emulated");
  uint64_t size = std::get<ReplicatedBufferConfig>(config).size;
  if (local.buffer_type != BufferType::DRAM)
    throw std::runtime_error("MeshBuffer::create: only DRAM interleaved buffers are emulated");
  if (local.page_size == 0 || size % local.page_size)
    throw std::runtime_error("MeshBuffer::create: size " + std::to_string(size) + " is not a multiple of the page size " +
                             std::to_string(local.page_size));
  auto buf = std::shared_ptr<MeshBuffer>(new MeshBuffer());
  auto* b = new BufferImpl;
  b->page_size = uint32_t(local.page_size);
  b->aligned = (b->page_size + m.dram_align - 1) / m.dram_align * m.dram_align;
  b->num_pages = uint32_t(size / local.page_size);
  b->size = size;
  b->data = static_cast<uint8_t*>(std::calloc(std::max<size_t>(size_t(b->num_pages) * b->aligned, 1), 1));
  if (!b->data) throw std::runtime_error("MeshBuffer::create: out of host memory for a " + std::to_string(size) + " B buffer");
  auto* d = emu::device();
  uint64_t per_bank = uint64_t((b->num_pages + m.dram_banks - 1) / m.dram_banks) * b->aligned;
  b->base = d->dram_top;
  uint64_t top = (uint64_t(d->dram_top) + std::max<uint64_t>(per_bank, 1) + 63) / 64 * 64;
  if (top > m.bank_bytes || top > 0xffffffffull)
    throw std::runtime_error("MeshBuffer::create: out of DRAM (" + std::to_string(size) + " B buffer needs " +
                             std::to_string(per_bank) + " B per bank)");
  d->dram_top = uint32_t(top);
  d->buffers[b->base] = b;
  buf->impl_ = b;
  buf->device_ = dev;
  return buf;
}
MeshBuffer::~MeshBuffer() {
  if (impl_) {
    emu::device()->buffers.erase(impl_->base);
    delete impl_;
  }
}
DeviceAddr tt_emu_buffer_address(const BufferImpl* b) { return b->base; }
DeviceAddr tt_emu_buffer_page_size(const BufferImpl* b) { return b->page_size; }
DeviceAddr MeshBuffer::size() const { return impl_->size; }
MeshDevice* MeshBuffer::device() const { return device_; }

MeshWorkload::MeshWorkload() = default;
void MeshWorkload::add_program(const MeshCoordinateRange& device_range, Program&& program) {
  programs_.push_back(std::move(program));
}

static void buffer_write(MeshBuffer& buf, const void* src, std::size_t bytes) {
  auto* b = buf.impl();
  if (bytes > b->size)
    throw std::runtime_error("EnqueueWriteMeshBuffer: " + std::to_string(bytes) + " B do not fit the " +
                             std::to_string(b->size) + " B buffer");
  uint8_t* d = b->bytes();
  const uint8_t* s = static_cast<const uint8_t*>(src);
  for (std::size_t off = 0; off < bytes; off += b->page_size)
    std::memcpy(d + (off / b->page_size) * b->aligned, s + off, std::min<std::size_t>(b->page_size, bytes - off));
}
static void buffer_read(MeshBuffer& buf, void* dst, std::size_t bytes) {
  auto* b = buf.impl();
  const uint8_t* s = b->bytes();
  uint8_t* d = static_cast<uint8_t*>(dst);
  for (std::size_t off = 0; off < bytes && off < b->size; off += b->page_size)
    std::memcpy(d + off, s + (off / b->page_size) * b->aligned, std::min<std::size_t>(b->page_size, bytes - off));
}
// The emulator runs a workload to completion when it is enqueued, so every call is blocking and finish
// has nothing left to wait for.
MeshCommandQueue::~MeshCommandQueue() = default;
void MeshCommandQueue::enqueue_mesh_workload(MeshWorkload& workload, bool blocking) {
  for (auto& p : workload.programs()) emu::run_program(*p.impl());
}
void MeshCommandQueue::enqueue_write_mesh_buffer(const std::shared_ptr<MeshBuffer>& buffer, const void* host_data,
                                                 bool blocking) {
  buffer_write(*buffer, host_data, buffer->size());
}
void MeshCommandQueue::enqueue_read_mesh_buffer(void* host_data, const std::shared_ptr<MeshBuffer>& buffer,
                                                bool blocking) {
  buffer_read(*buffer, host_data, buffer->size());
}
void MeshCommandQueue::finish(std::span<const SubDeviceId>) {}
void EnqueueMeshWorkload(MeshCommandQueue& cq, MeshWorkload& workload, bool blocking) {
  cq.enqueue_mesh_workload(workload, blocking);
}
void Finish(MeshCommandQueue& cq, std::span<const SubDeviceId> sub_device_ids) { cq.finish(sub_device_ids); }
}  // namespace distributed
}  // namespace tt::tt_metal

// ------------------------------------------------------------------ JIT
namespace emu {
static std::string hash_hex(const std::string& s) {
  uint64_t h1 = 1469598103934665603ull, h2 = 0x9ae16a3b2f90404full;
  for (unsigned char c : s) {
    h1 = (h1 ^ c) * 1099511628211ull;
    h2 = (h2 ^ c) * 0x100000001b3ull + 0x7f4a7c15;
  }
  char b[40];
  snprintf(b, sizeof b, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
  return b;
}
static std::string cache_dir() {
  std::string d;
  if (const char* e = std::getenv("TT_EMU_CACHE_DIR"); e && *e) d = e;
  else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) d = std::string(x) + "/tilelang_tt/emu";
  else d = std::string(std::getenv("HOME") ? std::getenv("HOME") : "/tmp") + "/.cache/tilelang_tt/emu";
  d += "/kernels";
  std::string cur;
  for (size_t i = 0; i <= d.size(); ++i)
    if (i == d.size() || d[i] == '/') { cur = d.substr(0, i); if (!cur.empty()) mkdir(cur.c_str(), 0755); }
  return d;
}
static std::string sdk_dir() {
  if (const char* e = std::getenv("TT_EMU_SDK"); e && *e) return e;
  return TT_EMU_SDK_DIR;
}

// Compiles still running: killed and their temporaries removed if the program stops early.
static std::mutex g_pending_mu;
static std::vector<std::pair<pid_t, std::string>> g_pending;
void jit_abort_pending() {
  std::lock_guard<std::mutex> lk(g_pending_mu);
  for (auto& [pid, tmp] : g_pending) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    unlink(tmp.c_str());
    unlink((tmp + ".log").c_str());
  }
  g_pending.clear();
}
static void forget_pending(pid_t pid) {
  std::lock_guard<std::mutex> lk(g_pending_mu);
  for (size_t i = 0; i < g_pending.size(); ++i)
    if (g_pending[i].first == pid) { g_pending.erase(g_pending.begin() + i); break; }
}
// Temporaries of processes that were killed (e.g. by a time limit) are swept after an hour.
static void sweep_stale(const std::string& dir) {
  static bool done = false;
  if (done) return;
  done = true;
  if (DIR* d = opendir(dir.c_str())) {
    time_t now = time(nullptr);
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.find(".tmp") == std::string::npos) continue;
      struct stat st;
      std::string p = dir + "/" + n;
      if (stat(p.c_str(), &st) == 0 && now - st.st_mtime > 3600) unlink(p.c_str());
    }
    closedir(d);
  }
}

// The contents of the quoted #includes of `src` that resolve in `dir`, recursively (each file once).
static std::string local_headers(const std::string& dir, const std::string& src, std::set<std::string>* seen = nullptr) {
  std::set<std::string> own;
  if (!seen) seen = &own;
  std::string out;
  std::istringstream in(src);
  for (std::string line; std::getline(in, line);) {
    auto p = line.find_first_not_of(" \t");
    if (p == std::string::npos || line[p] != '#') continue;
    auto inc = line.find("include", p);
    auto q0 = line.find('"', inc == std::string::npos ? line.size() : inc);
    if (inc == std::string::npos || q0 == std::string::npos) continue;
    auto q1 = line.find('"', q0 + 1);
    if (q1 == std::string::npos) continue;
    std::string path = dir + "/" + line.substr(q0 + 1, q1 - q0 - 1);
    if (!file_exists(path) || !seen->insert(path).second) continue;
    std::ifstream f(path);
    std::stringstream text;
    text << f.rdbuf();
    auto slash = path.find_last_of('/');
    out += "--include " + path + "\n" + text.str() + "\n" + local_headers(path.substr(0, slash), text.str(), seen);
  }
  return out;
}

void jit_start(KernelDef& k, const std::vector<CoreCoord>& cores) {
  const Model& m = model();
  std::string cxx = std::getenv("TT_EMU_CXX") && *std::getenv("TT_EMU_CXX") ? std::getenv("TT_EMU_CXX") : "c++";
  std::vector<std::string> args = {cxx, "-std=c++20", "-O1", "-fPIC", "-shared", "-fvisibility=hidden",
                                   "-I" + sdk_dir() + "/include"};
  if (!k.from_string) {
    auto slash = k.path.find_last_of('/');
    args.push_back("-I" + (slash == std::string::npos ? std::string(".") : k.path.substr(0, slash)));
  }
  std::string cta;
  const auto& ct = k.compute ? k.cc.compile_args : k.dm.compile_args;
  for (size_t i = 0; i < ct.size(); ++i) cta += (i ? "," : "") + std::to_string(ct[i]) + "u";
  args.push_back("-DKERNEL_COMPILE_TIME_ARGS=" + cta);
  args.push_back("-DTT_EMU_API_ERA=" + std::to_string(api_era()));
  args.push_back(m.name == "blackhole" ? "-DARCH_BLACKHOLE" : "-DARCH_WORMHOLE");
  args.push_back("-DNOC_MAX_BURST_SIZE=" + std::to_string(m.noc_burst));
  args.push_back("-DNOC_INDEX=" + std::to_string(k.compute ? 0 : k.noc));
  const auto& defs = k.compute ? k.cc.defines : k.dm.defines;
  if (k.compute) {
    args.push_back("-DTT_EMU_COMPUTE_KERNEL=1");
    args.push_back("-DMATH_FIDELITY=" + std::to_string(int(k.cc.math_fidelity)));
    args.push_back(std::string("-DDST_ACCUM_MODE=") + (k.cc.fp32_dest_acc_en ? "true" : "false"));
    args.push_back(std::string("-DAPPROX=") + (k.cc.math_approx_mode ? "true" : "false"));
    args.push_back(std::string("-DDST_SYNC_MODE=") + (k.cc.dst_full_sync_en ? "1" : "0"));
    // The device build's trisck.cc includes the compile-time-args header before the kernel.
    args.push_back("-include");
    args.push_back("api/compile_time_args.h");
  } else {
    args.push_back(k.processor == 0 ? "-DCOMPILE_FOR_BRISC" : "-DCOMPILE_FOR_NCRISC");
    args.push_back("-DNOC_MODE=" + std::to_string(int(k.dm.noc_mode)));
    // The device build's brisck.cc / ncrisck.cc include the dataflow API before the kernel, so a data
    // movement kernel may use it without including it.
    args.push_back("-include");
    args.push_back("api/dataflow/dataflow_api.h");
  }
  for (auto& [key, v] : defs) args.push_back("-D" + key + "=" + v);
  // The cache key holds everything the object depends on: the source, the headers it includes from its
  // own directory (by content), the SDK, the compiler's identity (TT_EMU_CXX_ID from the driver: path,
  // size, mtime, version) and every flag, define and compile-time arg (the API era is one of them).
  std::string keysrc = k.source + "\n--sdk " TT_EMU_SDK_HASH "\n";
  if (const char* id = std::getenv("TT_EMU_CXX_ID"); id && *id) keysrc += std::string("--cxx ") + id + "\n";
  if (!k.from_string) {
    auto slash = k.path.find_last_of('/');
    keysrc += local_headers(slash == std::string::npos ? std::string(".") : k.path.substr(0, slash), k.source);
  }
  for (auto& a : args) keysrc += a + "\n";
  std::string h = hash_hex(keysrc);
  std::string dir = cache_dir();
  sweep_stale(dir);
  k.so_path = dir + "/" + h + ".so";
  k.cmdline.clear();
  for (auto& a : args) k.cmdline += a + " ";
  if (file_exists(k.so_path)) return;  // cached
  std::string src_path;
  if (k.from_string) {
    src_path = dir + "/" + h + ".cpp";
    std::string tmp = src_path + ".tmp" + std::to_string(getpid());
    std::ofstream(tmp) << k.source;
    rename(tmp.c_str(), src_path.c_str());
  } else {
    src_path = k.path;
  }
  char rnd[32];
  snprintf(rnd, sizeof rnd, ".%d.%p.tmp", int(getpid()), (void*)&k);
  k.tmp_path = k.so_path + rnd;
  k.log_path = k.tmp_path + ".log";
  args.push_back("-x");
  args.push_back("c++");
  args.push_back(src_path);
  args.push_back("-o");
  args.push_back(k.tmp_path);
  k.cmdline.clear();
  for (auto& a : args) k.cmdline += a + " ";
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, k.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    auto c = cores.empty() ? CoreCoord{0, 0} : cores.front();
    fail_core(EX_COMPILE, "kernel_compile_error", int(c.x), int(c.y), k.name,
              "cannot run the kernel compiler '" + cxx + "': " + std::strerror(rc) + " (set TT_EMU_CXX)",
              "{\"command\":" + json_str(k.cmdline) + "}");
  }
  k.compile_pid = pid;
  std::lock_guard<std::mutex> lk(g_pending_mu);
  g_pending.push_back({pid, k.tmp_path});
}

// Names of the kernel's own mutable data objects (globals and function statics), from the ELF symtab.
static std::vector<std::string> writable_objects(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream f(path, std::ios::binary);
  std::string img((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (img.size() < sizeof(Elf64_Ehdr) || img.compare(0, 4, ELFMAG) != 0 || img[EI_CLASS] != ELFCLASS64) return out;
  auto* eh = reinterpret_cast<const Elf64_Ehdr*>(img.data());
  if (eh->e_shoff == 0 || eh->e_shoff + uint64_t(eh->e_shnum) * sizeof(Elf64_Shdr) > img.size()) return out;
  auto* sh = reinterpret_cast<const Elf64_Shdr*>(img.data() + eh->e_shoff);
  for (int i = 0; i < eh->e_shnum; ++i) {
    if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
    const Elf64_Shdr& strs = sh[sh[i].sh_link];
    if (sh[i].sh_offset + sh[i].sh_size > img.size() || strs.sh_offset + strs.sh_size > img.size()) continue;
    auto* sym = reinterpret_cast<const Elf64_Sym*>(img.data() + sh[i].sh_offset);
    size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
    for (size_t j = 0; j < n; ++j) {
      if (ELF64_ST_TYPE(sym[j].st_info) != STT_OBJECT || sym[j].st_size == 0) continue;
      if (sym[j].st_shndx == SHN_UNDEF || sym[j].st_shndx >= eh->e_shnum) continue;
      if (!(sh[sym[j].st_shndx].sh_flags & SHF_WRITE)) continue;
      std::string name = sym[j].st_name < strs.sh_size ? img.c_str() + strs.sh_offset + sym[j].st_name : "";
      if (name.empty() || name.rfind("__", 0) == 0 || name.rfind("_GLOBAL_", 0) == 0 || name.rfind("_DYNAMIC", 0) == 0 ||
          name.rfind("completed.", 0) == 0)
        continue;
      out.push_back(name);
    }
  }
  return out;
}

void (*jit_entry_for_core(KernelDef& k, int x, int y))() {
  if (k.globals.empty()) return k.entry;
  auto key = std::make_pair(x, y);
  auto it = k.core_entry.find(key);
  if (it != k.core_entry.end()) return it->second;
  // dlopen shares one image per file, so each core loads its own copy (cached next to the original).
  std::string copy = k.so_path + ".core" + std::to_string(x) + "_" + std::to_string(y) + ".so";
  if (!file_exists(copy)) {
    std::string tmp = copy + ".tmp" + std::to_string(getpid());
    { std::ifstream src(k.so_path, std::ios::binary); std::ofstream dst(tmp, std::ios::binary); dst << src.rdbuf(); }
    rename(tmp.c_str(), copy.c_str());
  }
  void* h = dlopen(copy.c_str(), RTLD_NOW | RTLD_LOCAL);
  auto e = h ? reinterpret_cast<void (*)()>(dlsym(h, "tt_emu_kernel_entry")) : nullptr;
  if (!e) fail_core(EX_COMPILE, "kernel_compile_error", x, y, k.name, std::string("cannot load a per-core copy of the kernel: ") + dlerror());
  k.core_entry[key] = e;
  return e;
}

void jit_finish(KernelDef& k) {
  if (k.entry) return;
  auto c = k.cores.empty() ? CoreCoord{0, 0} : k.cores.front();
  if (k.compile_pid > 0) {
    int status = 0;
    while (waitpid(k.compile_pid, &status, 0) < 0 && errno == EINTR) {}
    forget_pending(k.compile_pid);
    k.compile_pid = -1;
    std::ifstream lf(k.log_path);
    std::stringstream log;
    log << lf.rdbuf();
    unlink(k.log_path.c_str());
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      unlink(k.tmp_path.c_str());
      fail_core(EX_COMPILE, "kernel_compile_error", int(c.x), int(c.y), k.name,
                "compiling kernel '" + k.name + "' (" + k.path + ") failed:\n" + log.str(),
                "{\"command\":" + json_str(k.cmdline) + ",\"compiler_output\":" + json_str(log.str()) + "}");
    }
    rename(k.tmp_path.c_str(), k.so_path.c_str());  // atomic publish into the shared cache
  }
  void* h = dlopen(k.so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h)
    fail_core(EX_COMPILE, "kernel_compile_error", int(c.x), int(c.y), k.name,
              std::string("cannot load the compiled kernel: ") + dlerror());
  k.entry = reinterpret_cast<void (*)()>(dlsym(h, "tt_emu_kernel_entry"));
  k.globals = writable_objects(k.so_path);
  if (!k.globals.empty() && std::getenv("TT_EMU_VERBOSE"))
    fprintf(stderr, "tt-emu: kernel '%s' has mutable globals (%s, ...): one copy per core\n", k.name.c_str(),
            k.globals.front().c_str());
  if (!k.entry)
    fail_core(EX_COMPILE, "kernel_compile_error", int(c.x), int(c.y), k.name,
              "kernel '" + k.name + "' defines no kernel_main()");
}
}  // namespace emu
