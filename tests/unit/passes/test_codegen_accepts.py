"""Cross-check with the next stage: the code generator accepts every lowered kernel (its compute printer
simulates the DST / init protocol and its plan builder checks the per-core table against the grid)."""
import pytest

import pass_kernels as kernels
from tilelang_tt import samples
from tilelang_tt.passes import lower_to_tt

codegen = pytest.importorskip("tilelang_tt.codegen")

FUNCS = [
    lambda: samples.matmul(256, 256, 256),
    lambda: samples.matmul(192, 320, 32),
    lambda: samples.eltwise("mul", 64, 128),
    lambda: samples.unary_chain(64, 128, ops=("silu", "relu", "exp")),
    lambda: samples.matmul_bias_relu(128, 128, 128),
    lambda: kernels.matmul(64, 64, 128, gemm_args="beta=0.0", fill="T.float32(3)"),
]


@pytest.mark.parametrize("i", range(len(FUNCS)))
@pytest.mark.parametrize("target", ["tenstorrent", "tenstorrent/blackhole"])
def test_codegen_accepts_lowered_kernels(i, target):
    for schedule in ("auto", "naive"):
        src = codegen.generate(lower_to_tt(FUNCS[i](), target, schedule=schedule))
        kernels = [name for name in src if name.endswith(".cpp") and name != "main.cpp"]
        assert "compute.cpp" in kernels and len(kernels) >= 3
        assert all("void kernel_main()" in src[name] for name in kernels)
