"""Where the time of one fuzz example goes: lowering (tvm.build), the host program's C++ compile, the
kernel JIT and the run, for a fixed set of distinct kernels on a fresh cache (every example of a fuzz
run is a new kernel, so nothing is cached across examples except the runtime and the precompiled header).

    .venv/bin/python benchmarks/fuzz_example_cost.py [--kernels 8] [--host-flags="-O2" --no-pch]

Wall seconds and CPU seconds of the compiler child processes are both printed (wall time is noisy on a
shared machine, CPU time much less). `--host-flags` / `--no-pch` reproduce the earlier host build
(`-O2`, no precompiled header) for comparison.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu_children() -> float:
    t = os.times()
    return t.children_user + t.children_system


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", type=int, default=8)
    ap.add_argument("--host-flags", default=None, help='e.g. "-O2" (default: the driver\'s HOST_FLAGS)')
    ap.add_argument("--no-pch", action="store_true")
    args = ap.parse_args()
    os.environ["TILELANG_TT_CACHE_DIR"] = tempfile.mkdtemp(prefix="tt_fuzz_cost_")

    import tilelang_tt
    from tilelang_tt.fuzz.inputs import draw
    from tilelang_tt.fuzz.kernels import FAMILIES
    from tilelang_tt.runtime import emulator

    if args.host_flags is not None:
        emulator.HOST_FLAGS = ["-std=c++20", *args.host_flags.split()]
    if args.no_pch:
        emulator._host_pch = lambda cxx, era: None
    t = time.perf_counter()
    emulator.runtime_dir()
    print(f"runtime library build (once per SDK/CPU/compiler): {time.perf_counter() - t:.1f} s")
    emulator._host_pch(emulator.compiler(), 4)   # once per SDK/compiler/era, like the runtime

    stages = {"lower (tvm.build)": [], "host program compile": [], "kernel JIT + first run": [], "run": []}
    cpu = {"host program compile": [], "kernel JIT + first run": []}
    for i in range(args.kernels):
        bm, bn = (32, 64) if i % 2 else (64, 32)
        bk = 32 * (1 + i % 2)
        params = dict(M=64 * (1 + i % 3), N=64 * (1 + i // 3 % 3), K=bk * (2 + i % 3), bm=bm, bn=bn, bk=bk,
                      dtype="bfloat16", accum="float32", out="bfloat16", epilogue=[["relu"], [], ["bias"]][i % 3])
        fam = FAMILIES["matmul"]
        t = time.perf_counter()
        kernel = tilelang_tt.compile(fam.build(params, f"cost{i}"), out_idx=len(fam.inputs(params)))
        stages["lower (tvm.build)"].append(time.perf_counter() - t)
        arrays = [draw(shape, dtype, "unit", j) for j, (_, shape, dtype) in enumerate(fam.inputs(params))]
        t, c = time.perf_counter(), cpu_children()
        emulator.build_program(kernel.sources, api_profile=kernel.plan["api_profile"])   # the call then hits it
        stages["host program compile"].append(time.perf_counter() - t)
        cpu["host program compile"].append(cpu_children() - c)
        t, c = time.perf_counter(), cpu_children()
        kernel(*arrays)
        stages["kernel JIT + first run"].append(time.perf_counter() - t)
        cpu["kernel JIT + first run"].append(cpu_children() - c)
        t = time.perf_counter()
        kernel(*arrays)
        stages["run"].append(time.perf_counter() - t)
    print(f"host flags {' '.join(emulator.HOST_FLAGS)}, precompiled header {'off' if args.no_pch else 'on'}, "
          f"{args.kernels} distinct kernels, load average {os.getloadavg()[0]:.1f}")
    for k, v in stages.items():
        line = f"  {k:26s} mean {np.mean(v):.3f} s wall"
        if k in cpu:
            line += f", {np.mean(cpu[k]):.3f} s compiler CPU"
        print(line)
    print(f"  {'total per example':26s} mean {sum(np.mean(v) for v in stages.values()):.3f} s wall")


if __name__ == "__main__":
    main()
