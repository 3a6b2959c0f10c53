"""Element-wise breadth beyond add / sub / mul (docs/ops.md): Tx.fma, Tx.cast between bf16 and fp32 CBs,
Tx.min reductions, Tx.log2, TTx.log / TTx.rsqrt. Each runs on the emulator and in the interpreter of TT-level TIR, both within the
derived bound of the bounded float64 reference and within the sum of bounds of each other, tile by tile."""
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import numerics as N
from tilelang_tt import samples
from tilelang_tt.errors import TTCompileError

from test_ops import CHIPS, _data, _three_ways


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_fma_forms(target, dtype):
    """y = A * B + C; y = y * 0.5 + 1; S = A * -2 + y (shared, y through its spill CB); out = S * B + y."""
    M, N_ = 64, 64
    a, b, c = _data((M, N_), dtype, 30), _data((M, N_), dtype, 31), _data((M, N_), dtype, 32)
    src = "float32" if dtype == "float32" else None     # fp32 CBs enter the source registers with 19 bits
    A, B, C = N.Bounded.exact(a), N.Bounded.exact(b), N.Bounded.exact(c)
    y = N.fma(A, B, C, dtype, src).stored(dtype)
    y = N.fma(y, 0.5, 1.0, dtype).stored(dtype)
    s = N.fma(A, -2.0, y, dtype, src).stored(dtype)
    ref = N.fma(s, B, y, dtype, src).stored(dtype)
    kernel = _three_ways(samples.fma(M, N_, dtype=dtype), {"A": a, "B": b, "C": c}, "D", (M, N_), ref, target)
    cpp = kernel.sources["compute.cpp"]
    assert "mul_tiles(cb_A_s, cb_B_s" in cpp and "add_reuse_dest_tiles<EltwiseBinaryReuseDestType::DEST_TO_SRCA>(cb_C_s" in cpp
    assert "add_reuse_dest_tiles<EltwiseBinaryReuseDestType::DEST_TO_SRCA>(cb_y_spill" in cpp
    assert "add_unary_tile(" in cpp and "mul_unary_tile(" in cpp


def _fma_kernel(scale_shape, bias_scalar=False):
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    @T.prim_func
    def bad_fma(A: T.Buffer((32, 64), "bfloat16"), V: T.Buffer(scale_shape, "bfloat16"),
                D: T.Buffer((32, 64), "bfloat16")):
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        V_s = T.alloc_buffer(scale_shape, "bfloat16", scope="shared")
        y = T.alloc_buffer((32, 64), "bfloat16", scope="local")
        Tx.copy(A_s, A[0:32, 0:64])
        Tx.copy(V_s, V[0:scale_shape[0], 0:scale_shape[1]])
        Tx.fma(y, A_s, V_s, A_s)
        Tx.copy(D[0:32, 0:64], y)
    return bad_fma


def test_fma_broadcast_names_the_construct_and_the_rewrite():
    with pytest.raises(TTCompileError) as e:
        tilelang_tt.compile(_fma_kernel((32, 1)), out_idx=2)
    msg = str(e.value)
    assert "broadcast in Tx.fma(y, A_s, V_s, A_s): V_s [32, 1] and y [32, 64] differ in shape" in msg
    assert "Tx.mul(y, A_s, V_s) then Tx.add(y, y, A_s)" in msg


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_cast_between_bf16_and_fp32_cbs(target, dtype):
    """O = other format of X (shared -> shared), y = O * X (fp32 DST), H = bf16(y) (local -> shared),
    out = fp32(H + X) (local -> local): each hand-off to a CB of another format gets its reconfiguration."""
    M, N_ = 64, 64
    x = _data((M, N_), dtype, 33)
    other = "float32" if dtype == "bfloat16" else "bfloat16"
    X = N.Bounded.exact(x)
    o = X.stored(other)                         # bf16 -> fp32 is exact; fp32 -> bf16 rounds once
    src = "float32" if "float32" in (dtype, other) else None
    y = N.fpu_binary("mul", o, X, src).stored("float32")
    h = y.stored("bfloat16")
    ref = N.fpu_binary("add", h, X, "float32" if dtype == "float32" else None).stored("float32")
    kernel = _three_ways(samples.cast(M, N_, dtype=dtype), {"X": x}, "D", (M, N_), ref, target)
    cpp = kernel.sources["compute.cpp"]
    # the packer and SrcA follow the formats: fp32 X packs to a bf16 O, whose format H shares; bf16 X packs
    # to an fp32 O (the packer's startup format), then H needs bf16 for both units
    frags = (["pack_reconfig_data_format(cb_O);", "reconfig_data_format_srca(cb_O);"] if dtype == "float32" else
             ["reconfig_data_format_srca(cb_O);", "pack_reconfig_data_format(cb_H);", "reconfig_data_format_srca(cb_H);"])
    for frag in frags + ["mul_tiles(cb_O, cb_X_s", "add_tiles(cb_H, cb_X_s", "pack_reconfig_data_format(cb_zf);"]:
        assert frag in cpp, frag


@pytest.mark.parametrize("call,unit", [("pack_reconfig_data_format(cb_H)", "the packer"),
                                       ("reconfig_data_format_srca(cb_H)", "SrcA")])
def test_cast_without_its_reconfig_fails_with_the_format_error(call, unit, tmp_path):
    """The hand-off into the bf16 CB H after fp32 CBs: without the reconfiguration the compiler places, the
    emulator stops the kernel at the pack / unpack of H (a card would write or read wrong bytes)."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))
    from test_format_state import _run_sources, _without
    from tilelang_tt.errors import EmulatorFormatError
    kernel = tilelang_tt.compile(samples.cast(64, 64), out_idx=1)
    sources = dict(kernel.sources)
    _run_sources(kernel, sources, tmp_path)
    sources["compute.cpp"] = _without(sources["compute.cpp"], call)
    with pytest.raises(EmulatorFormatError) as e:
        _run_sources(kernel, sources, tmp_path)
    det = e.value.report["details"]
    assert det["unit"] == unit and {det["cb_format"], det["configured_format"]} == {"Float16_b", "Float32"}


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
@pytest.mark.parametrize("axis", ["row", "col", "all"])
def test_min_reductions(target, dtype, axis):
    """Tx.min over rows, columns or both, lowered as -max(-x) (negation is exact, so the bound is the max's)."""
    from tilelang_tt import sample_bounds as R
    M, N_ = 64, 128
    a = _data((M, N_), dtype, 34)
    shape = {"row": (M, 1), "col": (1, N_), "all": (1, 1)}[axis]
    _three_ways(samples.reduce("min", axis, M, N_, dtype=dtype), {"A": a}, "C", shape, R.reduce("min", axis, a),
                target)


def test_min_of_all_positive_rows_is_not_zero():
    """The negated rows are all negative: the max of the FPU reduce must not return the 0 of a pad or a
    cleared tile (one row block of 32x64)."""
    from tilelang_tt import sample_bounds as R
    a = (np.abs(_data((32, 64), "float32", 35)) + 1).astype(np.float32)
    _three_ways(samples.reduce("min", "row", 32, 64, dtype="float32"), {"A": a}, "C", (32, 1), R.reduce("min", "row", a))


def test_min_reduce_inside_a_loop_names_the_construct():
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    @T.prim_func
    def loop_min(A: T.Buffer((32, 128), "float32"), C: T.Buffer((32, 1), "float32")):
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((32, 64), "float32", scope="shared")
        r = T.alloc_buffer((32, 1), "float32", scope="local")
        for k in T.serial(2):
            Tx.copy(A_s, A[0:32, k * 64:k * 64 + 64])
            Tx.min(r, A_s, axes=-1)
        Tx.copy(C[0:32, 0:1], r)

    with pytest.raises(TTCompileError) as e:
        tilelang_tt.compile(loop_min, out_idx=1)
    msg = str(e.value)
    assert "Tx.min(r, A_s) inside the serial loop k" in msg and "move the reduction after the loop" in msg


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_log2_in_a_unary_chain(target, dtype):
    """Tx.log2 = log_tile then a multiply by 1/ln 2 (binop_with_scalar): exp2(log2(exp(x)))."""
    import math
    M, N_ = 64, 128
    a = _data((M, N_), dtype, 36, 1.0)
    x = N.unary("exp", N.Bounded.exact(a)).stored(dtype)
    x = N.scalar("mul", N.unary("log", x, dst=dtype).stored(dtype), 1.0 / math.log(2.0)).stored(dtype)
    ref = N.unary("exp2", x, dst=dtype).stored(dtype).stored(dtype)     # two roundings per op, as for unary chains
    kernel = _three_ways(samples.unary_chain(M, N_, ("exp", "log2", "exp2"), dtype=dtype), {"A": a}, "C", (M, N_),
                         ref, target)
    cpp = kernel.sources["compute.cpp"]
    assert "log_tile_init();" in cpp and "log_tile(" in cpp
    assert f"mul_unary_tile(t, static_cast<uint32_t>({0x3fb8aa3b}))" in cpp      # 1 / ln 2 in fp32


@pytest.mark.parametrize("target, dtype", [
    ("tenstorrent", "bfloat16"), ("tenstorrent/blackhole", "float32"),
    pytest.param("tenstorrent/blackhole", "bfloat16", marks=pytest.mark.slow),
    pytest.param("tenstorrent", "float32", marks=pytest.mark.slow)])
def test_log_and_rsqrt_tile_ops(target, dtype):
    """TTx.log / TTx.rsqrt (tilelang_tt.tile: TIRx has neither) lower to log_tile / rsqrt_tile:
    log(rsqrt(exp(x))) = -x / 2. A bf16 kernel runs log's bf16-DST polynomial on a device, which the bound
    carries (numerics.BF16_DST_ROUNDOFF)."""
    M, N_ = 64, 128
    a = _data((M, N_), dtype, 37, 1.0)
    x = N.unary("exp", N.Bounded.exact(a)).stored(dtype)
    x = N.unary("rsqrt", x).stored(dtype)
    ref = N.unary("log", x, dst=dtype).stored(dtype).stored(dtype)
    kernel = _three_ways(samples.unary_chain(M, N_, ("exp", "rsqrt", "log"), dtype=dtype), {"A": a}, "C", (M, N_),
                         ref, target)
    cpp = kernel.sources["compute.cpp"]
    for call in ("rsqrt_tile_init();", "rsqrt_tile(t);", "log_tile_init();", "log_tile(t);",
                 '#include "api/compute/eltwise_unary/rsqrt.h"'):
        assert call in cpp, call


def test_ttx_ops_build_through_tvm_and_check_their_arguments():
    """TTx ops parse inside T.prim_func and build with tvm.build; a scalar argument is the scalar intrinsic
    (as Tx.exp(value) is); anything else is a TTArgumentError naming the op and the fix."""
    import tvm
    from tvm import tirx
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx
    from tilelang_tt import tile as TTx
    from tilelang_tt.errors import TTArgumentError

    @T.prim_func
    def rsqrt_log(A: T.Buffer((32, 64), "float32"), C: T.Buffer((32, 64), "float32")):
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((32, 64), "float32", scope="shared")
        y = T.alloc_buffer((32, 64), "float32", scope="local")
        Tx.copy(A_s, A[0:32, 0:64])
        TTx.rsqrt(y, A_s)
        TTx.log(y)                      # in place, like Tx.exp(y)
        Tx.copy(C[0:32, 0:64], y)

    a = (np.random.default_rng(38).random((32, 64)) + 0.5).astype(np.float32)
    c = tvm.runtime.tensor(np.zeros((32, 64), np.float32))
    tvm.build(rsqrt_log, target="tenstorrent")["rsqrt_log"](tvm.runtime.tensor(a), c)
    want = N.unary("log", N.unary("rsqrt", N.Bounded.exact(a)).stored("float32")).stored("float32")
    assert N.check_bounded(c.numpy(), want).ok
    assert str(TTx.log(tirx.FloatImm("float32", 2.0))) == "T.log(T.float32(2.0))"
    with pytest.raises(TTArgumentError, match=r"TTx.rsqrt: `src` is .* not a buffer.*fix: pass a buffer"):
        TTx.rsqrt(tirx.decl_buffer((32, 64), "float32", "y", scope="local"), 3)


def test_log2_with_scale_names_the_construct():
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    @T.prim_func
    def scaled_log(A: T.Buffer((32, 64), "float32"), C: T.Buffer((32, 64), "float32")):
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((32, 64), "float32", scope="shared")
        y = T.alloc_buffer((32, 64), "float32", scope="local")
        Tx.copy(A_s, A[0:32, 0:64])
        Tx.log2(y, A_s, T.float32(1), T.float32(2))
        Tx.copy(C[0:32, 0:64], y)

    with pytest.raises(TTCompileError) as e:
        tilelang_tt.compile(scaled_log, out_idx=1)
    assert "Tx.log2 with bias/scale arguments" in str(e.value)


def test_matmul_with_an_fdiv_epilogue_divides():
    """Regression: the matmul schedules' epilogue applies one tile op per tile, and Tx.fdiv's table row names
    `mul` (its reciprocal is a second op), so C = A @ B / D was computed as A @ B * D. Tx.fdiv (and Tx.log2,
    also two ops) keep such kernels on the naive schedule, which lowers them whole."""
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx
    M = N_ = K = 64

    @T.prim_func
    def mm_div(A: T.Buffer((M, K), "bfloat16"), B: T.Buffer((K, N_), "bfloat16"), D: T.Buffer((M, N_), "bfloat16"),
               C: T.Buffer((M, N_), "float32")):
        bx = T.launch_thread("blockIdx.x", N_ // 32)
        by = T.launch_thread("blockIdx.y", M // 32)
        A_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        D_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 32), "float32", scope="local")
        Tx.fill(C_l, T.float32(0))
        for k in T.serial(K // 32):
            Tx.copy(A_s, A[by * 32:by * 32 + 32, k * 32:k * 32 + 32])
            Tx.copy(B_s, B[k * 32:k * 32 + 32, bx * 32:bx * 32 + 32])
            Tx.gemm(C_l, A_s, B_s, C_l, beta=1.0)
        Tx.copy(D_s, D[by * 32:by * 32 + 32, bx * 32:bx * 32 + 32])
        Tx.fdiv(C_l, C_l, D_s)
        Tx.copy(C[by * 32:by * 32 + 32, bx * 32:bx * 32 + 32], C_l)

    a, b = _data((M, K), "bfloat16", 37, 1.0), _data((K, N_), "bfloat16", 38, 1.0)
    d = (np.abs(_data((M, N_), "float32", 39, 1.0)) + 1).astype(np.float32).astype(__import__("ml_dtypes").bfloat16)
    acc = N.matmul(a, b).stored("float32")                      # the accumulator, spilled to an fp32 CB
    recip = N.unary("reciprocal", N.Bounded.exact(d)).stored("float32")
    ref = N.fpu_binary("mul", recip, acc, "float32").stored("float32")
    kernel = _three_ways(mm_div, {"A": a, "B": b, "D": d}, "C", (M, N_), ref)
    assert kernel.program.schedule_description.startswith("naive")


def _causal_fma(M=64, N_=64):
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    @T.prim_func
    def causal_fma(A: T.Buffer((M, N_), "bfloat16"), Mk: T.Buffer((M, N_), "bfloat16"),
                   F: T.Buffer((M, N_), "bfloat16"), C: T.Buffer((M, N_), "bfloat16")):
        by = T.launch_thread("blockIdx.x", M // 32)
        A_s = T.alloc_buffer((32, N_), "bfloat16", scope="shared")
        M_s = T.alloc_buffer((32, N_), "bfloat16", scope="shared")
        F_s = T.alloc_buffer((32, N_), "bfloat16", scope="shared")
        y = T.alloc_buffer((32, N_), "bfloat16", scope="local")
        Tx.copy(A_s, A[by * 32:by * 32 + 32, 0:N_])
        Tx.copy(M_s, Mk[by * 32:by * 32 + 32, 0:N_])
        Tx.copy(F_s, F[by * 32:by * 32 + 32, 0:N_])
        Tx.fma(y, A_s, M_s, F_s)
        Tx.copy(C[by * 32:by * 32 + 32, 0:N_], y)
    return causal_fma


def test_host_built_mask_with_fma_is_exact():
    """A mask as data (a host-built 0/1 tensor and fill, one Tx.fma; Tx.select is the direct form,
    tests/unit/passes/test_select.py) computes the causal mask exactly on the emulator and in the
    interpreter: x * 1 + 0 = x, x * 0 + (-inf) = -inf for finite x."""
    import ml_dtypes
    M = N_ = 64
    a = _data((M, N_), "bfloat16", 40)
    rows, cols = np.indices((M, N_))
    mask = (cols <= rows).astype(ml_dtypes.bfloat16)
    fill = np.where(cols <= rows, 0.0, -np.inf).astype(ml_dtypes.bfloat16)
    want = np.where(cols <= rows, a.astype(np.float64), -np.inf)
    ref = N.Bounded(want)                                # exact: x * 1 + 0 = x, x * 0 + (-inf) = -inf
    _three_ways(_causal_fma(), {"A": a, "Mk": mask, "F": fill}, "C", (M, N_), ref)
