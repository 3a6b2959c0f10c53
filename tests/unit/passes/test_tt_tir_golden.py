"""Golden TVMScript of the TT-level TIR (tests/golden/tt_tir/<case>.py).

Each case is lowered with lower_to_tt and printed; the text must match the golden file exactly, the
golden file must parse back to a structurally equal module, and its structure is checked independently
(CB pages pushed == waited == popped per block, one tile_regs_acquire per block, reads/writes per block).
Regenerate after an intended change with: TILELANG_TT_UPDATE_GOLDEN=1 pytest tests/unit/passes
"""
import difflib
import os
from pathlib import Path

import pytest
import tvm
from tvm import tirx

import pass_kernels as kernels
from tilelang_tt import samples
from tilelang_tt import intrinsics as I
from tilelang_tt.codegen import device_program
from tilelang_tt.passes import lower_to_tt

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "golden" / "tt_tir"
UPDATE = os.environ.get("TILELANG_TT_UPDATE_GOLDEN") == "1"

# name -> (factory, expected tt_grid, expected K-loop trip count or None)
# (the matmul cases are lowered with the naive schedule: the user's blocks as written)
CASES = {
    "matmul_1x1_k1": ("samples.matmul(64, 64, 32)", [1, 1], 1),
    "matmul_1x1_k8": ("samples.matmul(64, 64, 256)", [1, 1], 8),
    "matmul_8x8_k1": ("samples.matmul(512, 512, 32)", [8, 8], 1),
    "matmul_8x8_k16": ("samples.matmul(512, 512, 512)", [8, 8], 16),
    "matmul_5x3_k1": ("samples.matmul(192, 320, 32)", [5, 3], 1),
    "matmul_5x3_k6": ("samples.matmul(192, 320, 192)", [5, 3], 6),
    "matmul_bf16acc_64x128": ("kernels.matmul(128, 256, 96, bm=64, bn=128, acc='bfloat16')", [2, 2], 3),
    "eltwise_add": ("samples.eltwise('add', 64, 128)", [2, 2], None),
    "unary_chain": ("samples.unary_chain(64, 128)", [2, 2], None),
    "matmul_bias_relu": ("samples.matmul_bias_relu(128, 128, 128)", [2, 2], 4),
}
# matmul schedules: name -> (factory, options); structure is checked in test_matmul_schedules.py
SCHEDULE_CASES = {
    "mcast_2x2_bias_relu": ("samples.matmul_bias_relu(128, 128, 192)",
                            dict(schedule="multicast", grid=(2, 2), per_core_m=2, per_core_n=2, in0_block_w=2,
                                 subblock_h=2, subblock_w=2)),
    "subblocked_edges_bf16acc": ("kernels.matmul(96, 160, 64, bm=32, bn=32, acc='bfloat16')",
                                 dict(schedule="subblocked", grid=(2, 2), per_core_m=2, per_core_n=3,
                                      in0_block_w=1, subblock_h=2, subblock_w=3)),
}
HEADER = "# Golden TT-level TIR: lower_to_tt({}) on wormhole_b0 (tests/unit/passes/test_tt_tir_golden.py)\n"


def _source(name):
    if name in CASES:
        return CASES[name][0], {"schedule": "naive"}
    return SCHEDULE_CASES[name]


def _lowered(name):
    src, options = _source(name)
    return lower_to_tt(eval(src, {"samples": samples, "kernels": kernels}), **options)  # noqa: S307


def _header(name):
    src, options = _source(name)
    call = src if name in CASES else f"{src}, {', '.join(f'{k}={v!r}' for k, v in options.items())}"
    return HEADER.format(call)


ALL = sorted(CASES) + sorted(SCHEDULE_CASES)


@pytest.mark.parametrize("name", ALL)
def test_golden_text(name):
    text = _lowered(name).script()
    path = GOLDEN_DIR / f"{name}.py"
    if UPDATE:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(_header(name) + text + "\n")
    assert path.exists(), f"missing golden {path}; run with TILELANG_TT_UPDATE_GOLDEN=1"
    header, golden = path.read_text().split("\n", 1)
    assert header + "\n" == _header(name)
    golden = golden.rstrip("\n")
    if text != golden:
        diff = "\n".join(difflib.unified_diff(golden.splitlines(), text.splitlines(), "golden", "now",
                                              lineterm=""))
        pytest.fail(f"TT-level TIR of {name} differs from {path} (TILELANG_TT_UPDATE_GOLDEN=1 to accept):\n{diff}")


@pytest.mark.parametrize("name", ALL)
def test_golden_round_trip(name):
    mod = _lowered(name)
    parsed = tvm.script.from_source((GOLDEN_DIR / f"{name}.py").read_text())
    tvm.ir.assert_structural_equal(parsed, mod)
    tvm.ir.assert_structural_equal(tvm.script.from_source(mod.script()), mod)


def _block_loop(func):
    loop = [s for s in func.body.seq if isinstance(s, tirx.For)][-1]
    return list(loop.body.seq)


def _names(stmt):
    out = []

    def visit(s):
        if isinstance(s, tirx.SeqStmt):
            for x in s.seq:
                visit(x)
        elif isinstance(s, tirx.For):
            visit(s.body)
        elif isinstance(s, tirx.Evaluate) and I.intrinsic_of(s.value) is not None:
            out.append(I.intrinsic_of(s.value).name)
    for x in stmt:
        visit(x)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_structure(name):
    mod = tvm.script.from_source((GOLDEN_DIR / f"{name}.py").read_text())
    roles = {str(f.attrs["tt.kernel_role"]): f for f in mod.functions.values()}
    _, grid, kloop = CASES[name]
    prog = device_program(mod)
    assert prog.schedule["grid"] == grid
    for core in prog.cores:
        blocks = prog.kernel_named("compute").runtime_args[core][1]
        t = prog.core_tally(core)
        for cb in prog.cbs:
            prod, cons = ("reader", "compute") if cb.role == "input" else ("compute", "writer")
            pushed = t[prod][("cb", cb.index, "push")]
            assert pushed == t[cons][("cb", cb.index, "wait")] == t[cons][("cb", cb.index, "pop")]
            if kloop is not None and cb.name in ("A_s", "B_s"):
                assert pushed == blocks * kloop * cb.block_pages
    compute_names = _names(_block_loop(roles["compute"]))
    assert compute_names.count("tile_regs_acquire") == compute_names.count("tile_regs_release") == 1
    assert _names(roles["compute"].body.seq).count("compute_kernel_hw_startup") == 1
    # one barrier per NOC block transfer, after its page loop
    reader = _names(_block_loop(roles["reader"]))
    assert reader.count("noc_async_read_barrier") == reader.count("cb_push_back")
    writer = _names(_block_loop(roles["writer"]))
    assert writer.count("noc_async_write_barrier") == writer.count("cb_pop_front") >= 1
