"""Unpacker / packer format state: every sample and schedule runs with the emulator's format checks
(always on), and a generated kernel with one reconfiguration removed fails with EmulatorFormatError.

The emulator programs SrcA / SrcB / the packer from compute_kernel_hw_startup and the reconfig calls
only (analysis/format_table.py) and stops a kernel that unpacks or packs a CB of another format, as a
card would silently produce wrong numbers there. The README matmul (bf16 in / out, float32 local
accumulator) is the case that needs them: its partials CB is Float32.
"""
import json
import re
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from tvm.script import tirx as T
from tvm.tirx.script import tile as Tx

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.errors import EmulatorFormatError
from tilelang_tt.numerics import check, matmul_bound
from tilelang_tt.runtime import emulator as emu

BF16 = ml_dtypes.bfloat16
M = N = 128
K = 256          # 8 K tiles: 4 K blocks of 2 (reload: 3 reloads; l1_acc: accumulate twice, reload once)
BLOCK = dict(grid=(2, 2), per_core_m=2, per_core_n=2, in0_block_w=2)
SCHEDULES = [
    ("naive", {}),
    ("blocked", dict(BLOCK, partials="reload")),
    ("blocked", dict(BLOCK, partials="l1_acc")),
    ("subblocked", dict(BLOCK, subblock_h=2, subblock_w=1, partials="reload")),
    ("subblocked", dict(BLOCK, subblock_h=1, subblock_w=2, partials="l1_acc")),
    ("multicast", dict(BLOCK, subblock_h=2, subblock_w=2, partials="reload")),
    ("multicast", dict(BLOCK, subblock_h=2, subblock_w=2, partials="l1_acc")),
]


def _ids(case):
    sched, opts = case
    return f"{sched}-{opts.get('partials', 'dst')}"


def _compute(kernel) -> str:
    return next(v for k, v in kernel.sources.items() if k.endswith(".cpp") and "compute" in k)


def _inputs(kernel, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for name, shape, dtype in kernel.params:
        if len(out) == len(kernel.params) - len(kernel.out_idx):
            break
        out.append(rng.uniform(-1, 1, shape).astype(BF16 if dtype == "bfloat16" else np.float32))
    return out


@pytest.mark.parametrize("acc", ["float32", "bfloat16"])
@pytest.mark.parametrize("case", SCHEDULES, ids=_ids)
def test_matmul_schedules_run_with_format_checks(case, acc):
    sched, opts = case
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 64, 64, 32, accum_dtype=acc), out_idx=2,
                                 schedule=sched, **opts)
    a, b = _inputs(kernel)
    c = kernel(a, b)
    exact, bound = matmul_bound(a, b, "bfloat16", fp32_acc=acc == "float32")
    ok, err, ratio = check(np.asarray(c, np.float32), exact, bound)
    assert ok, f"{sched} {opts} acc {acc}: max error {err} ({ratio:.2f} x bound)"
    src = _compute(kernel)
    partials = sched != "naive"
    if acc == "float32" and partials:
        # Float32 partials between bf16 operands and output: the packer goes to the partials and back,
        # SrcA goes to the partials for each reload and back to in1 (tt-metal's matmul kernel does so)
        assert "pack_reconfig_data_format(cb_partials)" in src and "pack_reconfig_data_format(cb_out)" in src
        assert "reconfig_data_format_srca(cb_partials)" in src and "reconfig_data_format_srca(cb_in1)" in src
        reload = re.search(r"reconfig_data_format_srca\(cb_partials\);\s*copy_init\(cb_partials\)", src)
        back = re.search(r"reconfig_data_format_srca\(cb_in1\);\s*matmul_(block_)?init\(", src)
        assert reload and back, src
    else:
        assert "reconfig_data_format" not in src, "every CB has one format: no reconfiguration is needed"


@pytest.mark.parametrize("case", [SCHEDULES[0], SCHEDULES[5], SCHEDULES[6]], ids=_ids)
def test_matmul_bias_relu_runs_with_format_checks(case):
    sched, opts = case
    kernel = tilelang_tt.compile(samples.matmul_bias_relu(M, N, K, 64, 64, 32), out_idx=3, schedule=sched, **opts)
    a, b, d = _inputs(kernel)
    c = kernel(a, b, d)
    ref = np.maximum(a.astype(np.float32) @ b.astype(np.float32) + d.astype(np.float32), 0)
    assert np.abs(np.asarray(c, np.float32) - ref).max() <= 0.02 * np.abs(ref).max() + 0.05


@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_eltwise_and_unary_samples_run_with_format_checks(dtype):
    k = tilelang_tt.compile(samples.eltwise("add", 64, 128, dtype=dtype), out_idx=2)
    a, b = _inputs(k)
    np.testing.assert_allclose(np.asarray(k(a, b), np.float32), a.astype(np.float32) + b.astype(np.float32),
                               rtol=1e-2, atol=1e-2)
    u = tilelang_tt.compile(samples.unary_chain(64, 128, ("relu", "exp", "sqrt"), dtype=dtype), out_idx=1)
    (x,) = _inputs(u)
    ref = np.sqrt(np.exp(np.maximum(x.astype(np.float32), 0)))
    np.testing.assert_allclose(np.asarray(u(x), np.float32), ref, rtol=2e-2, atol=1e-2)


# ------------------------------------------------------------------------------ negative controls

def _run_sources(kernel, sources, tmp_path: Path):
    """Run `sources` (the kernel's program, edited) on the emulator with random inputs."""
    plan = json.loads(sources["plan.json"])
    files = []
    for t in sorted(plan["tensors"], key=lambda t: t["param_index"]):
        p = tmp_path / f"tensor{t['param_index']}.bin"
        npdt = BF16 if t["dtype"] == "bfloat16" else np.float32
        p.write_bytes(np.ones(t["shape"], npdt).tobytes())
        files.append(str(p))
    prog = emu.build_program(sources, api_profile="M081")
    return emu.run_program(prog, files, model=plan["model"])


def _without(src: str, call: str, occurrence: int = 0) -> str:
    """`src` with the `occurrence`-th line calling `call` removed."""
    lines = src.splitlines(keepends=True)
    hits = [i for i, ln in enumerate(lines) if ln.strip() == call + ";"]
    assert len(hits) > occurrence, f"{call} is not in the kernel {occurrence + 1} times"
    del lines[hits[occurrence]]
    return "".join(lines)


# (schedule, the removed call, which occurrence, the unit, the CB the failing call reads / writes)
CONTROLS = [
    (SCHEDULES[5], "pack_reconfig_data_format(cb_partials)", 0, "the packer", 24),
    (SCHEDULES[5], "pack_reconfig_data_format(cb_out)", 0, "the packer", 16),
    (SCHEDULES[5], "reconfig_data_format_srca(cb_partials)", 0, "SrcA", 24),
    (SCHEDULES[5], "reconfig_data_format_srca(cb_in1)", 0, "SrcA", 1),
    (SCHEDULES[6], "pack_reconfig_data_format(cb_out)", 0, "the packer", 16),
    (SCHEDULES[6], "reconfig_data_format_srca(cb_partials)", 0, "SrcA", 24),
    (SCHEDULES[3], "reconfig_data_format_srca(cb_in1)", 1, "SrcA", 1),
]


@pytest.mark.parametrize("case,call,occurrence,unit,cb", CONTROLS,
                         ids=[f"{_ids(c[0])}-{c[1]}-{c[2]}" for c in CONTROLS])
def test_a_kernel_missing_one_reconfig_fails_with_the_format_error(case, call, occurrence, unit, cb, tmp_path):
    sched, opts = case
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 64, 64, 32), out_idx=2, schedule=sched, **opts)
    sources = dict(kernel.sources)
    name = next(k for k in sources if k.endswith(".cpp") and "compute" in k)
    _run_sources(kernel, sources, tmp_path)          # the generated kernel passes
    sources[name] = _without(sources[name], call, occurrence)
    with pytest.raises(EmulatorFormatError) as e:
        _run_sources(kernel, sources, tmp_path)
    rep = e.value.report
    det = rep["details"]
    assert rep["kind"] == "format_mismatch" and rep["kernel"] == "compute" and rep["core"] is not None
    assert det["unit"] == unit and det["cb"] == cb and det["line"] > 0
    assert {det["cb_format"], det["configured_format"]} == {"Float16_b", "Float32"}
    msg = str(e.value)
    assert f"c_{cb}" in msg and "Float32" in msg and "Float16_b" in msg and "kernel 'compute'" in msg


# ------------------------------------------------- naive kernels reading CBs of two formats

@T.prim_func
def _mixed(A: T.Buffer((64, 64), "bfloat16"), B: T.Buffer((64, 64), "float32"), C: T.Buffer((64, 64), "float32")):
    bx = T.launch_thread("blockIdx.x", 2)
    A_s = T.alloc_buffer((64, 32), "bfloat16", scope="shared")
    B_s = T.alloc_buffer((64, 32), "float32", scope="shared")
    C_l = T.alloc_buffer((64, 32), "float32", scope="local")
    Tx.copy(A_s, A[0:64, bx * 32:bx * 32 + 32])
    Tx.copy(B_s, B[0:64, bx * 32:bx * 32 + 32])
    Tx.add(C_l, A_s, B_s)         # A -> SrcA, B -> SrcB
    Tx.mul(C_l, C_l, A_s)         # dest reuse (DEST_TO_SRCA): A -> SrcB
    Tx.copy(C[0:64, bx * 32:bx * 32 + 32], C_l)


@pytest.mark.parametrize("call,cb_name", [(None, None), ("reconfig_data_format_srcb(cb_A_s)", "A_s"),
                                          ("reconfig_data_format_srcb(cb_B_s)", "B_s")])
def test_srcb_switches_between_the_two_formats_of_a_naive_kernel(call, cb_name, tmp_path):
    """The dest-reuse multiply unpacks A (bf16) through SrcB, which the add left on B's Float32: the
    compiler reconfigures SrcB for it, and back for the add of the next block (one core, two blocks)."""
    kernel = tilelang_tt.compile(_mixed, out_idx=2, max_cores=1)
    if call is None:
        rng = np.random.default_rng(1)
        a, b = rng.uniform(-1, 1, (64, 64)).astype(BF16), rng.uniform(-1, 1, (64, 64)).astype(np.float32)
        ref = (a.astype(np.float32) + b) * a.astype(np.float32)
        np.testing.assert_allclose(kernel(a, b), ref, rtol=1e-6, atol=1e-6)
        return
    sources = dict(kernel.sources)
    name = next(k for k in sources if k.endswith(".cpp") and "compute" in k)
    cbs = {c["name"]: c["index"] for c in json.loads(sources["plan.json"])["cbs"]}
    sources[name] = _without(sources[name], call)
    with pytest.raises(EmulatorFormatError) as e:
        _run_sources(kernel, sources, tmp_path)
    det = e.value.report["details"]
    assert det["unit"] == "SrcB" and det["cb"] == cbs[cb_name]
