"""Math fidelity end to end: the same matmul compiled with math_fidelity LoFi / HiFi2 / HiFi4 runs on the
emulator with the error the matrix engine has at that fidelity: each within its derived bound
(tilelang_tt/numerics.py matmul_bound, docs/tolerance.md "Matmul") and measurably different from the
others. Fixed inputs: positive values, so the operands' truncation does not cancel in the sum."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, matmul_bound, product_roundoff

BF16 = ml_dtypes.bfloat16
M, N, K = 64, 64, 256


def _inputs(dtype):
    rng = np.random.default_rng(16)
    a = rng.uniform(0.5, 2.0, (M, K)).astype(np.float32).astype(dtype)
    b = rng.uniform(0.5, 2.0, (K, N)).astype(np.float32).astype(dtype)
    return a, b


def _run(fidelity, dtype="bfloat16", accum="float32"):
    np_dtype = BF16 if dtype == "bfloat16" else np.float32
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32, dtype=dtype, accum_dtype=accum),
                                 target="tenstorrent", out_idx=2, schedule="naive", math_fidelity=fidelity)
    assert kernel.program.compute.math_fidelity == fidelity
    a, b = _inputs(np_dtype)
    c = np.asarray(kernel(a, b)).astype(np.float32)
    fp32_acc = kernel.program.compute.fp32_dest_acc_en
    exact, bound = matmul_bound(a, b, dtype, fp32_acc=fp32_acc, fidelity=fidelity)
    ok, err, ratio = check(c, exact, bound)
    assert ok, f"{fidelity} {dtype} (accumulator {accum}): max error {err} = {ratio:.2f} x its bound"
    rel = np.abs(c - exact) / exact
    return float(rel.mean()), ratio


@pytest.mark.parametrize("dtype,accum", [("bfloat16", "float32"), ("float32", "float32"),
                                         ("bfloat16", "bfloat16")])
def test_fidelities_within_bound_and_distinct(dtype, accum):
    lofi, r_lo = _run("LoFi", dtype, accum)
    hifi2, r_2 = _run("HiFi2", dtype, accum)
    hifi4, r_4 = _run("HiFi4", dtype, accum)
    # Each phase pair removes a truncation of an operand: LoFi in0 to 6 and in1 to 4 mantissa bits
    # (mean relative loss about 2^-7 + 2^-5), HiFi2 in0 to 6 (about 2^-7), HiFi4 none for bf16 data.
    # With a bf16 DST every MVMUL of every phase is rounded into the running sum: the later phases'
    # small contributions (in0's last mantissa bit) fall below half its ulp and vanish, so HiFi4 gains
    # nothing over HiFi2 there (the ISA's functional model; docs/tolerance.md).
    factor = 2.0 if accum == "float32" else 1.25
    print(f"{dtype} / {accum}: mean relative error LoFi {lofi:.3g} HiFi2 {hifi2:.3g} HiFi4 {hifi4:.3g}; "
          f"max error / bound {r_lo:.2f} {r_2:.2f} {r_4:.2f}")
    assert lofi > factor * hifi2, (lofi, hifi2)
    if accum == "float32":
        assert hifi2 > factor * hifi4, (hifi2, hifi4)
    else:
        assert hifi2 >= hifi4, (hifi2, hifi4)
    # the bound is not loose by orders of magnitude at LoFi, where truncation dominates
    assert r_lo > 0.2, r_lo


def test_product_roundoff_per_fidelity():
    """The derivation's numbers (docs/tolerance.md)."""
    assert product_roundoff("bfloat16", True, "HiFi4") == 0.0
    assert product_roundoff("bfloat16", True, "HiFi2") == 2.0 ** -6
    assert product_roundoff("bfloat16", True, "LoFi") == (1 + 2.0 ** -6) * (1 + 2.0 ** -4) - 1
    assert product_roundoff("bfloat16", True, "HiFi3") == 2.0 ** -10
    assert product_roundoff("float32", True, "HiFi4") == (1 + 2.0 ** -10) * (1 + 2.0 ** -9) - 1
    assert product_roundoff("float32", False, "HiFi4") == (1 + 2.0 ** -7) ** 2 - 1
