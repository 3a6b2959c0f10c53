"""Reductions and the kernels built on them over a ragged axis (analysis/padding.py, docs/ops.md "Ragged
axes"): row / column sums get partial scaler tiles, maxima a -inf mask the reader stores over the padding,
softmax's exps of that padding are 0, the means divide by the logical N. Each kernel runs on the emulator
and in the TT-level TIR interpreter, both within the derived bound of the float64 reference, and the two
agree tile by tile (the pattern of test_ops.py); rows and columns that are not multiples of 32, N < 32,
all-negative rows, bf16 and fp32, both chips."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import sample_bounds as R
from tilelang_tt import samples
from tilelang_tt.analysis.padding import plan_padding
from tilelang_tt.errors import TTCompileError
from tilelang_tt.frontend.program import read_program
from tilelang_tt.passes.annotate_layouts import annotate_layouts

from test_ops import _three_ways  # noqa: E402 (pytest puts this directory on sys.path)

CHIPS = ("tenstorrent", "tenstorrent/blackhole")


def _data(shape, dtype, seed, scale=3.0, shift=0.0):
    x = np.random.default_rng(seed).standard_normal(shape) * scale + shift
    return x.astype(ml_dtypes.bfloat16 if dtype == "bfloat16" else np.float32)


@pytest.mark.parametrize("op", ["sum", "max"])
@pytest.mark.parametrize("axis", ["row", "col", "all"])
@pytest.mark.parametrize("M, N_, dtype, target", [
    (40, 50, "bfloat16", "tenstorrent"), (7, 20, "float32", "tenstorrent/blackhole"),
    (33, 100, "float32", "tenstorrent"), (70, 33, "bfloat16", "tenstorrent/blackhole"),
    (60, 60, "bfloat16", "tenstorrent")])      # tails of 28: the lower / right faces of a partial scaler
def test_reductions_over_ragged_axes_of_negative_data(op, axis, M, N_, dtype, target):
    # every value negative: a max that let the zero padding in would return 0
    a = (-np.abs(_data((M, N_), dtype, M * N_)) - 1).astype(_data((1, 1), dtype, 0).dtype)
    shape = {"row": (M, 1), "col": (1, N_), "all": (1, 1)}[axis]
    kernel = _three_ways(samples.reduce(op, axis, M, N_, dtype=dtype), {"A": a}, "C", shape,
                         R.reduce(op, axis, a), target)
    got = np.asarray(kernel(a), np.float32)
    if op == "max":
        assert (got < 0).all()


_MIN_FAST = {("row", "bfloat16", "tenstorrent"), ("col", "float32", "tenstorrent/blackhole"),
             ("all", "float32", "tenstorrent"), ("row", "float32", "tenstorrent/blackhole")}


@pytest.mark.parametrize("axis, dtype, target", [
    pytest.param(ax, dt, tg, marks=[] if (ax, dt, tg) in _MIN_FAST else [pytest.mark.slow])
    for ax in ("row", "col", "all") for dt in ("bfloat16", "float32") for tg in CHIPS])
def test_min_over_ragged_axes_of_positive_data(axis, dtype, target):
    """Tx.min = -max(-x) (tt.LowerMinReduce): the reader stores +inf over the padding, the negation makes it the
    -inf the max ignores. Every value >= 1: a min that let the zero padding in would return 0. Tails of 18 / 13
    columns and 13 rows, an odd bf16 boundary (N = 37 rows) included."""
    M, N_ = {"row": (40, 37), "col": (45, 64), "all": (45, 50)}[axis]
    a = (np.abs(_data((M, N_), dtype, M + N_)) + 1).astype(_data((1, 1), dtype, 0).dtype)
    shape = {"row": (M, 1), "col": (1, N_), "all": (1, 1)}[axis]
    kernel = _three_ways(samples.reduce("min", axis, M, N_, dtype=dtype), {"A": a}, "C", shape,
                         R.reduce("min", axis, a), target)
    got = np.asarray(kernel(a), np.float64)
    assert (got >= 1).all()
    inf = {"float32": 0x7F800000, "bfloat16": 0x7F807F80}[dtype]      # +inf words (a bf16 pair)
    assert f"static_cast<uint32_t>({inf})" in kernel.sources["reader.cpp"]


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
@pytest.mark.parametrize("M, N_", [(40, 50), (7, 20), (33, 100)])
def test_softmax_ragged(M, N_, dtype, target):
    # rows far below -88: exp(0 - max) of zero padding would be inf; the -inf mask makes it exactly 0
    a = _data((M, N_), dtype, 1, 3.0, -200.0)
    _three_ways(samples.softmax(M, N_, dtype=dtype), {"A": a}, "C", (M, N_), R.softmax(a, dtype), target)


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
@pytest.mark.parametrize("M, N_", [(40, 50), (7, 20)])
def test_layernorm_ragged(M, N_, dtype, target):
    # the mean is nonzero, so (x - mean)^2 of the padding is not 0: the partial scaler must drop it
    a, g, b = _data((M, N_), dtype, 2, 1.0, 3.0), _data((1, N_), dtype, 3, 1.0), _data((1, N_), dtype, 4, 1.0)
    _three_ways(samples.layernorm(M, N_, dtype=dtype), {"A": a, "G": g, "B": b}, "C", (M, N_),
                R.layernorm(a, g, b, dtype), target)


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
@pytest.mark.parametrize("M, N_", [(40, 50), (7, 20)])
def test_rmsnorm_ragged(M, N_, dtype, target):
    a, g = _data((M, N_), dtype, 5), _data((1, N_), dtype, 6, 1.0)
    _three_ways(samples.rmsnorm(M, N_, dtype=dtype), {"A": a, "G": g}, "C", (M, N_), R.rmsnorm(a, g, dtype), target)


def _plan(func):
    return plan_padding(read_program(annotate_layouts(func)))


def test_generated_tail_handling():
    # layernorm over N = 50: one partial scaler tile (18 of 32 columns), no mask; softmax: a mask, no
    # partial scaler for the max, and the exps' row sum gets the partial tile
    k = tilelang_tt.compile(samples.layernorm(40, 50, dtype="float32"), out_idx=3)
    scaler = next(cb for cb in k.program.cbs if cb.role == "scaler")
    assert scaler.num_pages == 2
    compute = k.sources["compute.cpp"]
    assert compute.count("reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>") >= 2
    assert "(cb_X, cb_scaler_float32, 1, 1, 0)" in compute      # tile 1 of the row: the partial scaler tile
    assert "mask_addr" not in k.sources["reader.cpp"]
    plan = _plan(samples.softmax(40, 50))
    assert list(plan.masks.values()) == [[None, 50]]
    from tilelang_tt.frontend.program import Operand
    tails = {Operand(s.args[0]).name: t for s, t in plan.tails.items()}
    assert [t.counts for t in tails["mx"]] == [(32, 18)] and not tails["mx"][0].partial_scaler
    assert tails["rs"][0].partial_scaler
    reader = tilelang_tt.compile(samples.softmax(40, 37), out_idx=1).sources["reader.cpp"]
    assert "mask_addr" in reader and "uint16_t*" in reader     # 37 - 32 = 5 valid: an odd bf16 boundary
    assert "uint16_t*" not in tilelang_tt.compile(samples.softmax(40, 50), out_idx=1).sources["reader.cpp"]
    plan = _plan(samples.reduce("max", "col", 45, 64))
    assert list(plan.masks.values()) == [[45, None]]


def test_partial_scaler_counts_are_exact_for_odd_tails():
    # an odd tail in bf16 ends in a half word of the scaler row and a half-word -inf store in the data
    a = _data((32, 37), "bfloat16", 9, 1.0, -5.0)
    for op in ("sum", "max"):
        _three_ways(samples.reduce(op, "row", 32, 37), {"A": a}, "C", (32, 1), R.reduce(op, "row", a))


_BODIES = {
    # the max of exp(x): exp turns the -inf mask into 0, which may win the max
    "max_of_exp": ["E = shared", "Tx.exp(E, X)", "Tx.max(r, E, axes=-1)"],
    # the max and the sum of one loaded block: the mask the max needs reaches the sum
    "max_and_sum": ["m = vec", "s = vec", "Tx.max(m, X, axes=-1)", "Tx.sum(s, X, axes=-1)", "Tx.add(r, m, s)"],
    # a max and a min of one loaded block: -inf and +inf over the same padding
    "max_and_min": ["m = vec", "n = vec", "Tx.max(m, X, axes=-1)", "Tx.min(n, X, axes=-1)", "Tx.add(r, m, n)"],
    "max_and_min_two_loads": ["X2 = shared", "m = vec", "n = vec", "Tx.copy(X2, A[0:32, 0:NP])",
                              "Tx.max(m, X, axes=-1)", "Tx.min(n, X2, axes=-1)", "Tx.add(r, m, n)"],
    # the fix that error gives: the tensor loaded twice, one block for each reduction
    "two_loads": ["X2 = shared", "m = vec", "s = vec", "Tx.copy(X2, A[0:32, 0:NP])", "Tx.max(m, X, axes=-1)",
                  "Tx.sum(s, X2, axes=-1)", "Tx.add(r, m, s)"],
}


def _kernel(name, N_):
    """A one-block row kernel over 32 x N_ float32 data into r (32, 1), written as TVMScript text."""
    import tvm
    NP = -(-N_ // 32) * 32
    decl = {"shared": f'T.alloc_buffer((32, {NP}), "float32", scope="shared")',
            "vec": 'T.alloc_buffer((32, 1), "float32", scope="shared")'}
    body = ['by = T.launch_thread("blockIdx.x", 1)', f"X = {decl['shared']}",
            'r = T.alloc_buffer((32, 1), "float32", scope="local")']
    lines = [ln.split(" = ")[0] + " = " + decl[ln.split(" = ")[1]] if ln.endswith(("shared", "vec")) else ln
             for ln in _BODIES[name]]
    body += [ln for ln in lines if "alloc" in ln] + ["Tx.copy(X, A[0:32, 0:NP])"]
    body += [ln for ln in lines if "alloc" not in ln] + ["Tx.copy(C[0:32, 0:1], r)"]
    text = ("# from tvm.script import tirx as T\n@T.prim_func\n"
            f'def {name}(A: T.Buffer((32, {N_}), "float32"), C: T.Buffer((32, 1), "float32")):\n'
            + "".join("    " + ln.replace("NP", str(NP)) + "\n" for ln in body))
    return tvm.script.from_source(text.replace("Tx.", "T.tile."))


def test_tails_the_device_cannot_handle_are_typed_errors():
    with pytest.raises(TTCompileError, match=r"kernel 'max_of_exp': Tx.max\(r, E\) over the ragged columns of E: "
                                             r"the -inf mask"):
        tilelang_tt.compile(_kernel("max_of_exp", 50))
    with pytest.raises(TTCompileError, match=r"row reduction Tx.sum\(s, X\) over the ragged columns of X: its "
                                             r"padding holds -inf values"):
        tilelang_tt.compile(_kernel("max_and_sum", 50))
    tilelang_tt.compile(_kernel("max_and_sum", 64))        # whole tiles: nothing to mask
    k = tilelang_tt.compile(_kernel("two_loads", 50), out_idx=1)   # the fix: the mask goes to X only
    a = (np.random.default_rng(3).standard_normal((32, 50)) - 4).astype(np.float32)
    want = a.astype(np.float64).max(1) + a.astype(np.float64).sum(1)
    assert np.allclose(np.asarray(k(a))[:, 0], want, rtol=1e-3, atol=1e-3)


def test_max_and_min_of_one_ragged_block_need_two_loads():
    with pytest.raises(TTCompileError, match=r"kernel 'max_and_min': Tx.(max|min)\((m|n), X\) over the ragged columns "
                                             r"of X: its padding holds [-+]inf, the mask another reduction"):
        tilelang_tt.compile(_kernel("max_and_min", 50))
    k = tilelang_tt.compile(_kernel("max_and_min_two_loads", 50), out_idx=1)    # the fix: -inf on X, +inf on X2
    assert sorted(_plan(_kernel("max_and_min_two_loads", 50)).fills.values()) == ["+inf", "-inf"]
    a = (np.random.default_rng(4).standard_normal((32, 50)) * 3).astype(np.float32)
    want = a.astype(np.float64).max(1) + a.astype(np.float64).min(1)
    assert np.array_equal(np.asarray(k(a), np.float64)[:, 0], want.astype(np.float32))


def test_mask_over_block_float_pages_is_refused_and_sums_still_work():
    # -inf cannot be stored per element in a Bfp8_b page (one exponent per 16 values); the partial scaler
    # needs nothing of the data's pages, so a ragged sum of a block-float tensor compiles
    with pytest.raises(TTCompileError, match=r"kernel 'reduce_max_rows': Tx.max over a ragged axis of A_s, whose "
                                             r"tensor is stored as Bfp8_b"):
        tilelang_tt.compile(samples.reduce("max", "row", 40, 50), storage={"A": "bfp8_b"})
    tilelang_tt.compile(samples.reduce("sum", "row", 40, 50), storage={"A": "bfp8_b"})
