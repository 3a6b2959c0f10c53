"""Element-wise breadth beyond add / sub / mul (docs/ops.md): Tx.fma, Tx.cast between bf16 and fp32 CBs,
Tx.min reductions, Tx.log2. Each runs on the emulator and in the interpreter of TT-level TIR, both within the
derived bound of the bounded float64 reference and within the sum of bounds of each other, tile by tile."""
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import numerics as N
from tilelang_tt import samples
from tilelang_tt.errors import TTCompileError

from test_ops import CHIPS, _data, _three_ways


@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_fma_forms(target, dtype):
    """y = A * B + C; y = y * 0.5 + 1; S = A * -2 + y (shared, y through its spill CB); out = S * B + y."""
    M, N_ = 64, 64
    a, b, c = _data((M, N_), dtype, 30), _data((M, N_), dtype, 31), _data((M, N_), dtype, 32)
    src = "float32" if dtype == "float32" else None     # fp32 CBs enter the source registers with 19 bits
    A, B, C = N.Bounded.exact(a), N.Bounded.exact(b), N.Bounded.exact(c)
    y = N.fma(A, B, C, dtype, src).stored(dtype)
    y = N.fma(y, 0.5, 1.0, dtype).stored(dtype)
    s = N.fma(A, -2.0, y, dtype, src).stored(dtype)
    ref = N.fma(s, B, y, dtype, src).stored(dtype)
    kernel = _three_ways(samples.fma(M, N_, dtype=dtype), {"A": a, "B": b, "C": c}, "D", (M, N_), ref, target)
    cpp = kernel.sources["compute.cpp"]
    assert "mul_tiles(cb_A_s, cb_B_s" in cpp and "add_reuse_dest_tiles<EltwiseBinaryReuseDestType::DEST_TO_SRCA>(cb_C_s" in cpp
    assert "add_reuse_dest_tiles<EltwiseBinaryReuseDestType::DEST_TO_SRCA>(cb_y_spill" in cpp
    assert "add_unary_tile(" in cpp and "mul_unary_tile(" in cpp


def _fma_kernel(scale_shape, bias_scalar=False):
    from tvm.script import tirx as T
    from tvm.tirx.script import tile as Tx

    @T.prim_func
    def bad_fma(A: T.Buffer((32, 64), "bfloat16"), V: T.Buffer(scale_shape, "bfloat16"),
                D: T.Buffer((32, 64), "bfloat16")):
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        V_s = T.alloc_buffer(scale_shape, "bfloat16", scope="shared")
        y = T.alloc_buffer((32, 64), "bfloat16", scope="local")
        Tx.copy(A_s, A[0:32, 0:64])
        Tx.copy(V_s, V[0:scale_shape[0], 0:scale_shape[1]])
        Tx.fma(y, A_s, V_s, A_s)
        Tx.copy(D[0:32, 0:64], y)
    return bad_fma


def test_fma_broadcast_names_the_construct_and_the_rewrite():
    with pytest.raises(TTCompileError) as e:
        tilelang_tt.compile(_fma_kernel((32, 1)), out_idx=2)
    msg = str(e.value)
    assert "broadcast in Tx.fma(y, A_s, V_s, A_s): V_s [32, 1] and y [32, 64] differ in shape" in msg
    assert "Tx.mul(y, A_s, V_s) then Tx.add(y, y, A_s)" in msg
