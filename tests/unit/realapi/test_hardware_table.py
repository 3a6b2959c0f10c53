"""target.py's hardware table against the pinned release itself (perf/hwcheck.py): descriptors, device
headers and, from libtt_metal.so, the per-core semaphore limit. test_hwcheck.py proves the checker
catches each wrong fact on a hand-written tree; this runs it on the real one."""
import os

import pytest

from tilelang_tt.errors import RealApiUnavailable
from tilelang_tt.perf.hwcheck import check_hardware_table, library_u32


@pytest.fixture(scope="module")
def release_tree():
    if os.environ.get("TILELANG_TT_REALAPI", "").lower() == "skip" and not os.environ.get("CI"):
        pytest.skip("TILELANG_TT_REALAPI=skip")
    from tilelang_tt.realapi import release
    try:
        return release.ensure_tree()
    except RealApiUnavailable as e:
        pytest.fail(f"the release tree is unavailable: {e}", pytrace=False)


def test_hardware_table_agrees_with_the_release(release_tree):
    assert check_hardware_table(release_tree) == []


def test_semaphore_limit_is_read_from_the_library(release_tree):
    so = next(p for p in [release_tree / "build/lib/libtt_metal.so", release_tree.parent / "build/lib/libtt_metal.so"]
              if p.is_file())
    assert library_u32(so, "tt::tt_metal::NUM_SEMAPHORES") == 16
    assert library_u32(so, "tt::tt_metal::NO_SUCH_CONSTANT") is None
