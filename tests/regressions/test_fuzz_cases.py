"""Every failure the fuzzer ever found, kept as a case (tests/regressions/cases/*.json: the case, what
went wrong, and the fix) that must now pass: match numpy within its bound or be rejected as documented."""
import json
from pathlib import Path

import pytest

from tilelang_tt.fuzz import run_case

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fuzz_regression(path):
    entry = json.loads(path.read_text())
    outcome = run_case(entry["case"])
    assert not outcome.failed, f"{path.name} ({entry['found']}) fails again:\n{outcome.describe()}"
    if "expect" in entry:
        assert outcome.outcome == entry["expect"], outcome.describe()
