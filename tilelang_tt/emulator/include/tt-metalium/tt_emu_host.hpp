// Host API of the TT-Metalium emulator: the subset of docs/contracts.md section 6 plus what tt-metal's
// programming examples use. Every public tt-metalium/*.hpp header includes this one.
//
// Namespaces, classes and signatures follow the released TT-Metalium 0.81.1 (libtt_metal.so's exported
// names, docs/metalium-api-0.81.md): a function the release exports is declared out of line here with the
// same mangled name, so `tilelang_tt.realapi.host_symbols` can check a host program's references against
// the release; what the release has inline or as a template is inline here too.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
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

#include "hostdevcommon/common_values.hpp"
#include "hostdevcommon/kernel_structs.h"
#include "hostdevcommon/flags.hpp"
#include "hostdevcommon/tensor_accessor/arg_config.hpp"
#include "umd/device/types/xy_pair.hpp"
#include "tt_stl/assert.hpp"

#ifndef TT_EMU_API_ERA
#define TT_EMU_API_ERA 5   // 5 = M081 (TT-Metalium 0.81.1), 4 = E4, 3 = E3
#endif

// ---------------------------------------------------------------- tt_stl
namespace ttsl {
template <typename T>
using Span = std::span<T>;
// A distinct integer type per tag (tt_stl/strong_type.hpp).
template <typename T, typename Tag>
class StrongType {
 public:
  constexpr StrongType() = default;
  constexpr explicit StrongType(T v) : v_(v) {}
  constexpr const T& operator*() const { return v_; }
  constexpr auto operator<=>(const StrongType&) const = default;
 private:
  T v_{};
};
}  // namespace ttsl
namespace tt::stl {
using namespace ::ttsl;
}

// ---------------------------------------------------------------- coordinates
using CoreCoord = tt_xy_pair;

namespace tt {
enum class ARCH { GRAYSKULL = 1, WORMHOLE_B0 = 2, BLACKHOLE = 3, QUASAR = 4, Invalid = 0xFF };
enum class CoreType { ARC, DRAM, ACTIVE_ETH, IDLE_ETH, PCIE, TENSIX, ROUTER_ONLY, HARVESTED, ETH, WORKER, SECURITY,
                      L2CPU, COUNT };
enum class DataFormat : uint8_t {
  Float32 = 0, Float16 = 1, Bfp8 = 2, Bfp4 = 3, Tf32 = 4, Float16_b = 5, Bfp8_b = 6, Bfp4_b = 7, Int32 = 8,
  UInt16 = 9, Lf8 = 10, Bfp2 = 11, Int16 = 13, Int8 = 14, Bfp2_b = 15, MxFp4 = 22, UInt32 = 24, Fp8_e4m3 = 26,
  UInt8 = 30, RawUInt8 = 240, RawUInt16 = 241, RawUInt32 = 242, Invalid = 255
};
uint32_t tile_size(const DataFormat& format);

namespace constants {
constexpr uint32_t TILE_HEIGHT = 32, TILE_WIDTH = 32, TILE_HW = 1024;
constexpr uint32_t FACE_HEIGHT = 16, FACE_WIDTH = 16, FACE_HW = 256;
constexpr uint32_t BFLOAT8_B_TILE_HW = 1088, BFLOAT4_B_TILE_HW = 576;
}  // namespace constants
}  // namespace tt

namespace tt::tt_metal {
class CoreRange {
 public:
  CoreCoord start_coord;
  CoreCoord end_coord;
  CoreRange(const CoreCoord& point);
  CoreRange(const CoreCoord& start_coord, const CoreCoord& end_coord);
  std::size_t size() const;
  bool contains(const CoreCoord& other) const;
  CoreCoord grid_size() const;
  std::string str() const;
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
  CoreRangeSet(const CoreRange& core_range);
  CoreRangeSet(const std::set<CoreRange>& core_ranges);
  CoreRangeSet(std::span<const CoreRange> core_ranges);
  CoreRangeSet(std::vector<CoreRange>&& core_ranges);
  CoreRangeSet(const CoreRangeSet& other);
  CoreRangeSet(CoreRangeSet&& other);
  CoreRangeSet& operator=(const CoreRangeSet&) = default;
  CoreRangeSet& operator=(CoreRangeSet&&) = default;
  const std::vector<CoreRange>& ranges() const;
  uint32_t num_cores() const;
  bool empty() const;
  std::size_t size() const;
  bool contains(const CoreCoord& coord) const;
  CoreRange bounding_box() const;
  CoreRangeSet merge(const CoreRangeSet& other) const {
    std::vector<CoreRange> v = ranges_;
    v.insert(v.end(), other.ranges_.begin(), other.ranges_.end());
    return CoreRangeSet(std::move(v));
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
using DeviceAddr = uint64_t;
using KernelHandle = std::uint32_t;
using CBHandle = uintptr_t;
constexpr uint32_t max_runtime_args = 341;  // tilelang_tt/target.py Hardware.max_runtime_args
struct SubDeviceIdTag;
using SubDeviceId = ttsl::StrongType<uint8_t, SubDeviceIdTag>;

enum class MathFidelity : uint8_t { LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4, Invalid = 0xff };
enum class UnpackToDestMode : uint8_t { Default, UnpackToDestFp32 };
enum class BufferType { DRAM = 0, L1 = 1, SYSTEM_MEMORY = 2, L1_SMALL = 3, TRACE = 4 };
enum class TensorMemoryLayout { INTERLEAVED = 0, HEIGHT_SHARDED = 2, WIDTH_SHARDED = 3, BLOCK_SHARDED = 4 };
enum class DataMovementProcessor { RISCV_0 = 0, RISCV_1 = 1 };
enum NOC : uint8_t { RISCV_0_default = 0, RISCV_1_default = 1, NOC_0 = 0, NOC_1 = 1 };
enum NOC_MODE : uint8_t { DM_DEDICATED_NOC = 0, DM_DYNAMIC_NOC = 1 };
enum class KernelBuildOptLevel : uint8_t { O1, O2, O3, O0, Os, Ofast, Oz };
class DispatchCoreConfig {
 public:
  DispatchCoreConfig() = default;
};

// Member order follows the release's declaration (designated initializers must follow it).
struct DataMovementConfig {
  DataMovementProcessor processor = DataMovementProcessor::RISCV_0;
  NOC noc = NOC::RISCV_0_default;
  NOC_MODE noc_mode = NOC_MODE::DM_DEDICATED_NOC;
  std::vector<uint32_t> compile_args;
  std::map<std::string, std::string> defines;
  std::unordered_map<std::string, uint32_t> named_compile_args;
  KernelBuildOptLevel opt_level = KernelBuildOptLevel::O2;
};
// Reader: RISCV_1 on NOC_0 (preferred_noc_for_dram_read); writer: RISCV_0 on NOC_1.
struct ReaderDataMovementConfig : public DataMovementConfig {
  ReaderDataMovementConfig(std::vector<uint32_t> compile_args = {}, std::map<std::string, std::string> defines = {},
                           std::unordered_map<std::string, uint32_t> named_compile_args = {},
                           KernelBuildOptLevel opt_level = KernelBuildOptLevel::O2,
                           std::vector<std::filesystem::path> compiler_include_paths = {});
};
struct WriterDataMovementConfig : public DataMovementConfig {
  WriterDataMovementConfig(std::vector<uint32_t> compile_args = {}, std::map<std::string, std::string> defines = {},
                           std::unordered_map<std::string, uint32_t> named_compile_args = {},
                           KernelBuildOptLevel opt_level = KernelBuildOptLevel::O2,
                           std::vector<std::filesystem::path> compiler_include_paths = {});
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
  CircularBufferConfig(uint32_t total_size);
  CircularBufferConfig(uint32_t total_size, const std::map<uint8_t, tt::DataFormat>& data_format_spec);
  CircularBufferConfig& set_page_size(uint8_t buffer_index, uint32_t page_size);
  CircularBufferConfig& set_total_size(uint32_t total_size) { total_size_ = total_size; return *this; }
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
  Program(Program&& other) noexcept;
  Program& operator=(Program&& other) noexcept;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  ~Program();
  ProgramImpl* impl() const { return impl_.get(); }
 private:
  std::unique_ptr<ProgramImpl> impl_;
};
Program CreateProgram();

KernelHandle CreateKernel(Program& program, const std::string& file_name,
                          const std::variant<CoreCoord, CoreRange, CoreRangeSet>& core_spec,
                          const std::variant<DataMovementConfig, ComputeConfig>& config);
KernelHandle CreateKernel(Program& program, const std::string& file_name,
                          const std::variant<CoreCoord, CoreRange, CoreRangeSet>& core_spec,
                          const EthernetConfig& config);
KernelHandle CreateKernelFromString(Program& program, const std::string& kernel_src_code,
                                    const std::variant<CoreCoord, CoreRange, CoreRangeSet>& core_spec,
                                    const std::variant<DataMovementConfig, ComputeConfig>& config);
CBHandle CreateCircularBuffer(Program& program, const std::variant<CoreCoord, CoreRange, CoreRangeSet>& core_spec,
                              const CircularBufferConfig& config);
uint32_t CreateSemaphore(Program& program, const std::variant<CoreRange, CoreRangeSet>& core_spec,
                         uint32_t initial_value);
uint32_t CreateSemaphore(Program& program, const std::variant<CoreRange, CoreRangeSet>& core_spec,
                         uint32_t initial_value, tt::CoreType core_type);
void SetRuntimeArgs(const Program& program, KernelHandle kernel,
                    const std::variant<CoreCoord, CoreRange, CoreRangeSet>& core_spec,
                    std::span<const uint32_t> runtime_args);
void SetRuntimeArgs(const Program& program, KernelHandle kernel,
                    const std::variant<CoreCoord, CoreRange, CoreRangeSet>& core_spec,
                    std::initializer_list<uint32_t> runtime_args);
void SetRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<CoreCoord>& core_spec,
                    const std::vector<std::vector<uint32_t>>& runtime_args);
void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel_id, std::span<const uint32_t> runtime_args);
void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel_id, std::initializer_list<uint32_t> runtime_args);

std::tuple<uint32_t, CoreRangeSet, CoreRangeSet, CoreRangeSet, uint32_t, uint32_t> split_work_to_cores(
    const CoreCoord grid_size, const uint32_t units_to_divide, const bool row_wise = false);
CoreRangeSet num_cores_to_corerangeset(uint32_t target_num_cores, const CoreCoord grid_size, bool row_wise = false);

// Host-side tensor accessor args: interleaved only. M081/E4 append {config, aligned page size}, E3 {config}.
class TensorAccessorArgs {
 public:
  TensorAccessorArgs() = default;
  explicit TensorAccessorArgs(const distributed::MeshBuffer& buffer,
                              tensor_accessor::ArgsConfig args_config = tensor_accessor::ArgConfig::None);
  explicit TensorAccessorArgs(const distributed::MeshBuffer* buffer,
                              tensor_accessor::ArgsConfig args_config = tensor_accessor::ArgConfig::None);
  explicit TensorAccessorArgs(const std::shared_ptr<distributed::MeshBuffer>& buffer,
                              tensor_accessor::ArgsConfig args_config = tensor_accessor::ArgConfig::None);
  void append_to(std::vector<uint32_t>& compile_time_args) const;
  void append_to(std::vector<uint32_t>& compile_time_args, std::vector<uint32_t>& common_runtime_args) const;
  std::vector<uint32_t> get_compile_time_args() const;
  std::vector<uint32_t> get_common_runtime_args() const;
 private:
  uint32_t config_ = 0, aligned_page_size_ = 0;
};

namespace distributed {
class MeshShape {
 public:
  MeshShape() = default;
  MeshShape(uint32_t num_rows, uint32_t num_cols) : rows_(num_rows), cols_(num_cols) {}
  std::size_t mesh_size() const { return std::size_t(rows_) * cols_; }
 private:
  uint32_t rows_ = 1, cols_ = 1;
};
class MeshCoordinate {
 public:
  MeshCoordinate(uint32_t row, uint32_t col) : r_(row), c_(col) {}
 private:
  uint32_t r_ = 0, c_ = 0;
};
class MeshCoordinateRange {
 public:
  explicit MeshCoordinateRange(const MeshShape& shape) : shape_(shape) {}
  MeshCoordinateRange(const MeshCoordinate&, const MeshCoordinate&) {}
 private:
  MeshShape shape_;
};
class MeshCommandQueue;
class MeshWorkload;
struct DeviceImpl;

class MeshDevice {
 public:
  static std::shared_ptr<MeshDevice> create_unit_mesh(
      int device_id, std::size_t l1_small_size = DEFAULT_L1_SMALL_SIZE,
      std::size_t trace_region_size = DEFAULT_TRACE_REGION_SIZE, std::size_t num_command_queues = 1,
      const DispatchCoreConfig& dispatch_core_config = DispatchCoreConfig{},
      std::span<const std::uint32_t> l1_bank_remap = {}, std::size_t worker_l1_size = DEFAULT_WORKER_L1_SIZE);
  MeshCommandQueue& mesh_command_queue(std::optional<uint8_t> cq_id = std::nullopt) const;
  CoreCoord compute_with_storage_grid_size() const;
  CoreCoord worker_core_from_logical_core(const CoreCoord& logical_core) const;
  const MeshShape& shape() const;
  std::size_t num_devices() const;
  tt::ARCH arch() const;
  uint32_t l1_size_per_core() const;
  uint32_t num_dram_channels() const;
  uint32_t dram_size_per_channel() const;
  int id() const;
  bool close();
  ~MeshDevice();
  MeshDevice();      // emulator: use create_unit_mesh
 private:
  DeviceImpl* impl_ = nullptr;
  std::unique_ptr<MeshCommandQueue> cq_;
  MeshShape shape_{1, 1};
};

struct DeviceLocalBufferConfig {
  DeviceAddr page_size = 0;
  BufferType buffer_type = BufferType::DRAM;
  std::optional<bool> bottom_up = std::nullopt;
};
struct ReplicatedBufferConfig {
  DeviceAddr size = 0;
};
// Sharded mesh buffers are declared as in the release but not emulated (MeshBuffer::create throws).
struct ShardedBufferConfig {
  DeviceAddr global_size = 0;
  std::pair<std::size_t, std::size_t> global_buffer_shape = {0, 0};
  std::pair<std::size_t, std::size_t> shard_shape = {0, 0};
};
using MeshBufferConfig = std::variant<ReplicatedBufferConfig, ShardedBufferConfig>;

struct BufferImpl;
DeviceAddr tt_emu_buffer_address(const BufferImpl* impl);
DeviceAddr tt_emu_buffer_page_size(const BufferImpl* impl);
class MeshBuffer {
 public:
  static std::shared_ptr<MeshBuffer> create(const MeshBufferConfig& mesh_buffer_config,
                                            const DeviceLocalBufferConfig& device_local_config,
                                            MeshDevice* mesh_device, std::optional<DeviceAddr> address = std::nullopt);
  MeshDevice* device() const;
  DeviceAddr size() const;
  DeviceAddr address() const { return tt_emu_buffer_address(impl_); }
  uint32_t page_size() const { return uint32_t(tt_emu_buffer_page_size(impl_)); }
  BufferImpl* impl() const { return impl_; }
  ~MeshBuffer();
 private:
  MeshBuffer() = default;
  friend struct DeviceImpl;
  BufferImpl* impl_ = nullptr;
  MeshDevice* device_ = nullptr;
};

class MeshWorkload {
 public:
  MeshWorkload();
  void add_program(const MeshCoordinateRange& device_range, Program&& program);
  std::vector<Program>& programs() { return programs_; }
 private:
  std::vector<Program> programs_;
};
inline MeshWorkload CreateMeshWorkload() { return MeshWorkload(); }
inline void AddProgramToMeshWorkload(MeshWorkload& mesh_workload, Program&& program,
                                     const MeshCoordinateRange& device_range) {
  mesh_workload.add_program(device_range, std::move(program));
}

// The release's MeshCommandQueue is an abstract interface: its members are virtual, so a host program
// calls them through the vtable and references no symbol of libtt_metal.so for them.
class MeshCommandQueue {
 public:
  explicit MeshCommandQueue(MeshDevice* mesh_device) : mesh_device_(mesh_device) {}
  MeshCommandQueue(const MeshCommandQueue&) = delete;
  MeshCommandQueue& operator=(const MeshCommandQueue&) = delete;
  virtual ~MeshCommandQueue();
  MeshDevice* device() const { return mesh_device_; }
  uint32_t id() const { return 0; }
  virtual void enqueue_mesh_workload(MeshWorkload& mesh_workload, bool blocking);
  virtual void enqueue_write_mesh_buffer(const std::shared_ptr<MeshBuffer>& buffer, const void* host_data,
                                         bool blocking);
  virtual void enqueue_read_mesh_buffer(void* host_data, const std::shared_ptr<MeshBuffer>& buffer, bool blocking);
  virtual void finish(std::span<const SubDeviceId> sub_device_ids = {});
 private:
  MeshDevice* mesh_device_;
};

// distributed.hpp's free functions: the templates forward to the queue's members (inline, as in the
// release); EnqueueMeshWorkload and Finish are exported functions of the release.
template <typename DType>
void EnqueueWriteMeshBuffer(MeshCommandQueue& mesh_cq, std::shared_ptr<MeshBuffer>& mesh_buffer,
                            const std::vector<DType>& src, bool blocking = false) {
  // The queue reads the whole buffer's bytes from host memory (as on a device).
  if (src.size() * sizeof(DType) != mesh_buffer->size())
    throw std::runtime_error("EnqueueWriteMeshBuffer: the host vector holds " + std::to_string(src.size() * sizeof(DType)) +
                             " B, the buffer " + std::to_string(mesh_buffer->size()) + " B");
  mesh_cq.enqueue_write_mesh_buffer(mesh_buffer, src.data(), blocking);
}
template <typename DType>
void EnqueueReadMeshBuffer(MeshCommandQueue& mesh_cq, std::vector<DType>& dst,
                           std::shared_ptr<MeshBuffer>& mesh_buffer, bool blocking = true) {
  dst.resize(mesh_buffer->size() / sizeof(DType));
  mesh_cq.enqueue_read_mesh_buffer(dst.data(), mesh_buffer, blocking);
}
void EnqueueMeshWorkload(MeshCommandQueue& mesh_cq, MeshWorkload& mesh_workload, bool blocking);
void Finish(MeshCommandQueue& mesh_cq, std::span<const SubDeviceId> sub_device_ids = {});
}  // namespace distributed
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
// tiles in row-major tile order. Declared here and instantiated in the runtime for the element types the
// release's libtt_metal.so instantiates (bfloat16, float, uint32_t, uint16_t), as in the release.
template <typename T>
std::vector<T> tilize_nfaces(const std::vector<T>& input, uint32_t m, uint32_t n);
template <typename T>
std::vector<T> untilize_nfaces(const std::vector<T>& input, uint32_t m, uint32_t n);
inline std::vector<bfloat16> create_random_vector_of_bfloat16_native(std::size_t num_bytes, float rand_max, int seed,
                                                                    float offset = 0.0f) {
  std::vector<bfloat16> v(num_bytes / 2);
  uint32_t s = uint32_t(seed) * 2654435761u + 1;
  for (auto& x : v) { s = s * 1664525u + 1013904223u; x = bfloat16(float(s >> 8) / float(1 << 24) * rand_max + offset); }
  return v;
}
