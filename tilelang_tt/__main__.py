"""`python -m tilelang_tt demo`: compile a matmul, run it on the emulator, check it against numpy."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import ml_dtypes
import numpy as np


def demo(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tilelang_tt demo",
                                     description="compile a bf16 matmul, run it, compare with numpy")
    parser.add_argument("--shape", default="512,512,512", help="M,N,K (multiples of the block sizes)")
    parser.add_argument("--block", default="64,64,32", help="block_m,block_n,block_k")
    parser.add_argument("--target", default="tenstorrent")
    parser.add_argument("--out", default="out/demo", help="where the generated project is written")
    args = parser.parse_args(argv)
    M, N, K = (int(x) for x in args.shape.split(","))
    bm, bn, bk = (int(x) for x in args.block.split(","))

    import tilelang_tt
    from tilelang_tt import samples
    from tilelang_tt.runtime.launcher import last_launch

    t0 = time.perf_counter()
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, bm, bn, bk), target=args.target, out_idx=2)
    compile_s = time.perf_counter() - t0
    project = kernel.export(args.out)
    plan = kernel.plan

    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (M, K)).astype(ml_dtypes.bfloat16)
    b = rng.uniform(-1, 1, (K, N)).astype(ml_dtypes.bfloat16)
    c = kernel(a, b)                                  # first call builds the program (cached after)
    first = last_launch()
    c = kernel(a, b)                                  # cached artifacts: the steady-state time
    run = last_launch()

    from tilelang_tt.numerics import check, matmul_bound
    prog = kernel.program
    fp32_acc = prog.compute.fp32_dest_acc_en
    exact, bound = matmul_bound(a, b, "bfloat16", fp32_acc=fp32_acc)
    ok, max_err, ratio = check(c.astype(np.float32), exact, bound)

    cores = prog.cores
    blocks = prog.schedule["tiles_per_core"]
    l1 = prog.l1_bytes_used
    hw = tilelang_tt.hardware(args.target)
    print(f"tilelang-tt demo: bf16 matmul {M}x{K} @ {K}x{N} -> {M}x{N} on {args.target} "
          f"({hw.card}, {hw.grid[0]}x{hw.grid[1]} Tensix grid), backend: {run.backend}")
    print(f"  generated project : {Path(project).resolve()}  "
          f"({', '.join(sorted(kernel.sources))})")
    print(f"  grid              : {prog.schedule['grid'][0]}x{prog.schedule['grid'][1]} blocks of "
          f"{bm}x{bn} (K step {bk}) on {len(cores)} cores, blocks per core {min(blocks)}..{max(blocks)}")
    print("  circular buffers  : " + ", ".join(
        f"c_{cb.index} {cb.name} {cb.num_pages}x{cb.page_bytes} B" for cb in prog.cbs)
        + f"  (L1 {l1} of {hw.l1_bytes} B per core)")
    print(f"  compile           : {compile_s:.2f} s (TIR -> TT-Metalium C++)")
    print(f"  first call        : {first.wall_seconds:.2f} s (includes building the host program "
          f"and JIT-compiling kernels, cached afterwards)")
    print(f"  cached call       : {run.wall_seconds:.3f} s wall, program {run.program_seconds:.3f} s")
    print(f"  max |error|       : {max_err:.4g}; worst error / bound {ratio:.2f} "
          f"(bound per element from docs/tolerance.md, fp32 accumulation {'on' if fp32_acc else 'off'})")
    print(f"  result            : {'PASS' if ok else 'FAIL'} against the exact product of the bf16 inputs")
    return 0 if ok else 1


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m tilelang_tt demo [--shape M,N,K] [--block bm,bn,bk] [--target TAG]")
        return 0 if argv else 2
    if argv[0] == "demo":
        return demo(argv[1:])
    print(f"unknown command {argv[0]!r}; try: python -m tilelang_tt demo", file=sys.stderr)
    return 2


if __name__ == "__main__":
    os.environ.setdefault("TVM_LOG_DEBUG", "0")
    sys.exit(main())
