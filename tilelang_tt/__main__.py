"""`python -m tilelang_tt demo`: compile a matmul, run it on the emulator, check it against numpy."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import ml_dtypes
import numpy as np


DEMO_HELP = "compile a bf16 matmul, run it on the emulator (or a device), check it against numpy"


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shape", default="512,512,512",
                        help="M,N,K of C[M,N] = A[M,K] @ B[K,N], any positive sizes (ragged ones are padded on the "
                             "device) (default %(default)s)")
    parser.add_argument("--block", default="64,64,32",
                        help="block_m,block_n,block_k of the kernel as written, multiples of 32 (default %(default)s)")
    parser.add_argument("--target", default="tenstorrent",
                        help="tenstorrent (Wormhole n150), tenstorrent/wormhole_b0 or tenstorrent/blackhole "
                             "(p150) (default %(default)s)")
    parser.add_argument("--out", default="out/demo",
                        help="directory the generated CMake project is written to (default %(default)s)")


def demo(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tilelang_tt demo", description=DEMO_HELP)
    add_demo_arguments(parser)
    args = parser.parse_args(argv)
    M, N, K = _ints(parser, "--shape", args.shape)
    bm, bn, bk = _ints(parser, "--block", args.block)
    from tilelang_tt.errors import TTError
    try:
        return _demo(args, M, N, K, bm, bn, bk)
    except TTError as e:                 # a user's choice the compiler rejects: its message, no traceback
        print(f"tilelang-tt demo: {type(e).__name__}: {e}", file=sys.stderr)
        return 2


def _ints(parser, flag: str, text: str) -> tuple[int, int, int]:
    try:
        values = tuple(int(x) for x in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 3 or min(values) <= 0:
        parser.error(f"{flag} takes three positive integers separated by commas, got {text!r}")
    return values


def _demo(args, M, N, K, bm, bn, bk) -> int:
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

    l1 = prog.l1_bytes_used
    hw = tilelang_tt.hardware(args.target)
    print(f"tilelang-tt demo: bf16 matmul {M}x{K} @ {K}x{N} -> {M}x{N} on {args.target} "
          f"({hw.card}, {hw.grid[0]}x{hw.grid[1]} Tensix grid), backend: {run.backend}")
    print(f"  generated project : {Path(project).resolve()}  "
          f"({', '.join(sorted(kernel.sources))})")
    print(f"  kernel as written : {bm}x{bn} output blocks, K step {bk}")
    print(f"  schedule          : {prog.schedule_description}; {len(prog.cores)} cores, "
          f"{len(prog.kernels)} kernels ({', '.join(k.name for k in prog.kernels)})")
    print(f"  why               : {prog.schedule_reason}")
    print("  circular buffers  : " + ", ".join(
        f"c_{cb.index} {cb.name} {cb.num_pages}x{cb.page_bytes} B" for cb in prog.cbs)
        + f"  (L1 {l1} of {hw.l1_bytes} B per core)")
    est = kernel.estimate()
    speed = (f"{est.device_tflops:.1f} TFLOP/s, {est.utilization * 100:.1f}% of {hw.card}'s peak"
             if est.uses_matrix_engine else "")
    print(f"  modeled on device : {est.device_seconds * 1e6:.1f} us, {speed}; bound by {est.bound}"
          + (f" at {est.bound_rate}" if est.bound_rate else "") + " (docs/perf-model.md)")
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
    parser = argparse.ArgumentParser(
        prog="python -m tilelang_tt",
        description="tilelang-tt: compile tile-level TVM TIR kernels to TT-Metalium programs and run them on "
                    "the bundled CPU emulator of TT-Metalium (or a Tenstorrent device with TT_METAL_HOME).",
        epilog="Other entry points: python -m tilelang_tt.fuzz (property-based fuzzer), "
               "python -m tilelang_tt.realapi (check generated code against the released TT-Metalium); "
               "the library API is tilelang_tt.compile / tvm.build(..., target='tenstorrent') (README.md).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", help="one of:")
    add_demo_arguments(sub.add_parser("demo", help=DEMO_HELP, description=DEMO_HELP))
    if not argv:
        parser.print_help()
        return 2
    args = parser.parse_args(argv[:1])     # the command; its own parser reads the rest
    if args.command == "demo":
        return demo(argv[1:])
    return 2


if __name__ == "__main__":
    os.environ.setdefault("TVM_LOG_DEBUG", "0")
    sys.exit(main())
