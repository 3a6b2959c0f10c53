"""The exported project of a compiled kernel builds with CMake against the emulator SDK, as it would
against a TT-Metalium install (find_package(TT-Metalium)), and the resulting program computes the
right numbers from tensor files (contracts section 4)."""
import os
import shutil
import subprocess

import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, matmul_bound
from tilelang_tt.runtime import emulator


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake not installed")
def test_exported_matmul_project_builds_with_cmake_and_runs(tmp_path, tt_cache_dir):
    M, N, K = 96, 64, 128
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32), out_idx=2)
    project = kernel.export(tmp_path / "matmul")
    build = tmp_path / "build"
    lib = emulator.runtime_dir() / "libtt_emu.so"  # the cached runtime, instead of rebuilding it
    for cmd in (["cmake", "-S", str(project), "-B", str(build), f"-DCMAKE_PREFIX_PATH={emulator.sdk_dir()}",
                 f"-DTT_EMU_RUNTIME_LIB={lib}", "-DCMAKE_BUILD_TYPE=Release"],
                ["cmake", "--build", str(build)]):
        res = subprocess.run(cmd, capture_output=True, text=True)
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]

    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (M, K)).astype(ml_dtypes.bfloat16)
    b = rng.uniform(-1, 1, (K, N)).astype(ml_dtypes.bfloat16)
    files = [tmp_path / n for n in ("A.bin", "B.bin", "C.bin")]
    a.tofile(files[0])
    b.tofile(files[1])
    env = dict(os.environ, TT_EMU_MODEL="wormhole_b0", TT_EMU_API_ERA="4", TT_EMU_SDK=str(emulator.sdk_dir()),
               TT_EMU_CACHE_DIR=str(emulator.cache_dir() / "emu"))
    run = subprocess.run([str(build / "tt_program"), str(project), *map(str, files)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    c = np.fromfile(files[2], dtype=ml_dtypes.bfloat16).reshape(M, N)
    exact, bound = matmul_bound(a, b)
    ok, err, _ = check(c.astype(np.float32), exact, bound)
    assert ok, err
