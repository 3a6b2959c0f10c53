"""Partial schedule overrides (docs/schedules.md "Overriding"): the chooser fixes what is given and
chooses the rest, and it never rejects a request that a legal schedule satisfies (issue 18). The
requests are taken from legal fully specified schedules by dropping some of their fields, in many
combinations, on several shapes (padded edges, one tile wide, an epilogue CB) on both chips; each
must be completed into a legal schedule that keeps every field given."""
import itertools
import random

import pytest

from tilelang_tt import samples
from tilelang_tt.analysis.matmul import recognize
from tilelang_tt.errors import TTCompileError
from tilelang_tt.frontend import read_program
from tilelang_tt.options import CompileOptions
from tilelang_tt.passes import lower_to_tt
from tilelang_tt.schedule.matmul import VARIANTS, MatmulParams, legality, matmul_schedule
from tilelang_tt.target import HARDWARE

FIELDS = ("grid", "per_core_m", "per_core_n", "in0_block_w", "subblock_h", "subblock_w", "partials", "schedule")
SHAPES = [  # (M, N, K, accumulator, factory): padded edges, a one-tile dimension, an epilogue tensor
    (384, 32, 512, "float32", samples.matmul),
    (96, 160, 64, "float32", samples.matmul),
    (288, 224, 96, "bfloat16", samples.matmul),
    (160, 352, 192, "float32", samples.matmul),
    (224, 96, 128, "bfloat16", lambda M, N, K, *a, **k: samples.matmul_residual(M, N, K, ("add",), "C", *a, **k)),
]
MODELS = {"wormhole_b0": "tenstorrent", "blackhole": "tenstorrent/blackhole"}


def _setup(M, N, K, acc, factory, model):
    program = read_program(factory(M, N, K, 32, 32, 32, accum_dtype=acc))
    spec, why = recognize(program)
    assert spec is not None, why
    return program, spec, HARDWARE[model]


def legal_full_schedules(spec, hw, n, seed):
    """`n` random fully specified schedules that legality() accepts."""
    rng = random.Random(seed)
    mt, nt, kt = spec.m // 32, spec.n // 32, spec.k // 32
    dst = hw.dst_capacity(spec.fp32_acc, False)
    opts = CompileOptions()
    out = []
    while len(out) < n:
        variant = rng.choice(VARIANTS)
        pm, pn = rng.randint(1, min(mt, 8)), rng.randint(1, min(nt, 8))
        grid = (rng.randint(1, min(hw.grid[0], -(-nt // pn))), rng.randint(1, min(hw.grid[1], -(-mt // pm))))
        w = rng.choice([d for d in range(1, kt + 1) if kt % d == 0])
        sh, sw = (1, 1) if variant == "blocked" else \
            (rng.choice([d for d in range(1, pm + 1) if pm % d == 0]), rng.choice([d for d in range(1, pn + 1)
                                                                                   if pn % d == 0]))
        acc = rng.choice(("reload", "l1_acc"))
        p = MatmulParams(variant, grid, pm, pn, w, sh, sw, acc)
        if legality(spec, p, hw, opts, dst) is None and p not in out:
            out.append(p)
    return out


def request(p: MatmulParams, keep) -> dict:
    full = {"grid": p.grid, "per_core_m": p.per_core_m, "per_core_n": p.per_core_n, "in0_block_w": p.in0_block_w,
            "subblock_h": p.subblock_h, "subblock_w": p.subblock_w, "partials": p.accumulate, "schedule": p.variant}
    return {k: full[k] for k in keep}


def _subsets(seed, n):
    """`n` subsets of FIELDS to keep: every single field, every field but one, and random ones."""
    rng = random.Random(seed)
    subsets = [(f,) for f in FIELDS] + [tuple(x for x in FIELDS if x != f) for f in FIELDS]
    rng.shuffle(subsets)
    subsets = subsets[:n // 2]
    while len(subsets) < n:
        subsets.append(tuple(f for f in FIELDS if rng.random() < 0.5))
    return subsets


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("shape", range(len(SHAPES)), ids=[f"{s[0]}x{s[1]}x{s[2]}" for s in SHAPES])
def test_overrides_from_legal_schedules_are_completed(shape, model):
    M, N, K, acc, factory = SHAPES[shape]
    program, spec, hw = _setup(M, N, K, acc, factory, model)
    dst = hw.dst_capacity(spec.fp32_acc, False)
    for i, full in enumerate(legal_full_schedules(spec, hw, 3, seed=shape * 7 + len(model))):
        for keep in _subsets(i + shape * 100, 8):
            req = request(full, keep)
            opts = CompileOptions(**req)
            try:
                got = matmul_schedule(program, spec, hw, opts).params
            except TTCompileError as e:    # a false rejection: `full` satisfies the request
                raise AssertionError(f"{M}x{N}x{K} on {model}: {req} rejected although {full.describe()} is "
                                     f"legal:\n{e}") from None
            assert legality(spec, got, hw, opts, dst) is None
            for k, v in req.items():
                name = {"partials": "accumulate", "schedule": "variant"}.get(k, k)
                assert getattr(got, name) == v, (req, got)


# ---------------------------------------------------------------------------------------------------
# the reproductions

def test_subblocked_alone_on_a_tall_one_tile_wide_matmul():
    prog = lower_to_tt(samples.matmul(384, 32, 512, 32, 32, 32), target="tenstorrent/blackhole", schedule="subblocked")
    assert prog is not None


def test_per_core_n_past_the_output_with_subblocked():
    program, spec, hw = _setup(384, 32, 512, "float32", samples.matmul, "blackhole")
    p = matmul_schedule(program, spec, hw, CompileOptions(schedule="subblocked", per_core_n=5)).params
    assert p.variant == "subblocked" and p.per_core_n == 5


@pytest.mark.parametrize("model", list(MODELS))
def test_requested_subblock_on_a_padded_n_edge(model):
    program, spec, hw = _setup(96, 160, 64, "float32", samples.matmul, model)    # N = 5 tiles
    p = matmul_schedule(program, spec, hw, CompileOptions(subblock_h=1, subblock_w=2)).params
    assert (p.subblock_h, p.subblock_w) == (1, 2) and p.per_core_n % 2 == 0


@pytest.mark.parametrize("options,limit,culprits", [
    (dict(schedule="subblocked", per_core_n=5, subblock_w=2),
     "subblock 1x2 does not divide the per-core block 1x5", ("per_core_n=5", "subblock_w=2")),
    (dict(grid=(8, 8), per_core_m=2), "grid 8x8 has cores without an output block", ("grid=(8, 8)", "per_core_m=2")),
    (dict(schedule="blocked", subblock_w=2), "the blocked variant uses 1x1 subblocks",
     ("subblock_w=2", "schedule='blocked'")),
    (dict(grid=(4, 4), max_cores=8), "grid 4x4 uses more than max_cores=8 cores", ("grid=(4, 4)", "max_cores=8")),
])
def test_rejections_name_a_limit_that_holds_and_the_overrides_to_change(options, limit, culprits):
    program, spec, hw = _setup(384, 32, 512, "float32", samples.matmul, "blackhole") if "per_core_n" in options \
        else _setup(256, 256, 256, "float32", samples.matmul, "wormhole_b0")
    with pytest.raises(TTCompileError) as info:
        matmul_schedule(program, spec, hw, CompileOptions(**options))
    text = str(info.value)
    assert limit in text and "even the least demanding" in text
    fix = text.split("fix:", 1)[1]
    for c in culprits:
        assert f"{c} (without it, e.g." in fix
    # each suggested schedule really is legal
    dst = hw.dst_capacity(spec.fp32_acc, False)
    for c in culprits:
        name = c.split("=")[0]
        opts = CompileOptions(**{k: v for k, v in options.items() if k != name})
        assert legality(spec, matmul_schedule(program, spec, hw, opts).params, hw, opts, dst) is None


def test_overrides_that_rule_out_only_together_are_named_in_pairs():
    program, spec, hw = _setup(1024, 1024, 1024, "float32", samples.matmul, "wormhole_b0")
    with pytest.raises(TTCompileError, match=r"(?s)CBs need \d+ B of L1.*change or drop two together: "
                                             r"per_core_m=32 and per_core_n=32 \(without both"):
        matmul_schedule(program, spec, hw, CompileOptions(per_core_m=32, per_core_n=32, in0_block_w=32))
