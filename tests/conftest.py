import os
import tempfile

import pytest

# One emulator cache per test session, shared by every test (and by pytest-xdist workers if used):
# kernels and host programs compile once per run, never per test.
_SESSION_CACHE = os.environ.setdefault(
    "TILELANG_TT_CACHE_DIR", os.path.join(tempfile.gettempdir(), f"tilelang_tt_test_cache_{os.getuid()}"))


@pytest.fixture(scope="session")
def tt_cache_dir():
    return _SESSION_CACHE
