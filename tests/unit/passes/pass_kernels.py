"""Small frontend kernels for the pass tests, written as TVMScript text (the printed tile dialect)."""
from __future__ import annotations

import textwrap

import tilelang_tt  # noqa: F401  (registers T.tt and the tags)
import tvm

AB_C = 'A: T.Buffer((64, 128), "bfloat16"), C: T.Buffer((64, 128), "bfloat16")'


def make(body: str, params: str = AB_C, name: str = "k"):
    """A PrimFunc `name(params)` whose body is `body` (dedented; indented into the function)."""
    lines = textwrap.dedent(body).strip("\n").splitlines()
    src = ("# from tvm.script import tirx as T\n@T.prim_func\n"
           f"def {name}({params}):\n" + "\n".join("    " + ln for ln in lines) + "\n")
    return tvm.script.from_source(src)


def unary(op="exp", shape=(32, 64), grid=(2, 2), local_dtype="bfloat16"):
    """C = op(A) over an (rows x cols) tensor in blocks of `shape`."""
    bm, bn = shape
    gx, gy = grid
    rows, cols = bm * gy, bn * gx
    return make(f'''
        bx = T.launch_thread("blockIdx.x", {gx})
        by = T.launch_thread("blockIdx.y", {gy})
        A_s = T.alloc_buffer(({bm}, {bn}), "bfloat16", scope="shared")
        C_l = T.alloc_buffer(({bm}, {bn}), "{local_dtype}", scope="local")
        T.tile.copy(A_s, A[by * {bm}:by * {bm} + {bm}, bx * {bn}:bx * {bn} + {bn}])
        T.tile.{op}(C_l, A_s)
        T.tile.copy(C[by * {bm}:by * {bm} + {bm}, bx * {bn}:bx * {bn} + {bn}], C_l)
    ''', f'A: T.Buffer(({rows}, {cols}), "bfloat16"), C: T.Buffer(({rows}, {cols}), "bfloat16")')


def matmul(M, N, K, bm=64, bn=64, bk=32, acc="float32", gemm_args="beta=1.0", fill="T.float32(0)"):
    fill_line = f"T.tile.fill(C_l, {fill})" if fill is not None else ""
    return make(f'''
        bx = T.launch_thread("blockIdx.x", {N // bn})
        by = T.launch_thread("blockIdx.y", {M // bm})
        A_s = T.alloc_buffer(({bm}, {bk}), "bfloat16", scope="shared")
        B_s = T.alloc_buffer(({bk}, {bn}), "bfloat16", scope="shared")
        C_l = T.alloc_buffer(({bm}, {bn}), "{acc}", scope="local")
        {fill_line}
        for k in range({K // bk}):
            T.tile.copy(A_s, A[by * {bm}:by * {bm} + {bm}, k * {bk}:k * {bk} + {bk}])
            T.tile.copy(B_s, B[k * {bk}:k * {bk} + {bk}, bx * {bn}:bx * {bn} + {bn}])
            T.tile.gemm(C_l, A_s, B_s, C_l, {gemm_args})
        T.tile.copy(C[by * {bm}:by * {bm} + {bm}, bx * {bn}:bx * {bn} + {bn}], C_l)
    ''', f'A: T.Buffer(({M}, {K}), "bfloat16"), B: T.Buffer(({K}, {N}), "bfloat16"), '
         f'C: T.Buffer(({M}, {N}), "bfloat16")', name="mm")
