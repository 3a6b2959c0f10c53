"""The compute printer enforces the Tensix compute protocol; the printers reject malformed TT-level TIR."""
import pytest
import tvm
from tvm.script import tirx as T

import codegen_cases as K
from tilelang_tt import TTCompileError
from tilelang_tt.codegen import device_program, generate, generate_kernel


def with_role(mod, role, func):
    """`mod` with its `role` function replaced by `func` (keeping the original's attributes)."""
    funcs = {}
    for gv, f in mod.functions.items():
        if str(f.attrs["tt.kernel_role"]) == role:
            func = func.with_attrs({str(k): v for k, v in f.attrs.items()})
            funcs[tvm.ir.GlobalVar(gv.name_hint)] = func
        else:
            funcs[tvm.ir.GlobalVar(gv.name_hint)] = f
    return tvm.IRModule(funcs)


def compute_error(func, mod=K.Matmul):
    with pytest.raises(TTCompileError) as info:
        generate(with_role(mod, "compute", func))
    return str(info.value)


def test_hw_startup_twice():
    @T.prim_func
    def f():
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_init(0, 1, 16)

    msg = compute_error(f)
    assert "more than once" in msg and "matmul" in msg and "compute kernel" in msg


def test_hw_startup_missing():
    @T.prim_func
    def f():
        T.tt.matmul_init(0, 1, 16)

    assert "before compute_kernel_hw_startup" in compute_error(f)


def test_hw_startup_not_first():
    @T.prim_func
    def f():
        T.tt.tile_regs_acquire()
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)

    assert "before compute_kernel_hw_startup" in compute_error(f)


def test_hw_startup_inside_loop():
    @T.prim_func
    def f():
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        for b in range(block_count):
            T.tt.compute_kernel_hw_startup(0, 1, 16, 1)

    assert "not inside a loop" in compute_error(f)


def test_hw_startup_never_called():
    @T.prim_func
    def f():
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        for b in range(block_count):
            T.evaluate(0)

    assert "never calls" in compute_error(f)


def test_math_without_acquire():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_init(0, 1, 16)
        T.tt.matmul_tiles(0, 1, 0, 0, 0)

    assert "tile_regs_acquire" in compute_error(f)


def test_pack_before_wait():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_init(0, 1, 16)
        T.tt.tile_regs_acquire()
        T.tt.matmul_tiles(0, 1, 0, 0, 0)
        T.tt.tile_regs_commit()
        T.tt.pack_tile(0, 16)
        T.tt.tile_regs_wait()
        T.tt.tile_regs_release()

    assert "pack_tile reads DST, which is committed" in compute_error(f)


def test_release_before_commit():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.tile_regs_acquire()
        T.tt.tile_regs_release()

    assert "tile_regs_release needs DST waited, but it is acquired" in compute_error(f)


def test_dst_not_released_at_end():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.tile_regs_acquire()
        T.tt.tile_regs_commit()

    assert "still committed at the end" in compute_error(f)


def test_loop_iteration_must_preserve_dst_state():
    @T.prim_func
    def f():
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        for b in range(block_count):
            T.tt.tile_regs_acquire()
        T.tt.tile_regs_commit()
        T.tt.tile_regs_wait()
        T.tt.tile_regs_release()

    assert "each iteration must leave DST" in compute_error(f)


def test_branches_must_agree_on_dst_state():
    @T.prim_func
    def f():
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        if block_count > 0:
            T.tt.tile_regs_acquire()

    assert "branches of this conditional" in compute_error(f)


def test_tile_op_needs_its_init():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.tile_regs_acquire()
        T.tt.matmul_tiles(0, 1, 0, 0, 0)
        T.tt.tile_regs_commit()
        T.tt.tile_regs_wait()
        T.tt.tile_regs_release()

    assert "call T.tt.matmul_init(0, 1, <out cb>) first" in compute_error(f)


def test_family_switch_needs_reinit_on_next_iteration():
    """matmul then a dest-reuse epilogue inside the block loop, without re-initialising matmul."""
    @T.prim_func
    def f():
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_init(0, 1, 16)
        for b in range(block_count):
            T.tt.tile_regs_acquire()
            T.tt.matmul_tiles(0, 1, 0, 0, 0)
            T.tt.binary_dest_reuse_init("add", 0)
            T.tt.binary_dest_reuse_tiles("add", 0, 0, 0)
            T.tt.tile_regs_commit()
            T.tt.tile_regs_wait()
            T.tt.tile_regs_release()

    msg = compute_error(f)
    assert "matmul_tiles runs while the FPU is configured for reuse 'add'" in msg


def test_sfpu_op_needs_its_own_init():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 0, 16, 0)
        T.tt.copy_init(0)
        T.tt.unary_init("exp")
        T.tt.tile_regs_acquire()
        T.tt.copy_tile(0, 0, 0)
        T.tt.unary_tile("sqrt", 0)
        T.tt.tile_regs_commit()
        T.tt.tile_regs_wait()
        T.tt.tile_regs_release()

    assert "unary_init('sqrt')" in compute_error(f)


def test_fill_tile_prints_its_init():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.tile_regs_acquire()
        T.tt.fill_tile(0, T.float32(0.5))
        T.tt.tile_regs_commit()
        T.tt.tile_regs_wait()
        T.tt.cb_reserve_back(16, 1)
        T.tt.pack_tile(0, 16)
        T.tt.cb_push_back(16, 1)
        T.tt.tile_regs_release()

    # (a body that ignores the input CBs: print the kernel alone, without the CB balance check)
    src = generate_kernel(device_program(with_role(K.Matmul, "compute", f), check_balance=False), "compute")
    assert "    fill_tile_init();\n    fill_tile(0, 0.5f);\n" in src
    assert '#include "api/compute/eltwise_unary/fill.h"' in src


def test_dataflow_intrinsic_in_compute_kernel():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.noc_async_read_barrier()

    assert "not available in a compute kernel" in compute_error(f)


def test_cb_not_in_plan():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.cb_wait_front(7, 1)

    assert "CB c_7 is not in the CB plan" in compute_error(f)


def test_unknown_unary_op():
    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.unary_init("tanh")

    assert "unknown SFPU unary op 'tanh'" in compute_error(f)


def reader_error(func):
    with pytest.raises(TTCompileError) as info:
        generate(with_role(K.Matmul, "reader", func))
    return str(info.value)


def test_accessor_slot_must_follow_chain():
    @T.prim_func
    def f():
        A_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        B_addr: T.let[T.int32] = T.tt.get_arg_val(3)
        T.tt.tensor_accessor("B", 1, B_addr, 2048)
        T.tt.tensor_accessor("A", 0, A_addr, 2048)

    assert "expected 0" in reader_error(f)


def test_accessor_order_must_match_plan():
    @T.prim_func
    def f():
        A_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        B_addr: T.let[T.int32] = T.tt.get_arg_val(3)
        T.tt.tensor_accessor("B", 0, B_addr, 2048)
        T.tt.tensor_accessor("A", 1, A_addr, 2048)

    assert "disagrees with the kernel's tt.accessors" in reader_error(f)


def test_undeclared_accessor():
    @T.prim_func
    def f():
        T.tt.noc_async_read_page(0, "A", T.tt.get_write_ptr(0))

    assert "before its T.tt.tensor_accessor" in reader_error(f)


def test_unbound_variable():
    n = tvm.ir.Var("n", "int32")
    from tilelang_tt import intrinsics

    f = tvm.tirx.PrimFunc([], intrinsics.evaluate("cb_push_back", 0, n))
    assert "never bound" in reader_error(f)


def test_golden_cases_pass_the_protocol_checker():
    # the four golden cases pass the checker in both profiles (regression guard for the checker)
    for case in K.CASES:
        for profile in K.PROFILE_NAMES:
            K.sources(case, profile)


def test_dst_capacity():
    """fp32 accumulation in half-sync mode leaves 4 DST tiles per acquire (metalium-api.md D.4)."""
    from tilelang_tt import TTResourceError

    @T.prim_func
    def f():
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_init(0, 1, 16)
        T.tt.tile_regs_acquire()
        for i, j in T.grid(2, 4):
            T.tt.matmul_tiles(0, 1, i, j, i * 4 + j)
        T.tt.tile_regs_commit()
        T.tt.tile_regs_wait()
        T.tt.tile_regs_release()

    with pytest.raises(TTResourceError, match="uses DST tile 7, but DST holds 4 tiles"):
        generate(with_role(K.Matmul, "compute", f))


def test_accessor_missing_from_kernel():
    @T.prim_func
    def f():
        A_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("A", 0, A_addr, 2048)

    assert "declares tensor accessors ['A'], but its tt.accessors" in reader_error(f)


def test_accessor_inside_loop():
    @T.prim_func
    def f():
        A_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        for b in range(2):
            T.tt.tensor_accessor("A", 0, A_addr, 2048)

    assert "at the top of the kernel" in reader_error(f)


def _fp32_partials_matmul():
    from tilelang_tt import samples
    from tilelang_tt.passes import lower_to_tt
    return lower_to_tt(samples.matmul(128, 128, 256, 64, 64, 32), "tenstorrent", schedule="multicast", grid=(2, 2),
                       per_core_m=2, per_core_n=2, in0_block_w=2, subblock_h=2, subblock_w=2, partials="reload")


@pytest.mark.parametrize("line,want", [
    ("T.tt.pack_reconfig_data_format(24)", "pack_tile packs into c_24 (Float32) with the packer, which is "
                                           "configured for 'Float16_b'"),
    ("T.tt.pack_reconfig_data_format(16)", "pack_tile packs into c_16 (Float16_b) with the packer"),
    ("T.tt.reconfig_data_format_srca(24)", "copy_tile unpacks c_24 (Float32) through SrcA"),
    ("T.tt.reconfig_data_format_srca(1)", "matmul_block unpacks c_1 (Float16_b) through SrcA"),
])
def test_a_missing_format_reconfig_is_a_compile_error(line, want):
    """The printer checks the format units as the emulator does (analysis/format_table.py): a unit left on
    another format than the CB it unpacks / packs is rejected before any C++ exists."""
    mod = _fp32_partials_matmul()
    generate(mod)                                            # as lowered: consistent
    compute = next(f for f in mod.functions.values() if str(f.attrs["tt.kernel_role"]) == "compute")
    text = compute.script()
    assert line in text
    lines = text.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.strip() == line)
    broken = tvm.script.from_source("\n".join(lines[:i] + lines[i + 1:]))
    msg = compute_error(broken, mod)
    assert want in msg and f"call {line} first" in msg
