"""Kernel and buffer names that are not C identifiers reach generated C++, file names and subprocess
arguments only sanitized or escaped: every such kernel builds, runs and returns the right numbers."""
import ml_dtypes
import numpy as np
import pytest
import tvm
from tvm.script import tirx as T
from tvm.tirx.script import tile as Tx

import tilelang_tt
from tilelang_tt import samples

# One host program per name, so the default tier runs the most hostile few; the rest are `slow` (and
# the fuzzer draws kernel names from a similar list).
NAMES = ['quote"d', "../up", "line\nbreak", "*/ int x; /*", "ünïcode"] + [
    pytest.param(n, marks=pytest.mark.slow) for n in
    ["with space", "it's", "a/b", "..", "semi;colon", "back\\slash", "class", "int", "kernel_main", "main",
     "1digit", "x" * 200, "$(rm -rf ~)"]]


@pytest.mark.parametrize("name", NAMES)
def test_hostile_kernel_names_build_and_run(name, tmp_path):
    f = samples.eltwise("sub", 32, 64, 32, 64).with_attr("global_symbol", name)
    kernel = tilelang_tt.compile(f, out_idx=2)
    a = np.random.default_rng(0).uniform(-1, 1, (32, 64)).astype(ml_dtypes.bfloat16)
    b = np.random.default_rng(1).uniform(-1, 1, (32, 64)).astype(ml_dtypes.bfloat16)
    c = kernel(a, b)
    ref = (a.astype(np.float32) - b.astype(np.float32)).astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(c, ref)
    assert kernel.plan["kernel"] == name                     # data keeps the real name
    out = kernel.export(tmp_path / "proj")
    assert sorted(p.name for p in out.iterdir()) == sorted(kernel.sources)   # fixed file names only
    assert not (tmp_path / "up").exists()


def test_hostile_names_through_tvm_build_and_sources():
    f = samples.eltwise("add", 32, 64, 32, 64).with_attr("global_symbol", "a/b c")
    mod = tvm.build(f, target="tenstorrent")
    assert set(tilelang_tt.sources(mod, kernel="a/b c")) >= {"main.cpp", "plan.json"}
    x = tvm.runtime.tensor(np.ones((32, 64), ml_dtypes.bfloat16))
    y = tvm.runtime.tensor(np.zeros((32, 64), ml_dtypes.bfloat16))
    mod["a/b c"](x, x, y)
    assert np.all(y.numpy().astype(np.float32) == 2)


@T.prim_func
def keyword_buffers(new: T.Buffer((32, 64), "bfloat16"), ä: T.Buffer((32, 64), "bfloat16"),
                    delete: T.Buffer((32, 64), "bfloat16")):
    this = T.launch_thread("blockIdx.x", 1)
    template = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
    ü = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
    auto = T.alloc_buffer((32, 64), "bfloat16", scope="local")
    Tx.copy(template, new[0:32, this * 64:this * 64 + 64])
    Tx.copy(ü, ä[0:32, 0:64])
    Tx.mul(auto, template, ü)
    Tx.copy(delete[0:32, 0:64], auto)


def test_cpp_keyword_and_unicode_buffer_names():
    kernel = tilelang_tt.compile(keyword_buffers, out_idx=2)
    a = np.random.default_rng(2).uniform(-1, 1, (32, 64)).astype(ml_dtypes.bfloat16)
    b = np.random.default_rng(3).uniform(-1, 1, (32, 64)).astype(ml_dtypes.bfloat16)
    ref = (a.astype(np.float32) * b.astype(np.float32)).astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(kernel(a, b), ref)
    assert [t["name"] for t in kernel.plan["tensors"]] == ["new", "ä", "delete"]
