"""The performance model: exact arithmetic on hand-built work, and Kernel.estimate on compiled kernels."""
import pytest

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.perf import estimate
from tilelang_tt.perf.costs import costs
from tilelang_tt.perf.matmul import MatmulParams, matmul_work
from tilelang_tt.perf.work import ComputeWork, CoreWork, DMWork, ProgramWork


def _one_core(compute=None, dm=None, steps=1, overlap=2, fidelity="HiFi4", model="wormhole_b0"):
    core = CoreWork(core=(0, 0), compute=compute or ComputeWork(), dm=dm or {}, steps=steps,
                    step_overlap=overlap, blocks=1)
    return ProgramWork(model=model, math_fidelity=fidelity, fp32_dest_acc_en=False,
                       input_formats=["Float16_b", "Float16_b"], output_format="Float16_b", cores=[core],
                       kernels=3)


def test_compute_bound_core_is_the_math_thread_cycle_count():
    ct = costs("wormhole_b0")
    w = ComputeWork(matmul_tiles=1000, matmul_calls=125, matmul_unpacked_tiles=1125, matmul_unpacked_in0_tiles=125)
    e = estimate(_one_core(w, steps=10))
    math = 1000 * 64 + 125 * ct.mm_call_cycles
    assert e.bound == "matrix engine"
    assert e.math_seconds == pytest.approx((ct.kernel_start_cycles + math) / 1e9)
    assert e.device_seconds == e.math_seconds                    # nothing to drain
    assert e.seconds == pytest.approx(e.device_seconds + ct.dispatch_seconds)
    assert e.flops == 2 * 32 ** 3 * 1000
    assert e.utilization == pytest.approx(e.flops / e.device_seconds / (1024 * 1e9 * 64))
    # LoFi: the matrix engine needs a quarter, the unpacker (1000 SrcA + 125 SrcB tiles) becomes the bound
    lofi = estimate(_one_core(w, steps=10, fidelity="LoFi"))
    assert lofi.bound == "unpack"
    assert lofi.math_seconds == pytest.approx(
        (ct.kernel_start_cycles + 1000 * ct.unpack_srca_cycles["Float16_b"] + 125 * ct.unpack_srcb_cycles["Float16_b"]) / 1e9)


def test_data_movement_overlaps_compute_with_double_buffering_only():
    ct = costs("wormhole_b0")
    w = ComputeWork(matmul_tiles=400, matmul_calls=400, matmul_unpacked_tiles=800, matmul_unpacked_in0_tiles=400)
    dm = {"RISCV_1": DMWork(dram_read_bytes=400 * 2048 * 2, dram_read_pages=800, barriers=40)}
    compute = max(400 * 64 + 400 * ct.mm_call_cycles,                   # math thread
                  400 * (ct.unpack_srca_cycles["Float16_b"] + ct.unpack_srcb_cycles["Float16_b"]))   # unpacker
    move = 400 * 2048 * 2 / ct.dram_read_bytes_per_cycle + 40 * ct.noc_round_trip_cycles
    steps = 20
    two = estimate(_one_core(w, dm, steps=steps, overlap=2))
    one = estimate(_one_core(w, dm, steps=steps, overlap=1))
    big, small = max(compute, move), min(compute, move)
    # fill (one step of data movement), S-1 steps at the slower side, the last step's compute
    assert two.math_seconds * 1e9 == pytest.approx(ct.kernel_start_cycles + move / steps
                                                   + big * (steps - 1) / steps + compute / steps)
    assert one.math_seconds * 1e9 == pytest.approx(ct.kernel_start_cycles + compute + move)
    assert one.math_seconds > two.math_seconds
    assert two.bound == "DRAM" and move > compute
    assert small > 0


def test_card_dram_bandwidth_bounds_many_cores():
    # the naive 2048^3 program (the user's blocks): every core reads its own panels, 545 MB in all
    kernel = tilelang_tt.compile(samples.matmul(2048, 2048, 2048, 64, 64, 32), schedule="naive")
    est = kernel.estimate()
    assert est.cores == 64
    assert est.flops == 2 * 2048 ** 3
    # 1024 blocks, each reads a 64x2048 panel of A and a 2048x64 panel of B (2 x 128 tiles of 2 KiB),
    # plus the 4096 output tiles written once
    assert est.dram_bytes == 1024 * 2 * 128 * 2048 + 4096 * 2048
    assert est.bound == "DRAM (card)"
    assert est.breakdown["DRAM (card)"] == pytest.approx(est.dram_bytes / (costs("wormhole_b0").dram_bandwidth_gbs * 1e9))
    assert est.utilization < 0.2
    assert "bound by DRAM (card)" in str(est)


def test_blackhole_and_fidelity():
    f = samples.matmul(1024, 1024, 1024, 64, 64, 32)
    wh = tilelang_tt.compile(f, schedule="naive").estimate()
    bh = tilelang_tt.compile(f, target="tenstorrent/blackhole", schedule="naive").estimate()
    lofi = tilelang_tt.compile(f, math_fidelity="LoFi", schedule="naive").estimate()
    assert bh.model == "blackhole" and bh.cores == 110
    # the busiest core does 4 blocks of 2x2 tiles x 32 K tiles: 512 products, 64 vs 16 cycles each
    assert (wh.breakdown["matrix engine"] - lofi.breakdown["matrix engine"]) * 1e9 == pytest.approx(512 * 48)
    assert lofi.seconds == wh.seconds and lofi.bound == "DRAM (card)"         # the card DRAM decides both


def test_elementwise_flops_are_counted_not_guessed():
    est = tilelang_tt.compile(samples.eltwise("add", 512, 512)).estimate()
    assert est.flops == 512 * 512                                       # one add per element
    assert est.dram_bytes == 3 * 512 * 512 * 2


def test_schedules_rank_as_their_data_movement_says():
    kw = dict(M=2048, N=2048, K=2048, grid=(8, 8), per_core_M=8, per_core_N=8, in0_block_w=8)
    blocked = estimate(matmul_work(MatmulParams(**kw, variant="blocked")))
    sub = estimate(matmul_work(MatmulParams(**kw, variant="subblocked", subblock=(2, 4))))
    mcast = estimate(matmul_work(MatmulParams(**kw, variant="multicast", subblock=(2, 4))))
    assert blocked.seconds > sub.seconds > mcast.seconds
    assert mcast.dram_bytes < sub.dram_bytes / 4                       # 8x8 reuse of A and B
    assert mcast.bound == "matrix engine" and mcast.utilization > 0.7


def test_estimate_accepts_dicts():
    pw = matmul_work(MatmulParams(M=256, N=256, K=256, grid=(2, 2), per_core_M=4, per_core_N=4, in0_block_w=2,
                                  subblock=(2, 4)))
    a, b, c = estimate(pw), estimate(pw.to_dict()), estimate({"work": pw.to_dict()})
    assert a.seconds == b.seconds == c.seconds


@pytest.mark.parametrize("variant,extra", [("multicast", {}), ("subblocked", {}),
                                           ("multicast", {"accumulate": "l1_acc", "in0_source": "l1_sharded",
                                                          "grid": (4, 5), "in0_block_w": 2,
                                                          "program": "tt-metal"})])
def test_grouped_cores_model_like_every_core(variant, extra):
    from tilelang_tt.perf.matmul import core_groups, program_header
    from tilelang_tt.perf.model import estimate_groups

    kw = dict(M=1600, N=1216, K=512, grid=(6, 5), per_core_M=3, per_core_N=4, in0_block_w=4, subblock=(1, 4))
    p = MatmulParams(**{**kw, **extra}, variant=variant)
    whole = estimate(matmul_work(p))
    grouped = estimate_groups(program_header(p), core_groups(p))
    assert grouped.cores == whole.cores == p.grid[0] * p.grid[1]
    assert grouped.seconds == pytest.approx(whole.seconds) and grouped.dram_bytes == whole.dram_bytes
    assert grouped.bound == whole.bound


@pytest.mark.parametrize("make, engine", [(lambda: samples.eltwise("add", 256, 256), "FPU element-wise"),
                                          (lambda: samples.unary_chain(256, 256), "SFPU"),
                                          (lambda: samples.matmul(256, 256, 256), "matrix engine")])
def test_estimate_names_only_engines_the_program_uses_with_rates_in_their_units(make, engine):
    e = tilelang_tt.compile(make()).estimate()
    text = str(e)
    assert engine in e.rates and e.breakdown[engine] > 0
    if engine != "matrix engine":
        # no matrix work: neither the engine nor FLOP figures appear anywhere
        assert "matrix engine" not in text and "TFLOPS" not in text and "matrix engine" not in e.breakdown
        assert e.rates[engine][1] == "tiles/s"
    else:
        assert e.rates[engine][1] == "TFLOP/s" and "TFLOPS" in text
    assert e.rates["DRAM"][1] == "GB/s"
    assert e.rates["DRAM"][0] == pytest.approx(e.dram_bytes / e.device_seconds / 1e9)
    if e.bound in e.rates:
        value, unit = e.rates[e.bound]
        assert f"bound by {e.bound} at {value:.3g} {unit}" in text
