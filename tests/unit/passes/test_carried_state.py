"""State carried across a serial loop whose body hands DST off to L1 (docs/ops.md "State carried across a
loop"): a running row sum / max over column blocks loaded inside the loop, the state in a shared buffer
initialised before the loop, rewritten every iteration and read after it. Emulator, interpreter and the
bounded reference, tile by tile, both chips; the state CB's pushes and pops per iteration."""
import textwrap

import numpy as np
import pytest
import tvm
from tvm import tirx
from tvm.script import tirx as T
from tvm.tirx.script import tile as Tx

import tilelang_tt
from tilelang_tt import numerics as N
from tilelang_tt import sample_bounds as R
from tilelang_tt import samples
from tilelang_tt.errors import TTCompileError
from tilelang_tt.passes import lower_to_tt
from test_lower_naive import block_body, calls, roles  # noqa: E402 (pytest puts this directory on sys.path)
from test_ops import _data, _three_ways  # noqa: E402


@pytest.mark.parametrize("op,dtype,target", [("sum", "bfloat16", "tenstorrent"),
                                             ("max", "float32", "tenstorrent/blackhole")])
def test_running_reduce(op, dtype, target):
    M, N_, BN = 64, 256, 64
    a = _data((M, N_), dtype, 21)
    kernel = _three_ways(samples.running_reduce(op, M, N_, block_n=BN, dtype=dtype), {"A": a}, "C", (M, 1),
                         R.running_reduce(op, a, BN), target)
    # the state's CB holds the previous and the new value while an iteration rewrites it in place
    state = next(cb for cb in kernel.program.cbs if cb.name == "state")
    assert state.num_pages == 2 * state.block_pages


def test_state_cb_balances_per_iteration():
    """The state is pushed once before the loop (its initial value), popped and pushed once per iteration,
    and popped once after the loop: the compute kernel's CB calls on it."""
    func = samples.running_reduce("sum", 32, 256, block_n=64)
    cb = next(c.index for c in tilelang_tt.compile(func).program.cbs if c.name == "state")
    body = block_body(roles(lower_to_tt(func, "tenstorrent"))["compute"])
    loops = [s for s in body if isinstance(s, tirx.For) and s.loop_var.name == "j"]
    assert len(loops) == 1 and int(loops[0].extent) == 4

    def on_state(stmts, name):
        return sum(1 for s in stmts for c in calls(s, name) if int(c.args[-2]) == cb)
    outside = [s for s in body if s not in loops]
    assert [on_state(loops, "cb_push_back"), on_state(loops, "cb_pop_front")] == [1, 1]
    assert [on_state(outside, "cb_push_back"), on_state(outside, "cb_pop_front")] == [1, 1]


def test_ragged_keys_are_refused_naming_the_transposed_gemm():
    """Keys padded to whole blocks score q . 0 = 0, which a row max and the softmax sum would see: refused,
    naming the reduction and the gemm that turned the padded key rows into score columns."""
    with pytest.raises(TTCompileError) as info:
        tilelang_tt.compile(samples.flash_attention(200, 64), out_idx=3)
    msg = str(info.value)
    assert "row reduction Tx.max(mn, S_s) over the ragged columns of S_s" in msg
    assert "Tx.gemm(S_l, Q_s, K_s, transpose_B=True)" in msg and "multiple of its block" in msg


def _loop_kernel(body: str):
    src = ("# from tvm.script import tirx as T\n@T.prim_func\n"
           "def k(A: T.Buffer((32, 256), \"float32\"), C: T.Buffer((32, 1), \"float32\")):\n"
           "    by = T.launch_thread(\"blockIdx.x\", 1)\n"
           "    A_s = T.alloc_buffer((32, 64), \"float32\", scope=\"shared\")\n"
           "    p = T.alloc_buffer((32, 1), \"float32\", scope=\"shared\")\n"
           "    q = T.alloc_buffer((32, 1), \"float32\", scope=\"shared\")\n"
           "    r = T.alloc_buffer((32, 1), \"float32\", scope=\"local\")\n"
           + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n")
    return tvm.script.from_source(src.replace("Tx.", "T.tile."))


def test_value_leaving_the_loop_must_be_carried():
    """A shared result computed in the body without reading its previous value has one version per
    iteration; reading it after the loop is refused with the carried form as the fix, which works."""
    body = '''
        {init}
        for j in T.serial(4):
            Tx.copy(A_s, A[0:32, j * 64:j * 64 + 64])
            Tx.sum(p, A_s, axes=-1)
            {fold}
        Tx.copy(r, q)
        Tx.copy(C[0:32, 0:1], r)
    '''
    with pytest.raises(TTCompileError) as info:
        tilelang_tt.compile(_loop_kernel(body.format(init="", fold="Tx.mul(q, p, T.float32(2))")))
    msg = str(info.value)
    assert "q is read after the serial loop j, whose body computes it without reading its previous value" in msg
    assert "initialise q before the loop (Tx.fill)" in msg
    kernel = tilelang_tt.compile(_loop_kernel(body.format(init="Tx.fill(q, T.float32(0))", fold="Tx.add(q, q, p)")),
                                 out_idx=1)
    a = np.random.default_rng(3).standard_normal((32, 256)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(kernel(a))[:, 0], a.sum(axis=1), rtol=1e-4, atol=1e-4)


def test_nested_loops_with_hand_offs_are_refused():
    body = '''
        Tx.fill(q, T.float32(0))
        for i in T.serial(2):
            for j in T.serial(2):
                Tx.copy(A_s, A[0:32, (i * 2 + j) * 64:(i * 2 + j) * 64 + 64])
                Tx.sum(p, A_s, axes=-1)
                Tx.add(q, q, p)
        Tx.copy(r, q)
        Tx.copy(C[0:32, 0:1], r)
    '''
    with pytest.raises(TTCompileError, match="the serial loop j with DST -> L1 hand-offs inside the serial loop i"):
        tilelang_tt.compile(_loop_kernel(body))


@T.prim_func
def _carried_local(A: T.Buffer((64, 512), "float32"), B: T.Buffer((64, 64), "float32"),
                   C: T.Buffer((64, 64), "float32")):
    by = T.launch_thread("blockIdx.x", 2)
    A_s = T.alloc_buffer((32, 64), "float32", scope="shared")
    B_s = T.alloc_buffer((32, 64), "float32", scope="shared")
    E = T.alloc_buffer((32, 64), "float32", scope="shared")
    O_l = T.alloc_buffer((32, 64), "float32", scope="local")
    W_l = T.alloc_buffer((32, 64), "float32", scope="local")
    Tx.copy(B_s, B[by * 32:by * 32 + 32, 0:64])
    Tx.exp(W_l, B_s)
    Tx.fill(O_l, T.float32(0))
    for j in T.serial(8):
        Tx.copy(A_s, A[by * 32:by * 32 + 32, j * 64:j * 64 + 64])
        Tx.exp(E, A_s)
        Tx.add(O_l, O_l, E)
        Tx.add(O_l, O_l, W_l)
    Tx.add(O_l, O_l, W_l)
    Tx.copy(C[by * 32:by * 32 + 32, 0:64], O_l)


def test_locals_across_a_region_loop():
    """A local accumulated across the iterations (carried through its spill CB) and a local computed before
    the loop that every iteration and the code after the loop read (waited for once, popped once)."""
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((64, 512)).astype(np.float32), rng.standard_normal((64, 64)).astype(np.float32)
    w = N.unary("exp", N.Bounded.exact(b)).stored("float32")
    o = N.Bounded.exact(np.zeros((64, 64)))
    for j in range(8):
        e = N.unary("exp", N.Bounded.exact(a[:, j * 64:j * 64 + 64])).stored("float32")
        o = N.fpu_binary("add", N.fpu_binary("add", o, e, "float32").stored("float32"), w, "float32").stored("float32")
    o = N.fpu_binary("add", o, w, "float32").stored("float32")
    kernel = _three_ways(_carried_local, {"A": a, "B": b}, "C", (64, 64), o)
    assert {cb.name for cb in kernel.program.cbs} >= {"O_l_spill", "W_l_spill"}
