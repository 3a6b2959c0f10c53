"""The real-header tier: generated code checked against the released TT-Metalium 0.81.1.

The release tree (ttnn wheel from PyPI) and the RISC-V toolchain (`make toolchain`) are obtained by the
project's own files. If either is missing the tier FAILS, naming what is missing; set
TILELANG_TT_REALAPI=skip to skip it on purpose (never in CI).
"""
import os

import pytest

from tilelang_tt.errors import RealApiUnavailable

SKIP = os.environ.get("TILELANG_TT_REALAPI", "").lower() == "skip"
# The summary of every processor compile (`record_results`) is printed by tests/conftest.py: under
# pytest-xdist only the top-level conftest runs in the controller process.


@pytest.fixture(scope="session")
def real_checker():
    if SKIP:
        if os.environ.get("CI"):
            pytest.fail("TILELANG_TT_REALAPI=skip is not allowed in CI: the real-header check must run")
        pytest.skip("TILELANG_TT_REALAPI=skip: the real TT-Metalium header check was skipped on request")
    from tilelang_tt.realapi.jit import Checker
    try:
        return Checker()
    except RealApiUnavailable as e:
        pytest.fail(f"the real-header check cannot run: {e}", pytrace=False)
