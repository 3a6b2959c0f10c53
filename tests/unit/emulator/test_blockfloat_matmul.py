"""Matmul with block-float weights on the emulator: B stored as Bfp8_b / Bfp4_b tiles (packed on the host
by tilelang_tt.blockfloat, bit-exact with the release), A bf16, bf16 or fp32 output, on both chips and at
several fidelities. The device unpacks B into the source registers exactly (bf16), so the result must be
within the derived matmul bound of the values B holds after quantisation (docs/tolerance.md)."""
import numpy as np
import pytest

from tilelang_tt import blockfloat
from tilelang_tt.numerics import check, matmul_bound

from emu_testlib import BF16, rand_bf16

FMT = {"bfp8_b": 6, "bfp4_b": 7}
FIDELITY = {"LoFi": 0, "HiFi2": 2, "HiFi4": 4}


def _tiles(x):
    """(K, N) -> its 32x32 tiles in tile order, each row-major (what pack_bfp_tiles takes)."""
    k, n = x.shape
    return x.reshape(k // 32, 32, n // 32, 32).transpose(0, 2, 1, 3).reshape(-1)


def _untiles(t, k, n):
    return t.reshape(k // 32, n // 32, 32, 32).transpose(0, 2, 1, 3).reshape(k, n)


@pytest.mark.parametrize("fmt,fidelity,model,fp32_acc", [
    ("bfp8_b", "HiFi2", "wormhole_b0", 1), ("bfp8_b", "LoFi", "blackhole", 1), ("bfp4_b", "LoFi", "wormhole_b0", 1),
    ("bfp8_b", "HiFi4", "blackhole", 0), ("bfp4_b", "HiFi2", "blackhole", 0)])
def test_matmul_with_block_float_weights(runner, tmp_path, fmt, fidelity, model, fp32_acc):
    m, k, n = 64, 128, 96
    a = rand_bf16((m, k), 21)
    b = np.random.default_rng(22).standard_normal((k, n)).astype(np.float32)
    packed = blockfloat.pack_bfp_tiles(_tiles(b), fmt)
    assert packed.size == (k // 32) * (n // 32) * blockfloat.tile_bytes(fmt)
    b_held = _untiles(blockfloat.unpack_bfp_tiles(packed, fmt), k, n)     # what the kernel computes with
    c = runner.run("matmul", [a, packed], np.float32, (m, n), model=model,
                   env=dict(MM_M=m, MM_K=k, MM_N=n, MM_BH=1, MM_BW=3, MM_CORES=4, MM_FP32_ACC=fp32_acc,
                            MM_OUT_FP32=1, MM_B_FMT=FMT[fmt], MM_FIDELITY=FIDELITY[fidelity]))
    exact, bound = matmul_bound(a, b_held.astype(BF16), "float32", fp32_acc=bool(fp32_acc), fidelity=fidelity)
    ok, err, ratio = check(c, exact, bound)
    assert ok, f"{fmt} {fidelity} on {model}: max error {err} = {ratio:.2f} x bound"
    assert not np.array_equal(b_held, b)          # the weights were really quantised
