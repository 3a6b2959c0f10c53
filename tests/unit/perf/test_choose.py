"""The matmul schedule chooser: legal choices, the fastest of what it considered, typed errors."""

from dataclasses import replace

import pytest

from tilelang_tt.errors import TTCompileError
from tilelang_tt.perf import Constraints, best_matmul_config, choose_matmul, estimate, l1_bytes, matmul_work
from tilelang_tt.target import HARDWARE

@pytest.mark.parametrize("model,shape,fp32_acc", [("wormhole_b0", (2048, 2048, 2048), False),
                                                  ("wormhole_b0", (384, 1000 // 32 * 32, 96), True),
                                                  ("blackhole", (2560, 4992, 4992), False)])
def test_choice_is_legal_and_its_estimate_is_the_model_of_its_program(model, shape, fp32_acc):
    M, K, N = shape
    c = choose_matmul(M, N, K, fp32_acc=fp32_acc, model=model)
    hw = HARDWARE[model]
    for p, e in [(c.best, c.estimate)] + list(c.per_variant.values()):
        assert l1_bytes(p) <= hw.l1_bytes
        assert p.subblock[0] * p.subblock[1] <= hw.dst_capacity(fp32_acc)
        assert p.grid[0] <= hw.grid[0] and p.grid[1] <= hw.grid[1]
        assert (p.M, p.N, p.K, p.fp32_acc, p.model) == (M, N, K, fp32_acc, model)
        whole = estimate(matmul_work(p))                     # the program as the compiler would count it
        assert e.seconds == pytest.approx(whole.seconds) and e.bound == whole.bound
    assert c.estimate.seconds <= min(e.seconds for _, e in c.per_variant.values()) * 1.1
    assert c.best.variant in ("blocked", "subblocked", "multicast") and c.considered > 0

def test_multicast_wins_big_problems_and_each_element_contributes():
    c = choose_matmul(4096, 4096, 4096)
    u = {v: e.utilization for v, (_, e) in c.per_variant.items()}
    assert c.best.variant == "multicast"
    assert u["multicast"] > u["subblocked"] > u["blocked"]
    assert c.best.describe() in c.why and c.estimate.bound in c.why

def test_constraints_are_respected():
    small = Constraints(max_grid=(4, 2), variants=("subblocked",), l1_bytes=256 * 1024)
    p, e, why = best_matmul_config(1024, 1024, 1024, constraints=small)
    assert p.variant == "subblocked" and p.grid[0] <= 4 and p.grid[1] <= 2 and l1_bytes(p) <= 256 * 1024
    assert e.cores <= 8
    tight = Constraints(bias=True, l1_bytes=200 * 1024, program="tt-metal")
    p, _, _ = best_matmul_config(1024, 1024, 1024, constraints=tight)
    assert p.bias and l1_bytes(p) <= 200 * 1024 and l1_bytes(replace(p, bias=False)) < l1_bytes(p)
    full = Constraints(dst_full_sync=True, accumulate=("l1_acc",))
    p, _, _ = best_matmul_config(2048, 2048, 2048, constraints=full)
    assert p.accumulate == "l1_acc" and p.dst_full_sync and p.subblock[0] * p.subblock[1] <= 16

def test_a_wider_choice_is_never_worse():
    narrow = choose_matmul(2048, 2048, 2048, constraints=Constraints(accumulate=("reload",)))
    wide = choose_matmul(2048, 2048, 2048, constraints=Constraints(accumulate=("reload", "l1_acc")))
    assert wide.estimate.seconds <= narrow.estimate.seconds * 1.1

def test_impossible_requests_are_typed_errors():
    with pytest.raises(TTCompileError, match=r"no .* schedule of 2048x2048x2048 \(8192 B of L1 per core\): "
                                             r"CBs need 14336 B of L1, more than the 8192 B budget \(every candidate, even "
                                             r"the least demanding: blocked 2048x2048x2048 grid 1x1 block 1x1 k1"):
        best_matmul_config(2048, 2048, 2048, constraints=Constraints(l1_bytes=8 * 1024))
    with pytest.raises(TTCompileError, match="cannot be chosen"):
        best_matmul_config(256, 256, 256, constraints=Constraints(variants=("naive",)))
    with pytest.raises(TTCompileError, match="multiple of 32"):
        best_matmul_config(100, 256, 256)
    with pytest.raises(TTCompileError, match="not supported"):
        best_matmul_config(256, 256, 256, dtypes="float16")


@pytest.mark.parametrize("program", ["ours", "tt-metal"])
def test_shortlisted_k_blocks_fit_l1_for_either_program(program):
    # ours keeps a partial-sum CB beside the output for l1_acc too: sizing K blocks as tt-metal's program
    # (partials in the output CB) shortlisted schedules that do not fit (a TTInternalError)
    for fp32_acc in (False, True):
        c = choose_matmul(4096, 4096, 4096, ("bfloat16", "bfloat16"), fp32_acc, "HiFi4", "wormhole_b0",
                          Constraints(accumulate=("reload", "l1_acc"), program=program))
        assert all(l1_bytes(p) <= HARDWARE["wormhole_b0"].l1_bytes for p, _ in c.per_variant.values())
