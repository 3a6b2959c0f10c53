"""The wolfpine tier (docs/wolfpine.md): generated programs on tt-metal's host runtime over the simulated
Tensix, compared with numpy and with our emulator.

Runs whenever a Python 3.10 exists on the machine (the child environment is installed on first use);
skipped, with the reason printed in the session header, only when there is none. All its tests run in
one pytest-xdist worker (xdist_group "wolfpine", `--dist loadgroup` in the Makefile), so one simulated
device per chip is opened once for the whole tier.
"""
import pytest

from tilelang_tt.wolfpine import env


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/unit/wolfpine/" in str(item.fspath).replace("\\", "/") and item.get_closest_marker("needs_sim"):
            item.add_marker(pytest.mark.xdist_group("wolfpine"))


@pytest.fixture(scope="session")
def wolfpine_env():
    if env.find_python310() is None:
        pytest.skip(f"wolfpine tier skipped: {env.HOW_TO_GET_PYTHON}")
    try:
        return env.ensure()
    except env.WolfpineUnavailable as err:
        pytest.fail(f"the wolfpine environment could not be installed: {err}", pytrace=False)
