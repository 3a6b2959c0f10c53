import json
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


# ---------------------------------------------------------------------------------------------------
# The real-header tier's summary (tests/unit/realapi): every processor compile of the session as
# (kernel, processor, mode, ok, line). It lives here because under pytest-xdist the workers run the
# tests and send their rows to the controller, where only this top-level conftest is loaded.
_ROWS = []


@pytest.fixture(scope="session")
def record_results():
    def record(results):
        _ROWS.extend((r.kernel, r.processor, r.mode, r.ok, r.line()) for r in results)
    return record


def pytest_sessionfinish(session):
    out = getattr(session.config, "workeroutput", None)      # an xdist worker
    if out is not None:
        out["realapi_rows"] = json.dumps(_ROWS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):                       # the xdist controller, per finished worker
    _ROWS.extend(tuple(r) for r in json.loads(getattr(node, "workeroutput", {}).get("realapi_rows", "[]")))


def pytest_terminal_summary(terminalreporter):
    if not _ROWS or hasattr(terminalreporter.config, "workeroutput"):
        return
    tr = terminalreporter
    full = [r for r in _ROWS if r[2] == "full"]
    decl = [r for r in _ROWS if r[2] == "declarations"]
    kernels = {r[0] for r in _ROWS}
    tr.section("real TT-Metalium 0.81.1 header check")
    tr.write_line(f"{len(kernels)} kernels, {len(_ROWS)} processor compiles: {len(full)} full (through the "
                  f"firmware wrapper, LLK bodies included), {len(decl)} against the API declarations only.")
    by_thread = {}
    for kernel, processor, *_ in decl:
        by_thread.setdefault(processor, set()).add(kernel)
    for proc, ks in sorted(by_thread.items()):
        tr.write_line(f"  NOT CHECKED: the LLK/SFPU bodies of {proc} in {len(ks)} compute kernels (they include "
                      f"sfpi.h from the SFPI toolchain, which the wheel does not ship)")
    tr.write_line("  NOT CHECKED anywhere: SFPU code generation (no SFPI compiler), linking, running on a device; "
                  "lltt.h is a stand-in (tilelang_tt/realapi/compat/lltt.h)")
    for *_, ok, line in _ROWS:
        if not ok:
            tr.write_line("  " + line)


def pytest_report_header(config):
    """Say up front whether the wolfpine tier (tests/unit/wolfpine) can run, and if not, why."""
    from tilelang_tt.wolfpine import env
    python = env.find_python310()
    if python is None:
        return [f"wolfpine tier: SKIPPED, {env.HOW_TO_GET_PYTHON}"]
    return [f"wolfpine tier: Python 3.10 at {python} (environment cache {env.cache_root()})"]
