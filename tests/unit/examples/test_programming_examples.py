"""Programs written like tt-metal's programming examples (tt_metal/programming_examples: loopback,
add_2_integers_in_compute, eltwise_binary, eltwise_sfpu, matmul single_core, multi_core,
multicore_reuse and multicore_reuse_mcast) build unchanged against the emulator SDK, print their own
"Test Passed" after checking their numbers, and their kernels compile against the released
TT-Metalium 0.81.1 headers (tests/unit/realapi/test_example_kernels.py).

They use what those examples use and nothing of tilelang_tt: the Mesh device API, MeshBuffers,
TensorAccessorArgs, CreateKernel with DataMovementConfig/ComputeConfig, fmt::print, TT_FATAL/TT_THROW,
tilize_nfaces, split_work_to_cores, CreateSemaphore and worker_core_from_logical_core with the kernels'
multicast and semaphore handshake (noc_async_write_multicast, noc_semaphore_wait / set / inc /
set_multicast), data movement kernels that rely on the firmware's implicit dataflow include, DPRINT,
OVERRIDE_KERNEL_PREFIX. Our own programs, not copies of tt-metal's.
"""
import os
from pathlib import Path

import pytest

from tilelang_tt.runtime import emulator

PROGRAMS = Path(__file__).resolve().parent / "programs"
EXAMPLES = sorted(p.name for p in PROGRAMS.iterdir() if (p / "main.cpp").exists())


def _sources(name: str) -> dict[str, str]:
    """main.cpp plus every kernel under <name>/kernels, at the paths the host program opens."""
    out = {"main.cpp": (PROGRAMS / name / "main.cpp").read_text()}
    for k in sorted((PROGRAMS / name / "kernels").rglob("*.cpp")):
        out[f"{name}/kernels/{k.relative_to(PROGRAMS / name / 'kernels')}"] = k.read_text()
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_builds_and_passes_on_the_emulator(name, monkeypatch):
    prog = emulator.build_program(_sources(name))
    # Kernel paths are relative to the program directory, found through TT_METAL_KERNEL_PATH as on a
    # device install; DPRINT output is on, as TT_METAL_DPRINT_CORES turns it on there.
    monkeypatch.setenv("TT_METAL_KERNEL_PATH", str(prog))
    monkeypatch.setenv("TT_METAL_DPRINT_CORES", "0,0")
    result = emulator.run_program(prog, [], timeout=300)
    assert "Test Passed" in result.stdout, result.stdout + result.stderr


def test_dprint_and_implicit_dataflow_include():
    prog = emulator.build_program(_sources("loopback"))
    env = {"TT_METAL_KERNEL_PATH": str(prog), "TT_METAL_DPRINT_CORES": "0,0"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = emulator.run_program(prog, [], timeout=300)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert "DPRINT (0,0): loopback copied 50 tiles\n" in result.stderr
    assert "#include" not in (PROGRAMS / "loopback/kernels/loopback_dram_copy.cpp").read_text().split(
        "dprint.h")[1]


def test_removed_stream_dprint_fails_to_compile_as_in_the_release(tmp_path):
    """0.81.1 removed `DPRINT << x << ENDL();` (a static_assert names the replacement); so does the SDK."""
    import subprocess
    src = tmp_path / "k.cpp"
    src.write_text('#include "api/debug/dprint.h"\nvoid kernel_main() { DPRINT << 1; }\n')
    res = subprocess.run([emulator.compiler(), "-std=c++20", "-fsyntax-only", f"-I{emulator.sdk_dir() / 'include'}",
                          str(src)], capture_output=True, text=True)
    assert res.returncode != 0 and "Use DPRINT(format, ...) instead" in res.stderr
