"""The large-budget fuzz driver: `python -m tilelang_tt.fuzz` prints examples, categories and time and
writes summary.json; reproducer scripts are self-contained (they run with only tilelang_tt)."""
import json
import subprocess
import sys

from tilelang_tt.fuzz import Case, Outcome
from tilelang_tt.fuzz.reproducer import write

CASE = Case("eltwise", {"M": 32, "N": 64, "bm": 32, "bn": 64, "x_dtype": "bfloat16", "y_dtype": None,
                        "local": "bfloat16", "out": "bfloat16", "first": ["unary", "exp"], "steps": []},
            {"target": "tenstorrent"}, 'quo"te\nname', [{"scale": "unit", "seed": 1}])


def test_reproducer_script_is_self_contained(tmp_path):
    path = write(tmp_path, 7, CASE, Outcome("wrong", "eltwise:wrong", 'a detail with """ and \\ in it'))
    assert path.name == "repro_0007_eltwise_wrong.py"
    text = path.read_text()
    assert "import tilelang_tt" not in text.split("if __name__")[0]     # the case is data, the import is lazy
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr                # this case passes: exit 0
    assert proc.stdout.startswith("ok [eltwise:ok]")


def test_fuzz_driver_reports_examples_categories_and_time(tmp_path):
    out = tmp_path / "fz"
    proc = subprocess.run([sys.executable, "-m", "tilelang_tt.fuzz", "--examples", "3", "--jobs", "1", "--seed", "5",
                           "--out", str(out), "--families", "eltwise"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tilelang_tt fuzz: 3 examples in" in proc.stdout and "categories:" in proc.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["examples"] == 3 and summary["failures"] == 0
    assert sum(summary["categories"].values()) == 3 and all(k.startswith("eltwise:") for k in summary["categories"])
