import os
import shutil
import subprocess

import numpy as np
import pytest

from tilelang_tt.runtime import emulator

from emu_testlib import BF16, PROGRAMS, rand_bf16

CMAKELISTS = """cmake_minimum_required(VERSION 3.22...3.30)
project(emu_cmake_check CXX)
find_package(TT-Metalium REQUIRED)
add_executable(tt_program main.cpp)
target_link_libraries(tt_program PUBLIC TT::Metalium)
"""


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake not installed")
def test_find_package_builds_a_host_program(tmp_path, monkeypatch, tt_cache_dir):
    src = tmp_path / "src"
    src.mkdir()
    for f in (PROGRAMS / "eltwise").iterdir():
        shutil.copy(f, src / f.name)
    (src / "CMakeLists.txt").write_text(CMAKELISTS)
    build = tmp_path / "build"
    lib = emulator.runtime_dir() / "libtt_emu.so"  # reuse the cached runtime instead of rebuilding it
    cfg = subprocess.run(["cmake", "-S", str(src), "-B", str(build), f"-DCMAKE_PREFIX_PATH={emulator.sdk_dir()}",
                          f"-DTT_EMU_RUNTIME_LIB={lib}", "-DCMAKE_BUILD_TYPE=Release"],
                         capture_output=True, text=True)
    assert cfg.returncode == 0, cfg.stdout + cfg.stderr
    b = subprocess.run(["cmake", "--build", str(build)], capture_output=True, text=True)
    assert b.returncode == 0, b.stdout + b.stderr
    a, bb = rand_bf16((32, 64), 1), rand_bf16((32, 64), 2)
    fa, fb, fc = (tmp_path / n for n in ("a.bin", "b.bin", "c.bin"))
    a.tofile(fa)
    bb.tofile(fb)
    env = dict(os.environ, EW_M="32", EW_N="64", EW_OP="add", TT_EMU_SDK=str(emulator.sdk_dir()),
               TT_EMU_CACHE_DIR=str(emulator.cache_dir() / "emu"))
    r = subprocess.run([str(build / "tt_program"), str(src), str(fa), str(fb), str(fc)], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    c = np.fromfile(fc, dtype=BF16).reshape(32, 64)
    np.testing.assert_array_equal(c, (a.astype(np.float32) + bb.astype(np.float32)).astype(BF16))
