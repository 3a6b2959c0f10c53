"""The FPU MAX reduce orders values as GMPOOL does (tt-isa-documentation WormholeB0 GMPOOL.md, AsComparable:
sign-magnitude keys): a NaN with a clear sign bit wins the max, one with the sign bit set loses to every
number. The emulator and the TT-level TIR interpreter both follow it (found by the fuzzer: std::max dropped
every NaN)."""
import numpy as np

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.ttir.interp import _gmpool_max

NEG_NAN = np.array([0xFFC00000], np.uint32).view(np.float32)[0]


def _rows():
    x = np.random.default_rng(0).uniform(-1, 1, (32, 64)).astype(np.float32)
    x[3, 40] = np.nan           # sign bit clear: wins
    x[5, 7] = NEG_NAN           # sign bit set: loses
    return x


def test_emulator_max_reduce_keeps_a_positive_nan_and_drops_a_negative_one():
    x = _rows()
    y = np.asarray(tilelang_tt.compile(samples.reduce("max", "row", 32, 64, dtype="float32"), out_idx=1)(x))
    assert np.isnan(y[3, 0]) and y[5, 0] == np.max(np.delete(x[5], 7))
    rest = [r for r in range(32) if r not in (3, 5)]
    assert np.array_equal(y[rest, 0], x[rest].max(axis=1))


def test_interpreter_orders_like_gmpool():
    x = _rows()
    m = _gmpool_max(x, axis=1)
    assert np.isnan(m[3]) and m[5] == np.max(np.delete(x[5], 7)) and m[0] == x[0].max()
    assert _gmpool_max(np.array([NEG_NAN, -np.inf], np.float32)) == -np.inf
