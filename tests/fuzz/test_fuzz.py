"""The property-based fuzzer in the default test tier: a bounded, derandomized set of generated kernels
(TILELANG_TT_FUZZ_EXAMPLES, default 12) must each match numpy within its documented bound or be
rejected with a documented typed error naming the kernel. `make fuzz` runs the large budget."""
import os

from hypothesis import HealthCheck, given, settings

from tilelang_tt.fuzz import run_case
from tilelang_tt.fuzz.strategies import cases

EXAMPLES = int(os.environ.get("TILELANG_TT_FUZZ_EXAMPLES", "12"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(cases())
def test_generated_kernels_match_numpy_or_are_rejected(case):
    outcome = run_case(case)
    assert not outcome.failed, f"{outcome.describe()}\ncase: {case.to_json()}"
