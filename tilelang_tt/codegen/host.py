"""The host program (main.cpp) and its CMake project, printed from a DeviceProgram.

Host API subset of docs/contracts.md section 6 (Mesh API; metalium-api.md B.2/B.3). The same source
builds against a TT-Metalium install or the emulator SDK. Runtime arguments are printed as one table
per kernel (a row per core) whose columns are literals, a tensor's DRAM address, a semaphore id, or the
NOC coordinate of a logical core (resolved with worker_core_from_logical_core at run time).
"""
from __future__ import annotations

from math import prod

from ..errors import TTCompileError, TTInternalError
from ..specs import cores_of, ranges_cover
from . import host_calls as H
from .names import NameTable, c_string, comment_text, sanitize

# tensor dtype -> host element type of the row-major files and the MeshBuffer vectors
HOST_ELEMENT = {"bfloat16": "bfloat16", "float32": "float"}

_HOST_RESERVED = {"main", "run", "read_tensor", "write_tensor", "pad_rows_cols", "crop_rows_cols", "make_dram_buffer", "noc_x_of", "noc_y_of",
                  "mesh_device", "cq", "program", "workload", "device_range", "kernel_dir",
                  "argc", "argv", "row", "e", "bfloat16"}


def _padded(t) -> bool:
    """The tensor is stored padded (ragged, or a vector taking whole tiles): the host pads and crops."""
    return tuple(_rows_cols(t.device_shape)) != tuple(_rows_cols(t.shape))


def _rows_cols(shape) -> tuple[int, int]:
    shape = [int(x) for x in shape]
    if len(shape) == 1:
        return 1, shape[0]
    return prod(shape[:-1]), shape[-1]


class _HostPrinter:
    def __init__(self, program):
        self.p = program
        self.names = NameTable(reserved=_HOST_RESERVED)
        self.lines: list[str] = []
        self.tvar = {t.name: {k: self.names.fresh(f"{sanitize(t.name, 'tensor')}_{k}")
                              for k in ("buf", "tiles", "result", "addr")} for t in program.tensors}
        self.crs: dict[tuple, str] = {}          # core-range tuple -> C++ CoreRangeSet name
        self.sem: dict[str, str] = {}            # semaphore name -> C++ id variable
        self.kvar: dict[str, str] = {}           # kernel name -> KernelHandle variable
        for t in program.tensors:
            if t.dtype not in HOST_ELEMENT:
                raise TTCompileError(f"kernel '{program.kernel}': tensor {t.name!r} has dtype {t.dtype}; the "
                                     f"host program moves {', '.join(HOST_ELEMENT)}")

    def emit(self, line: str = "") -> None:
        self.lines.append(line)

    # ---------------------------------------------------------------------------------- pieces
    def core_set(self, ranges, hint: str) -> str:
        key = tuple(ranges)
        if key not in self.crs:
            name = self.names.fresh(hint)
            self.crs[key] = name
            self.emit(f"    const CoreRangeSet {name}(std::vector<CoreRange>{{")
            for r in key:
                self.emit(f"        CoreRange(CoreCoord{{{r.x0}, {r.y0}}}, CoreCoord{{{r.x1}, {r.y1}}}),")
            self.emit("    });")
        return self.crs[key]

    def column(self, kernel, i: int) -> tuple[str, str]:
        """(kind, C++ expression over `row`) of runtime-arg column i of a kernel."""
        vals = [v[i] for v in kernel.runtime_args.values()]
        name = kernel.runtime_arg_names[i]
        if all(isinstance(v, int) for v in vals):
            return "int", f"row[{2 + i}]"
        kinds = {str(v).partition(":")[0] for v in vals}
        if len(kinds) != 1 or any(isinstance(v, int) for v in vals):
            raise TTInternalError(f"kernel '{self.p.kernel}' {kernel.name}: runtime arg {name!r} mixes kinds "
                                  f"across cores: {sorted(set(map(str, vals)))[:4]}")
        kind = kinds.pop()
        if kind in ("noc_x", "noc_y"):
            return kind, f"{kind}_of(mesh_device.get(), row[{2 + i}])"
        if len(set(vals)) != 1:
            raise TTInternalError(f"kernel '{self.p.kernel}' {kernel.name}: runtime arg {name!r} differs "
                                  f"across cores: {sorted(set(vals))[:4]}")
        what = str(vals[0]).partition(":")[2]
        if kind == "addr":
            return kind, self.tvar[what]["addr"]
        if kind == "sem":
            return kind, self.sem[what]
        raise TTInternalError(f"kernel '{self.p.kernel}': unknown runtime arg kind {kind!r}")

    @staticmethod
    def cell(value) -> str:
        if isinstance(value, int):
            return str(value)
        kind, _, rest = str(value).partition(":")
        if kind in ("noc_x", "noc_y"):
            x, y = (int(p) for p in rest.split(","))
            return f"{(x << 16) | y}"      # packed logical core, unpacked by noc_x_of / noc_y_of
        return "0"                         # resolved by the column expression

    # ------------------------------------------------------------------------------------ main
    def main(self) -> str:
        p = self.p
        tensors = p.tensors
        emit = self.emit
        usage = "tt_program <kernel_dir>" + "".join(f" <{t.name}>" for t in tensors)
        uses_noc = any(str(v).startswith(("noc_x:", "noc_y:")) for k in p.kernels
                       for vals in k.runtime_args.values() for v in vals)

        emit(f"// Host program of kernel `{comment_text(p.kernel)}`, generated by tilelang_tt from plan.json.")
        emit(f"// Schedule: {comment_text(str(p.schedule.get('variant', '')))}; "
             f"{len(p.kernels)} kernels on {len(p.cores)} cores.")
        emit(f"// Usage: {comment_text(usage)}")
        emit("// Tensor files hold row-major little-endian elements; inputs are read before the launch,")
        emit("// outputs are written after Finish.")
        for t in tensors:
            if t.block_float:
                emit(f"// {comment_text(t.name)} is stored as {t.data_format}: its file holds its {t.num_pages} DRAM pages "
                     f"({t.page_bytes} B tiles in row-major tile order), packed by the caller.")
        emit("")
        padding = ("algorithm",) if any(_padded(t) for t in tensors) else ()   # std::copy
        for inc in padding + ("cstdint", "cstdio", "exception", "filesystem", "fstream", "iostream", "memory",
                              "stdexcept", "string", "vector"):
            emit(f"#include <{inc}>")
        emit("")
        for inc in ("host_api.hpp", "distributed.hpp", "mesh_buffer.hpp", "mesh_device.hpp",
                    "mesh_workload.hpp", "mesh_command_queue.hpp", "constants.hpp", "bfloat16.hpp",
                    "tilize_utils.hpp", "tensor_accessor_args.hpp", "core_coord.hpp", "kernel_types.hpp",
                    "circular_buffer_config.hpp", "tt_backend_api_types.hpp"):
            emit(f"#include <tt-metalium/{inc}>")
        if any(k.compute is not None and k.compute.unpack_to_dest_fp32 for k in p.kernels):
            emit("#include <tt-metalium/circular_buffer_constants.h>  // NUM_CIRCULAR_BUFFERS")
        emit('#include "hostdevcommon/kernel_structs.h"')
        emit("")
        emit("using namespace tt;")
        emit("using namespace tt::tt_metal;")
        emit("")
        emit("namespace {")
        emit("")
        emit("template <typename T>")
        emit("std::vector<T> read_tensor(const std::string& path, size_t count) {")
        emit("    std::ifstream file(path, std::ios::binary);")
        emit("    if (!file) {")
        emit('        throw std::runtime_error("cannot open input file " + path);')
        emit("    }")
        emit("    std::vector<T> data(count);")
        emit("    file.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(count * sizeof(T)));")
        emit("    if (file.gcount() != static_cast<std::streamsize>(count * sizeof(T))) {")
        emit('        throw std::runtime_error("input file " + path + " holds fewer than " + '
             'std::to_string(count) + " elements");')
        emit("    }")
        emit("    return data;")
        emit("}")
        emit("")
        emit("template <typename T>")
        emit("void write_tensor(const std::string& path, const std::vector<T>& data) {")
        emit("    std::ofstream file(path, std::ios::binary | std::ios::trunc);")
        emit("    file.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * sizeof(T)));")
        emit("    if (!file) {")
        emit('        throw std::runtime_error("cannot write output file " + path);')
        emit("    }")
        emit("}")
        emit("")
        emit("// A DRAM-interleaved buffer with one tile per page.")
        emit("std::shared_ptr<distributed::MeshBuffer> make_dram_buffer(")
        emit("    distributed::MeshDevice* device, uint32_t page_bytes, uint32_t num_pages) {")
        emit("    const auto local = " + H.LOCAL_BUFFER_CONFIG.format(page_bytes="page_bytes") + ";")
        emit("    const auto global = "
             + H.REPLICATED_BUFFER_CONFIG.format(size_bytes="uint64_t{page_bytes} * num_pages") + ";")
        emit("    return " + H.CREATE_MESH_BUFFER.format(global_config="global", local_config="local",
                                                       device="device") + ";")
        emit("}")
        if any(_padded(t) for t in tensors):
            emit("")
            emit("// Ragged tensors and vectors live in DRAM padded to whole tiles: inputs are padded with zeros")
            emit("// (neutral for what the compiler accepts), outputs cropped back to the user's shape.")
            emit("template <typename T>")
            emit("std::vector<T> pad_rows_cols(const std::vector<T>& data, size_t rows, size_t cols, "
                 "size_t padded_rows, size_t padded_cols) {")
            emit("    std::vector<T> out(padded_rows * padded_cols);")
            emit("    for (size_t r = 0; r < rows; ++r) {")
            emit("        std::copy(data.begin() + r * cols, data.begin() + (r + 1) * cols, out.begin() + r * padded_cols);")
            emit("    }")
            emit("    return out;")
            emit("}")
            emit("")
            emit("template <typename T>")
            emit("std::vector<T> crop_rows_cols(const std::vector<T>& data, size_t padded_cols, size_t rows, "
                 "size_t cols) {")
            emit("    std::vector<T> out(rows * cols);")
            emit("    for (size_t r = 0; r < rows; ++r) {")
            emit("        std::copy(data.begin() + r * padded_cols, data.begin() + r * padded_cols + cols, "
                 "out.begin() + r * cols);")
            emit("    }")
            emit("    return out;")
            emit("}")
        if uses_noc:
            emit("")
            emit("// NOC coordinates of a logical core packed as (x << 16) | y in the runtime-arg tables.")
            for axis in ("x", "y"):
                emit(f"uint32_t noc_{axis}_of(distributed::MeshDevice* device, uint32_t packed) {{")
                emit("    const CoreCoord logical{packed >> 16, packed & 0xffff};")
                emit(f"    return static_cast<uint32_t>(device->worker_core_from_logical_core(logical).{axis});")
                emit("}")
        emit("")
        emit("}  // namespace")
        emit("")
        emit("int run(int argc, char** argv) {")
        emit(f"    if (argc != {2 + len(tensors)}) {{")
        emit(f"        throw std::runtime_error({c_string('usage: ' + usage)});")
        emit("    }")
        emit("    const std::filesystem::path kernel_dir = std::filesystem::absolute(argv[1]);")
        emit("")
        emit("    auto mesh_device = " + H.CREATE_UNIT_MESH.format(device_id=0) + ";")
        emit("    distributed::MeshCommandQueue& cq = " + H.MESH_COMMAND_QUEUE.format(device="mesh_device") + ";")
        emit("")
        emit("    // Tensors in DRAM; inputs are tilized (32x32 tiles of four 16x16 faces) on the host.")
        for i, t in enumerate(tensors):
            v, elem = self.tvar[t.name], HOST_ELEMENT[t.dtype]
            rows, cols = _rows_cols(t.shape)
            prows, pcols = _rows_cols(t.device_shape)
            emit(f"    auto {v['buf']} = make_dram_buffer(mesh_device.get(), {t.page_bytes}, {t.num_pages});")
            if t.access in ("read", "readwrite") and t.block_float:
                # the file holds the DRAM pages themselves: tiles already padded and packed by the caller
                # (tilelang_tt.blockfloat.pack_matrix, bit-exact with the release's pack_as_bfp8_tiles)
                emit(f"    // {comment_text(t.name)}: {t.num_pages} {t.data_format} tiles, packed on the host")
                emit(f"    std::vector<uint32_t> {v['tiles']} = "
                     f"read_tensor<uint32_t>(argv[{2 + i}], {t.num_pages * t.page_bytes // 4});")
                emit("    " + H.WRITE_BUFFER.format(cq="cq", buffer=v["buf"], host_vector=v["tiles"]) + ";")
            elif t.access in ("read", "readwrite"):
                data = f"read_tensor<{elem}>(argv[{2 + i}], {rows * cols})"
                if _padded(t):
                    data = f"pad_rows_cols({data}, {rows}, {cols}, {prows}, {pcols})"
                emit(f"    std::vector<{elem}> {v['tiles']} = tilize_nfaces({data}, {prows}, {pcols});")
                emit("    " + H.WRITE_BUFFER.format(cq="cq", buffer=v["buf"], host_vector=v["tiles"]) + ";")
        emit("")
        emit("    Program program = CreateProgram();")
        self.core_set(ranges_cover(p.cores), "all_cores")
        self.cbs()
        self.semaphores()
        self.kernels()
        self.runtime_args()
        emit("")
        emit("    distributed::MeshWorkload workload;")
        emit("    distributed::MeshCoordinateRange device_range(mesh_device->shape());")
        emit("    " + H.ADD_PROGRAM.format(workload="workload", device_range="device_range", program="program")
             + ";")
        emit("    " + H.ENQUEUE_WORKLOAD.format(cq="cq", workload="workload") + ";")
        emit("    " + H.FINISH.format(cq="cq") + ";")
        emit("")
        emit("    // Outputs: read back, untilize to row-major, write to their files.")
        for i, t in enumerate(tensors):
            if t.access not in ("write", "readwrite"):
                continue
            v, elem = self.tvar[t.name], HOST_ELEMENT[t.dtype]
            rows, cols = _rows_cols(t.shape)
            prows, pcols = _rows_cols(t.device_shape)
            emit(f"    std::vector<{elem}> {v['result']}({prows * pcols});")
            emit("    " + H.READ_BUFFER.format(cq="cq", host_vector=v["result"], buffer=v["buf"]) + ";")
            data = f"untilize_nfaces({v['result']}, {prows}, {pcols})"
            if _padded(t):
                data = f"crop_rows_cols({data}, {pcols}, {rows}, {cols})"
            emit(f"    write_tensor(argv[{2 + i}], {data});")
        emit("")
        emit("    " + H.CLOSE_DEVICE.format(device="mesh_device") + ";")
        emit("    return 0;")
        emit("}")
        emit("")
        emit("int main(int argc, char** argv) {")
        emit("    try {")
        emit("        return run(argc, argv);")
        emit("    } catch (const std::exception& e) {")
        emit('        std::cerr << "tt_program: " << e.what() << std::endl;')
        emit("        return 1;")
        emit("    }")
        emit("}")
        return "\n".join(self.lines) + "\n"

    def cbs(self) -> None:
        self.emit("")
        self.emit("    // Circular buffers (plan.json \"cbs\").")
        for cb in self.p.cbs:
            where = self.core_set(ranges_cover(self.p.cb_cores(cb)), f"cb_{sanitize(cb.name, 'c')}_cores")
            idx = f"tt::CBIndex::c_{cb.index}"
            cvar = self.names.fresh("cb_" + sanitize(cb.name, f"c{cb.index}") + "_config")
            self.emit(f"    // {comment_text(cb.name)}: {cb.role}, {cb.num_pages} pages of {cb.page_bytes} bytes")
            self.emit(f"    const CircularBufferConfig {cvar} =")
            self.emit(f"        CircularBufferConfig({cb.total_bytes}, {{{{{idx}, tt::DataFormat::{cb.data_format}}}}})")
            self.emit(f"            .set_page_size({idx}, {cb.page_bytes});")
            self.emit(f"    CreateCircularBuffer(program, {where}, {cvar});")

    def semaphores(self) -> None:
        if not self.p.semaphores:
            return
        self.emit("")
        self.emit("    // Semaphores (L1 words the kernels address by id).")
        for s in self.p.semaphores:
            where = self.core_set(s.cores, f"sem_{sanitize(s.name, 's')}_cores")
            var = self.names.fresh(f"sem_{sanitize(s.name, 's')}")
            self.sem[s.name] = var
            self.emit(f"    const uint32_t {var} = CreateSemaphore(program, {where}, {s.initial});")

    def kernels(self) -> None:
        self.emit("")
        self.emit("    // Kernels: tensor accessors travel as compile-time args, in each kernel's accessor order.")
        for k in self.p.kernels:
            where = self.core_set(k.cores, f"{sanitize(k.name, 'kernel')}_cores")
            var = self.names.fresh(sanitize(k.name, "kernel"))
            self.kvar[k.name] = var
            ct = self.names.fresh(f"{var}_ct_args")
            self.emit(f"    std::vector<uint32_t> {ct};")
            for acc in k.accessors:
                self.emit(f"    TensorAccessorArgs(*{self.tvar[acc]['buf']}).append_to({ct});")
            src = f"(kernel_dir / {c_string(k.source)}).string()"
            modes = None
            if k.kind == "compute" and k.compute.unpack_to_dest_fp32:
                modes = self.names.fresh(f"{var}_unpack_modes")
                self.emit(f"    std::vector<UnpackToDestMode> {modes}(NUM_CIRCULAR_BUFFERS, UnpackToDestMode::Default);")
                for idx in k.compute.unpack_to_dest_fp32:
                    self.emit(f"    {modes}[tt::CBIndex::c_{idx}] = UnpackToDestMode::UnpackToDestFp32;")
            self.emit(f"    const KernelHandle {var} = CreateKernel(program, {src}, {where},")
            if k.kind == "compute":
                c = k.compute
                self.emit("        ComputeConfig{")
                self.emit(f"            .math_fidelity = MathFidelity::{c.math_fidelity},")
                self.emit(f"            .fp32_dest_acc_en = {str(c.fp32_dest_acc_en).lower()},")
                self.emit(f"            .dst_full_sync_en = {str(c.dst_full_sync_en).lower()},")
                if modes:
                    self.emit(f"            .unpack_to_dest_mode = {modes},")
                self.emit(f"            .math_approx_mode = {str(c.math_approx_mode).lower()},")
                self.emit(f"            .compile_args = {ct},")
                self.emit("        });")
            else:
                self.emit("        DataMovementConfig{")
                self.emit(f"            .processor = DataMovementProcessor::{k.processor},")
                self.emit(f"            .noc = NOC::{k.noc},")
                self.emit(f"            .compile_args = {ct},")
                self.emit("        });")

    def runtime_args(self) -> None:
        p = self.p
        addr = [t.name for t in p.tensors
                if any(f"addr:{t.name}" in map(str, vals) for k in p.kernels for vals in k.runtime_args.values())]
        self.emit("")
        if addr:
            self.emit("    // DRAM base addresses (uint32_t, as the kernels read them).")
        for name in addr:
            v = self.tvar[name]
            self.emit(f"    const uint32_t {v['addr']} = static_cast<uint32_t>({v['buf']}->address());")
        for k in p.kernels:
            n = len(k.runtime_arg_names)
            cols = [self.column(k, i) for i in range(n)]
            table = self.names.fresh(f"k_{sanitize(k.name, 'kernel')}_args")
            self.emit("")
            self.emit(f"    // Runtime args of {comment_text(k.name)}, a row per core {{x, y, "
                      f"{comment_text(', '.join(k.runtime_arg_names))}}}.")
            self.emit(f"    static constexpr uint32_t {table}[][{2 + n}] = {{")
            rows = sorted(k.runtime_args.items(), key=lambda kv: (kv[0][1], kv[0][0]))
            for (x, y), vals in rows:
                self.emit(f"        {{{', '.join([str(x), str(y)] + [self.cell(v) for v in vals])}}},")
            self.emit("    };")
            self.emit(f"    for (const auto& row : {table}) {{")
            args = ", ".join(expr for _, expr in cols)
            self.emit(f"        SetRuntimeArgs(program, {self.kvar[k.name]}, CoreCoord{{row[0], row[1]}}, "
                      f"std::vector<uint32_t>{{{args}}});")
            self.emit("    }")


def generate_main(program) -> str:
    """main.cpp of a DeviceProgram."""
    if not program.cores or not cores_of(program.kernels[0].cores):
        raise TTInternalError(f"kernel '{program.kernel}': the device program runs on no core")
    return _HostPrinter(program).main()


def generate_cmake(program) -> str:
    project = "tt_program_" + sanitize(program.kernel, "kernel")
    return "\n".join([
        f"# Host program of kernel `{comment_text(program.kernel)}`, generated by tilelang_tt.",
        "# Builds against a TT-Metalium install or the tilelang_tt emulator SDK (both export",
        "# TT-Metalium CMake packages); point CMAKE_PREFIX_PATH at one of them.",
        "cmake_minimum_required(VERSION 3.22...3.30)",
        f"project({project} LANGUAGES CXX)",
        "",
        "set(CMAKE_CXX_STANDARD 20)",
        "set(CMAKE_CXX_STANDARD_REQUIRED ON)",
        "",
        "find_package(TT-Metalium REQUIRED)",
        "",
        "add_executable(tt_program main.cpp)",
        "target_link_libraries(tt_program PUBLIC TT::Metalium)",
        "",
    ])
