"""Expressions, loops, conditionals and lets print as readable C++ with minimal parentheses."""
from dataclasses import replace

import pytest
import tvm
from tvm import tirx
from tvm.script import tirx as T

import codegen_cases as K
from tilelang_tt import TTCompileError
from tilelang_tt.codegen import device_program, generate_kernel

_BASE = device_program(K.Matmul)
# these test bodies declare no tensor accessor: a copy of the program whose writer has none
PROGRAM = replace(_BASE, kernels=tuple(replace(k, accessors=[]) if k.name == "writer" else k for k in _BASE.kernels))


def body(func) -> list[str]:
    src = generate_kernel(PROGRAM, "writer", func=func)
    lines = src.split("void kernel_main() {\n", 1)[1].rstrip().rstrip("}").rstrip().splitlines()
    return [ln for ln in lines if ln.strip()]


def test_arithmetic_parenthesization():
    @T.prim_func
    def f():
        a: T.let[T.int32] = T.tt.get_arg_val(0)
        b: T.let[T.int32] = T.tt.get_arg_val(1)
        c: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.cb_push_back(16, a - (b + c))
        T.tt.cb_push_back(16, (a - b) + c)
        T.tt.cb_push_back(16, a * (b // c))
        T.tt.cb_push_back(16, (a + b) % 4)
        T.tt.cb_push_back(16, a // b * c)
        T.tt.cb_push_back(16, a * b + c * 2)
        T.tt.cb_push_back(16, T.min(a, b) + T.max(b, c))
        T.tt.cb_push_back(16, T.Select(a < b, a, c))

    assert body(f)[3:] == [
        "    cb_push_back(cb_C_l, a - (b + c));",
        "    cb_push_back(cb_C_l, a - b + c);",
        "    cb_push_back(cb_C_l, a * (b / c));",
        "    cb_push_back(cb_C_l, (a + b) % 4);",
        "    cb_push_back(cb_C_l, a / b * c);",
        "    cb_push_back(cb_C_l, a * b + c * 2);",
        "    cb_push_back(cb_C_l, (a < b ? a : b) + (b > c ? b : c));",
        "    cb_push_back(cb_C_l, a < b ? a : c);",
    ]


def test_conditionals_and_loops():
    @T.prim_func
    def f():
        n: T.let[T.int32] = T.tt.get_arg_val(0)
        for i in range(2, n):
            if i % 2 == 0 and n > 4:
                T.tt.cb_wait_front(16, 1)
            elif i == 3:
                T.tt.cb_pop_front(16, 1)
            else:
                T.tt.cb_wait_front(16, 2)

    assert body(f) == [
        "    uint32_t n = get_arg_val<uint32_t>(0);",
        "    for (uint32_t i = 2; i < n; ++i) {",
        "        if (i % 2 == 0 && n > 4) {",
        "            cb_wait_front(cb_C_l, 1);",
        "        } else if (i == 3) {",
        "            cb_pop_front(cb_C_l, 1);",
        "        } else {",
        "            cb_wait_front(cb_C_l, 2);",
        "        }",
        "    }",
    ]


def test_mutable_scalar_cell():
    @T.prim_func
    def f():
        n: T.let[T.int32] = T.tt.get_arg_val(0)
        acc: T.int32 = 0
        for i in range(n):
            acc = acc + i
        T.tt.cb_push_back(16, acc)

    assert body(f) == [
        "    uint32_t n = get_arg_val<uint32_t>(0);",
        "    uint32_t acc = 0;",
        "    for (uint32_t i = 0; i < n; ++i) {",
        "        acc = acc + i;",
        "    }",
        "    cb_push_back(cb_C_l, acc);",
    ]


def test_non_serial_loop_rejected():
    @T.prim_func
    def f():
        for i in T.parallel(4):
            T.tt.cb_push_back(16, i)

    with pytest.raises(TTCompileError, match="only serial loops"):
        body(f)


def test_buffers_rejected():
    @T.prim_func
    def f():
        buf = T.alloc_buffer((4,), "int32", scope="local")
        buf[0] = 1
        T.tt.cb_push_back(16, buf[0])

    with pytest.raises(TTCompileError, match="only scalar locals"):
        body(f)


def test_non_tt_call_rejected():
    n = tvm.ir.Var("n", "int32")
    f = tvm.tirx.PrimFunc([], tirx.Bind(n, tirx.IntImm("int32", 3)))
    f = tvm.tirx.PrimFunc([], tirx.SeqStmt([tirx.Bind(n, tvm.tirx.call_extern("int32", "rand")),
                                            tirx.Evaluate(tirx.IntImm("int32", 0))]))
    with pytest.raises(TTCompileError, match="no TT-Metalium mapping"):
        generate_kernel(PROGRAM, "writer", func=f)


def test_single_iteration_loops_fold_away():
    @T.prim_func
    def f():
        n: T.let[T.int32] = T.tt.get_arg_val(0)
        for i, kk in T.grid(2, 1):
            T.tt.cb_push_back(16, (i + kk) * 32 + kk * 2 + n * 1 + (n - kk) + n % 1 + n // 1)
        for j in range(1):
            x: T.let[T.int32] = n + j
            T.tt.cb_push_back(16, x)

    assert body(f) == [
        "    uint32_t n = get_arg_val<uint32_t>(0);",
        "    for (uint32_t i = 0; i < 2; ++i) {",
        "        cb_push_back(cb_C_l, i * 32 + n + n + n);",
        "    }",
        "    for (uint32_t j = 0; j < 1; ++j) {",      # kept: its body declares a name
        "        uint32_t x = n + j;",
        "        cb_push_back(cb_C_l, x);",
        "    }",
    ]
