"""Property-based fuzzer: generated tile kernels must match numpy within the documented bounds
(tilelang_tt.numerics, docs/numerics.md) or be rejected with a documented typed error that names the
kernel, within a time limit.

    python -m tilelang_tt.fuzz --examples 5000 --jobs 2 --out fuzz-out     (make fuzz)

`run_case` runs one case (a Case or its JSON dict) and is what reproducer scripts call; the hypothesis
strategies that draw cases live in `strategies` (hypothesis is needed only there). Kernel families are
in `kernels.FAMILIES`.
"""
from .case import FAILURES, Case, Outcome, run_case
from .kernels import FAMILIES

__all__ = ["Case", "Outcome", "run_case", "FAMILIES", "FAILURES"]
