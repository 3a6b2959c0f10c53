"""The roofline estimate against numbers derived by hand from the plan of a known matmul."""
import pytest

import tilelang_tt
from tilelang_tt import samples


def test_matmul_2048_estimate_matches_hand_derivation():
    kernel = tilelang_tt.compile(samples.matmul(2048, 2048, 2048, 64, 64, 32))
    est = kernel.estimate()
    assert est.cores == 64
    assert est.flops == 2 * 2048 ** 3
    # 1024 blocks, each reads a 64x2048 panel of A and a 2048x64 panel of B (2 x 128 tiles of 2 KiB),
    # plus the 4096 output tiles written once.
    assert est.dram_bytes == 1024 * 2 * 128 * 2048 + 4096 * 2048
    # 16 blocks per core at 1024 FLOP/cycle (HiFi4) and 1 GHz; DRAM at 288 GB/s.
    assert est.compute_s == pytest.approx(16 * 2 * 64 * 64 * 2048 / (1024 * 1e9))
    assert est.dram_s == pytest.approx(est.dram_bytes / 288e9)
    assert est.bound == "DRAM"
    assert est.tflops == pytest.approx(est.flops / est.dram_s / 1e12)


def test_blackhole_and_fidelity_change_the_compute_time():
    f = samples.matmul(1024, 1024, 1024, 64, 64, 32)
    wh = tilelang_tt.compile(f).estimate()
    lofi = tilelang_tt.compile(f, math_fidelity="LoFi").estimate()
    bh = tilelang_tt.compile(f, target="tenstorrent/blackhole").estimate()
    assert lofi.compute_s == pytest.approx(wh.compute_s / 4)          # 4096 vs 1024 FLOP/cycle
    assert bh.model == "blackhole" and bh.cores == 110
    assert bh.dram_s == pytest.approx(bh.dram_bytes / 512e9)
