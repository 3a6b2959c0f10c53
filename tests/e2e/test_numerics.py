"""End-to-end numerics: kernels written as users write them, built through tvm.build / tilelang_tt.compile,
run on the emulator, checked element by element against bounds from the numerics policy
(tilelang_tt/numerics.py, docs/tolerance.md).

Compiled host programs and kernels are cached for the whole session (tests/conftest.py), so a shape
that reuses a kernel configuration only pays for the run.
"""
import json

import ml_dtypes
import numpy as np
import pytest
import tvm

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, elementwise_bound, matmul_bound

BF16 = ml_dtypes.bfloat16
TARGETS = ["tenstorrent", "tenstorrent/blackhole"]


def _rand(rng, shape, dtype=BF16, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(dtype)


def _run_matmul(M, N, K, bm=64, bn=64, bk=32, target="tenstorrent", profile=None, seed=0,
                accum_dtype="float32", schedule="auto", **options):
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, bm, bn, bk, accum_dtype=accum_dtype), target=target,
                                 out_idx=2, api_profile=profile, schedule=schedule, **options)
    rng = np.random.default_rng(seed)
    a, b = _rand(rng, (M, K)), _rand(rng, (K, N))
    c = kernel(a, b)
    exact, bound = matmul_bound(a, b, "bfloat16", fp32_acc=kernel.program.compute.fp32_dest_acc_en)
    ok, err, ratio = check(c.astype(np.float32), exact, bound)
    assert ok, f"matmul {M}x{N}x{K} block {bm}x{bn}x{bk} on {target}: max error {err} ({ratio:.2f} x bound)"
    return kernel


# (M, N, K, bm, bn, bk): square and not, K loop of 1 and many, grids that do not divide the 64 cores,
# grids larger than the device, blocks from 1x1 tiles up to the DST limit (4 fp32 tiles).
MATMUL_CASES = [
    (32, 32, 32, 32, 32, 32),        # one tile, one core, K loop of 1
    (64, 64, 256, 64, 64, 32),       # one block, K loop of 8
    (96, 160, 64, 32, 32, 32),       # 3x5 grid of 1x1-tile blocks: 15 cores
    (256, 256, 128, 64, 64, 32),     # 4x4 grid, 2x2-tile blocks
    (320, 192, 96, 64, 32, 32),      # 6x5 grid, 2x1-tile blocks, K loop of 3
    (512, 512, 64, 32, 128, 32),     # 1x4-tile blocks, 64 blocks on 64 cores
    (288, 544, 32, 32, 32, 32),      # 9x17 = 153 blocks: more blocks than cores, uneven split
    (128, 1024, 160, 64, 64, 32),    # not square, K loop of 5
]


@pytest.mark.parametrize("M,N,K,bm,bn,bk", MATMUL_CASES)
@pytest.mark.parametrize("schedule", ["naive", "auto"])
def test_matmul_bf16(M, N, K, bm, bn, bk, schedule):
    """The user's blocks as written (naive) and the schedule the compiler picks (auto)."""
    _run_matmul(M, N, K, bm, bn, bk, schedule=schedule)


@pytest.mark.parametrize("M,N,K,bm,bn,bk", MATMUL_CASES[2:5])
@pytest.mark.parametrize("schedule", ["naive", "auto"])
def test_matmul_bf16_previous_api_era(M, N, K, bm, bn, bk, schedule):
    _run_matmul(M, N, K, bm, bn, bk, profile="E3", schedule=schedule)


@pytest.mark.parametrize("M,N,K,bm,bn,bk", [(64, 64, 32, 32, 32, 32), (128, 256, 512, 64, 128, 32),
                                            (96, 96, 1024, 32, 32, 32)])
def test_matmul_bf16_accumulator(M, N, K, bm, bn, bk):
    """A bf16 local accumulator: DST holds bf16 (8 tiles) and rounds after every K step."""
    kernel = _run_matmul(M, N, K, bm, bn, bk, accum_dtype="bfloat16")
    assert kernel.program.compute.fp32_dest_acc_en is False


@pytest.mark.parametrize("target", TARGETS)
def test_matmul_runs_on_each_target_grid(target):
    kernel = _run_matmul(352, 320, 64, 32, 32, 32, target=target, schedule="naive")   # 11x10 blocks
    hw = tilelang_tt.hardware(target)
    cores = kernel.program.cores
    assert len(cores) == min(110, hw.num_cores)
    assert all(0 <= x < hw.grid[0] and 0 <= y < hw.grid[1] for x, y in cores)


@pytest.mark.parametrize("profile", ["M081", "E4", "E3"])
def test_matmul_every_api_profile(profile):
    compute = _run_matmul(128, 128, 128, 64, 64, 32, profile=profile, schedule="naive").sources["compute.cpp"]
    assert ("matmul_init(" in compute) == (profile in ("M081", "E4"))
    assert ("mm_init(" in compute) == (profile == "E3")
    # the subblocked schedules' matmul_block and its re-init, per era
    compute = _run_matmul(256, 256, 256, profile=profile, schedule="subblocked", grid=(2, 2)).sources["compute.cpp"]
    assert ("matmul_block_init(" in compute) == (profile in ("M081", "E4"))
    assert ("mm_block_init_short(" in compute) == (profile == "E3")
    assert "matmul_block(" in compute


def test_matmul_through_tvm_build_with_inspectable_sources():
    M = N = K = 128
    mod = tvm.tirx.build(samples.matmul(M, N, K), target="tenstorrent")
    srcs = tilelang_tt.sources(mod)
    kernels = {k["source"] for k in json.loads(srcs["plan.json"])["kernels"]}
    assert kernels | {"main.cpp", "CMakeLists.txt", "plan.json"} == set(srcs)
    rng = np.random.default_rng(1)
    a, b = _rand(rng, (M, K)), _rand(rng, (K, N))
    c = tvm.runtime.tensor(np.zeros((M, N), BF16))
    mod["matmul"](tvm.runtime.tensor(a), tvm.runtime.tensor(b), c)
    exact, bound = matmul_bound(a, b)
    ok, err, _ = check(c.numpy().astype(np.float32), exact, bound)
    assert ok, err


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("op", ["add", "sub", "mul"])
@pytest.mark.parametrize("M,N,bm,bn", [(64, 128, 32, 64), (96, 96, 32, 32)])
def test_eltwise_binary(op, M, N, bm, bn, target):
    kernel = tilelang_tt.compile(samples.eltwise(op, M, N, bm, bn), target=target, out_idx=2)
    rng = np.random.default_rng(2)
    a, b = _rand(rng, (M, N)), _rand(rng, (M, N))
    c = kernel(a, b)
    fn = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[op]
    exact = fn(a.astype(np.float64), b.astype(np.float64))
    ok, err, _ = check(c.astype(np.float32), exact, elementwise_bound(exact, "bfloat16", roundings=2))
    assert ok, f"{op}: max error {err}"


def _unary_ref(x, op):
    x = x.astype(np.float64)
    return {"exp": np.exp, "sqrt": np.sqrt, "reciprocal": lambda v: 1.0 / v,
            "silu": lambda v: v / (1.0 + np.exp(-v)), "relu": lambda v: np.maximum(v, 0.0)}[op](x)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("ops", [("exp", "sqrt", "reciprocal"), ("silu", "relu", "exp")])
def test_unary_chain(ops, target):
    M, N = 64, 128
    kernel = tilelang_tt.compile(samples.unary_chain(M, N, ops), target=target, out_idx=1)
    rng = np.random.default_rng(3)
    a = _rand(rng, (M, N), lo=0.1, hi=2.0)
    c = kernel(a)
    # Reference under the policy: DST is rounded to bf16 after every op (bf16 accumulator), so
    # round between ops as the hardware does, then allow one more rounding per op for libm vs numpy.
    ref = a
    for op in ops:
        ref = _unary_ref(ref, op).astype(np.float32).astype(BF16)
    exact = ref.astype(np.float64)
    ok, err, _ = check(c.astype(np.float32), exact, elementwise_bound(exact, "bfloat16", roundings=2 * len(ops)))
    assert ok, f"{ops}: max error {err}"


@pytest.mark.parametrize("target", TARGETS)
def test_matmul_bias_relu_epilogue(target):
    M, N, K = 128, 128, 96
    kernel = tilelang_tt.compile(samples.matmul_bias_relu(M, N, K), target=target, out_idx=3)
    rng = np.random.default_rng(4)
    a, b, d = _rand(rng, (M, K)), _rand(rng, (K, N)), _rand(rng, (M, N))
    c = kernel(a, b, d)
    exact, bound = matmul_bound(a, b, "bfloat16", fp32_acc=True)
    exact = np.maximum(exact + d.astype(np.float64), 0)
    bound = bound + elementwise_bound(exact, "bfloat16", roundings=1)
    ok, err, _ = check(c.astype(np.float32), exact, bound)
    assert ok, err
    assert "relu_tile(" in kernel.sources["compute.cpp"]


@pytest.mark.parametrize("target", TARGETS)
def test_float32_matmul(target):
    M = N = K = 64
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32, dtype="float32"), target=target, out_idx=2)
    rng = np.random.default_rng(5)
    a, b = _rand(rng, (M, K), np.float32), _rand(rng, (K, N), np.float32)
    c = kernel(a, b)
    exact, bound = matmul_bound(a, b, "float32", fp32_acc=True)
    ok, err, _ = check(c, exact, bound)
    assert ok, err


@pytest.mark.parametrize("M,N,K", [(1024, 1024, 1024), (512, 1024, 768)])
def test_matmul_large(M, N, K):
    _run_matmul(M, N, K)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["tenstorrent", "tenstorrent/blackhole"])
@pytest.mark.parametrize("M,N,K,bm,bn,bk", [(2048, 2048, 2048, 64, 64, 32), (1536, 2560, 1024, 32, 128, 32)])
def test_matmul_2048_scale_slow(M, N, K, bm, bn, bk, target):
    _run_matmul(M, N, K, bm, bn, bk, target=target)


@pytest.mark.parametrize("options,cores", [({"max_cores": 3}, 3), ({"core_policy": "2d_blocked"}, None),
                                           ({"cb_depth": 1}, None)])
def test_compile_options_reach_the_passes(options, cores):
    M, N, K = 192, 128, 64
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32), out_idx=2, schedule="naive", **options)
    prog = kernel.program
    if cores is not None:
        assert len(prog.cores) == cores
    if "cb_depth" in options:
        assert all(cb.num_pages == cb.block_pages for cb in prog.cbs)
    rng = np.random.default_rng(6)
    a, b = _rand(rng, (M, K)), _rand(rng, (K, N))
    exact, bound = matmul_bound(a, b)
    ok, err, _ = check(kernel(a, b).astype(np.float32), exact, bound)
    assert ok, err


def test_kernel_object_takes_torch_tensors():
    torch = pytest.importorskip("torch")
    M = N = K = 64
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32), out_idx=2)
    a = torch.rand(M, K, dtype=torch.bfloat16)
    b = torch.rand(K, N, dtype=torch.bfloat16)
    c = kernel(a, b)
    a_np = a.float().numpy().astype(BF16)
    b_np = b.float().numpy().astype(BF16)
    exact, bound = matmul_bound(a_np, b_np)
    ok, err, _ = check(c.astype(np.float32), exact, bound)
    assert ok, err


def test_all_tensors_passed_and_outputs_written_in_place():
    M = N = K = 64
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32))
    rng = np.random.default_rng(7)
    a, b = _rand(rng, (M, K)), _rand(rng, (K, N))
    c = np.zeros((M, N), BF16)
    assert kernel(a, b, c) is None
    exact, bound = matmul_bound(a, b)
    ok, err, _ = check(c.astype(np.float32), exact, bound)
    assert ok, err
