"""benchmarks/matmul_sweep.py on a tiny configuration: the rows it records (CSV and JSON columns, the
modeled numbers of the compiled program, the published figure, the emulator check), the timeout path
of its worker pool and the README splice. Nothing here asserts a time."""
import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCH))

import matmul_sweep as ms  # noqa: E402
import sweep_report  # noqa: E402

SHAPES = [(256, 256, 256), (512, 512, 512)]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    pts = ms.points(SHAPES, chips=("n150",), dtypes=("bf16",), fidelities=("HiFi4",), schedules=("naive", "auto"))
    rows = ms.run_sweep(pts, emulate_max=256, device_max=0, jobs=0, quiet=True)
    meta = ms.run_meta("test", 256)
    out = tmp_path_factory.mktemp("sweep")
    ms.write_csv(rows, meta, out / "s.csv")
    ms.write_json(rows, meta, out / "s.json")
    return pts, rows, out


def test_csv_and_json_have_every_column_and_say_what_and_where(sweep):
    pts, rows, out = sweep
    assert len(rows) == len(pts) == 4
    csv_rows = ms.read_csv(out / "s.csv")
    assert len(csv_rows) == 4 and list(csv_rows[0]) == ms.COLUMNS
    head = (out / "s.csv").read_text().splitlines()[:2]
    assert head[0].startswith("# tilelang_tt matmul sweep") and "commit" in head[1] and "logical CPUs" in head[1]
    meta, json_rows = ms.read_json(out / "s.json")
    assert all(list(r) == ms.COLUMNS for r in json_rows)
    for key in ("what", "date", "machine", "git_commit", "source_hash", "device"):
        assert meta[key]


def test_recorded_model_equals_the_estimate_of_the_same_compile(sweep):
    pts, rows, out = sweep
    csv_rows = ms.read_csv(out / "s.csv")
    _, json_rows = ms.read_json(out / "s.json")
    for p, row, jrow, crow in zip(pts, rows, json_rows, csv_rows):
        assert row["status"] == "ok", row["error"]
        kernel, _, _ = ms.compile_point(p)
        est = kernel.estimate()
        expected = {"model_s": est.seconds, "model_device_s": est.device_seconds, "model_math_s": est.math_seconds,
                    "model_tflops": est.tflops, "model_util": est.utilization,
                    "model_math_util": est.math_utilization, "flops": est.flops, "dram_bytes": est.dram_bytes,
                    "cores": est.cores}
        for k, v in expected.items():
            assert jrow[k] == v, k
            assert float(crow[k]) == v, k
        assert jrow["bound"] == crow["bound"] == est.bound
        sched = kernel.program.schedule
        assert jrow["variant"] == sched["variant"] and jrow["reason"] == sched["reason"]
        if p.schedule == "auto":
            assert jrow["variant"] in ("blocked", "subblocked", "multicast")
            assert jrow["grid"] == "x".join(map(str, sched["params"]["grid"]))
        else:
            assert jrow["variant"] == "naive" and jrow["naive_block"] == "64x64x32"
        assert jrow["compile_s"] > 0


def test_published_figure_and_emulator_check(sweep):
    from tilelang_tt.perf.published import measurements
    _, rows, _ = sweep
    by = {(r["M"], r["schedule"]): r for r in rows}
    pub = next(m for m in measurements() if m.card == "n150" and (m.M, m.K, m.N) == (512, 512, 512)
               and m.fidelity == "HiFi4")
    for s in ("naive", "auto"):
        assert math.isclose(by[(512, s)]["published_util"], pub.device_util / 100)
        assert by[(512, s)]["published_grid"] == "8x8"
        assert by[(256, s)]["published_util"] is None       # tt-metal published no 256^3 row
        assert by[(256, s)]["emu_status"] == "ok" and by[(256, s)]["emu_err_ratio"] <= 1
        assert by[(512, s)]["emu_status"].startswith("skipped")
        assert by[(256, s)]["device_status"] in ("no device", "skipped (above 0^3)")


def test_a_point_over_the_time_limit_is_recorded_not_lost():
    p = ms.Point("n150", 256, 256, 256, "bf16", "HiFi4", "naive")
    rows = ms.run_sweep([p], emulate_max=0, jobs=1, timeout=0.0, quiet=True)
    assert len(rows) == 1 and rows[0]["status"] == "timeout" and rows[0]["model_util"] is None


def test_readme_table_is_spliced_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{sweep_report.README_BEGIN}\nold table\n{sweep_report.README_END}\nrest\n")
    sweep_report.update_readme(readme, "| new |")
    assert readme.read_text() == f"intro\n{sweep_report.README_BEGIN}\n| new |\n{sweep_report.README_END}\nrest\n"


def test_block_float_points_are_modeled_beside_the_published_block_float_figure():
    """bfp8_b / bfp4_b points are the model's (the compiler does not accept block-float storage yet):
    the chooser's schedule for those formats and its estimate, tt-metal's block-float row beside it."""
    from tilelang_tt.perf import Constraints, choose_matmul
    from tilelang_tt.perf.published import BLOCK_FLOAT_D5
    shape = (2048, 2048, 2048)
    pts = ms.points([shape], chips=("n150",), dtypes=("bfp8_b", "bf16-bfp8w"), fidelities=("HiFi2",),
                    schedules=("auto",), block_float_shapes=[(3072, 3072, 4096)])
    assert [(p.M, p.dtype) for p in pts] == [(2048, "bfp8_b"), (2048, "bf16-bfp8w"), (3072, "bfp8_b"),
                                             (3072, "bf16-bfp8w")]
    rows = ms.run_sweep(pts, emulate_max=4096, device_max=0, jobs=0, quiet=True)
    by = {(r["M"], r["dtype"]): r for r in rows}
    for (M, dtype), r in by.items():
        assert r["status"] == "modeled" and r["emu_status"].startswith("not compiled")
        fmts = ms.BLOCK_FLOAT[dtype]
        assert r["formats"] == "/".join(fmts)
        K, N = (2048, 2048) if M == 2048 else (3072, 4096)
        c = choose_matmul(M, N, K, "bfloat16", False, "HiFi2", "wormhole_b0",
                          Constraints(accumulate=("reload", "l1_acc"), max_grid=(8, 8)), formats=fmts)
        assert r["model_util"] == c.estimate.utilization and r["in0_block_w"] == c.best.in0_block_w
    published = {(M, K, N): u for card, M, K, N, d, f, u in BLOCK_FLOAT_D5
                 if (card, d, f) == ("n150", "BFLOAT8_B", "HiFi2")}
    assert math.isclose(by[(2048, "bfp8_b")]["published_util"], published[(2048, 2048, 2048)] / 100)
    assert math.isclose(by[(3072, "bfp8_b")]["published_util"], published[(3072, 3072, 4096)] / 100)
    assert by[(2048, "bf16-bfp8w")]["published_util"] is None        # tt-metal measured bfp8 everywhere
    table = sweep_report.block_float_table(rows)
    assert "| n150 | 3072x3072x4096 | bfp8_b (Bfp8_b/Bfp8_b/Bfp8_b) | HiFi2 |" in table and "89.2% (8x8)" in table
