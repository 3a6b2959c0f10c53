"""Tx.select with a predicate on tile coordinates (docs/ops.md "Masks", analysis/masks.py): the reader's 0/1 mask
tiles and where_tile. Each kernel runs on the emulator and in the interpreter of TT-level TIR, tile by tile, against
the numpy reference; a select moves values without arithmetic, so the masks themselves are exact."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import numerics as N
from tilelang_tt import sample_bounds as R
from tilelang_tt import samples
from tilelang_tt.errors import TTCompileError

from test_ops import CHIPS, _data, _three_ways


# make test runs every select kernel on Wormhole and one mask on Blackhole (the same lowering); the other
# Blackhole cases run in the slow tier
BLACKHOLE_SLOW = pytest.param("tenstorrent/blackhole", marks=pytest.mark.slow)


def _keep(mask, M, N_, width=8):
    r, c = np.indices((M, N_))
    return c <= r if mask == "causal" else np.abs(r - c) <= width


@pytest.mark.parametrize("target,dtype,mask", [
    (t, d, m) if t == "tenstorrent" or (d, m) == ("float32", "band") else pytest.param(t, d, m, marks=pytest.mark.slow)
    for t in CHIPS for d in ("bfloat16", "float32") for m in ("causal", "band")])
def test_masks_are_exact(target, dtype, mask):
    """Causal (j <= i + by * 32) and band (two subtractions that would wrap in unsigned index arithmetic) masks
    with a -inf fill, ragged N (the padding is cropped): the kept values and the fill exactly."""
    M, N_ = 64, 80
    a = _data((M, N_), dtype, 50)
    ref = R.masked(a, _keep(mask, M, N_), float("-inf"), dtype)
    assert ref.err.max() == 0
    kernel = _three_ways(samples.masked(M, N_, mask, dtype=dtype), {"A": a}, "C", (M, N_), ref, target)
    cpp = kernel.sources["compute.cpp"]
    fmt = "Float32" if dtype == "float32" else "Float16_b"        # a float32 local turns on fp32_dest_acc_en
    assert f"where_tile<DataFormat::{fmt}>(" in cpp and "where_tile_init();" in cpp
    assert "mul_tiles" not in cpp and "mul_unary_tile" not in cpp        # nothing multiplies the discarded side


def test_wide_block_runs_in_dst_chunks():
    """A float32 (32, 512) block is 16 tiles, a float32 DST holds 4: the select's region runs in chunks of 2
    tiles beside its 2 scratch slots, the mask CB waited for and popped once per block."""
    M, N_ = 32, 512
    a = _data((M, N_), "float32", 51)
    kernel = _three_ways(samples.masked(M, N_, "causal", fill=-3.5, dtype="float32"), {"A": a}, "C", (M, N_),
                         R.masked(a, _keep("causal", M, N_), -3.5, "float32"))
    cpp = kernel.sources["compute.cpp"]
    assert cpp.count("cb_wait_front(cb_mask_0, 16);") == 1 and cpp.count("cb_pop_front(cb_mask_0, 16);") == 1


def _forms():
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    @T.prim_func
    def select_forms(A: T.Buffer((64, 64), "bfloat16"), B: T.Buffer((64, 64), "bfloat16"),
                     C: T.Buffer((64, 64), "float32")):
        by = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        S = T.alloc_buffer((32, 64), "float32", scope="shared")
        y = T.alloc_buffer((32, 64), "float32", scope="local")
        Tx.copy(A_s, A[by * 32:by * 32 + 32, 0:64])
        Tx.copy(B_s, B[by * 32:by * 32 + 32, 0:64])
        Tx.copy(y, A_s)
        Tx.select(y, y, B_s, lambda i, j: j <= i + by * 32)              # true side in place
        Tx.select(S, B_s, T.float32(2.5), lambda i, j: j % 3 == 0)        # into L1; an immediate true side
        Tx.select(y, S, y, lambda i, j: i + by * 32 >= 40)                # false side in place, read from L1
        Tx.copy(C[by * 32:by * 32 + 32, 0:64], y)
    return select_forms


@pytest.mark.parametrize("target", ["tenstorrent", BLACKHOLE_SLOW])
def test_select_forms(target):
    """True or false side in place in DST, a tensor or an immediate on either side, a shared destination read
    back through its CB, predicates with % and on the grid variable."""
    a, b = _data((64, 64), "bfloat16", 52), _data((64, 64), "bfloat16", 53)
    r, c = np.indices((64, 64))
    A, B = N.Bounded.exact(a), N.Bounded.exact(b)
    y = N.select(c <= r, A, B)
    s = N.select(c % 3 == 0, B, 2.5)
    ref = N.select(r >= 40, s, y).stored("float32")
    _three_ways(_forms(), {"A": a, "B": b}, "C", (64, 64), ref, target)


@pytest.mark.parametrize("target", ["tenstorrent", BLACKHOLE_SLOW])
def test_causal_attention(target):
    """samples.attention(causal=True): the packed scores masked with -inf above the diagonal before the softmax
    (a chunked select region beside the fp32 DST's 4 tiles), within the derived attention bound."""
    S, D = 128, 64
    q, k, v = (_data((S, D), "bfloat16", 60 + i, 1.0) for i in range(3))
    ref = R.attention(q, k, v, "bfloat16", causal=True)
    _three_ways(samples.attention(S, D, causal=True), {"Q": q, "K": k, "V": v}, "O", (S, D), ref, target)
    unmasked = R.attention(q, k, v, "bfloat16")
    assert not N.check_bounded(ref.value, unmasked).ok       # the test sees the mask


def _bad(pred, dst_shape=(32, 64)):
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    @T.prim_func
    def bad_mask(A: T.Buffer((32, 64), "bfloat16"), C: T.Buffer(dst_shape, "bfloat16")):
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        y = T.alloc_buffer(dst_shape, "bfloat16", scope="local")
        Tx.copy(A_s, A[0:32, 0:64])
        Tx.select(y, A_s, T.float32(0), pred)
        Tx.copy(C[0:dst_shape[0], 0:dst_shape[1]], y)
    return bad_mask


@pytest.mark.parametrize("pred,problem", [
    (lambda i, j: i * j < 5, "the predicate compares i * j - 5 is not affine in i, j"),
    (lambda i, j: i + j, "the predicate is the number i + j, not a condition"),
])
def test_unsupported_predicates_name_the_mask(pred, problem):
    with pytest.raises(TTCompileError) as e:
        tilelang_tt.compile(_bad(pred), out_idx=1)
    msg = str(e.value)
    assert msg.startswith("kernel 'bad_mask': mask Tx.select(y, A_s, 0.0, lambda i, j: ")
    assert problem in msg and "fix:" in msg


def test_where_tile_with_the_wrong_format_fails_on_the_emulator(tmp_path):
    """where_tile's template names the width the SFPU loads each datum with: Float32 on a bf16 DST (or
    Float16_b on a float32 one) reads the wrong bits on a card, and the emulator stops the kernel."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))
    from test_format_state import _run_sources
    from tilelang_tt.errors import EmulatorError
    kernel = tilelang_tt.compile(samples.masked(32, 64), out_idx=1)
    sources = dict(kernel.sources)
    _run_sources(kernel, sources, tmp_path)
    assert "where_tile<DataFormat::Float16_b>" in sources["compute.cpp"]
    sources["compute.cpp"] = sources["compute.cpp"].replace("DataFormat::Float16_b", "DataFormat::Float32")
    with pytest.raises(EmulatorError) as e:
        _run_sources(kernel, sources, tmp_path)
    assert "where_tile<DataFormat::Float32> on a DST holding bfloat16 data" in str(e.value)


def test_mask_tiles_in_l1_are_bf16_ones_and_zeros():
    """The reader's mask block of the first causal block, read back from the interpreter's CB: 1.0 exactly
    where the predicate holds."""
    from tilelang_tt.passes import lower_to_tt
    from tilelang_tt.ttir import interp
    func = samples.masked(32, 64)
    a = np.ones((32, 64), ml_dtypes.bfloat16)
    sim = interp.Sim(lower_to_tt(func, "tenstorrent"), {"A": np.asarray(a, np.float32),
                                                       "C": np.zeros((32, 64), np.float32)})
    sim.run()
    stores = [e for e in sim.trace if e[2] == "l1_store_u32"]
    assert len(stores) == 2 * 512                     # 2 tiles, 512 words each
    words = np.array([w & 0xFFFFFFFF for _, _, _, (addr, w) in stores], np.uint32)
    assert set(np.unique(words)) <= {0, 0x3F80, 0x3F800000, 0x3F803F80}


def _predicate_kernel(pred):
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    preds = {"causal": lambda by: (lambda i, j: j <= i + by * 64 - 5),
             "band": lambda by: (lambda i, j: (i + by * 64 - j <= 20) & (j - i - by * 64 <= 3)),
             "not_or_eq": lambda by: (lambda i, j: T.Not(j + 7 > i) | (i == 40)),
             "stride": lambda by: (lambda i, j: (j % 3 == 0) & (i < 50)),
             "ne_and": lambda by: (lambda i, j: (j != i + 100) & (i >= 32))}

    @T.prim_func
    def tiles(A: T.Buffer((128, 128), "bfloat16"), C: T.Buffer((128, 128), "bfloat16")):
        by = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((64, 128), "bfloat16", scope="shared")
        y = T.alloc_buffer((64, 128), "bfloat16", scope="local")
        Tx.copy(A_s, A[by * 64:by * 64 + 64, 0:128])
        Tx.select(y, A_s, T.float32(0), preds[pred](by))
        Tx.copy(C[by * 64:by * 64 + 64, 0:128], y)
    return tiles


@pytest.mark.parametrize("pred,exact_class", [
    ("causal", True), ("band", True), ("not_or_eq", False), ("stride", False), ("ne_and", False)])
def test_tile_classes_are_sound(pred, exact_class):
    """The reader stores a constant tile where analysis/masks.tile_class says the predicate holds at every /
    no position: checked against the predicate at every position of every tile, for both blocks. For
    comparisons without // or % the classification is also complete (no uniform tile left to the
    per-element loop)."""
    from tilelang_tt.analysis import masks
    from tilelang_tt.frontend.program import read_program
    from tilelang_tt.ttir.interp import Sim
    op = next(o for o, _ in read_program(_predicate_kernel(pred)).walk_ops() if o.kind == "select")
    (vi, vj), body = masks.predicate(op)
    by = next(v for v in masks.uses_vars(op)) if masks.uses_vars(op) else None
    ev = Sim.eval.__get__(Sim.__new__(Sim))
    for b in (0, 1):
        for ti in range(2):
            for tj in range(4):
                env = {by: b} if by is not None else {}
                truth = np.array([[bool(ev(body, {**env, vi: 32 * ti + r, vj: 32 * tj + c})) for c in range(32)]
                                  for r in range(32)])
                t_all, f_all = masks.tile_class(op, 32 * ti, 32 * tj)
                is_all = t_all is not False and bool(ev(t_all, env))
                is_none = f_all is not False and bool(ev(f_all, env))
                assert not (is_all and not truth.all()) and not (is_none and truth.any()), (b, ti, tj)
                if exact_class:
                    assert is_all == truth.all() and is_none == (not truth.any()), (b, ti, tj)


def test_the_model_counts_the_mask_stores():
    """kernel.estimate() prices the reader's mask words (perf DMWork.l1_stores): every tile of every block
    is 512 words, constant or evaluated."""
    from tilelang_tt.perf.work import ProgramWork
    kernel = tilelang_tt.compile(samples.masked(64, 96, "causal"), out_idx=1)
    work = ProgramWork.from_dict(kernel.plan["work"])
    assert [sum(d.l1_stores for d in c.dm.values()) for c in work.cores] == [3 * 512, 3 * 512]
    assert "L1 stores" in str(kernel.estimate())
