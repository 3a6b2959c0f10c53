"""The matmul schedule chooser: legal choices, the fastest of what it considered, typed errors."""

import itertools
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


# ---------------------------------------------------------------------------------------------------
# the exact search (perf/exact.py): complete, not just plausible

def _space(M, N, K, cons, fp32_acc=False, model="wormhole_b0"):
    from tilelang_tt.perf.choose import _Space, _base
    from tilelang_tt.perf.exact import Checker
    space = _Space(M, N, K, "bfloat16", "bfloat16", fp32_acc, "HiFi4", model, cons)
    return space, Checker(space, _base(M, N, K, "bfloat16", "bfloat16", fp32_acc, "HiFi4", model, cons))


@pytest.mark.parametrize("program", ["ours", "tt-metal"])
@pytest.mark.parametrize("rows", [0, 1])
def test_l1_arithmetic_equals_the_model(program, rows):
    cons = Constraints(program=program, epilogue_tensors=1 if program == "ours" and not rows else 0,
                       epilogue_rows=rows if program == "ours" else 0)
    for fp32_acc in (False, True):
        space, check = _space(320, 224, 256, cons, fp32_acc)
        for acc in ("reload", "l1_acc"):
            for bm, bn, ibw, sb in [(1, 1, 1, (1, 1)), (3, 2, 4, (3, 1)), (4, 4, 8, (2, 2)), (10, 7, 2, (1, 7))]:
                p = check.params("multicast", acc, (2, 2), bm, bn, ibw, sb)
                assert check.l1(acc, bm, bn, ibw, sb) == l1_bytes(p)


FIXED = [{}, {"per_core_M": 2}, {"per_core_N": 3, "subblock_w": 3}, {"subblock_h": 2, "subblock_w": 2},
         {"grid": (3, 2)}, {"grid": (3, 3), "per_core_M": 2}, {"in0_block_w": 2, "subblock_h": 3},
         {"per_core_M": 5, "per_core_N": 5, "subblock": (5, 1)}, {"subblock_h": 4}, {"grid": (1, 3), "per_core_N": 4}]


@pytest.mark.parametrize("fixed", FIXED)
@pytest.mark.parametrize("l1", [None, 40 * 1024])
def test_exact_search_finds_a_schedule_whenever_brute_force_does(fixed, l1):
    # brute force over every grid, block (past the edges too), K block, subblock, variant and strategy
    # of a small space
    from tilelang_tt.perf.exact import any_legal, least_demanding
    M, N, K = 160, 128, 128                             # 5 x 4 tiles, K 4 tiles
    cons = Constraints(variants=("blocked", "subblocked", "multicast"), accumulate=("reload", "l1_acc"),
                       max_grid=(3, 3), fixed=fixed, l1_bytes=l1)
    space, check = _space(M, N, K, cons)
    fx = dict(fixed)
    if "subblock" in fx:
        fx["subblock_h"], fx["subblock_w"] = fx.pop("subblock")
    legal = []
    for v, acc, c, r, bm, bn, w, h, sw in itertools.product(
            cons.variants, cons.accumulate, range(1, 4), range(1, 4), range(1, 7), range(1, 7), (1, 2, 4),
            range(1, 7), range(1, 7)):
        want = {"grid": (c, r), "per_core_M": bm, "per_core_N": bn, "in0_block_w": w, "subblock_h": h,
                "subblock_w": sw}
        if all(want[k] == val for k, val in fx.items()) and check(v, acc, (c, r), bm, bn, w, (h, sw)) is None:
            legal.append((v, acc))
    found = any_legal(space, check)
    assert (found is not None) == bool(legal), (fixed, l1, legal[:3], found)
    if found is not None:
        assert check(found.variant, found.accumulate, found.grid, found.per_core_M, found.per_core_N,
                     found.in0_block_w, found.subblock) is None
    # per variant and strategy: the least demanding schedule is legal exactly when one is
    ld = least_demanding(space, check)
    assert {(p.variant, p.accumulate) for p in ld.get(None, [])} == set(legal)


def test_the_full_model_sees_the_fastest_schedule_on_both_sides_of_the_dram_rule():
    """n150 512^3: more than 16 multicast candidates, the closed form's fastest (8x8 cores, 2x2 blocks)
    loads the card's DRAM beyond the validated level. Sorting the calm first, a shortlist of the calm
    only never modeled it, so the rule "taken only when more than 10% faster than the best calmer one"
    was never applied; the full model must see the best of both sides."""
    from tilelang_tt.perf.choose import _Space, _base, _expand, _shortlist
    cons = Constraints()
    space = _Space(512, 512, 512, "bfloat16", "bfloat16", False, "HiFi4", "wormhole_b0", cons)
    best, _ = _shortlist(space, cons)
    scored = best[("multicast", "reload")]
    assert len(scored) > 4 * cons.shortlist
    busy = min((t for t in scored if t[0][0]), key=lambda t: t[0][1])
    assert busy[0][1] < min(t[0][1] for t in scored if not t[0][0])      # faster than every calm one
    base = _base(512, 512, 512, "bfloat16", "bfloat16", False, "HiFi4", "wormhole_b0", cons)
    params = _expand(best, base, cons)["multicast"]
    cols, rows, bm, bn, _ = busy[1]
    assert any(p.grid == (cols, rows) and (p.per_core_M, p.per_core_N) == (bm, bn) for p in params)
