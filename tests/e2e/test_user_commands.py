"""What a new user types, run as they would run it: the README's demo command and every example script,
each in a subprocess from a clean temporary directory against the installed package. A broken demo or
example fails here, not first on a newcomer's machine."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def _run(args, cwd, timeout=900):
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("shape", ["256,256,256", "2048,2048,2048", "100,200,72"])
def test_demo_prints_pass(shape, tmp_path):
    out = _run(["-m", "tilelang_tt", "demo", "--shape", shape, "--out", str(tmp_path / "demo")], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    m, n, k = shape.split(",")
    assert f"bf16 matmul {m}x{k} @ {k}x{n}" in out.stdout
    assert "result            : PASS" in out.stdout, out.stdout
    for line in ("schedule          :", "why               :", "modeled on device :", "circular buffers  :"):
        assert line in out.stdout, out.stdout
    assert (tmp_path / "demo" / "plan.json").is_file() and (tmp_path / "demo" / "main.cpp").is_file()


def test_demo_rejects_bad_input_with_a_message(tmp_path):
    out = _run(["-m", "tilelang_tt", "demo", "--block", "48,64,32", "--out", str(tmp_path / "d")], tmp_path)
    assert out.returncode == 2 and "TTCompileError" in out.stderr and "Traceback" not in out.stderr
    assert "not a multiple of the 32x32 tile" in out.stderr
    out = _run(["-m", "tilelang_tt", "demo", "--shape", "64,64"], tmp_path)
    assert out.returncode == 2 and "--shape takes three positive integers" in out.stderr


def test_every_example_is_covered():
    assert [p.name for p in EXAMPLES] and all(p.read_text().lstrip().startswith('"""') for p in EXAMPLES)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_script_passes(script, tmp_path):
    out = _run([str(script)], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    verdicts = [line for line in out.stdout.splitlines() if line.rstrip().endswith(("PASS", "FAIL"))]
    assert verdicts and all(v.rstrip().endswith("PASS") for v in verdicts), out.stdout


@pytest.mark.parametrize("args", [["softmax.py", "-M", "40", "-N", "50"],
                                  ["layernorm.py", "-M", "33", "-N", "100", "--dtype", "float32"],
                                  ["rmsnorm.py", "-M", "7", "-N", "20", "--chip", "blackhole"]],
                         ids=lambda a: a[0])
def test_example_on_a_ragged_shape_passes(args, tmp_path):
    # rows and columns that are not multiples of 32 (N < 32 too): the reductions' tails on the device
    out = _run([str(ROOT / "examples" / args[0]), *args[1:]], tmp_path)
    assert out.returncode == 0 and out.stdout.rstrip().endswith("PASS"), out.stdout + out.stderr
