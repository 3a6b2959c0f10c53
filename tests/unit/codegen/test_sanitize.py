"""Identifiers from user code always become valid, non-reserved, collision-free C++."""
import json
import re

import pytest
from tvm.script import ir as I
from tvm.script import tirx as T

from codegen_cases import cb, gxx, plan_attrs, role, syntax_check, tensor
from tilelang_tt.codegen import generate
from tilelang_tt.codegen.names import CPP_KEYWORDS, NameTable, c_string, sanitize


@pytest.mark.parametrize("raw, expected", [
    ("my-kernel!", "my_kernel"), ("A", "A"), ("in put", "in_put"), ("class", "class_"), ("int", "int_"),
    ("3d", "v_3d"), ("__x", "x"), ("a__b", "a_b"), ("", "v"), ("!!", "v"), ("kernel_main", "kernel_main_"),
    ("ünï", "n"),
])
def test_sanitize(raw, expected):
    out = sanitize(raw)
    assert out == expected
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", out) and "__" not in out and out not in CPP_KEYWORDS


def test_name_table_scopes():
    names = NameTable(reserved={"cb_A"})
    assert names.fresh("i") == "i"
    names.push()
    assert names.fresh("i") == "i_1"          # shadowing an enclosing name is avoided
    names.pop()
    names.push()
    assert names.fresh("i") == "i_1"          # siblings may reuse
    names.pop()
    assert names.fresh("cb_A") == "cb_A_1"    # reserved names are never taken


def test_c_string_escapes():
    assert c_string('a"b\\c\n') == '"a\\"b\\\\c\\n"'


SAN = plan_attrs(
    "my-kernel!", (2, 1), (2, 1), [1, 1],
    [cb(0, "in put", "bfloat16", 2, 1, "input"), cb(16, "in-put", "bfloat16", 2, 1, "output")],
    [tensor("in-put", 0, (32, 64), "bfloat16", "read"), tensor("class", 1, (32, 64), "bfloat16", "write")])


@I.ir_module
class Weird:
    @T.prim_func
    def weird_reader():
        T.func_attr(role(SAN, "reader", ["block_start", "block_count", "addr:in-put"], ["in-put"]))
        auto: T.let[T.int32] = T.tt.get_arg_val(0)
        new: T.let[T.int32] = T.tt.get_arg_val(1)
        switch: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("in-put", 0, switch, 2048)
        for int in range(new):
            cb_in_put: T.let[T.int32] = auto + int
            noc_async_read_page: T.let[T.int32] = T.tt.get_write_ptr(0)
            T.tt.cb_reserve_back(0, 1)
            T.tt.noc_async_read_page(cb_in_put, "in-put", noc_async_read_page)
            T.tt.noc_async_read_barrier()
            T.tt.cb_push_back(0, 1)

    @T.prim_func
    def weird_compute():
        T.func_attr(role(SAN, "compute", ["block_start", "block_count"]))
        new: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 0, 16, 0)
        T.tt.copy_init(0)
        T.tt.unary_init("silu")
        for kernel_main in range(new):
            T.tt.cb_wait_front(0, 1)
            T.tt.tile_regs_acquire()
            T.tt.copy_tile(0, 0, 0)
            T.tt.unary_tile("silu", 0)
            T.tt.tile_regs_commit()
            T.tt.tile_regs_wait()
            T.tt.cb_reserve_back(16, 1)
            T.tt.pack_tile(0, 16)
            T.tt.cb_push_back(16, 1)
            T.tt.tile_regs_release()
            T.tt.cb_pop_front(0, 1)

    @T.prim_func
    def weird_writer():
        T.func_attr(role(SAN, "writer", ["block_start", "block_count", "addr:class"], ["class"]))
        auto: T.let[T.int32] = T.tt.get_arg_val(0)
        new: T.let[T.int32] = T.tt.get_arg_val(1)
        class_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("class", 0, class_addr, 2048)
        for i in range(new):
            T.tt.cb_wait_front(16, 1)
            for i in range(2):
                T.tt.noc_async_write_page(auto + i, "class", T.tt.get_read_ptr(16))
            T.tt.noc_async_write_barrier()
            T.tt.cb_pop_front(16, 1)


def test_weird_names_give_valid_cpp(tmp_path):
    out = generate(Weird)
    reader, compute, writer = out["reader.cpp"], out["compute.cpp"], out["writer.cpp"]
    assert "constexpr uint32_t cb_in_put = tt::CBIndex::c_0;" in reader
    assert "constexpr uint32_t cb_in_put_1 = tt::CBIndex::c_16;" in compute   # CB names collide after sanitizing
    assert "uint32_t auto_ = get_arg_val<uint32_t>(0);" in reader
    assert "const auto in_put = TensorAccessor(in_put_args, switch_, 2048);" in reader
    assert "for (uint32_t int_ = 0; int_ < new_; ++int_)" in reader
    assert "uint32_t cb_in_put_2 = auto_ + int_;" in reader                   # TIR var vs both CB constants
    assert "uint32_t noc_async_read_page_1 = get_write_ptr(cb_in_put);" in reader   # TIR var vs API name
    assert "for (uint32_t kernel_main_ = 0;" in compute
    assert "const auto class_ = TensorAccessor(class_args, class_addr, 2048);" in writer
    assert "for (uint32_t i_1 = 0; i_1 < 2; ++i_1)" in writer                 # nested shadowing renamed
    assert '#include "api/compute/compute_kernel_api.h"' in compute          # silu's header
    assert "project(tt_program_my_kernel LANGUAGES CXX)" in out["CMakeLists.txt"]
    assert "auto in_put_buf = make_dram_buffer" in out["main.cpp"]
    assert "class_buf" in out["main.cpp"] and "class__" not in out["main.cpp"]
    assert json.loads(out["plan.json"])["kernel"] == "my-kernel!"              # data keeps the real name
    if gxx() is None:
        pytest.skip("no C++ compiler")
    for name, text in out.items():
        if name.endswith(".cpp"):
            (tmp_path / name).write_text(text)
            res = syntax_check(tmp_path / name, "M081")
            assert res.returncode == 0, f"{name}:\n{res.stderr}\n{text}"
