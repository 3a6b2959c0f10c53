"""Lowering paths the end-to-end suite does not cover, run on the emulator through tilelang_tt.compile:
2d_blocked core assignment (chosen with a function attr), gemm beta=0 after a non-zero fill, a
local->local cast sharing DST slots, two outputs, shared - shared."""
import shutil

import ml_dtypes
import numpy as np
import pytest

import pass_kernels as kernels
from pass_kernels import make
from tilelang_tt import samples

pytest.importorskip("tilelang_tt.runtime.emulator")
if not (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")):
    pytest.skip("no C++ compiler for the emulator", allow_module_level=True)

import tilelang_tt  # noqa: E402

BF = ml_dtypes.bfloat16
RNG = np.random.default_rng(3)


def _r(*shape):
    return RNG.uniform(-1, 1, shape).astype(BF)


def _f(x):
    return np.asarray(x, np.float32)


def _close(got, ref, tol=1e-2):
    np.testing.assert_allclose(_f(got), ref, rtol=tol, atol=tol * max(1.0, np.abs(ref).max()))


def test_2d_blocked_matmul_on_emulator():
    M, N, K = 512, 320, 64
    f = samples.matmul(M, N, K, 32, 32, 32).with_attrs({"tt.core_policy": "2d_blocked", "tt.schedule": "naive"})
    k = tilelang_tt.compile(f, target="tenstorrent", out_idx=2)
    a, b = _r(M, K), _r(K, N)
    _close(k(a, b), _f(a) @ _f(b))
    assert k.plan["core_grid"] == [5, 8]


def test_gemm_beta_zero_after_fill_on_emulator():
    k = tilelang_tt.compile(kernels.matmul(64, 64, 128, gemm_args="beta=0.0", fill="T.float32(3)"),
                            target="tenstorrent", out_idx=2)
    a, b = _r(64, 128), _r(128, 64)
    _close(k(a, b), _f(a)[:, 96:] @ _f(b)[96:, :])


def test_cast_alias_two_outputs_and_sub_on_emulator():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_f = T.alloc_buffer((32, 64), "float32", scope="local")
        C_b = T.alloc_buffer((32, 64), "bfloat16", scope="local")
        Y_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.copy(B_s, B[0:32, bx * 64:bx * 64 + 64])
        T.tile.copy(C_f, A_s)
        T.tile.mul(C_f, C_f, B_s)
        T.tile.cast(C_b, C_f)
        T.tile.exp(C_b)
        T.tile.sub(Y_l, A_s, B_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_b)
        T.tile.copy(D[0:32, bx * 64:bx * 64 + 64], Y_l)
    ''', params='A: T.Buffer((32, 128), "bfloat16"), B: T.Buffer((32, 128), "bfloat16"), '
                'C: T.Buffer((32, 128), "bfloat16"), D: T.Buffer((32, 128), "bfloat16")')
    k = tilelang_tt.compile(f, target="tenstorrent", out_idx=[2, 3])
    a, b = _r(32, 128), _r(32, 128)
    c, d = k(a, b)
    _close(c, np.exp(_f(a) * _f(b)))
    _close(d, _f(a) - _f(b))
