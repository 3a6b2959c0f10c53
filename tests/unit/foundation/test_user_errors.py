"""Wrong uses give typed errors that say what to change (before anything runs on a backend)."""
import json

import ml_dtypes
import numpy as np
import pytest
import tvm
from tvm.script import tirx as T
from tvm.tirx.script import tile as Tx

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.errors import TTArgumentError, TTCompileError, TTTargetError


@T.prim_func
def no_grid(A: T.Buffer((64, 64), "bfloat16"), C: T.Buffer((64, 64), "bfloat16")):
    A_s = T.alloc_buffer((64, 64), "bfloat16", scope="shared")
    Tx.copy(A_s, A[0:64, 0:64])
    Tx.copy(C[0:64, 0:64], A_s)


def test_kernel_without_grid_binding():
    with pytest.raises(TTCompileError, match="(?s)kernel 'no_grid': no grid binding.*blockIdx.x"):
        tvm.tirx.build(no_grid, target="tenstorrent")


def test_unknown_model_through_tvm_build():
    bad = tvm.target.Target({"kind": "ext_dev", "keys": ["tenstorrent"], "model": "grayskull"})
    with pytest.raises(TTTargetError, match="unknown Tenstorrent model 'grayskull'"):
        tvm.tirx.build(samples.matmul(64, 64, 64), target=bad)


def test_unknown_tag_through_compile():
    with pytest.raises(TTTargetError, match="known tags: tenstorrent"):
        tilelang_tt.compile(samples.matmul(64, 64, 64), target="tenstorrent/grayskull")


def test_unknown_api_profile():
    with pytest.raises(TTTargetError, match="unknown TT-Metalium API profile 'E9'"):
        tilelang_tt.compile(samples.matmul(64, 64, 64), api_profile="E9")


@pytest.fixture(scope="module")
def matmul_kernel():
    return tilelang_tt.compile(samples.matmul(64, 64, 64, 32, 32, 32), out_idx=2)


def test_wrong_shape(matmul_kernel):
    a = np.zeros((64, 32), ml_dtypes.bfloat16)
    b = np.zeros((64, 64), ml_dtypes.bfloat16)
    with pytest.raises(TTArgumentError, match=r"argument A has shape \(64, 32\), expected \(64, 64\)"):
        matmul_kernel(a, b)


def test_wrong_dtype(matmul_kernel):
    a = np.zeros((64, 64), np.float32)
    b = np.zeros((64, 64), ml_dtypes.bfloat16)
    with pytest.raises(TTArgumentError, match="argument A has dtype float32, the kernel expects bfloat16"):
        matmul_kernel(a, b)


def test_wrong_argument_count(matmul_kernel):
    with pytest.raises(TTArgumentError, match="takes 2 inputs .*outputs \\[2\\] are allocated"):
        matmul_kernel(np.zeros((64, 64), ml_dtypes.bfloat16))


def test_wrong_tensor_through_tvm_module():
    mod = tvm.tirx.build(samples.matmul(64, 64, 64, 32, 32, 32), target="tenstorrent")
    a = tvm.runtime.tensor(np.zeros((64, 32), ml_dtypes.bfloat16))
    b = tvm.runtime.tensor(np.zeros((64, 64), ml_dtypes.bfloat16))
    c = tvm.runtime.tensor(np.zeros((64, 64), ml_dtypes.bfloat16))
    with pytest.raises(ValueError, match=r"A\.(shape|strides)"):   # the host stub's own check (MakePackedAPI)
        mod["matmul"](a, b, c)
    f32 = tvm.runtime.tensor(np.zeros((64, 64), np.float32))
    with pytest.raises(TypeError, match=r"(?s)Mismatched A\.dtype.*expected bfloat16"):
        mod["matmul"](f32, b, c)


def test_sources_and_export_of_a_built_module(tmp_path):
    mod = tvm.tirx.build(samples.eltwise("add", 64, 64), target="tenstorrent")
    assert set(tilelang_tt.sources(mod)) == {"reader.cpp", "compute.cpp", "writer.cpp", "main.cpp",
                                             "CMakeLists.txt", "plan.json"}
    mod = tvm.tirx.build(samples.matmul(64, 64, 64, 32, 32, 32), target="tenstorrent")
    srcs = tilelang_tt.sources(mod)
    kernels = {k["source"] for k in json.loads(srcs["plan.json"])["kernels"]}
    assert set(srcs) == kernels | {"main.cpp", "CMakeLists.txt", "plan.json"} and "compute.cpp" in kernels
    out = tilelang_tt.export(mod, tmp_path / "proj")
    assert (out / "CMakeLists.txt").read_text() == srcs["CMakeLists.txt"]
    # tvm.compile's Executable carries the same sources
    ex = tvm.compile(samples.matmul(64, 64, 64, 32, 32, 32), target="tenstorrent")
    assert tilelang_tt.sources(ex)["compute.cpp"] == srcs["compute.cpp"]
    with pytest.raises(tilelang_tt.TTError, match="holds no Tenstorrent kernel"):
        tilelang_tt.sources(tvm.tirx.build(_cpu_kernel(), target="llvm"))


def _cpu_kernel():
    @T.prim_func
    def cpu(A: T.Buffer((4,), "float32")):
        for i in range(4):
            A[i] = T.float32(1)
    return cpu


def test_every_tvm_entry_point_reaches_the_tt_pipeline():
    """tvm.build, tvm.compile, tvm.tirx.build, pipeline="tenstorrent" and `with Target(...)` all lower
    through our passes and produce the same generated program."""
    f = samples.matmul(64, 64, 64, 32, 32, 32)
    reference = tilelang_tt.sources(tvm.tirx.build(f, target="tenstorrent"))
    builds = [
        tvm.build(f, target="tenstorrent"),
        tvm.compile(f, target="tenstorrent"),
        tvm.tirx.build(f, target="tenstorrent", pipeline="tenstorrent"),
    ]
    with tvm.target.Target("tenstorrent"):
        builds.append(tvm.tirx.build(f))
    for mod in builds:
        assert tilelang_tt.sources(mod) == reference
