"""Shapes that are not whole tiles or whole blocks (docs/schedules.md, "Ragged shapes"): the kernel is
written with a ceildiv grid and K loop, the device stores each such tensor padded to whole tiles of whole
blocks (tt.AnnotateLayouts), the host program pads inputs with zeros and crops outputs. Every schedule,
both chips, bf16 and fp32, against numpy within the documented bounds; plus the plan and host program
structure and the rejection of ops the padding would change."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.errors import TTCompileError
from tilelang_tt.numerics import check, elementwise_bound, matmul_bound

BF16 = ml_dtypes.bfloat16
CHIPS = ["tenstorrent", "tenstorrent/blackhole"]


def _mm(M, N, K, target="tenstorrent", dtype="bfloat16", blocks=(64, 64, 32), seed=0, **options):
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, *blocks, dtype=dtype), target=target, out_idx=2,
                                 **options)
    rng = np.random.default_rng(seed)
    npdt = BF16 if dtype == "bfloat16" else np.float32
    a, b = rng.uniform(-1, 1, (M, K)).astype(npdt), rng.uniform(-1, 1, (K, N)).astype(npdt)
    c = kernel(a, b)
    assert c.shape == (M, N)
    exact, bound = matmul_bound(a, b, dtype, fp32_acc=True)
    ok, err, ratio = check(np.asarray(c, np.float32), exact, bound)
    assert ok, f"{M}x{N}x{K} {kernel.program.schedule_description}: max error {err} ({ratio:.2f} x bound)"
    return kernel


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("schedule", ["naive", "blocked", "subblocked", "multicast", "auto"])
def test_ragged_matmul_every_schedule(schedule, target):
    k = _mm(100, 200, 72, target=target, schedule=schedule)
    tensors = {t.name: t for t in k.program.tensors}
    assert tensors["A"].shape == (100, 72) and tensors["A"].device_shape == (128, 96)
    assert tensors["B"].device_shape == (96, 256) and tensors["C"].device_shape == (128, 256)


@pytest.mark.parametrize("M, N, K, blocks", [
    (1, 1, 1, (32, 32, 32)),          # a single element
    (33, 65, 31, (32, 32, 32)),       # one past a tile in M and N, one short in K
    (96, 160, 200, (64, 64, 64)),     # whole tiles, not whole blocks
    (250, 130, 300, (32, 64, 96)),
])
def test_ragged_matmul_shapes(M, N, K, blocks):
    _mm(M, N, K, blocks=blocks)


def test_ragged_fp32_matmul_on_blackhole():
    _mm(70, 45, 50, target="tenstorrent/blackhole", dtype="float32", blocks=(32, 32, 32))


@pytest.mark.parametrize("target", CHIPS)
def test_ragged_matmul_bias_relu(target):
    M, N, K = 90, 120, 80
    kernel = tilelang_tt.compile(samples.matmul_bias_relu(M, N, K), target=target, out_idx=3)
    rng = np.random.default_rng(3)
    a, b = rng.uniform(-1, 1, (M, K)).astype(BF16), rng.uniform(-1, 1, (K, N)).astype(BF16)
    d = rng.uniform(-1, 1, (M, N)).astype(BF16)
    c = kernel(a, b, d)
    exact, bound = matmul_bound(a, b, "bfloat16", fp32_acc=True)
    exact = np.maximum(exact + d.astype(np.float64), 0)
    ok, err, ratio = check(np.asarray(c, np.float32), exact, bound + elementwise_bound(exact, "bfloat16", 2))
    assert ok, (err, ratio)


@pytest.mark.parametrize("op, fn, M, N, target", [
    ("add", np.add, 1, 1, "tenstorrent"), ("sub", np.subtract, 100, 70, "tenstorrent"),
    ("mul", np.multiply, 33, 257, "tenstorrent"), ("add", np.add, 100, 70, "tenstorrent/blackhole")])
def test_ragged_eltwise(op, fn, M, N, target):
    kernel = tilelang_tt.compile(samples.eltwise(op, M, N), target=target, out_idx=2)
    rng = np.random.default_rng(M * N)
    a, b = rng.uniform(-2, 2, (M, N)).astype(BF16), rng.uniform(-2, 2, (M, N)).astype(BF16)
    c = kernel(a, b)
    exact = fn(a.astype(np.float64), b.astype(np.float64))
    ok, err, _ = check(np.asarray(c, np.float32), exact, elementwise_bound(exact, "bfloat16", 1))
    assert ok, err


def test_ragged_unary_chain_padding_never_leaks():
    # the zero padding goes through the chain too (exp, sqrt, reciprocal: finite here, but whatever it
    # turns into is cropped, never returned)
    M, N = 45, 50
    kernel = tilelang_tt.compile(samples.unary_chain(M, N), out_idx=1)
    a = np.random.default_rng(5).uniform(-1, 1, (M, N)).astype(BF16)
    c = np.asarray(kernel(a), np.float64)
    assert c.shape == (M, N) and np.isfinite(c).all()
    exact = 1 / np.sqrt(np.exp(a.astype(np.float64)))
    assert np.abs(c - exact).max() <= 6 * 2 ** -8 * np.abs(exact).max()


def test_plan_and_host_program_of_a_ragged_kernel():
    k = tilelang_tt.compile(samples.eltwise("add", 40, 70), out_idx=2)
    plan = {t["name"]: t for t in k.plan["tensors"]}
    assert plan["A"]["shape"] == [40, 70] and plan["A"]["padded_shape"] == [64, 128]   # blocks of 32x64
    assert plan["A"]["num_pages"] == 2 * 4
    main = k.sources["main.cpp"]
    assert "pad_rows_cols(read_tensor<bfloat16>(argv[2], 2800), 40, 70, 64, 128)" in main
    assert "crop_rows_cols(untilize_nfaces(" in main and ", 128, 40, 70));" in main
    aligned = tilelang_tt.compile(samples.eltwise("add", 64, 128), out_idx=2)
    assert "padded_shape" not in aligned.plan["tensors"][0]
    assert "pad_rows_cols" not in aligned.sources["main.cpp"] and "#include <algorithm>" not in aligned.sources["main.cpp"]


def test_ops_the_padding_would_change_are_rejected(monkeypatch):
    # Every op compiled today is neutral to zero padding; an op that is not (a reduction over the padded
    # axis) must be refused on a ragged kernel. Drop `binary` from the neutral kinds to see the refusal.
    from tilelang_tt.frontend import ops
    monkeypatch.setattr(ops, "PADDING_NEUTRAL_KINDS", ("copy", "fill", "matmul", "unary", "cast"))
    import tilelang_tt.analysis.verify as verify
    monkeypatch.setattr(verify, "PADDING_NEUTRAL_KINDS", ops.PADDING_NEUTRAL_KINDS)
    with pytest.raises(TTCompileError, match=r"Tx.add in a kernel over ragged tensors \(A to \[64, 128\]"):
        tilelang_tt.compile(samples.eltwise("add", 40, 70))
    tilelang_tt.compile(samples.eltwise("add", 64, 128))          # whole blocks: no padding, accepted
