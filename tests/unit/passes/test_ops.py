"""Kernels beyond matmul (docs/ops.md): reductions, broadcasts, scalar operands, results in L1, softmax,
layernorm, rmsnorm and a matmul with a bias row. Each runs three ways: on the emulator (the generated
C++), in the numpy interpreter of TT-level TIR (tilelang_tt.ttir.interp) and as a bounded float64
reference (tilelang_tt.sample_bounds); both executions must be within the derived bound, and the two must
agree tile by tile within the sum of their bounds."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import numerics as N
from tilelang_tt import sample_bounds as R
from tilelang_tt import samples
from tilelang_tt.passes import lower_to_tt
from tilelang_tt.ttir import interp

CHIPS = ("tenstorrent", "tenstorrent/blackhole")


def _data(shape, dtype, seed, scale=3.0):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    return x.astype(ml_dtypes.bfloat16 if dtype == "bfloat16" else np.float32)


def _tiles(shape):
    for r in range(0, shape[0], 32):
        for c in range(0, shape[1], 32):
            yield np.s_[r:r + 32, c:c + 32]


def _three_ways(func, inputs: dict, out_name, out_shape, ref: N.Bounded, target="tenstorrent", **options):
    kernel = tilelang_tt.compile(func, target=target, out_idx=len(inputs), **options)
    emu = np.asarray(kernel(*inputs.values()), np.float32)
    tensors = {k: np.asarray(v, np.float32) for k, v in inputs.items()}
    tensors[out_name] = np.zeros(out_shape, np.float32)
    sim = interp.run(lower_to_tt(func, target, **options), tensors)[0][out_name]
    problems = []
    for who, got in (("emulator", emu), ("interpreter", sim)):
        chk = N.check_bounded(got, ref)
        if not chk.ok:
            problems.append(f"{who} is outside the bound: {chk.describe()}")
    for sl in _tiles(out_shape):
        e = emu[sl].astype(np.float64)
        with np.errstate(invalid="ignore"):             # equal infinities (a -inf mask) agree: difference 0
            diff = np.where(e == sim[sl], 0.0, np.abs(e - sim[sl]))
        if np.any(diff > 2 * ref.err[sl]):
            problems.append(f"tile {sl}: max |emulator - interpreter| {diff.max():.3g} > {2 * ref.err[sl].max():.3g}")
    assert not problems, "\n".join(problems)
    return kernel


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_softmax(target, dtype):
    M, N_ = 64, 128
    a = _data((M, N_), dtype, 1)
    _three_ways(samples.softmax(M, N_, dtype=dtype), {"A": a}, "C", (M, N_), R.softmax(a, dtype), target)


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_layernorm(target, dtype):
    M, N_ = 64, 128
    a, g, b = _data((M, N_), dtype, 2), _data((1, N_), dtype, 3, 1.0), _data((1, N_), dtype, 4, 1.0)
    _three_ways(samples.layernorm(M, N_, dtype=dtype), {"A": a, "G": g, "B": b}, "C", (M, N_),
                R.layernorm(a, g, b, dtype), target)


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_rmsnorm(target, dtype):
    M, N_ = 64, 128
    a, g = _data((M, N_), dtype, 5), _data((1, N_), dtype, 6, 1.0)
    _three_ways(samples.rmsnorm(M, N_, dtype=dtype), {"A": a, "G": g}, "C", (M, N_), R.rmsnorm(a, g, dtype), target)


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_matmul_bias_row(target, dtype):
    M, N_, K = 64, 128, 64
    a, b, bias = _data((M, K), dtype, 7, 1.0), _data((K, N_), dtype, 8, 1.0), _data((1, N_), dtype, 9)
    kernel = _three_ways(samples.matmul_bias_row(M, N_, K, dtype=dtype), {"A": a, "B": b, "Bias": bias}, "C",
                         (M, N_), R.matmul_bias_row(a, b, bias, dtype), target, schedule="naive")
    # the (1, N) bias is one row of tiles in DRAM; in the naive schedule (the interpreter runs naive
    # programs; the fast schedules: tests/e2e/test_matmul_bias_row.py) the accumulator round-trips through
    # a spill CB
    assert any(cb.name == "C_l_spill" for cb in kernel.program.cbs)


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_attention(target, dtype):
    S, D = 128, 64
    q, k, v = _data((S, D), dtype, 12, 1.0), _data((S, D), dtype, 13, 1.0), _data((S, D), dtype, 14, 1.0)
    kernel = _three_ways(samples.attention(S, D, dtype=dtype), {"Q": q, "K": k, "V": v}, "O", (S, D),
                         R.attention(q, k, v, dtype), target)
    # the scores go DST -> L1 straight from the gemm's slots (Tx.copy(shared, local) is a pack, no copy)
    assert any(cb.name == "S_s" for cb in kernel.program.cbs)


@pytest.mark.parametrize("S,D,dtype,target,causal", [
    (512, 64, "bfloat16", "tenstorrent", False),
    (256, 128, "float32", "tenstorrent/blackhole", True),
    pytest.param(1024, 128, "bfloat16", "tenstorrent/blackhole", False, marks=pytest.mark.slow),
    pytest.param(1024, 64, "float32", "tenstorrent", False, marks=pytest.mark.slow),
    pytest.param(512, 128, "float32", "tenstorrent", False, marks=pytest.mark.slow),
    pytest.param(512, 64, "bfloat16", "tenstorrent/blackhole", True, marks=pytest.mark.slow),
    pytest.param(256, 128, "float32", "tenstorrent/blackhole", False, marks=pytest.mark.slow),
])
def test_flash_attention(S, D, dtype, target, causal):
    """Score rows longer than DST: the online softmax over key blocks, state carried in CBs; causal masks
    the later keys of every key block with a Tx.select the reader builds per iteration."""
    q, k, v = _data((S, D), dtype, 15, 1.0), _data((S, D), dtype, 16, 1.0), _data((S, D), dtype, 17, 1.0)
    kernel = _three_ways(samples.flash_attention(S, D, dtype=dtype, causal=causal), {"Q": q, "K": k, "V": v}, "O",
                         (S, D), R.flash_attention(q, k, v, dtype, causal=causal), target)
    # the running max, sum and output are carried: each holds its old and new value while rewritten
    cbs = {cb.name: cb for cb in kernel.program.cbs}
    assert all(cbs[n].num_pages == 2 * cbs[n].block_pages for n in ("m", "l", "O_s"))
    # the model counts every iteration: both matmuls (2 S^2 D FLOPs each); Q read and O written once, K and V
    # read whole by each of the S / 32 blocks
    est, size = kernel.estimate(), np.dtype(q.dtype).itemsize
    assert est.flops == 4 * S * S * D
    assert est.dram_bytes == (2 * S * D + 2 * (S // 32) * S * D) * size


@pytest.mark.parametrize("op,dtype", [("sum", "bfloat16"), ("sum", "float32"), ("max", "bfloat16"),
                                      ("max", "float32")])
@pytest.mark.parametrize("axis", ["row", "col", "all"])
def test_reductions(op, axis, dtype):
    M, N_ = 64, 128
    a = _data((M, N_), dtype, 10)
    shape = {"row": (M, 1), "col": (1, N_), "all": (1, 1)}[axis]
    _three_ways(samples.reduce(op, axis, M, N_, dtype=dtype), {"A": a}, "C", shape, R.reduce(op, axis, a))


def test_max_of_all_negative_rows_is_not_zero():
    M, N_ = 32, 64
    a = (-np.abs(_data((M, N_), "float32", 11)) - 1).astype(np.float32)
    _three_ways(samples.reduce("max", "row", M, N_, dtype="float32"), {"A": a}, "C", (M, 1),
                R.reduce("max", "row", a))


def test_generated_reduce_and_bcast_sequence():
    """The compute kernel of softmax: the release's reduce sequence (reconfig before a row SUM's init,
    reduce_uninit after the reduce's pack), column broadcasts of the row statistics, intermediates in
    c_24.. CBs, and the reader filling the scaler tile once."""
    k = tilelang_tt.compile(samples.softmax(64, 128), out_idx=1)
    cpp = k.sources["compute.cpp"]
    for frag in ("reduce_init<PoolType::MAX, ReduceDim::REDUCE_ROW>", "reduce_uninit(",
                 "sub_bcast_cols_init(", "sub_tiles_bcast_cols(", "mul_tiles_bcast_cols(",
                 "reconfig_data_format(cb_scaler_float32, cb_E);", "reduce_init<PoolType::SUM, ReduceDim::REDUCE_ROW>"):
        assert frag in cpp, frag
    assert cpp.index("reconfig_data_format(cb_scaler_float32, cb_E)") < cpp.index("reduce_init<PoolType::SUM")
    # regions: max -> mx, x - mx -> E, exp(E) -> E, sum -> rs, 1 / rs -> rs, E * rs -> output
    assert cpp.count("tile_regs_acquire") == 6
    assert "l1_store_u32" not in k.sources["reader.cpp"] and "tt_l1_ptr" in k.sources["reader.cpp"]
    # one scaler tile per format of reduced data (bf16 X for the max, fp32 E for the sum)
    roles = {cb.name: (cb.role, cb.dtype) for cb in k.program.cbs}
    assert roles["scaler"] == ("scaler", "bfloat16") and roles["scaler_float32"] == ("scaler", "float32")
    assert roles["E"][0] == roles["mx"][0] == "intermediate"


def test_min_reduce_lowers_as_negated_max():
    """The release's FPU reduce has no MIN (a static_assert in its LLK): tt.LowerMinReduce rewrites Tx.min as
    -max(-x), the negation packed to an intermediate CB <src>_neg (numbers: test_eltwise_breadth.py)."""
    k = tilelang_tt.compile(samples.reduce("min", "row", 64, 128), out_idx=1)
    cpp = k.sources["compute.cpp"]
    assert "PoolType::MIN" not in cpp and "reduce_tile<PoolType::MAX, ReduceDim::REDUCE_ROW>(cb_A_s_neg" in cpp
    assert cpp.count("mul_unary_tile(") == 2 and any(cb.name == "A_s_neg" for cb in k.program.cbs)


def test_min_by_negated_max():
    """The rewrite the error suggests: min = -max(-x), with the negation in L1."""
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx
    M, N_ = 64, 128

    @T.prim_func
    def row_min(A: T.Buffer((M, N_), "float32"), C: T.Buffer((M, 1), "float32")):
        by = T.launch_thread("blockIdx.x", M // 32)
        A_s = T.alloc_buffer((32, N_), "float32", scope="shared")
        n = T.alloc_buffer((32, N_), "float32", scope="shared")
        r = T.alloc_buffer((32, 1), "float32", scope="local")
        Tx.copy(A_s, A[by * 32:by * 32 + 32, 0:N_])
        Tx.mul(n, A_s, T.float32(-1))
        Tx.max(r, n, axes=-1)
        Tx.mul(r, r, T.float32(-1))
        Tx.copy(C[by * 32:by * 32 + 32, 0:1], r)

    a = _data((M, N_), "float32", 12)
    x = N.Bounded.exact(a)
    ref = N.scalar("mul", N.reduce("max", N.scalar("mul", x, -1.0).stored("float32"), 1, "float32"), -1.0)
    _three_ways(row_min, {"A": a}, "C", (M, 1), ref.stored("float32"))


@pytest.mark.parametrize("dtype,N_", [("bfloat16", 1024), ("float32", 512)])
def test_long_rows_run_in_dst_sized_chunks(dtype, N_):
    """A row of 32 (bf16) / 16 (fp32) tiles does not fit DST: element-wise regions run as a loop over
    DST-sized chunks (one acquire each), the in-place exp keeps two versions of E in its CB."""
    M = 64
    a = _data((M, N_), dtype, 13)
    kernel = _three_ways(samples.softmax(M, N_, dtype=dtype), {"A": a}, "C", (M, N_), R.softmax(a, dtype))
    cpp = kernel.sources["compute.cpp"]
    assert "for (uint32_t c = 0; c < " in cpp
    e = next(cb for cb in kernel.program.cbs if cb.name == "E")
    assert e.num_pages == 2 * e.block_pages


def test_elementwise_breadth():
    """Scalar operands on each side, fdiv of tensors and by a scalar, maximum / minimum of two tensors,
    exp2, a cast to bf16 into L1, and locals read back through their spill CBs."""
    M, N_ = 64, 64
    ew_mix = samples.eltwise_breadth(M, N_)
    a = _data((M, N_), "float32", 14, 1.0)
    b = (np.abs(_data((M, N_), "float32", 15, 1.0)) + 0.5).astype(np.float32)
    A, B = N.Bounded.exact(a), N.Bounded.exact(b)
    x = N.scalar("div", N.scalar("rsub", A, 2.0), 4.0)
    y = N.extremum("maximum", A, B).stored("float32")                  # spilled in fp32
    h = N.binary("mul", A, N.unary("reciprocal", B)).stored("bfloat16")
    x = N.unary("exp2", N.extremum("minimum", x, y))
    x = N.fpu_binary("mul", x.stored("float32"), h, "float32")          # spill of x, then the FPU multiply
    _three_ways(ew_mix, {"A": a, "B": b}, "C", (M, N_), x.stored("float32"))


def test_scalar_reduce_feeds_a_scalar_broadcast():
    """A reduce over both axes leaves its value at [0, 0] of a (1, 1) buffer, which only a scalar broadcast
    reads; a column broadcast of a (R, 1) row statistic in the same kernel: Y = (X - mean(X)) * rowmax(X)."""
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx
    M, N_ = 64, 128

    @T.prim_func
    def center(A: T.Buffer((M, N_), "bfloat16"), C: T.Buffer((M, N_), "float32")):
        bx = T.launch_thread("blockIdx.x", 1)
        X = T.alloc_buffer((M, N_), "bfloat16", scope="shared")
        s = T.alloc_buffer((1, 1), "float32", scope="shared")
        mx = T.alloc_buffer((M, 1), "float32", scope="shared")
        D = T.alloc_buffer((M, N_), "float32", scope="shared")
        Y = T.alloc_buffer((M, N_), "float32", scope="local")
        Tx.copy(X, A[0:M, 0:N_])
        Tx.sum(s, X, axes=(0, 1))
        Tx.mul(s, s, T.float32(1.0 / (M * N_)))
        Tx.max(mx, X, axes=-1)
        Tx.sub(D, X, s)
        Tx.mul(Y, D, mx)
        Tx.copy(C[0:M, 0:N_], Y)

    a = _data((M, N_), "bfloat16", 16)
    x = N.Bounded.exact(a)
    mean = N.scalar("mul", N.reduce("sum", x, None).stored("float32"), 1.0 / (M * N_)).stored("float32")
    mx = N.reduce("max", x, 1).stored("float32")
    d = N.fpu_binary("sub", x, mean, "float32").stored("float32")
    kernel = _three_ways(center, {"A": a}, "C", (M, N_), N.fpu_binary("mul", d, mx, "float32").stored("float32"))
    cpp = kernel.sources["compute.cpp"]
    assert "sub_tiles_bcast_scalar(" in cpp and "mul_tiles_bcast_cols(" in cpp
    assert "ReduceDim::REDUCE_SCALAR" in cpp


def _matmul_bt(M, N_, K, dtype="bfloat16"):
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    @T.prim_func
    def matmul_bt(A: T.Buffer((M, K), dtype), B: T.Buffer((N_, K), dtype), C: T.Buffer((M, N_), dtype)):
        bx = T.launch_thread("blockIdx.x", N_ // 64)
        by = T.launch_thread("blockIdx.y", M // 32)
        A_s = T.alloc_buffer((32, 32), dtype, scope="shared")
        B_s = T.alloc_buffer((64, 32), dtype, scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        Tx.fill(C_l, T.float32(0))
        for k in T.serial(K // 32):
            Tx.copy(A_s, A[by * 32:by * 32 + 32, k * 32:k * 32 + 32])
            Tx.copy(B_s, B[bx * 64:bx * 64 + 64, k * 32:k * 32 + 32])
            Tx.gemm(C_l, A_s, B_s, C_l, transpose_B=True, beta=1.0)
        Tx.copy(C[by * 32:by * 32 + 32, bx * 64:bx * 64 + 64], C_l)

    return matmul_bt


@pytest.mark.parametrize("target", CHIPS)
def test_gemm_with_transposed_b(target):
    """C = A @ B^T with B stored (N, K): tile (j, k) of B, transposed by the unpacker (matmul_init's flag)."""
    M, N_, K = 64, 128, 96
    a, b = _data((M, K), "bfloat16", 15, 1.0), _data((N_, K), "bfloat16", 16, 1.0)
    ref = N.matmul(a, np.ascontiguousarray(b.T)).stored("bfloat16")
    # the interpreter runs the naive program (the fast schedules: tests/e2e/test_matmul_transposed_b.py)
    kernel = _three_ways(_matmul_bt(M, N_, K), {"A": a, "B": b}, "C", (M, N_), ref, target, schedule="naive")
    assert "matmul_init(cb_A_s, cb_B_s, 1);" in kernel.sources["compute.cpp"]


def test_transposed_b_comes_from_the_init(tmp_path):
    """Negative control: the same kernel with matmul_init's transpose flag dropped computes A @ B (wrong)."""
    import json

    from tilelang_tt.runtime import emulator as emu
    M, N_, K = 32, 64, 32
    kernel = tilelang_tt.compile(_matmul_bt(M, N_, K), out_idx=2, schedule="naive")
    a, b = _data((M, K), "bfloat16", 17, 1.0), _data((N_, K), "bfloat16", 18, 1.0)
    sources = dict(kernel.sources)
    sources["compute.cpp"] = sources["compute.cpp"].replace("matmul_init(cb_A_s, cb_B_s, 1);",
                                                            "matmul_init(cb_A_s, cb_B_s);")
    files = []
    for i, x in enumerate((a, b, np.zeros((M, N_), ml_dtypes.bfloat16))):
        files.append(str(tmp_path / f"t{i}.bin"))
        x.tofile(files[-1])
    emu.run_program(emu.build_program(sources), files, model=json.loads(sources["plan.json"])["model"])
    got = np.fromfile(files[2], ml_dtypes.bfloat16).astype(np.float32).reshape(M, N_)
    exact = a.astype(np.float32) @ b.astype(np.float32).T
    assert np.abs(got - exact).max() > 0.5
    untransposed = np.concatenate([a.astype(np.float32) @ b[j:j + 32].astype(np.float32) for j in (0, 32)], 1)
    np.testing.assert_allclose(got, untransposed, rtol=2e-2, atol=2e-2)


def test_transposed_a_is_refused_with_the_rewrite():
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    @T.prim_func
    def matmul_at(A: T.Buffer((32, 32), "bfloat16"), B: T.Buffer((32, 32), "bfloat16"),
                  C: T.Buffer((32, 32), "bfloat16")):
        T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 32), "float32", scope="local")
        Tx.copy(A_s, A[0:32, 0:32])
        Tx.copy(B_s, B[0:32, 0:32])
        Tx.gemm(C_l, A_s, B_s, C_l, transpose_A=True, beta=0.0)
        Tx.copy(C[0:32, 0:32], C_l)

    with pytest.raises(tilelang_tt.TTCompileError, match="(?s)transpose_A=True.*transpose_B") as e:
        tilelang_tt.compile(matmul_at, out_idx=2)
    assert "matmul_at" in str(e.value)
