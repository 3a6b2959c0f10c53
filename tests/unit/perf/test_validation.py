"""The model against tt-metal's published GEMM measurements: within 15% on every validated row."""
import pytest

from tilelang_tt.perf import published
from tilelang_tt.perf.costs import CALIBRATION_ROWS
from tilelang_tt.perf.validation import EXCEPTIONS, TOLERANCE, validate


@pytest.fixture(scope="module")
def rows():
    return validate()


def test_every_validated_row_is_within_tolerance_or_a_listed_exception(rows):
    missed = {r.measurement.name for r in rows if not r.calibration and abs(r.error) > TOLERANCE}
    assert missed == set(EXCEPTIONS), "\n".join(
        f"{r.measurement.name}: measured {r.measured:.2f}% modeled {r.modeled:.2f}% ({r.error * 100:+.1f}%)"
        for r in rows if not r.calibration and abs(r.error) > TOLERANCE)


def test_calibration_rows_fit_too(rows):
    assert all(abs(r.error) <= TOLERANCE for r in rows if r.calibration)


def test_the_headline_rows_are_all_validation_rows(rows):
    head = [r for r in rows if r.measurement.headline]
    # reference D.5: 7 BF16 rows on the n150, 4 on the p150, and 11 block-float rows (6 n150, 5 p150)
    bf16 = [r for r in head if r.measurement.dtype == "BFLOAT16"]
    assert sorted((r.measurement.card, r.measurement.fidelity) for r in bf16).count(("n150", "HiFi4")) == 5
    assert len(bf16) == 11 and len(head) == 22 and not any(r.calibration for r in head)
    assert sorted(r.measurement.dtype for r in head if r not in bf16) == ["BFLOAT4_B"] * 4 + ["BFLOAT8_B"] * 7
    assert all(abs(r.error) <= TOLERANCE for r in head)
    assert len(published.BLOCK_FLOAT_D5) == 11


def test_calibration_and_validation_sets(rows):
    cal = [r for r in rows if r.calibration]
    assert 0 < len(cal) < len(rows) / 4                       # most rows are held out
    assert not any(r.measurement.card == "p150 11x10" for r in cal)   # the 11x10 table is all validation
    assert {m for m in CALIBRATION_ROWS} == {"wormhole_b0", "blackhole"}


def test_configurations_follow_the_benchmark():
    m = next(r for r in published.measurements() if (r.card, r.M, r.fidelity) == ("n150", 16384, "HiFi4"))
    p = published.measured_config(m)
    # (2048, 2048, 2048, False, False, 4, 8, 8) on 8x8: per-core 64x64 in 8x8 out blocks, in0_block_w 16
    assert (p.per_core_M, p.per_core_N, p.in0_block_w, p.subblock) == (8, 8, 16, (4, 2))
    assert (p.in0_source, p.out_dest, p.accumulate) == ("dram", "dram", "l1_acc")
    m = next(r for r in published.measurements() if (r.card, r.M, r.fidelity) == ("p150", 2560, "HiFi4")
             and r.K == 4992)
    p = published.measured_config(m)
    # (256, 384, 384, True, True, 2, 1, 1) on 13x10: 8x12 blocks, in0_block_w 6, sharded output -> 1x6
    assert (p.grid, p.per_core_M, p.per_core_N, p.in0_block_w, p.subblock) == ((13, 10), 8, 12, 6, (1, 6))
    assert p.in0_source == p.out_dest == "l1_sharded"
