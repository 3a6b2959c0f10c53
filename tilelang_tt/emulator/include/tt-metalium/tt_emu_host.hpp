// Host API of the TT-Metalium emulator (the subset of docs/contracts.md section 6 plus neighbours).
// Every public tt-metalium/*.hpp header includes this one.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

#include "hostdevcommon/kernel_structs.h"

#ifndef TT_EMU_API_ERA
#define TT_EMU_API_ERA 4
#endif

// ---------------------------------------------------------------- coordinates (global namespace)
struct tt_xy_pair {
  std::size_t x = 0, y = 0;
  constexpr tt_xy_pair() = default;
  constexpr tt_xy_pair(std::size_t x_, std::size_t y_) : x(x_), y(y_) {}
  std::string str() const { return "(x=" + std::to_string(x) + ",y=" + std::to_string(y) + ")"; }
  friend bool operator==(const tt_xy_pair& a, const tt_xy_pair& b) { return a.x == b.x && a.y == b.y; }
  friend bool operator!=(const tt_xy_pair& a, const tt_xy_pair& b) { return !(a == b); }
  friend bool operator<(const tt_xy_pair& a, const tt_xy_pair& b) { return a.y < b.y || (a.y == b.y && a.x < b.x); }
};
using CoreCoord = tt_xy_pair;

class CoreRange {
 public:
  CoreCoord start_coord, end_coord;
  CoreRange(const CoreCoord& point) : start_coord(point), end_coord(point) {}
  CoreRange(const CoreCoord& start, const CoreCoord& end) : start_coord(start), end_coord(end) {
    if (end.x < start.x || end.y < start.y)
      throw std::invalid_argument("CoreRange: invalid range " + start.str() + " - " + end.str());
  }
  std::size_t size() const { return (end_coord.x - start_coord.x + 1) * (end_coord.y - start_coord.y + 1); }
  bool contains(const CoreCoord& c) const {
    return c.x >= start_coord.x && c.x <= end_coord.x && c.y >= start_coord.y && c.y <= end_coord.y;
  }
  CoreCoord grid_size() const { return {end_coord.x - start_coord.x + 1, end_coord.y - start_coord.y + 1}; }
  std::string str() const { return "[" + start_coord.str() + " - " + end_coord.str() + "]"; }
  friend bool operator==(const CoreRange& a, const CoreRange& b) {
    return a.start_coord == b.start_coord && a.end_coord == b.end_coord;
  }
  friend bool operator<(const CoreRange& a, const CoreRange& b) {
    return a.start_coord < b.start_coord || (a.start_coord == b.start_coord && a.end_coord < b.end_coord);
  }
  // Row-major iteration over the cores of the range.
  struct iterator {
    const CoreRange* r; CoreCoord c;
    CoreCoord operator*() const { return c; }
    iterator& operator++() {
      if (++c.x > r->end_coord.x) { c.x = r->start_coord.x; ++c.y; }
      return *this;
    }
    bool operator!=(const iterator& o) const { return c != o.c; }
    bool operator==(const iterator& o) const { return c == o.c; }
  };
  iterator begin() const { return {this, start_coord}; }
  iterator end() const { return {this, {start_coord.x, end_coord.y + 1}}; }
};

class CoreRangeSet {
 public:
  CoreRangeSet() = default;
  CoreRangeSet(const CoreRange& r) : ranges_{r} {}
  CoreRangeSet(const std::set<CoreRange>& rs) : ranges_(rs.begin(), rs.end()) {}
  CoreRangeSet(std::span<const CoreRange> rs) : ranges_(rs.begin(), rs.end()) {}
  CoreRangeSet(std::vector<CoreRange>&& rs) : ranges_(std::move(rs)) {}
  CoreRangeSet(const std::vector<CoreRange>& rs) : ranges_(rs) {}
  const std::vector<CoreRange>& ranges() const { return ranges_; }
  std::size_t num_cores() const {
    std::size_t n = 0;
    for (auto& r : ranges_) n += r.size();
    return n;
  }
  bool empty() const { return ranges_.empty(); }
  std::size_t size() const { return ranges_.size(); }
  bool contains(const CoreCoord& c) const {
    for (auto& r : ranges_) if (r.contains(c)) return true;
    return false;
  }
  CoreRangeSet merge(const CoreRangeSet& o) const {
    std::vector<CoreRange> v = ranges_;
    v.insert(v.end(), o.ranges_.begin(), o.ranges_.end());
    return CoreRangeSet(std::move(v));
  }
  CoreRange bounding_box() const {
    std::size_t x0 = SIZE_MAX, y0 = SIZE_MAX, x1 = 0, y1 = 0;
    for (auto& r : ranges_) {
      x0 = std::min(x0, r.start_coord.x); y0 = std::min(y0, r.start_coord.y);
      x1 = std::max(x1, r.end_coord.x); y1 = std::max(y1, r.end_coord.y);
    }
    return CoreRange({x0, y0}, {x1, y1});
  }
  std::string str() const {
    std::string s = "{";
    for (auto& r : ranges_) s += r.str() + " ";
    return s + "}";
  }
 private:
  std::vector<CoreRange> ranges_;
};

std::vector<CoreCoord> corerange_to_cores(const CoreRangeSet& crs, std::optional<uint32_t> max_cores = std::nullopt,
                                          bool row_wise = false);
std::vector<CoreCoord> grid_to_cores(uint32_t num_cores, uint32_t grid_size_x, uint32_t grid_size_y,
                                     bool row_wise = false);

// ---------------------------------------------------------------- enums and configs
enum class MathFidelity : uint8_t { LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4, Invalid = 0xff };
enum class UnpackToDestMode : uint8_t { Default, UnpackToDestFp32 };

namespace tt {
enum class DataFormat : uint8_t {
  Float32 = 0, Float16 = 1, Bfp8 = 2, Bfp4 = 3, Tf32 = 4, Float16_b = 5, Bfp8_b = 6, Bfp4_b = 7, Int32 = 8,
  UInt16 = 9, Lf8 = 10, Bfp2 = 11, Int16 = 13, Int8 = 14, Bfp2_b = 15, MxFp4 = 22, UInt32 = 24, Fp8_e4m3 = 26,
  UInt8 = 30, RawUInt8 = 240, RawUInt16 = 241, RawUInt32 = 242, Invalid = 255
};
uint32_t tile_size(const DataFormat& format);
enum class ARCH { GRAYSKULL = 1, WORMHOLE_B0 = 2, BLACKHOLE = 3, QUASAR = 4, Invalid = 0xFF };

namespace constants {
constexpr uint32_t TILE_HEIGHT = 32, TILE_WIDTH = 32, TILE_HW = 1024;
constexpr uint32_t FACE_HEIGHT = 16, FACE_WIDTH = 16, FACE_HW = 256;
constexpr uint32_t BFLOAT8_B_TILE_HW = 1088, BFLOAT4_B_TILE_HW = 576;
}  // namespace constants

namespace tt_metal {
using DeviceAddr = uint64_t;
using KernelHandle = std::uint32_t;
using CBHandle = uintptr_t;
constexpr uint32_t max_runtime_args = 341;  // tilelang_tt/target.py Hardware.max_runtime_args

enum class BufferType { DRAM = 0, L1 = 1, SYSTEM_MEMORY = 2, L1_SMALL = 3, TRACE = 4 };
enum class TensorMemoryLayout { INTERLEAVED = 0, HEIGHT_SHARDED = 2, WIDTH_SHARDED = 3, BLOCK_SHARDED = 4 };
enum class CoreType { WORKER, ETH, PCIE, DRAM };
enum class DataMovementProcessor { RISCV_0 = 0, RISCV_1 = 1 };
enum NOC : uint8_t { RISCV_0_default = 0, RISCV_1_default = 1, NOC_0 = 0, NOC_1 = 1 };
enum NOC_MODE : uint8_t { DM_DEDICATED_NOC = 0, DM_DYNAMIC_NOC = 1 };
enum class KernelBuildOptLevel : uint8_t { O1, O2, O3, O0, Os, Ofast, Oz };

// Member order follows the SDK declaration (designated initializers must follow it).
struct DataMovementConfig {
  DataMovementProcessor processor = DataMovementProcessor::RISCV_0;
  NOC noc = NOC::RISCV_0_default;
  NOC_MODE noc_mode = NOC_MODE::DM_DEDICATED_NOC;
  std::vector<uint32_t> compile_args;
  std::map<std::string, std::string> defines;
  std::unordered_map<std::string, uint32_t> named_compile_args;
  KernelBuildOptLevel opt_level = KernelBuildOptLevel::O2;
};
struct ReaderDataMovementConfig : DataMovementConfig {
  ReaderDataMovementConfig(std::vector<uint32_t> compile_args = {}, std::map<std::string, std::string> defines = {},
                           std::unordered_map<std::string, uint32_t> named_compile_args = {},
                           KernelBuildOptLevel opt_level = KernelBuildOptLevel::O2)
      : DataMovementConfig{DataMovementProcessor::RISCV_1, NOC::NOC_0, NOC_MODE::DM_DEDICATED_NOC,
                           std::move(compile_args), std::move(defines), std::move(named_compile_args), opt_level} {}
};
struct WriterDataMovementConfig : DataMovementConfig {
  WriterDataMovementConfig(std::vector<uint32_t> compile_args = {}, std::map<std::string, std::string> defines = {},
                           std::unordered_map<std::string, uint32_t> named_compile_args = {},
                           KernelBuildOptLevel opt_level = KernelBuildOptLevel::O2)
      : DataMovementConfig{DataMovementProcessor::RISCV_0, NOC::NOC_1, NOC_MODE::DM_DEDICATED_NOC,
                           std::move(compile_args), std::move(defines), std::move(named_compile_args), opt_level} {}
};
struct ComputeConfig {
  MathFidelity math_fidelity = MathFidelity::HiFi4;
  bool fp32_dest_acc_en = false;
  bool dst_full_sync_en = false;
  std::vector<UnpackToDestMode> unpack_to_dest_mode;
  bool bfp8_pack_precise = false;
  bool math_approx_mode = false;
  std::vector<uint32_t> compile_args;
  std::map<std::string, std::string> defines;
  std::unordered_map<std::string, uint32_t> named_compile_args;
  KernelBuildOptLevel opt_level = KernelBuildOptLevel::O3;
};
struct EthernetConfig {
  std::vector<uint32_t> compile_args;
  std::map<std::string, std::string> defines;
};

class CircularBufferConfig {
 public:
  CircularBufferConfig(uint32_t total_size, const std::map<uint8_t, tt::DataFormat>& data_format_spec)
      : total_size_(total_size), formats_(data_format_spec) {}
  explicit CircularBufferConfig(uint32_t total_size) : total_size_(total_size) {}
  CircularBufferConfig& set_page_size(uint8_t buffer_index, uint32_t page_size) {
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
  CircularBufferConfig& set_total_size(uint32_t total_size) { total_size_ = total_size; return *this; }
  CircularBufferConfig& set_data_format(uint8_t buffer_index, tt::DataFormat f) { formats_[buffer_index] = f; return *this; }
  uint32_t total_size() const { return total_size_; }
  const std::map<uint8_t, tt::DataFormat>& data_formats() const { return formats_; }
  const std::map<uint8_t, uint32_t>& page_sizes() const { return page_sizes_; }
 private:
  uint32_t total_size_ = 0;
  std::map<uint8_t, tt::DataFormat> formats_;
  std::map<uint8_t, uint32_t> page_sizes_;
};

namespace distributed { class MeshBuffer; class MeshDevice; }
struct ProgramImpl;
class Program {
 public:
  Program();
  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  ~Program();
  ProgramImpl* impl() const { return impl_.get(); }
 private:
  std::unique_ptr<ProgramImpl> impl_;
};
Program CreateProgram();

using CoreSpec = std::variant<CoreCoord, CoreRange, CoreRangeSet>;
KernelHandle CreateKernel(Program& program, const std::string& file_name, const CoreSpec& core_spec,
                          const std::variant<DataMovementConfig, ComputeConfig, EthernetConfig>& config);
KernelHandle CreateKernelFromString(Program& program, const std::string& kernel_src_code, const CoreSpec& core_spec,
                                    const std::variant<DataMovementConfig, ComputeConfig, EthernetConfig>& config);
CBHandle CreateCircularBuffer(Program& program, const CoreSpec& core_spec, const CircularBufferConfig& config);
uint32_t CreateSemaphore(Program& program, const std::variant<CoreRange, CoreRangeSet>& core_spec,
                         uint32_t initial_value, CoreType core_type = CoreType::WORKER);
void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    std::span<const uint32_t> runtime_args);
void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    std::initializer_list<uint32_t> runtime_args);
inline void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                           const std::vector<uint32_t>& runtime_args) {
  SetRuntimeArgs(program, kernel, core_spec, std::span<const uint32_t>(runtime_args));
}
void SetRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<CoreCoord>& core_spec,
                    const std::vector<std::vector<uint32_t>>& runtime_args);
void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel, std::span<const uint32_t> runtime_args);
inline void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<uint32_t>& args) {
  SetCommonRuntimeArgs(program, kernel, std::span<const uint32_t>(args));
}
void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel, std::initializer_list<uint32_t> args);

std::tuple<uint32_t, CoreRangeSet, CoreRangeSet, CoreRangeSet, uint32_t, uint32_t> split_work_to_cores(
    const CoreCoord grid_size, const uint32_t units_to_divide, const bool row_wise = false);
CoreRangeSet num_cores_to_corerangeset(uint32_t target_num_cores, const CoreCoord grid_size, bool row_wise = false);

// Host-side tensor accessor args: interleaved only. E4 appends {config, aligned page size}, E3 {config}.
class TensorAccessorArgs {
 public:
  TensorAccessorArgs() = default;
  TensorAccessorArgs(const distributed::MeshBuffer& buffer);
  TensorAccessorArgs(const distributed::MeshBuffer* buffer);
  TensorAccessorArgs(const std::shared_ptr<distributed::MeshBuffer>& buffer) : TensorAccessorArgs(buffer.get()) {}
  void append_to(std::vector<uint32_t>& compile_time_args) const {
    auto v = get_compile_time_args();
    compile_time_args.insert(compile_time_args.end(), v.begin(), v.end());
  }
  void append_to(std::vector<uint32_t>& compile_time_args, std::vector<uint32_t>& common_runtime_args) const {
    append_to(compile_time_args);
  }
  std::vector<uint32_t> get_compile_time_args() const {
#if TT_EMU_API_ERA >= 4
    return {config_, aligned_page_size_};
#else
    return {config_};
#endif
  }
  std::vector<uint32_t> get_common_runtime_args() const { return {}; }
 private:
  uint32_t config_ = 0, aligned_page_size_ = 0;
};

namespace distributed {
struct MeshShape {
  uint32_t rows = 1, cols = 1;
  MeshShape() = default;
  MeshShape(uint32_t r, uint32_t c) : rows(r), cols(c) {}
  std::size_t mesh_size() const { return rows * cols; }
};
struct MeshCoordinate {
  uint32_t r = 0, c = 0;
  MeshCoordinate(uint32_t r_ = 0, uint32_t c_ = 0) : r(r_), c(c_) {}
};
struct MeshCoordinateRange {
  MeshShape shape;
  MeshCoordinateRange() = default;
  explicit MeshCoordinateRange(const MeshShape& s) : shape(s) {}
  MeshCoordinateRange(const MeshCoordinate&, const MeshCoordinate&) {}
};
class MeshCommandQueue;
struct DeviceImpl;

class MeshDevice {
 public:
  static std::shared_ptr<MeshDevice> create_unit_mesh(int device_id, std::size_t l1_small_size = 0,
                                                      std::size_t trace_region_size = 0,
                                                      std::size_t num_command_queues = 1);
  MeshCommandQueue& mesh_command_queue(std::optional<uint8_t> cq_id = std::nullopt);
  CoreCoord compute_with_storage_grid_size() const;
  CoreCoord worker_core_from_logical_core(const CoreCoord& logical) const;
  CoreCoord virtual_core_from_logical_core(const CoreCoord& logical, CoreType) const {
    return worker_core_from_logical_core(logical);
  }
  MeshShape shape() const { return MeshShape(1, 1); }
  std::size_t num_devices() const { return 1; }
  tt::ARCH arch() const;
  uint32_t l1_size_per_core() const;
  uint32_t num_dram_channels() const;
  uint32_t dram_size_per_channel() const;
  int id() const { return 0; }
  bool close();
  ~MeshDevice();
  DeviceImpl* impl() const { return impl_; }
  MeshDevice();
 private:
  DeviceImpl* impl_ = nullptr;
  std::unique_ptr<MeshCommandQueue> cq_;
};

struct DeviceLocalBufferConfig {
  DeviceAddr page_size = 0;
  BufferType buffer_type = BufferType::DRAM;
  TensorMemoryLayout buffer_layout = TensorMemoryLayout::INTERLEAVED;
  std::optional<bool> bottom_up = std::nullopt;
};
struct ReplicatedBufferConfig {
  DeviceAddr size = 0;
};
using MeshBufferConfig = std::variant<ReplicatedBufferConfig>;

struct BufferImpl;
class MeshBuffer {
 public:
  static std::shared_ptr<MeshBuffer> create(const MeshBufferConfig& config, const DeviceLocalBufferConfig& local,
                                            MeshDevice* mesh_device, std::optional<DeviceAddr> address = std::nullopt);
  DeviceAddr address() const;
  DeviceAddr size() const;
  DeviceAddr page_size() const;
  BufferType buffer_type() const;
  MeshDevice* device() const { return device_; }
  BufferImpl* impl() const { return impl_; }
  ~MeshBuffer();
  MeshBuffer() = default;
 private:
  friend struct DeviceImpl;
  BufferImpl* impl_ = nullptr;
  MeshDevice* device_ = nullptr;
};

class MeshWorkload {
 public:
  MeshWorkload() = default;
  void add_program(const MeshCoordinateRange& device_range, Program&& program) {
    programs_.push_back(std::move(program));
  }
  std::vector<Program>& programs() { return programs_; }
 private:
  std::vector<Program> programs_;
};
inline MeshWorkload CreateMeshWorkload() { return MeshWorkload(); }
inline void AddProgramToMeshWorkload(MeshWorkload& w, Program&& p, const MeshCoordinateRange& r) {
  w.add_program(r, std::move(p));
}

class MeshCommandQueue {
 public:
  explicit MeshCommandQueue(MeshDevice* d) : device_(d) {}
  MeshDevice* device() const { return device_; }
 private:
  MeshDevice* device_;
};

void tt_emu_buffer_write(MeshBuffer& buf, const void* src, std::size_t bytes);
void tt_emu_buffer_read(MeshBuffer& buf, void* dst, std::size_t bytes);

template <typename DType>
void EnqueueWriteMeshBuffer(MeshCommandQueue& cq, std::shared_ptr<MeshBuffer>& mesh_buffer,
                            const std::vector<DType>& src, bool blocking = false) {
  tt_emu_buffer_write(*mesh_buffer, src.data(), src.size() * sizeof(DType));
}
template <typename DType>
void EnqueueReadMeshBuffer(MeshCommandQueue& cq, std::vector<DType>& dst, std::shared_ptr<MeshBuffer>& mesh_buffer,
                           bool blocking = true) {
  dst.resize(mesh_buffer->size() / sizeof(DType));
  tt_emu_buffer_read(*mesh_buffer, dst.data(), dst.size() * sizeof(DType));
}
template <typename DType>
void WriteShard(MeshCommandQueue& cq, std::shared_ptr<MeshBuffer>& mesh_buffer, std::vector<DType>& src,
                const MeshCoordinate& coord, bool blocking = false) {
  tt_emu_buffer_write(*mesh_buffer, src.data(), src.size() * sizeof(DType));
}
template <typename DType>
void ReadShard(MeshCommandQueue& cq, std::vector<DType>& dst, std::shared_ptr<MeshBuffer>& mesh_buffer,
               const MeshCoordinate& coord, bool blocking = true) {
  dst.resize(mesh_buffer->size() / sizeof(DType));
  tt_emu_buffer_read(*mesh_buffer, dst.data(), dst.size() * sizeof(DType));
}
void EnqueueMeshWorkload(MeshCommandQueue& cq, MeshWorkload& workload, bool blocking);
void Finish(MeshCommandQueue& cq);
}  // namespace distributed
}  // namespace tt_metal
}  // namespace tt

namespace tt::tt_metal {
using ::CoreCoord;
using ::CoreRange;
using ::CoreRangeSet;
using ::MathFidelity;
using ::UnpackToDestMode;
}  // namespace tt::tt_metal

// ---------------------------------------------------------------- bfloat16 and layout helpers
class bfloat16 {
 public:
  constexpr bfloat16() = default;
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  bfloat16(T v) : bits_(round_(static_cast<float>(v))) {}
  static bfloat16 from_bits(uint16_t b) { bfloat16 r; r.bits_ = b; return r; }
  static bfloat16 truncate(float f) { uint32_t u; std::memcpy(&u, &f, 4); return from_bits(uint16_t(u >> 16)); }
  float to_float() const { uint32_t u = uint32_t(bits_) << 16; float f; std::memcpy(&f, &u, 4); return f; }
  operator float() const { return to_float(); }
  uint16_t to_packed() const { return bits_; }
  uint16_t to_uint16() const { return bits_; }
  friend bool operator==(bfloat16 a, bfloat16 b) { return a.bits_ == b.bits_; }
 private:
  static uint16_t round_(float f) {  // round to nearest even; NaN stays NaN
    uint32_t u; std::memcpy(&u, &f, 4);
    if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu)) return uint16_t((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return uint16_t(u >> 16);
  }
  uint16_t bits_ = 0;
};
static_assert(sizeof(bfloat16) == 2);

// Row-major (rows x cols) <-> tiles of 32x32 stored as four 16x16 faces (TL, TR, BL, BR), each row-major;
// tiles in row-major tile order.
namespace tt_emu_layout {
template <typename T>
std::vector<T> convert(const std::vector<T>& in, uint32_t m, uint32_t n, bool to_tiles) {
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
}  // namespace tt_emu_layout
// Compiled once into the runtime library (at -O3) for the element types host programs use, so a host
// program neither instantiates nor optimizes the loops again.
extern template std::vector<bfloat16> tt_emu_layout::convert(const std::vector<bfloat16>&, uint32_t, uint32_t, bool);
extern template std::vector<float> tt_emu_layout::convert(const std::vector<float>&, uint32_t, uint32_t, bool);
extern template std::vector<uint32_t> tt_emu_layout::convert(const std::vector<uint32_t>&, uint32_t, uint32_t, bool);
template <typename T>
std::vector<T> tilize_nfaces(const std::vector<T>& input, uint32_t m, uint32_t n) {
  return tt_emu_layout::convert(input, m, n, true);
}
template <typename T>
std::vector<T> untilize_nfaces(const std::vector<T>& input, uint32_t m, uint32_t n) {
  return tt_emu_layout::convert(input, m, n, false);
}
inline std::vector<bfloat16> create_random_vector_of_bfloat16_native(std::size_t num_bytes, float rand_max, int seed,
                                                                    float offset = 0.0f) {
  std::vector<bfloat16> v(num_bytes / 2);
  uint32_t s = uint32_t(seed) * 2654435761u + 1;
  for (auto& x : v) { s = s * 1664525u + 1013904223u; x = bfloat16(float(s >> 8) / float(1 << 24) * rand_max + offset); }
  return v;
}
