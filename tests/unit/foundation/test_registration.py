"""`import tvm` alone registers the backend; llvm builds are untouched; T.tt intrinsics round-trip."""
import subprocess
import sys
import textwrap

import numpy as np
import tvm
from tvm.script import tirx as T

import tilelang_tt  # noqa: F401
from tilelang_tt import intrinsics


def test_import_tvm_alone_registers_the_backend():
    script = textwrap.dedent("""
        import tvm
        from tvm.target import Target
        from tvm.tirx import compilation_pipeline as cp
        t = Target("tenstorrent/blackhole")
        assert str(t.attrs["model"]) == "blackhole", t
        assert "tenstorrent" in cp.PIPELINE_MAP
        assert tvm.get_global_func("target.build.ext_dev") is not None
        assert tvm.get_global_func("tilelang_tt.launch") is not None
        print("registered")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "registered" in out.stdout


def test_autoload_can_be_disabled():
    script = "import tvm, sys; print('tilelang_tt' in sys.modules)"
    env = {"TVM_DEVICE_BACKEND_AUTOLOAD": "0", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_llvm_cpu_kernel_still_builds_and_runs():
    @T.prim_func
    def add(A: T.Buffer((64,), "float32"), B: T.Buffer((64,), "float32"), C: T.Buffer((64,), "float32")):
        for i in range(64):
            C[i] = A[i] + B[i] * T.float32(2)

    a = np.arange(64, dtype="float32")
    b = np.linspace(0, 1, 64, dtype="float32")
    for build in (tvm.tirx.build, tvm.compile):
        m = build(add, target="llvm")
        c = tvm.runtime.tensor(np.zeros(64, "float32"))
        m["add"](tvm.runtime.tensor(a), tvm.runtime.tensor(b), c)
        np.testing.assert_allclose(c.numpy(), a + 2 * b, rtol=1e-6)


def test_tt_intrinsics_print_and_parse_back():
    src = textwrap.dedent('''
        @T.prim_func
        def reader():
            block_start: T.int32 = T.tt.get_arg_val(0)
            T.tt.tensor_accessor("A", 0, T.tt.get_arg_val(2), 2048)
            for k in range(8):
                T.tt.cb_reserve_back(0, 2)
                T.tt.noc_async_read_page(block_start * 8 + k, "A", T.tt.get_write_ptr(0) + k * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(0, 2)
    ''')
    f = tvm.script.from_source(src)
    text = f.script()
    assert "T.tt.noc_async_read_page(block_start * 8 + k, \"A\"" in text
    tvm.ir.assert_structural_equal(f, tvm.script.from_source(text))


def test_intrinsic_table_rejects_wrong_arity():
    import pytest
    with pytest.raises(TypeError, match="cb_push_back takes \\(cb, num_pages\\)"):
        intrinsics.call("cb_push_back", 0)
    call = intrinsics.call("matmul_tiles", 0, 1, 0, 0, 0)
    assert intrinsics.intrinsic_of(call).name == "matmul_tiles"
