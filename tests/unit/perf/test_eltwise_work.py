"""kernel.estimate() over kernels beyond matmul: broadcast and reduce tiles are their own FPU engines, SFPU
tiles are counted and priced per routine, and each resource's rate is in its own unit (tiles/s)."""
import pytest

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.perf.costs import REDUCE_MATH_FACTOR, SFPU_ROUTINE_CYCLES, costs


def _total(work, field):
    return sum(getattr(c.compute, field) for c in work.cores)


def test_softmax_counts_reduce_and_broadcast_tiles_exactly():
    """softmax(64, 128), 32-row blocks of 4 tiles: per block a MAX and a SUM reduce over 4 tiles each, a
    column-broadcast subtract and multiply over 4 tiles each, exp over 4 tiles, the reciprocal over 1."""
    k = tilelang_tt.compile(samples.softmax(64, 128), out_idx=1)
    from tilelang_tt.perf.work import ProgramWork
    w = ProgramWork.from_dict(k.plan["work"])          # plan.json's exact per-core counts
    assert _total(w, "reduce_tiles") == 2 * (4 + 4)
    assert _total(w, "bcast_tiles") == 2 * (4 + 4)
    assert _total(w, "eltwise_tiles") == 0
    ops = {}
    for c in w.cores:
        for op, n in c.compute.sfpu_op_tiles.items():
            ops[op] = ops.get(op, 0) + n
    assert ops == {"exp": 2 * 4, "recip": 2 * 1}
    e = k.estimate()
    for engine in ("FPU reduce", "FPU broadcast", "SFPU", "SFPU exp", "SFPU recip"):
        assert e.rates[engine][1] == "tiles/s", engine
    assert e.rates["FPU reduce"][0] == pytest.approx(16 / e.device_seconds)
    ct = costs("wormhole_b0")
    core = max(w.cores, key=lambda c: c.compute.reduce_tiles)
    hz = ct.clock_ghz * 1e9
    assert e.breakdown["FPU reduce"] == pytest.approx(
        core.compute.reduce_tiles * ct.eltwise_math_cycles * ct.fidelity_phases["HiFi4"] * REDUCE_MATH_FACTOR / hz)


@pytest.mark.parametrize("chip", ["tenstorrent", "tenstorrent/blackhole"])
def test_sfpu_time_is_priced_per_routine(chip):
    """Three exps cost SFPU_ROUTINE_CYCLES['exp'] / ['relu'] times three relus on the same tiles."""
    exp = tilelang_tt.compile(samples.unary_chain(256, 256, ("exp", "exp", "exp")), target=chip).estimate()
    relu = tilelang_tt.compile(samples.unary_chain(256, 256, ("relu", "relu", "relu")), target=chip).estimate()
    assert exp.breakdown["SFPU"] / relu.breakdown["SFPU"] == pytest.approx(
        SFPU_ROUTINE_CYCLES["exp"] / SFPU_ROUTINE_CYCLES["relu"])
    assert exp.bound == "SFPU" and f"bound by SFPU at {exp.rates['SFPU'][0]:.3g} tiles/s" in str(exp)
    assert "SFPU exp" in exp.rates and "SFPU relu" not in exp.rates


def test_log_and_rsqrt_are_priced_as_their_routines():
    """exp, rsqrt, log (TTx) on the same tiles: the SFPU time is the sum of the three routines' costs."""
    chain = tilelang_tt.compile(samples.unary_chain(256, 256, ("exp", "rsqrt", "log"))).estimate()
    exp = tilelang_tt.compile(samples.unary_chain(256, 256, ("exp", "exp", "exp"))).estimate()
    assert chain.breakdown["SFPU"] / exp.breakdown["SFPU"] == pytest.approx(
        sum(SFPU_ROUTINE_CYCLES[op] for op in ("exp", "rsqrt", "log")) / (3 * SFPU_ROUTINE_CYCLES["exp"]))
    assert {"SFPU rsqrt", "SFPU log"} <= set(chain.rates)
