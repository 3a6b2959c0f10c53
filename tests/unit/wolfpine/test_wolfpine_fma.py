"""Tx.fma of three tensors (mul_tiles, then add_reuse_dest_tiles<DEST_TO_SRCA>: FPU only) on the wolfpine device
(tt-metal 0.81.1's runtime and LLKs over the simulated Tensix), against numpy and against our emulator."""
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import numerics as N
from tilelang_tt import samples

from test_wolfpine import ELTWISE_ULPS, _inputs, _ulp


@pytest.mark.needs_sim
@pytest.mark.parametrize("chip", ["wormhole_b0", pytest.param("blackhole", marks=pytest.mark.sim)])
def test_fma_of_tensors(wolfpine_env, chip):
    """The device's FPU: the product within ELTWISE_ULPS['mul'] bf16 ulps of a * b (rounded into the bf16
    DST), the dest-reuse add within ELTWISE_ULPS['add'] ulps of its result; the emulator within the derived
    bound of numerics.fma; the two within the sum of both."""
    k = tilelang_tt.compile(samples.fma(32, 64, scalars=False), target=f"tenstorrent/{chip}", out_idx=-1)
    a, b, c = _inputs(k, 2)
    wp = k(a, b, c, backend="wolfpine").astype(np.float64)
    emu = k(a, b, c, backend="emulator").astype(np.float64)
    prod = a.astype(np.float64) * b.astype(np.float64)
    exact = prod + c.astype(np.float64)
    tol = ELTWISE_ULPS["mul"] * _ulp(prod) + ELTWISE_ULPS["add"] * _ulp(exact)
    assert np.all(np.abs(wp - exact) <= tol), f"wolfpine is {np.max(np.abs(wp - exact) / tol):.3g} of its bound"
    ref = N.fma(*(N.Bounded.exact(x) for x in (a, b, c)), "bfloat16").stored("bfloat16")
    assert N.check_bounded(emu, ref).ok
    assert np.all(np.abs(wp - emu) <= tol + ref.err)
