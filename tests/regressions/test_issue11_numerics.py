"""The wrong numbers issue 11 reported, end to end through tilelang_tt.compile and the emulator.

* Matmul blocks whose A block + B block exceed 8 tiles (the emulator's unpacked-tile cache) returned B@B
  in some output tiles (round-robin eviction of the slot A had just hit).
* silu near -89 returned -0 (exp overflow in x / (1 + exp(-x))).
* relu (Tx.maximum(x, x, 0)) mapped NaN to 0.
* exp followed by a cancelling subtraction broke a bound relative to the final result.
"""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import numerics as N
from tilelang_tt import samples
from tilelang_tt.fuzz import Case, run_case
from tilelang_tt.fuzz.inputs import draw

BF16 = ml_dtypes.bfloat16


@pytest.mark.parametrize("bm,bn,bk", [(32, 128, 64), (64, 64, 128), (32, 64, 128), (64, 32, 96)])
@pytest.mark.parametrize("dtype,accum", [("bfloat16", "float32"), ("bfloat16", "bfloat16"), ("float32", "float32")])
def test_matmul_blocks_larger_than_the_tile_cache(bm, bn, bk, dtype, accum):
    M, Nn, K = 128, 128, 256 if bk != 96 else 192
    kernel = tilelang_tt.compile(samples.matmul(M, Nn, K, bm, bn, bk, dtype=dtype, accum_dtype=accum), out_idx=2)
    a, b = draw((M, K), dtype, "unit", 1), draw((K, Nn), dtype, "unit", 2)
    c = kernel(a, b)
    fp32 = kernel.program.compute.fp32_dest_acc_en
    ref = N.matmul(a, b, fp32_acc=fp32).stored(dtype)
    chk = N.check_bounded(c.astype(np.float32), ref)
    assert chk.ok, chk.describe()


def test_matmul_bias_relu_reported_shape():
    """samples.matmul_bias_relu(128, 128, 256, 32, 64, 128): wrong by up to 2.6e4 x the bound before."""
    kernel = tilelang_tt.compile(samples.matmul_bias_relu(128, 128, 256, 32, 64, 128), out_idx=3)
    rng = np.random.default_rng(4)
    a, b, d = (rng.uniform(-1, 1, s).astype(BF16) for s in ((128, 256), (256, 128), (128, 128)))
    c = kernel(a, b, d)
    ref = N.unary("relu", N.binary("add", N.matmul(a, b), N.Bounded.exact(d))).stored("bfloat16")
    chk = N.check_bounded(c.astype(np.float32), ref)
    assert chk.ok, chk.describe()


def _eltwise(first, steps=(), x_dtype="bfloat16", local="bfloat16", out="bfloat16", y_dtype=None, scales=("unit",)):
    return Case("eltwise", {"M": 64, "N": 64, "bm": 32, "bn": 64, "x_dtype": x_dtype, "y_dtype": y_dtype,
                            "local": local, "out": out, "first": first, "steps": [list(s) for s in steps]},
                {"target": "tenstorrent"}, "issue11", [{"scale": s, "seed": i} for i, s in enumerate(scales)])


@pytest.mark.parametrize("local", ["bfloat16", "float32"])
def test_silu_near_minus_89_is_not_zero(local):
    case = _eltwise(["unary", "silu"], local=local, out="float32")
    kernel = tilelang_tt.compile(case.build(), out_idx=1)
    x = np.full((64, 64), -89.0, np.float32).astype(BF16)
    x[0, :8] = [-88.5, -87.0, -100.0, -60.0, -1e30, -np.inf, 1.0, -1.0]
    c = kernel(x)
    assert np.all(c[1:] < -1e-37)                 # silu(-89) = -1.98e-37, a normal number
    fp32 = local == "float32"
    ref = N.unary("silu", N.Bounded.exact(x))
    ref = (ref if fp32 else ref.stored("bfloat16")).stored("float32")
    chk = N.check_bounded(c, ref)
    assert chk.ok, chk.describe()


def test_relu_keeps_nan():
    """NaN policy (docs/numerics.md): relu is the device's sign test, so numpy's NaN stays NaN."""
    kernel = tilelang_tt.compile(samples.unary_chain(64, 64, ("relu", "relu", "relu")), out_idx=1)
    x = np.random.default_rng(0).uniform(-1, 1, (64, 64)).astype(BF16)
    x[0, :4] = [np.nan, np.inf, -np.inf, -0.0]
    c = kernel(x).astype(np.float32)
    assert np.isnan(c[0, 0]) and c[0, 1] == np.inf and c[0, 2] == 0 and c[0, 3] == 0
    np.testing.assert_array_equal(c[1:], np.maximum(x[1:].astype(np.float32), 0))


def test_exp_then_cancelling_subtraction_meets_the_propagated_bound():
    """y = bf16(exp(x)): exp(x) - y cancels to about one ulp of exp(x). A bound relative to that result
    cannot hold for a 1-ulp exp; the chain bound propagates the error of exp instead (docs/numerics.md)."""
    case = _eltwise(["unary", "exp"], [("reuse", "sub")], y_dtype="bfloat16", local="float32", out="float32")
    kernel = tilelang_tt.compile(case.build(), out_idx=2)
    x = draw((64, 64), "bfloat16", "unit", 3)
    y = np.exp(x.astype(np.float64)).astype(np.float32).astype(BF16)
    c = kernel(x, y)
    ref = N.binary("sub", N.unary("exp", N.Bounded.exact(x)), N.Bounded.exact(y)).stored("float32")
    chk = N.check_bounded(c, ref)
    assert chk.ok, chk.describe()
    old = N.elementwise_bound(ref.value, "float32", roundings=2)   # relative to the tiny difference
    assert np.any(np.abs(c - ref.value) > old)                     # ...which the device legitimately exceeds


@pytest.mark.parametrize("scale", ["special", "mixed", "large", "tiny"])
def test_chains_with_special_values_follow_the_policy(scale):
    case = _eltwise(["binary", "add", "X", "Y"], [("unary", "exp"), ("reuse", "mul"), ("unary", "relu")],
                    y_dtype="bfloat16", scales=(scale,))
    outcome = run_case(case)
    assert outcome.outcome == "ok", outcome.describe()
