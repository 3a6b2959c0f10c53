import math

import numpy as np
import pytest

from emu_testlib import BF16, rand_bf16, tilize

M, N = 64, 96  # 6 tiles


def _bf16(x):
    return np.asarray(x, dtype=np.float32).astype(BF16)


@pytest.mark.parametrize("op,fn", [("add", np.add), ("sub", np.subtract), ("mul", np.multiply)])
def test_binary_exact_bf16(runner, op, fn):
    a, b = rand_bf16((M, N), 1), rand_bf16((M, N), 2)
    c = runner.run("eltwise", [a, b], BF16, (M, N), env=dict(EW_M=M, EW_N=N, EW_OP=op, EW_CORES=4))
    # fp32 math on exact bf16 inputs, one round-to-nearest-even to bf16.
    np.testing.assert_array_equal(c, _bf16(fn(a.astype(np.float32), b.astype(np.float32))))


@pytest.mark.parametrize("op", ["reuse_add", "reuse_sub", "reuse_mul"])
def test_dest_reuse(runner, op):
    a, b = rand_bf16((M, N), 3), rand_bf16((M, N), 4)
    c = runner.run("eltwise", [a, b], BF16, (M, N), env=dict(EW_M=M, EW_N=N, EW_OP=op))
    fn = {"reuse_add": np.add, "reuse_sub": np.subtract, "reuse_mul": np.multiply}[op]
    # DEST_TO_SRCA: DST (= A, copied in) <op> B
    np.testing.assert_array_equal(c, _bf16(fn(a.astype(np.float32), b.astype(np.float32))))


_erf = np.vectorize(math.erf)
UNARY = {
    "copy": lambda x: x,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "recip": lambda x: 1.0 / x,
    "relu": lambda x: np.maximum(x, 0),
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3))),  # fast_and_approx default
    "silu": lambda x: x / (1 + np.exp(-x)),
    "fill": lambda x: np.full_like(x, 2.5),
}


@pytest.mark.parametrize("op", sorted(UNARY))
def test_copy_and_unary_sfpu(runner, op):
    lo = 0.25 if op in ("sqrt", "recip") else -2.0
    a, b = rand_bf16((M, N), 5, lo=lo), rand_bf16((M, N), 6)
    c = runner.run("eltwise", [a, b], BF16, (M, N), env=dict(EW_M=M, EW_N=N, EW_OP=op, EW_CORES=2))
    ref = UNARY[op](a.astype(np.float64)).astype(np.float32)
    np.testing.assert_allclose(c.astype(np.float32), ref, rtol=2 ** -7, atol=1e-6)


def test_pack_fp32_output_with_fp32_dest(runner):
    a, b = rand_bf16((M, N), 7), rand_bf16((M, N), 8)
    c = runner.run("eltwise", [a, b], np.float32, (M, N),
                   env=dict(EW_M=M, EW_N=N, EW_OP="mul", EW_OUT_FP32=1, EW_FP32_ACC=1))
    np.testing.assert_array_equal(c, a.astype(np.float32) * b.astype(np.float32))


def test_pack_fp32_output_bf16_dest_rounds_in_dst(runner):
    a, b = rand_bf16((M, N), 9), rand_bf16((M, N), 10)
    c = runner.run("eltwise", [a, b], np.float32, (M, N),
                   env=dict(EW_M=M, EW_N=N, EW_OP="mul", EW_OUT_FP32=1, EW_FP32_ACC=0))
    # DST in bf16 mode holds bf16 values, so the Float32 output carries bf16-rounded products
    np.testing.assert_array_equal(c, _bf16(a.astype(np.float32) * b.astype(np.float32)).astype(np.float32))


def test_tilize_helpers_and_face_layout(runner):
    a, b = rand_bf16((M, N), 11), rand_bf16((M, N), 12)
    # EW_RAW: the host writes C without untilizing: the tile/face layout as it sits in DRAM
    c = runner.run("eltwise", [a, b], BF16, (M * N,), env=dict(EW_M=M, EW_N=N, EW_OP="copy", EW_RAW=1))
    np.testing.assert_array_equal(c, tilize(a))


def test_uneven_split_over_many_cores(runner):
    m, n = 96, 160  # 15 tiles over 7 cores: groups of 3 and 2
    a, b = rand_bf16((m, n), 13), rand_bf16((m, n), 14)
    c = runner.run("eltwise", [a, b], BF16, (m, n), env=dict(EW_M=m, EW_N=n, EW_OP="add", EW_CORES=7))
    np.testing.assert_array_equal(c, _bf16(a.astype(np.float32) + b.astype(np.float32)))


@pytest.mark.parametrize("op", ["reduce_sum_row", "reduce_sum_col", "reduce_max_scalar"])
def test_reduce(runner, op):
    m, n = 32, 64
    a = rand_bf16((m, n), 15)
    scaler = np.zeros((m, n), dtype=BF16)
    scaler[[0, 16], :] = 0.5  # row 0 of every face of each tile (the release's convention); weights per position
    c = runner.run("eltwise", [a, scaler], np.float32, (m, n),
                   env=dict(EW_M=m, EW_N=n, EW_OP=op, EW_OUT_FP32=1, EW_FP32_ACC=1))
    x = a.astype(np.float32).reshape(m, n // 32, 32).transpose(1, 0, 2) * 0.5  # tiles
    exp = np.zeros((n // 32, 32, 32), np.float32)
    if op.endswith("row"):
        exp[:, :, 0] = x.sum(axis=2)
    elif op.endswith("col"):
        exp[:, 0, :] = x.sum(axis=1)
    else:
        exp[:, 0, 0] = x.max(axis=(1, 2)) * 0.5   # REDUCE_SCALAR applies the scaler twice
    np.testing.assert_allclose(c.reshape(m, n // 32, 32).transpose(1, 0, 2), exp, rtol=1e-5, atol=1e-5)


def test_e4_copy_init_does_not_compile_under_e3(runner):
    from tilelang_tt.errors import KernelBuildError
    a, b = rand_bf16((32, 32), 1), rand_bf16((32, 32), 2)
    with pytest.raises(KernelBuildError) as ei:
        runner.run("eltwise", [a, b], BF16, (32, 32), profile="E3", env=dict(EW_M=32, EW_N=32, EW_OP="copy"))
    assert "copy_init" in str(ei.value)


def test_reduce_pairs_each_data_face_with_its_scaler_face(runner):
    # a scaler whose lower faces (2 / 3) are empty: the lower 16 rows of a row sum get weight 0, and a
    # column sum drops the lower faces' rows (tt-metal's LLKs on the wolfpine device pair faces this way)
    m, n = 32, 32
    a = rand_bf16((m, n), 26)
    scaler = np.zeros((m, n), dtype=BF16)
    scaler[0, :] = 1.0
    x = a.astype(np.float32)
    for op, got, exp in (("reduce_sum_row", lambda c: c[:, 0], np.r_[x[:16].sum(1), np.zeros(16)]),
                         ("reduce_sum_col", lambda c: c[0, :], x[:16].sum(0))):
        c = runner.run("eltwise", [a, scaler], np.float32, (m, n),
                       env=dict(EW_M=m, EW_N=n, EW_OP=op, EW_OUT_FP32=1, EW_FP32_ACC=1))
        np.testing.assert_allclose(got(c), exp, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(bool(__import__("os").environ.get("TT_EMU_L1_OFFSETS")), reason="L1 addresses are offsets")
def test_kernels_may_dereference_l1_addresses(runner):
    a, b = rand_bf16((M, N), 16), rand_bf16((M, N), 17)
    c = runner.run("eltwise", [a, b], BF16, (M, N), env=dict(EW_M=M, EW_N=N, EW_OP="add", EW_BUG="ptr_fill",
                                                              EW_CORES=3))
    np.testing.assert_array_equal(c, _bf16(1.0 + b.astype(np.float32)))


def test_kernel_globals_are_per_core(runner):
    m, n = 64, 128  # 8 tiles over 4 cores: 2 per core; shared globals would count 8
    a, b = rand_bf16((m, n), 18), rand_bf16((m, n), 19)
    c = runner.run("eltwise", [a, b], BF16, (m, n), env=dict(EW_M=m, EW_N=n, EW_OP="add", EW_BUG="global",
                                                              EW_CORES=4, TT_EMU_THREADS=1))
    np.testing.assert_array_equal(c, _bf16(a.astype(np.float32) + b.astype(np.float32)))


def _tile_of(values, seed=20):
    """A bf16 M x N matrix holding `values` first, random ones after."""
    a = rand_bf16((M, N), seed).reshape(-1)
    a[:len(values)] = np.asarray(values, dtype=np.float32).astype(BF16)
    return a.reshape(M, N)


def test_silu_and_sigmoid_do_not_overflow_for_large_negative_inputs(runner):
    """x / (1 + exp(-x)) overflowed exp for x < -88.7 and returned -0; silu(-89) is -1.98e-37, a normal
    bf16. The emulator computes x * sigmoid(x) with sigmoid from exp(x) for negative x."""
    xs = [-89.0, -88.5, -100.0, -60.0, -1e30, -np.inf, np.inf, 89.0, 0.0]
    a, b = _tile_of(xs), rand_bf16((M, N), 21)
    with np.errstate(over="ignore", invalid="ignore"):
        x = a.astype(np.float64)
        sig = np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))
        silu = np.where(np.isneginf(x), -0.0, x * sig)
    for op, ref in (("silu", silu), ("sigmoid", sig)):
        c = runner.run("eltwise", [a, b], np.float32, (M, N),
                       env=dict(EW_M=M, EW_N=N, EW_OP=op, EW_OUT_FP32=1, EW_FP32_ACC=1))
        got = c.reshape(-1)[:len(xs)]
        want = ref.reshape(-1)[:len(xs)]
        assert np.all(np.isfinite(got) == np.isfinite(want)), (op, got)
        fin = np.isfinite(want)
        # fp32 libm: a few ulps; below the smallest normal fp32 (exp(-100)) an absolute 2^-126
        tiny = np.finfo(np.float32).tiny
        assert np.all(np.abs(got[fin] - want[fin]) <= 1e-6 * np.abs(want[fin]) + tiny), (op, got, want)
        if op == "silu":
            assert got[0] < -1e-37     # silu(-89) = -1.98e-37, not -0


def test_relu_is_the_device_sign_test(runner):
    """relu_tile on the device is relu_min(0), `if (x < 0) x = 0` where "< 0" reads the sign bit: a NaN
    with the sign clear (numpy's NaN) stays NaN, -NaN / -0 / -inf become +0 (docs/numerics.md)."""
    neg_nan = np.array([0xFFC00000], np.uint32).view(np.float32)[0]
    xs = [np.nan, neg_nan, -0.0, -np.inf, np.inf, 3.0, -3.0]
    a, b = _tile_of(xs), rand_bf16((M, N), 22)
    c = runner.run("eltwise", [a, b], np.float32, (M, N),
                   env=dict(EW_M=M, EW_N=N, EW_OP="relu", EW_OUT_FP32=1, EW_FP32_ACC=1))
    got = c.reshape(-1)[:len(xs)]
    assert np.isnan(got[0]) and not np.signbit(got[0])
    np.testing.assert_array_equal(got[1:], [0.0, 0.0, 0.0, np.inf, 3.0, 0.0])
    assert not np.any(np.signbit(got[1:4]))


@pytest.mark.parametrize("op,fn", [("relu_max", lambda x: np.clip(x, 0, 1.5)),
                                   ("relu_min", lambda x: np.maximum(x, 1.5))])
def test_relu_max_and_relu_min_limits(runner, op, fn):
    a, b = rand_bf16((M, N), 23, lo=-3, hi=3), rand_bf16((M, N), 24)
    c = runner.run("eltwise", [a, b], BF16, (M, N), env=dict(EW_M=M, EW_N=N, EW_OP=op))
    np.testing.assert_array_equal(c.astype(np.float32), fn(a.astype(np.float32)))


@pytest.mark.parametrize("op", ["add", "sub", "mul"])
@pytest.mark.parametrize("dim", ["rows", "cols", "scalar"])
def test_bcast(runner, op, dim):
    """The broadcast LLKs read B's row 0 (rows), column 0 (cols) or [0, 0] (scalar) of each tile and
    replicate it; whatever else B's tile holds is ignored."""
    a, b = rand_bf16((M, N), 21), rand_bf16((M, N), 22)
    c = runner.run("eltwise", [a, b], BF16, (M, N),
                   env=dict(EW_M=M, EW_N=N, EW_OP=f"bcast_{op}_{dim}", EW_OUT_FP32=0))
    fn = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[op]
    x = a.astype(np.float32).reshape(M // 32, 32, N // 32, 32)
    y = b.astype(np.float32).reshape(M // 32, 32, N // 32, 32)
    yb = y[:, :1, :, :] if dim == "rows" else y[:, :, :, :1] if dim == "cols" else y[:, :1, :, :1]
    exp = fn(x, yb).reshape(M, N)
    np.testing.assert_array_equal(c, _bf16(exp))


@pytest.mark.parametrize("op,fn", [("add", lambda x: x + 1.5), ("sub", lambda x: x - 1.5), ("mul", lambda x: x * 1.5),
                                   ("div", lambda x: x / 1.5), ("rsub", lambda x: 1.5 - x)])
def test_scalar_binop(runner, op, fn):
    a, b = rand_bf16((M, N), 23), rand_bf16((M, N), 24)
    c = runner.run("eltwise", [a, b], BF16, (M, N), env=dict(EW_M=M, EW_N=N, EW_OP=f"scalar_{op}"))
    np.testing.assert_array_equal(c, _bf16(fn(a.astype(np.float32))))


def test_reduce_partial_scaler_and_max_over_padding(runner):
    """Row 0 of each scaler face weights the columns of its data face: zeros past the logical width drop
    padding from a SUM, but a MAX over all-negative data then sees 0 * x = 0 (the device's behaviour,
    tt-metal #12662)."""
    m, n = 32, 32
    a = (-np.abs(rand_bf16((m, n), 25).astype(np.float32)) - 1).astype(BF16)
    scaler = np.zeros((m, n), dtype=BF16)
    scaler[[0, 16], :20] = 1.0        # row 0 of faces 0 / 1 and of faces 2 / 3
    for op, exp in (("reduce_sum_row", a.astype(np.float32)[:, :20].sum(1)), ("reduce_max_row", np.zeros(m))):
        c = runner.run("eltwise", [a, scaler], np.float32, (m, n),
                       env=dict(EW_M=m, EW_N=n, EW_OP=op, EW_OUT_FP32=1, EW_FP32_ACC=1))
        np.testing.assert_allclose(c[:, 0], exp, rtol=1e-6, atol=1e-6)
        assert not c[:, 1:].any()       # the packer's reduce mask zeroes the rest of the tile
