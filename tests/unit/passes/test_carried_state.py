"""State carried across a serial loop whose body hands DST off to L1 (docs/ops.md "State carried across a
loop"): a running row sum / max over column blocks loaded inside the loop, the state in a shared buffer
initialised before the loop, rewritten every iteration and read after it. Emulator, interpreter and the
bounded reference, tile by tile, both chips; the state CB's pushes and pops per iteration."""
import pytest
from tvm import tirx

import tilelang_tt
from tilelang_tt import sample_bounds as R
from tilelang_tt import samples
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
