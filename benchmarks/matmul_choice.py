"""The matmul schedule chooser (tilelang_tt.perf.choose): its pick, modeled utilization, bound and run
time for square shapes 32..16384 and the tech report's rectangles, per chip.

    .venv/bin/python benchmarks/matmul_choice.py [--l1-acc] [--quick] [--fidelity HiFi2] [--model wormhole_b0]

--l1-acc lets the chooser use packer L1 accumulation (tt-metal's partial sums) besides reloading
partials into DST (what the compiler lowers today). Times are wall-clock on this machine.
"""
import argparse
import platform
import time

from tilelang_tt.perf import Constraints, choose_matmul

from emulator_speed import machine  # noqa: E402  (sibling script: one machine description)

SQUARES = [32, 64, 128, 256, 512, 1024, 2048, 3072, 4096, 8192, 16384]
REPORT = {"wormhole_b0": [], "blackhole": [(2560, 4992, 4992), (3840, 6656, 6656), (20480, 26624, 26624)]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--l1-acc", action="store_true", help="allow packer L1 accumulation of partial sums")
    ap.add_argument("--quick", action="store_true", help="squares up to 4096 only")
    ap.add_argument("--fidelity", default="HiFi4", choices=("LoFi", "HiFi2", "HiFi3", "HiFi4"))
    ap.add_argument("--model", choices=("wormhole_b0", "blackhole"), help="one chip only")
    args = ap.parse_args()
    cons = Constraints(accumulate=("reload", "l1_acc") if args.l1_acc else ("reload",))
    print(f"machine: {machine()}, Python {platform.python_version()}; accumulate {cons.accumulate}")
    print(f"{'model':12} {'M x K x N':>20} {'ms':>6} {'util':>6} {'TFLOPS':>7}  choice / why")
    worst = 0.0
    for model in [args.model] if args.model else ("wormhole_b0", "blackhole"):
        shapes = [(s, s, s) for s in SQUARES if not args.quick or s <= 4096] + REPORT[model]
        for M, K, N in shapes:
            t0 = time.perf_counter()
            c = choose_matmul(M, N, K, model=model, fidelity=args.fidelity, constraints=cons)
            ms = (time.perf_counter() - t0) * 1e3
            worst = max(worst, ms)
            print(f"{model:12} {f'{M}x{K}x{N}':>20} {ms:6.0f} {c.estimate.utilization * 100:5.1f}% "
                  f"{c.estimate.tflops:7.1f}  {c.why}")
    print(f"slowest choice: {worst:.0f} ms")


if __name__ == "__main__":
    main()
