"""Hand-written TT-level TIR (docs/contracts.md sections 1-2) standing in for the passes' output.

Four kernels: matmul, element-wise add, a unary chain and a matmul with a bias + relu epilogue. Each is an
IRModule with `<K>_reader`, `<K>_compute`, `<K>_writer` carrying the plan attributes.
"""
from __future__ import annotations

import tilelang_tt  # noqa: F401  (registers T.tt.*)
from tvm.script import ir as I
from tvm.script import tirx as T


def cb(index, name, dtype, pages, block, role):
    return {"index": index, "name": name, "dtype": dtype, "num_pages": pages, "block_pages": block,
            "role": role, "cores": []}


def tensor(name, index, shape, dtype, access):
    return {"name": name, "param_index": index, "shape": list(shape), "dtype": dtype, "access": access}


def plan_attrs(kernel, grid, core_grid, counts, cbs, tensors, fidelity="HiFi4", fp32=False,
               model="wormhole_b0"):
    """The program-wide attributes (lower/assemble.py) of a naive schedule with these parameters."""
    starts = [sum(counts[:i]) for i in range(len(counts))]
    schedule = {"kind": "naive", "variant": "naive", "grid": list(grid), "core_grid": list(core_grid),
                "tiles_per_core": list(counts), "block_start": starts, "policy": "contiguous",
                "cbs": cbs, "tensors": tensors, "reason": "hand-written test case",
                "compute": {"math_fidelity": fidelity, "fp32_dest_acc_en": fp32,
                            "dst_full_sync_en": False, "math_approx_mode": False}}
    return {"tt.kernel": kernel, "tt.program": {"model": model, "schedule": schedule, "semaphores": []}}


PROCESSOR = {"reader": ("RISCV_1", "RISCV_1_default"), "writer": ("RISCV_0", "RISCV_0_default"),
             "compute": ("", "")}


def role(plan, name, runtime_args, accessors=()):
    """The attributes of one naive-schedule kernel: every core of the work split, runtime args
    block_start, block_count then the symbolic ones (addr:<tensor>)."""
    sched = plan["tt.program"]["schedule"]
    cols = sched["core_grid"][0]
    rows = []
    for i, (start, count) in enumerate(zip(sched["block_start"], sched["tiles_per_core"])):
        rows.append([i % cols, i // cols, start, count] + list(runtime_args[2:]))
    n = len(rows)
    full, rem = divmod(n, cols)
    cores = ([[0, 0, cols - 1, full - 1]] if full else []) + ([[0, full, rem - 1, full]] if rem else [])
    processor, noc = PROCESSOR[name]
    attrs = dict(plan)
    attrs["tt.kernel_role"] = name
    attrs["tt.runtime_args"] = list(runtime_args)
    attrs["tt.accessors"] = list(accessors)
    attrs["tt.kernel_spec"] = {"kind": "compute" if name == "compute" else "dataflow", "processor": processor,
                               "noc": noc, "cores": cores, "accessors": list(accessors),
                               "runtime_arg_names": list(runtime_args), "runtime_args": rows}
    return attrs


# --------------------------------------------------------------------------------------------------
# matmul: 1024^3 bf16, 64x64 output blocks of fp32 accumulators, K step 32 (the contract's example).

MATMUL = plan_attrs(
    "matmul", (16, 16), (8, 8), [4] * 64,
    [cb(0, "A_s", "bfloat16", 4, 2, "input"), cb(1, "B_s", "bfloat16", 4, 2, "input"),
     cb(16, "C_l", "bfloat16", 8, 4, "output")],
    [tensor("A", 0, (1024, 1024), "bfloat16", "read"), tensor("B", 1, (1024, 1024), "bfloat16", "read"),
     tensor("C", 2, (1024, 1024), "bfloat16", "write")],
    fp32=True)


@I.ir_module
class Matmul:
    @T.prim_func
    def matmul_reader():
        T.func_attr(role(MATMUL, "reader", ["block_start", "block_count", "addr:A", "addr:B"], ["A", "B"]))
        block_start: T.int32 = T.tt.get_arg_val(0)
        block_count: T.int32 = T.tt.get_arg_val(1)
        A_addr: T.int32 = T.tt.get_arg_val(2)
        B_addr: T.int32 = T.tt.get_arg_val(3)
        T.tt.tensor_accessor("A", 0, A_addr, 2048)
        T.tt.tensor_accessor("B", 1, B_addr, 2048)
        for b in range(block_count):
            bid: T.int32 = block_start + b
            by: T.int32 = bid // 16
            bx: T.int32 = bid % 16
            for k in range(32):
                T.tt.cb_reserve_back(0, 2)
                for i, j in T.grid(2, 1):
                    T.tt.noc_async_read_page((by * 2 + i) * 32 + (k + j), "A",
                                             T.tt.get_write_ptr(0) + (i * 1 + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(0, 2)
                T.tt.cb_reserve_back(1, 2)
                for i, j in T.grid(1, 2):
                    T.tt.noc_async_read_page((k + i) * 32 + (bx * 2 + j), "B",
                                             T.tt.get_write_ptr(1) + (i * 2 + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(1, 2)

    @T.prim_func
    def matmul_compute():
        T.func_attr(role(MATMUL, "compute", ["block_start", "block_count"]))
        block_start: T.int32 = T.tt.get_arg_val(0)
        block_count: T.int32 = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_init(0, 1, 16)
        for b in range(block_count):
            T.tt.tile_regs_acquire()
            for k in range(32):
                T.tt.cb_wait_front(0, 2)
                T.tt.cb_wait_front(1, 2)
                for i, j, kk in T.grid(2, 2, 1):
                    T.tt.matmul_tiles(0, 1, i * 1 + kk, kk * 2 + j, i * 2 + j)
                T.tt.cb_pop_front(0, 2)
                T.tt.cb_pop_front(1, 2)
            T.tt.tile_regs_commit()
            T.tt.tile_regs_wait()
            T.tt.cb_reserve_back(16, 4)
            for t in range(4):
                T.tt.pack_tile(t, 16)
            T.tt.cb_push_back(16, 4)
            T.tt.tile_regs_release()

    @T.prim_func
    def matmul_writer():
        T.func_attr(role(MATMUL, "writer", ["block_start", "block_count", "addr:C"], ["C"]))
        block_start: T.int32 = T.tt.get_arg_val(0)
        block_count: T.int32 = T.tt.get_arg_val(1)
        C_addr: T.int32 = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("C", 0, C_addr, 2048)
        for b in range(block_count):
            bid: T.int32 = block_start + b
            by: T.int32 = bid // 16
            bx: T.int32 = bid % 16
            T.tt.cb_wait_front(16, 4)
            for i, j in T.grid(2, 2):
                T.tt.noc_async_write_page((by * 2 + i) * 32 + (bx * 2 + j), "C",
                                          T.tt.get_read_ptr(16) + (i * 2 + j) * 2048)
            T.tt.noc_async_write_barrier()
            T.tt.cb_pop_front(16, 4)


# --------------------------------------------------------------------------------------------------
# element-wise add: C = A + B, 256x256 bf16, 32x64 blocks (1x2 tiles), 32 blocks on 16 cores.

ADD = plan_attrs(
    "eltwise_add", (4, 8), (8, 2), [2] * 16,
    [cb(0, "A_s", "bfloat16", 4, 2, "input"), cb(1, "B_s", "bfloat16", 4, 2, "input"),
     cb(16, "C_s", "bfloat16", 4, 2, "output")],
    [tensor("A", 0, (256, 256), "bfloat16", "read"), tensor("B", 1, (256, 256), "bfloat16", "read"),
     tensor("C", 2, (256, 256), "bfloat16", "write")])


@I.ir_module
class EltwiseAdd:
    @T.prim_func
    def eltwise_add_reader():
        T.func_attr(role(ADD, "reader", ["block_start", "block_count", "addr:A", "addr:B"], ["A", "B"]))
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        A_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        B_addr: T.let[T.int32] = T.tt.get_arg_val(3)
        T.tt.tensor_accessor("A", 0, A_addr, 2048)
        T.tt.tensor_accessor("B", 1, B_addr, 2048)
        for b in range(block_count):
            bid: T.let[T.int32] = block_start + b
            by: T.let[T.int32] = bid // 4
            bx: T.let[T.int32] = bid % 4
            T.tt.cb_reserve_back(0, 2)
            for j in range(2):
                T.tt.noc_async_read_page(by * 8 + (bx * 2 + j), "A", T.tt.get_write_ptr(0) + j * 2048)
            T.tt.noc_async_read_barrier()
            T.tt.cb_push_back(0, 2)
            T.tt.cb_reserve_back(1, 2)
            for j in range(2):
                T.tt.noc_async_read_page(by * 8 + (bx * 2 + j), "B", T.tt.get_write_ptr(1) + j * 2048)
            T.tt.noc_async_read_barrier()
            T.tt.cb_push_back(1, 2)

    @T.prim_func
    def eltwise_add_compute():
        T.func_attr(role(ADD, "compute", ["block_start", "block_count"]))
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 0)
        T.tt.binary_init("add", 0, 1)
        for b in range(block_count):
            T.tt.cb_wait_front(0, 2)
            T.tt.cb_wait_front(1, 2)
            T.tt.tile_regs_acquire()
            for t in range(2):
                T.tt.binary_tiles("add", 0, 1, t, t, t)
            T.tt.tile_regs_commit()
            T.tt.tile_regs_wait()
            T.tt.cb_reserve_back(16, 2)
            for t in range(2):
                T.tt.pack_tile(t, 16)
            T.tt.cb_push_back(16, 2)
            T.tt.tile_regs_release()
            T.tt.cb_pop_front(0, 2)
            T.tt.cb_pop_front(1, 2)

    @T.prim_func
    def eltwise_add_writer():
        T.func_attr(role(ADD, "writer", ["block_start", "block_count", "addr:C"], ["C"]))
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        C_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("C", 0, C_addr, 2048)
        for b in range(block_count):
            bid: T.let[T.int32] = block_start + b
            by: T.let[T.int32] = bid // 4
            bx: T.let[T.int32] = bid % 4
            T.tt.cb_wait_front(16, 2)
            for j in range(2):
                T.tt.noc_async_write_page(by * 8 + (bx * 2 + j), "C", T.tt.get_read_ptr(16) + j * 2048)
            T.tt.noc_async_write_barrier()
            T.tt.cb_pop_front(16, 2)


# --------------------------------------------------------------------------------------------------
# unary chain: Y = recip(sqrt(exp(X))), 256x128 fp32, one tile row (4 tiles) per block, 1-D grid of 8
# blocks on 5 cores of a 3x2 core grid (uneven split, partial second row).

UNARY = plan_attrs(
    "unary_chain", (8, 1), (3, 2), [2, 2, 1, 1, 2],
    [cb(0, "X_s", "float32", 8, 4, "input"), cb(16, "Y_s", "float32", 8, 4, "output")],
    [tensor("X", 0, (256, 128), "float32", "read"), tensor("Y", 1, (256, 128), "float32", "write")],
    fp32=True)


@I.ir_module
class UnaryChain:
    @T.prim_func
    def unary_chain_reader():
        T.func_attr(role(UNARY, "reader", ["block_start", "block_count", "addr:X"], ["X"]))
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        X_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("X", 0, X_addr, 4096)
        for b in range(block_count):
            bx: T.let[T.int32] = block_start + b
            T.tt.cb_reserve_back(0, 4)
            for j in range(4):
                T.tt.noc_async_read_page(bx * 4 + j, "X", T.tt.get_write_ptr(0) + j * 4096)
            T.tt.noc_async_read_barrier()
            T.tt.cb_push_back(0, 4)

    @T.prim_func
    def unary_chain_compute():
        T.func_attr(role(UNARY, "compute", ["block_start", "block_count"]))
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 0, 16, 0)
        T.tt.copy_init(0)
        for b in range(block_count):
            T.tt.cb_wait_front(0, 4)
            T.tt.tile_regs_acquire()
            for t in range(4):
                T.tt.copy_tile(0, t, t)
            T.tt.unary_init("exp")
            for t in range(4):
                T.tt.unary_tile("exp", t)
            T.tt.unary_init("sqrt")
            for t in range(4):
                T.tt.unary_tile("sqrt", t)
            T.tt.unary_init("recip")
            for t in range(4):
                T.tt.unary_tile("recip", t)
            T.tt.tile_regs_commit()
            T.tt.tile_regs_wait()
            T.tt.cb_reserve_back(16, 4)
            for t in range(4):
                T.tt.pack_tile(t, 16)
            T.tt.cb_push_back(16, 4)
            T.tt.tile_regs_release()
            T.tt.cb_pop_front(0, 4)

    @T.prim_func
    def unary_chain_writer():
        T.func_attr(role(UNARY, "writer", ["block_start", "block_count", "addr:Y"], ["Y"]))
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        Y_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("Y", 0, Y_addr, 4096)
        for b in range(block_count):
            bx: T.let[T.int32] = block_start + b
            T.tt.cb_wait_front(16, 4)
            for j in range(4):
                T.tt.noc_async_write_page(bx * 4 + j, "Y", T.tt.get_read_ptr(16) + j * 4096)
            T.tt.noc_async_write_barrier()
            T.tt.cb_pop_front(16, 4)


# --------------------------------------------------------------------------------------------------
# matmul + bias + relu: C = relu(A @ B + D), A 256x512, B 512x256, D and C 256x256 bf16; 64x64 blocks,
# 16 blocks on a 4x2 core grid; the epilogue runs on DST (dest-reuse add, SFPU relu) before packing.

MMB = plan_attrs(
    "matmul_bias_relu", (4, 4), (4, 2), [2] * 8,
    [cb(0, "A_s", "bfloat16", 4, 2, "input"), cb(1, "B_s", "bfloat16", 4, 2, "input"),
     cb(2, "D_s", "bfloat16", 4, 4, "input"), cb(16, "C_l", "bfloat16", 8, 4, "output")],
    [tensor("A", 0, (256, 512), "bfloat16", "read"), tensor("B", 1, (512, 256), "bfloat16", "read"),
     tensor("D", 2, (256, 256), "bfloat16", "read"), tensor("C", 3, (256, 256), "bfloat16", "write")],
    fp32=True)


@I.ir_module
class MatmulBiasRelu:
    @T.prim_func
    def matmul_bias_relu_reader():
        T.func_attr(role(MMB, "reader", ["block_start", "block_count", "addr:A", "addr:B", "addr:D"],
                         ["A", "B", "D"]))
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        A_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        B_addr: T.let[T.int32] = T.tt.get_arg_val(3)
        D_addr: T.let[T.int32] = T.tt.get_arg_val(4)
        T.tt.tensor_accessor("A", 0, A_addr, 2048)
        T.tt.tensor_accessor("B", 1, B_addr, 2048)
        T.tt.tensor_accessor("D", 2, D_addr, 2048)
        for b in range(block_count):
            bid: T.let[T.int32] = block_start + b
            by: T.let[T.int32] = bid // 4
            bx: T.let[T.int32] = bid % 4
            for k in range(16):
                T.tt.cb_reserve_back(0, 2)
                for i in range(2):
                    T.tt.noc_async_read_page((by * 2 + i) * 16 + k, "A", T.tt.get_write_ptr(0) + i * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(0, 2)
                T.tt.cb_reserve_back(1, 2)
                for j in range(2):
                    T.tt.noc_async_read_page(k * 8 + (bx * 2 + j), "B", T.tt.get_write_ptr(1) + j * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(1, 2)
            T.tt.cb_reserve_back(2, 4)
            for i, j in T.grid(2, 2):
                T.tt.noc_async_read_page((by * 2 + i) * 8 + (bx * 2 + j), "D",
                                         T.tt.get_write_ptr(2) + (i * 2 + j) * 2048)
            T.tt.noc_async_read_barrier()
            T.tt.cb_push_back(2, 4)

    @T.prim_func
    def matmul_bias_relu_compute():
        T.func_attr(role(MMB, "compute", ["block_start", "block_count"]))
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_init(0, 1, 16)
        for b in range(block_count):
            T.tt.tile_regs_acquire()
            for k in range(16):
                T.tt.cb_wait_front(0, 2)
                T.tt.cb_wait_front(1, 2)
                for i, j in T.grid(2, 2):
                    T.tt.matmul_tiles(0, 1, i, j, i * 2 + j)
                T.tt.cb_pop_front(0, 2)
                T.tt.cb_pop_front(1, 2)
            T.tt.cb_wait_front(2, 4)
            T.tt.binary_dest_reuse_init("add", 2)
            for t in range(4):
                T.tt.binary_dest_reuse_tiles("add", 2, t, t)
            T.tt.cb_pop_front(2, 4)
            T.tt.unary_init("relu")
            for t in range(4):
                T.tt.unary_tile("relu", t)
            T.tt.tile_regs_commit()
            T.tt.tile_regs_wait()
            T.tt.cb_reserve_back(16, 4)
            for t in range(4):
                T.tt.pack_tile(t, 16)
            T.tt.cb_push_back(16, 4)
            T.tt.tile_regs_release()
            T.tt.matmul_init(0, 1, 16)

    @T.prim_func
    def matmul_bias_relu_writer():
        T.func_attr(role(MMB, "writer", ["block_start", "block_count", "addr:C"], ["C"]))
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        C_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("C", 0, C_addr, 2048)
        for b in range(block_count):
            bid: T.let[T.int32] = block_start + b
            by: T.let[T.int32] = bid // 4
            bx: T.let[T.int32] = bid % 4
            T.tt.cb_wait_front(16, 4)
            for i, j in T.grid(2, 2):
                T.tt.noc_async_write_page((by * 2 + i) * 8 + (bx * 2 + j), "C",
                                          T.tt.get_read_ptr(16) + (i * 2 + j) * 2048)
            T.tt.noc_async_write_barrier()
            T.tt.cb_pop_front(16, 4)


CASES = {"matmul": Matmul, "eltwise_add": EltwiseAdd, "unary_chain": UnaryChain,
         "matmul_bias_relu": MatmulBiasRelu}


# --------------------------------------------------------------------------------------------------
# helpers shared by the tests

import functools  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
STUB_INCLUDE = HERE / "stub_sdk" / "include"
GOLDEN_DIR = HERE.parents[1] / "golden" / "codegen"
PROFILE_NAMES = ("M081", "E4", "E3")
# The emulator API era of each profile (TT_EMU_API_ERA; tilelang_tt.runtime.emulator.ERA).
ERA = {"M081": 5, "E4": 4, "E3": 3}
EMU_INCLUDE = HERE.parents[2] / "tilelang_tt" / "emulator" / "include"
KERNEL_SOURCES = ("reader.cpp", "compute.cpp", "writer.cpp")


@functools.lru_cache(maxsize=None)
def sources(case: str, profile: str) -> dict:
    from tilelang_tt.codegen import generate

    return generate(CASES[case], api_profile=profile)


def gxx() -> str | None:
    return os.environ.get("CXX_FOR_TESTS") or shutil.which("g++")


def syntax_check(path: Path, profile: str, extra=()) -> subprocess.CompletedProcess:
    """g++ -fsyntax-only against the declaration-only stub SDK of an API era (E3, E4); the stub records
    nothing past E4, so M081 sources are checked against the emulator SDK's era-5 headers here (and
    against the released headers themselves by tests/unit/realapi)."""
    if ERA[profile] >= 5:
        sdk = [f"-I{EMU_INCLUDE}", f"-DTT_EMU_API_ERA={ERA[profile]}",
               "-DKERNEL_COMPILE_TIME_ARGS=" + ",".join(["2,2048"] * 8)]
    else:
        sdk = [f"-I{STUB_INCLUDE}", f"-DTT_STUB_API_ERA={ERA[profile]}"]
    cmd = [gxx(), "-std=c++20", "-fsyntax-only", "-Wall", "-Werror", "-x", "c++", *sdk, *extra, str(path)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
