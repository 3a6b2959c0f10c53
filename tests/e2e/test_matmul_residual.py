"""Residual matmuls on the emulator against numpy, under every schedule on both chips: epilogues that
read the output tensor itself (C = A @ B + C, * C, - C, a chain that loads C), and epilogues that read
an input of the matmul (C = A @ B + B with M == K, + A with N == K). The tensor keeps one accessor per
kernel whatever roles it plays, and C is read block by block before it is overwritten (issue 18)."""
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import numerics as N
from tilelang_tt import samples
from tilelang_tt.fuzz.inputs import draw

SCHEDULES = ("naive", "auto", "blocked", "subblocked", "multicast")
TARGETS = ("tenstorrent", "tenstorrent/blackhole")
# (ops, tensor, M, N, K): M, N with uneven edges for the fast schedules' blocks
FORMS = {
    "add_C": (("add",), "C", 96, 160, 96),
    "mul_C": (("mul",), "C", 96, 160, 64),
    "sub_C": (("sub",), "C", 64, 96, 128),
    "chain_C": (("add", "relu", "mul"), "C", 96, 96, 64),
    "add_B": (("add",), "B", 96, 160, 96),          # M == K
    "add_A": (("add",), "A", 64, 96, 96),           # N == K
}


def run_residual(ops, tensor, M, Nn, K, target="tenstorrent", acc="float32", seed=0, **options):
    kernel = tilelang_tt.compile(samples.matmul_residual(M, Nn, K, ops, tensor, accum_dtype=acc), target=target,
                                 out_idx=2, **options)
    a = draw((M, K), "bfloat16", "unit", seed)
    b = draw((K, Nn), "bfloat16", "unit", seed + 1)
    c = draw((M, Nn), "bfloat16", "unit", seed + 2)
    fp32 = acc == "float32"
    x = N.Bounded.exact({"A": a, "B": b, "C": c}[tensor])
    ref = N.matmul(a, b, fp32_acc=fp32)
    for op in ops:
        ref = N.binary(op, ref, x) if op in ("add", "sub", "mul") else N.unary(op, ref)
        ref = ref if fp32 else ref.stored("bfloat16")
    c_in = c.copy()
    out = kernel(a, b, c)                      # all three tensors: C is read and written in place
    chk = N.check_bounded(np.asarray(out, np.float32), ref.stored("bfloat16"))
    assert chk.ok, f"{ops} {tensor} {kernel.plan['schedule']['reason']}: {chk.describe()}"
    assert np.array_equal(np.asarray(c, np.float32), np.asarray(out, np.float32))
    if tensor != "C":
        assert not np.array_equal(np.asarray(c_in, np.float32), np.asarray(out, np.float32))
    return kernel


def _cases():
    """Every form x schedule on Wormhole and the multicast / auto schedules on Blackhole in `make test`;
    the rest of Blackhole in the slow tier (the chips share the generated kernels' structure)."""
    for form in FORMS:
        for schedule in SCHEDULES:
            for target in TARGETS:
                slow = target != TARGETS[0] and schedule not in ("multicast", "auto")
                yield pytest.param(form, schedule, target, marks=[pytest.mark.slow] if slow else [],
                                   id=f"{form}-{schedule}-{target}")


@pytest.mark.parametrize("form,schedule,target", list(_cases()))
def test_residual_matmul_every_schedule(form, schedule, target):
    ops, tensor, M, Nn, K = FORMS[form]
    k = run_residual(ops, tensor, M, Nn, K, target=target, schedule=schedule)
    variant = k.plan["schedule"]["variant"]
    assert variant == schedule or schedule == "auto"
    if variant != "naive":
        for spec in k.plan["kernels"]:
            accessors = spec["accessors"]
            assert len(accessors) == len(set(accessors)), (spec["name"], accessors)


# Fully specified: padded edges on both sides, several K blocks (reload and packer L1 accumulation),
# several rounds per core, a multicast grid with receivers on both axes, bf16 accumulation.
EXPLICIT = [
    (("add",), "C", 160, 224, 128, "float32",
     dict(schedule="multicast", grid=(2, 2), per_core_m=2, per_core_n=3, in0_block_w=1, subblock_h=2,
          subblock_w=1, partials="l1_acc")),
    (("sub", "exp"), "C", 96, 160, 128, "bfloat16",
     dict(schedule="subblocked", grid=(2, 1), per_core_m=2, per_core_n=2, in0_block_w=2, subblock_h=1,
          subblock_w=2, partials="reload")),
    (("mul", "add"), "B", 128, 96, 128, "float32",
     dict(schedule="multicast", grid=(2, 3), per_core_m=1, per_core_n=1, in0_block_w=1, subblock_h=1,
          subblock_w=1)),
    (("add",), "C", 96, 96, 96, "float32",
     dict(schedule="blocked", grid=(1, 1), per_core_m=2, per_core_n=2, in0_block_w=1, subblock_h=1,
          subblock_w=1)),
]


@pytest.mark.parametrize("ops,tensor,M,Nn,K,acc,options", EXPLICIT)
def test_residual_matmul_explicit_schedules(ops, tensor, M, Nn, K, acc, options):
    run_residual(ops, tensor, M, Nn, K, acc=acc, seed=5, **options)
