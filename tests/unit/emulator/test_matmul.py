import numpy as np
import pytest

from tilelang_tt.errors import KernelBuildError

from emu_testlib import BF16, rand_bf16


def _ref(a, b):
    return a.astype(np.float32) @ b.astype(np.float32)


@pytest.mark.parametrize("profile,compute", [("E4", "compute.cpp"), ("E3", "compute_e3.cpp")])
def test_matmul_multicore_fp32_acc(runner, profile, compute):
    m, k, n = 128, 96, 64
    a, b = rand_bf16((m, k), 1), rand_bf16((k, n), 2)
    c = runner.run("matmul", [a, b], np.float32, (m, n), profile=profile, override={"compute_cpp": compute},
                   env=dict(MM_M=m, MM_K=k, MM_N=n, MM_BH=2, MM_BW=2, MM_CORES=3, MM_FP32_ACC=1, MM_OUT_FP32=1))
    rep = runner.result.report  # run statistics on success
    assert rep["kind"] == "ok" and rep["kernel_instances"] == 2 * 3  # 2 blocks -> 2 cores and rep["api_era"] == int(profile[1])
    # bf16 inputs are exact in fp32 and DST accumulates in fp32: only summation order differs.
    np.testing.assert_allclose(c, _ref(a, b), rtol=1e-5, atol=1e-4)


def test_matmul_bf16_dst_and_output(runner):
    m, k, n = 64, 128, 96
    a, b = rand_bf16((m, k), 3), rand_bf16((k, n), 4)
    c = runner.run("matmul", [a, b], BF16, (m, n),
                   env=dict(MM_M=m, MM_K=k, MM_N=n, MM_BH=1, MM_BW=3, MM_CORES=64, MM_FP32_ACC=0, MM_OUT_FP32=0))
    ref = _ref(a, b)
    # DST is rounded to bf16 after every K tile (4 steps) and at pack: a few bf16 ulps.
    err = np.abs(c.astype(np.float32) - ref)
    assert err.max() <= 4 * 2.0 ** -8 * np.abs(ref).max()
    assert err.max() > 0  # and bf16 rounding really happened


def test_matmul_blackhole_grid(runner):
    m, k, n = 64, 64, 352  # 22 output tiles over the 11x10 grid
    a, b = rand_bf16((m, k), 5), rand_bf16((k, n), 6)
    c = runner.run("matmul", [a, b], np.float32, (m, n), model="blackhole",
                   env=dict(MM_M=m, MM_K=k, MM_N=n, MM_BH=1, MM_BW=1, MM_CORES=110, MM_FP32_ACC=1, MM_OUT_FP32=1))
    np.testing.assert_allclose(c, _ref(a, b), rtol=1e-5, atol=1e-4)


def test_e3_call_does_not_compile_under_e4(runner):
    a, b = rand_bf16((32, 32)), rand_bf16((32, 32))
    with pytest.raises(KernelBuildError) as ei:
        runner.run("matmul", [a, b], BF16, (32, 32), profile="E4", override={"compute_cpp": "compute_e3.cpp"},
                   env=dict(MM_M=32, MM_K=32, MM_N=32))
    assert "mm_init" in str(ei.value)
    assert ei.value.report["kernel"] == "compute"


def test_e4_call_does_not_compile_under_e3(runner):
    a, b = rand_bf16((32, 32)), rand_bf16((32, 32))
    with pytest.raises(KernelBuildError) as ei:
        runner.run("matmul", [a, b], BF16, (32, 32), profile="E3", env=dict(MM_M=32, MM_K=32, MM_N=32))
    msg = str(ei.value)
    assert "SrcOrder" in msg or "matmul_init" in msg


# Working sets larger than the emulator's 8-slot cache of unpacked tiles (A block + B block > 8 tiles).
# Round-robin replacement once let the miss for B overwrite the slot that A had just hit, so A@B became
# B@B in some output tiles; the reference here is exact (fp32 DST, fp32 output).
@pytest.mark.parametrize("compute,bh,bw,kb,fp32_acc", [
    ("compute_kblock.cpp", 1, 4, 2, 1),    # 32x128 output block, 64-deep K step: 2 + 8 tiles
    ("compute_kblock.cpp", 2, 2, 4, 1),    # 64x64 block, 128-deep K step: 8 + 8 tiles
    ("compute_kblock.cpp", 2, 4, 2, 0),    # bf16 DST, 8 output tiles, 4 + 8 tiles
    ("compute_mmblock.cpp", 1, 8, 1, 0),   # matmul_block holds A while it walks 8 tiles of B
    ("compute_mmblock.cpp", 2, 4, 3, 0),   # matmul_block, 6 + 12 tiles
])
def test_matmul_working_set_larger_than_the_tile_cache(runner, compute, bh, bw, kb, fp32_acc):
    m, k, n = 32 * bh * 2, 32 * kb * 3, 32 * bw
    a, b = rand_bf16((m, k), 7), rand_bf16((k, n), 8)
    c = runner.run("matmul", [a, b], np.float32, (m, n),
                   override={"compute_cpp": compute, "reader_cpp": "reader_kblock.cpp"},
                   env=dict(MM_M=m, MM_K=k, MM_N=n, MM_BH=bh, MM_BW=bw, MM_KB=kb, MM_CORES=2,
                            MM_FP32_ACC=fp32_acc, MM_OUT_FP32=1))
    ref = _ref(a, b)
    if fp32_acc:
        np.testing.assert_allclose(c, ref, rtol=1e-5, atol=1e-4)
    else:   # DST rounds to bf16 after every matmul_tiles: K/32 roundings of the running sum
        mag = np.abs(a.astype(np.float32)) @ np.abs(b.astype(np.float32))
        assert np.all(np.abs(c - ref) <= (k // 32 + 1) * 2.0 ** -8 * mag + 1e-6)
