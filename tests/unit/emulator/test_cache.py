"""The kernel and program caches are content-addressed and safe to share between concurrent processes."""
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from tilelang_tt.runtime import emulator

from emu_testlib import BF16, rand_bf16, sources


def test_concurrent_runs_share_a_fresh_kernel_build(tmp_path, monkeypatch, tt_cache_dir):
    # a define no kernel has seen yet: both processes compile it, both publish it with rename
    monkeypatch.setenv("EW_BUG", "fresh_" + uuid.uuid4().hex[:12])
    monkeypatch.setenv("EW_M", "32")
    monkeypatch.setenv("EW_N", "64")
    monkeypatch.setenv("EW_OP", "mul")
    prog = emulator.build_program(sources("eltwise"))
    a, b = rand_bf16((32, 64), 1), rand_bf16((32, 64), 2)
    a.tofile(tmp_path / "a.bin")
    b.tofile(tmp_path / "b.bin")

    def run(i):
        out = tmp_path / f"c{i}.bin"
        emulator.run_program(prog, [str(tmp_path / "a.bin"), str(tmp_path / "b.bin"), str(out)])
        return np.fromfile(out, dtype=BF16).reshape(32, 64)

    kdir = emulator.cache_dir() / "emu" / "kernels"
    built_before = {p for p in os.listdir(kdir) if p.endswith(".so")} if kdir.exists() else set()
    with ThreadPoolExecutor(3) as ex:
        results = list(ex.map(run, range(3)))
    ref = (a.astype(np.float32) * b.astype(np.float32)).astype(BF16)
    for c in results:
        np.testing.assert_array_equal(c, ref)
    # no temporaries left behind by these runs: none named after a kernel they built (other pytest workers
    # share the cache, and a program they kill mid-compile leaves its own temporaries)
    fresh = {p[:-len(".so")] for p in os.listdir(kdir) if p.endswith(".so")} - {p[:-3] for p in built_before}
    assert fresh
    assert not [p for p in os.listdir(kdir) if ".tmp" in p and p.split(".")[0] in fresh]


def test_build_program_is_cached(tt_cache_dir):
    src = sources("eltwise")
    p1 = emulator.build_program(src)
    mtime = (p1 / "tt_program").stat().st_mtime_ns
    p2 = emulator.build_program(src)
    assert p1 == p2 and (p2 / "tt_program").stat().st_mtime_ns == mtime
    assert emulator.build_program(src, api_profile="E3") != p1
