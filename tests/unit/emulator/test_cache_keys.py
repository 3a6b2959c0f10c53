"""The kernel JIT cache key holds everything an object depends on: a header the kernel includes from its
own directory (by content), the compiler's identity, the API era; a change to any of them compiles anew
instead of reusing a stale object."""
import shutil

import numpy as np

from tilelang_tt.runtime import emulator

from emu_testlib import BF16, rand_bf16, sources

M, N = 32, 64


def _run(prog_dir, tmp_path, env=None, monkeypatch=None):
    a, b = rand_bf16((M, N), 1), rand_bf16((M, N), 2)
    a.tofile(tmp_path / "a")
    b.tofile(tmp_path / "b")
    emulator.run_program(prog_dir, [str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "c")])
    return np.fromfile(tmp_path / "c", dtype=BF16).reshape(M, N).astype(np.float32)


def _kernels(cache):
    return sorted(p.name for p in (cache / "emu" / "kernels").glob("*.so"))


def test_local_header_content_is_part_of_the_key(tmp_path, monkeypatch, tt_cache_dir):
    for k, v in dict(EW_M=M, EW_N=N, EW_OP="fill", EW_LOCAL_HEADER=1).items():
        monkeypatch.setenv(k, str(v))
    built = emulator.build_program(sources("eltwise"))
    kdir = tmp_path / "kdir"          # one fixed directory: same path, same kernel source, new header text
    shutil.copytree(built, kdir)
    (kdir / "local_params.h").write_text("#define LOCAL_FILL_VALUE 2.5f\n")
    assert np.all(_run(kdir, tmp_path) == 2.5)
    (kdir / "local_params.h").write_text("#define LOCAL_FILL_VALUE 4.0f\n")
    assert np.all(_run(kdir, tmp_path) == 4.0)


def test_compiler_identity_and_era_are_part_of_the_key(tmp_path, monkeypatch):
    runtime = emulator.runtime_dir()          # the session's runtime library: no second build
    cache = tmp_path / "cache"
    monkeypatch.setenv("TILELANG_TT_CACHE_DIR", str(cache))
    monkeypatch.setattr(emulator, "runtime_dir", lambda: runtime)
    for k, v in dict(EW_M=M, EW_N=N, EW_OP="add").items():
        monkeypatch.setenv(k, str(v))
    prog = emulator.build_program(sources("eltwise"))
    ref = _run(prog, tmp_path)
    np.testing.assert_array_equal(ref, (rand_bf16((M, N), 1).astype(np.float32) + rand_bf16((M, N), 2)
                                        .astype(np.float32)).astype(BF16).astype(np.float32))
    first = _kernels(cache)
    assert len(first) == 3
    assert _run(prog, tmp_path).tolist() == ref.tolist() and _kernels(cache) == first   # cached
    monkeypatch.setattr(emulator, "compiler_id", lambda cxx: "another compiler, version 99")
    assert _run(prog, tmp_path).tolist() == ref.tolist()
    assert len(_kernels(cache)) == 6             # every kernel compiled again for the other compiler
    prog_e3 = emulator.build_program(sources("eltwise"), api_profile="E3")
    assert prog_e3 != prog
    assert _run(prog_e3, tmp_path).tolist() == ref.tolist()
    assert len(_kernels(cache)) == 9             # E3 never reuses an E4 object


def test_host_programs_build_without_the_precompiled_header(tmp_path, monkeypatch):
    """The precompiled header is an optimization for GCC only: with another compiler (or a failed PCH
    build) the host program parses the headers itself and behaves the same."""
    runtime = emulator.runtime_dir()
    monkeypatch.setenv("TILELANG_TT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(emulator, "runtime_dir", lambda: runtime)
    monkeypatch.setattr(emulator, "_is_gcc", lambda cxx: False)
    for k, v in dict(EW_M=M, EW_N=N, EW_OP="mul").items():
        monkeypatch.setenv(k, str(v))
    prog = emulator.build_program(sources("eltwise"))
    assert not (tmp_path / "cache" / "emu" / "pch").exists()
    a, b = rand_bf16((M, N), 1).astype(np.float32), rand_bf16((M, N), 2).astype(np.float32)
    np.testing.assert_array_equal(_run(prog, tmp_path), (a * b).astype(BF16).astype(np.float32))
