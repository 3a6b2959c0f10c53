"""The four hand-written cases run on the emulator (both profiles) and match numpy.

This exercises what golden files cannot: runtime-arg order, tile ids, accessor chains, CB plan, host
tilize/untilize and file I/O of main.cpp. Skipped when the emulator SDK or a compiler is missing.
"""
import ml_dtypes
import numpy as np
import pytest

from codegen_cases import gxx, sources

BF16 = ml_dtypes.bfloat16

try:
    from tilelang_tt.runtime import emulator
except ImportError:  # pragma: no cover - the emulator driver is another package area
    emulator = None

pytestmark = pytest.mark.skipif(emulator is None or gxx() is None, reason="no emulator driver or compiler")


def _run(case, profile, inputs, tmp_path):
    import json

    out = sources(case, profile)
    plan = json.loads(out["plan.json"])
    program = emulator.build_program(out, api_profile=profile)
    files = []
    for t in plan["tensors"]:
        path = tmp_path / f"{t['name']}.bin"
        if t["name"] in inputs:
            inputs[t["name"]].astype(BF16 if t["dtype"] == "bfloat16" else np.float32).tofile(path)
        files.append(str(path))
    emulator.run_program(program, files, model=plan["model"], timeout=300)
    results = {}
    for t in plan["tensors"]:
        if t["access"] != "read":
            dt = BF16 if t["dtype"] == "bfloat16" else np.float32
            results[t["name"]] = np.fromfile(files[t["param_index"]], dtype=dt).reshape(t["shape"]).astype(np.float32)
    return results


@pytest.mark.parametrize("profile", ["M081", "E4", "E3"])
def test_eltwise_add(profile, tmp_path):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (256, 256)).astype(BF16)
    b = rng.uniform(-1, 1, (256, 256)).astype(BF16)
    c = _run("eltwise_add", profile, {"A": a, "B": b}, tmp_path)["C"]
    exact = a.astype(np.float32) + b.astype(np.float32)
    np.testing.assert_allclose(c, exact, atol=1e-2, rtol=1e-2)


@pytest.mark.parametrize("profile", ["M081", "E4", "E3"])
def test_unary_chain(profile, tmp_path):
    rng = np.random.default_rng(1)
    x = rng.uniform(-2, 2, (256, 128)).astype(np.float32)
    y = _run("unary_chain", profile, {"X": x}, tmp_path)["Y"]
    np.testing.assert_allclose(y, 1.0 / np.sqrt(np.exp(x)), rtol=2e-2)


@pytest.mark.parametrize("profile", ["M081", "E4", "E3"])
def test_matmul_bias_relu(profile, tmp_path):
    rng = np.random.default_rng(2)
    a = rng.uniform(-1, 1, (256, 512)).astype(BF16)
    b = rng.uniform(-1, 1, (512, 256)).astype(BF16)
    d = rng.uniform(-1, 1, (256, 256)).astype(BF16)
    c = _run("matmul_bias_relu", profile, {"A": a, "B": b, "D": d}, tmp_path)["C"]
    exact = np.maximum(a.astype(np.float32) @ b.astype(np.float32) + d.astype(np.float32), 0)
    np.testing.assert_allclose(c, exact, atol=0.1, rtol=2e-2)


def test_matmul(tmp_path):
    rng = np.random.default_rng(3)
    a = rng.uniform(-1, 1, (1024, 1024)).astype(BF16)
    b = rng.uniform(-1, 1, (1024, 1024)).astype(BF16)
    c = _run("matmul", "M081", {"A": a, "B": b}, tmp_path)["C"]
    exact = a.astype(np.float32) @ b.astype(np.float32)
    np.testing.assert_allclose(c, exact, atol=0.25, rtol=2e-2)
