"""The matmul schedules on the emulator against numpy: multicast, subblocked and blocked variants across
grids (one row, one column, one core, the whole chip), shapes with uneven edge blocks, K split into
several blocks (partial sums reloaded), bf16 and fp32 accumulation, fp32 inputs, the bias + relu
epilogue, both chips. Bounds per element from tilelang_tt.numerics (docs/tolerance.md)."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, elementwise_bound, matmul_bound

BF16 = ml_dtypes.bfloat16


def _run(M, N, K, target="tenstorrent", dtype="bfloat16", acc="float32", seed=0, **options):
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32, dtype=dtype, accum_dtype=acc), target=target,
                                 out_idx=2, **options)
    rng = np.random.default_rng(seed)
    npdt = BF16 if dtype == "bfloat16" else np.float32
    a, b = rng.uniform(-1, 1, (M, K)).astype(npdt), rng.uniform(-1, 1, (K, N)).astype(npdt)
    c = kernel(a, b)
    exact, bound = matmul_bound(a, b, dtype, fp32_acc=acc == "float32")
    ok, err, ratio = check(np.asarray(c, np.float32), exact, bound)
    sched = kernel.program.schedule
    assert ok, f"{M}x{N}x{K} {sched['params']}: max error {err} ({ratio:.2f} x bound)"
    return kernel


CASES = [
    # (M, N, K, options)
    (256, 256, 256, dict(schedule="multicast", grid=(4, 4), per_core_m=2, per_core_n=2, in0_block_w=2,
                         subblock_h=2, subblock_w=2)),                       # 4 K blocks: reload
    (288, 224, 96, dict(schedule="multicast", grid=(2, 2), per_core_m=3, per_core_n=2, in0_block_w=1,
                        subblock_h=1, subblock_w=2)),                        # uneven edges, 2x2 rounds
    (64, 512, 128, dict(schedule="multicast", grid=(8, 1))),                 # one row: no in1 multicast
    (512, 64, 128, dict(schedule="multicast", grid=(1, 8))),                 # one column: no in0 multicast
    (96, 96, 64, dict(schedule="multicast", grid=(1, 1))),                   # one core
    (320, 352, 160, dict(schedule="subblocked")),                            # chooser, 10 x 11 tiles
    (256, 192, 128, dict(schedule="blocked", per_core_m=2, per_core_n=3)),   # 1x1 subblocks
    (1024, 1024, 512, dict(schedule="auto")),                                # the whole chip
]


@pytest.mark.parametrize("M,N,K,options", CASES)
def test_matmul_schedules_match_numpy(M, N, K, options):
    _run(M, N, K, **options)


def test_bf16_accumulation_reloads_bf16_partials():
    k = _run(256, 256, 512, acc="bfloat16", schedule="multicast", grid=(4, 2), per_core_m=4, per_core_n=2,
             in0_block_w=4, subblock_h=4, subblock_w=2)
    prog = k.program
    assert next(cb for cb in prog.cbs if cb.name == "partials").dtype == "bfloat16"
    assert prog.compute.fp32_dest_acc_en is False and prog.compute.unpack_to_dest_fp32 == ()


def test_float32_inputs():
    _run(128, 192, 128, dtype="float32", schedule="multicast", grid=(3, 2), in0_block_w=2)


def test_blackhole_grid():
    k = _run(352, 320, 128, target="tenstorrent/blackhole", schedule="multicast")
    assert k.program.model == "blackhole"


def test_bias_relu_epilogue_in_the_subblock_loop():
    M, N, K = 192, 160, 128
    kernel = tilelang_tt.compile(samples.matmul_bias_relu(M, N, K, 32, 32, 32), out_idx=3, schedule="multicast",
                                 grid=(2, 3), per_core_m=2, per_core_n=3, in0_block_w=2, subblock_h=1, subblock_w=3)
    rng = np.random.default_rng(4)
    a, b, d = (rng.uniform(-1, 1, s).astype(BF16) for s in ((M, K), (K, N), (M, N)))
    c = kernel(a, b, d)
    exact, bound = matmul_bound(a, b, "bfloat16", fp32_acc=True)
    exact = np.maximum(exact + d.astype(np.float64), 0)
    bound = bound + elementwise_bound(exact, "bfloat16", roundings=1)
    ok, err, _ = check(c.astype(np.float32), exact, bound)
    assert ok, err
    assert "add_reuse_dest_tiles" in kernel.sources["compute.cpp"]     # the bias added in DST (M081 name)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["tenstorrent", "tenstorrent/blackhole"])
@pytest.mark.parametrize("schedule", ["multicast", "subblocked", "blocked"])
def test_2048_scale_schedules_slow(target, schedule):
    _run(2048, 2048, 2048, target=target, schedule=schedule)
