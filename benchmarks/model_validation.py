"""Model vs tt-metal's published GEMM measurements (tech_reports/GEMM_FLOPS), row by row.

    .venv/bin/python benchmarks/model_validation.py [--headline] [--ours]

For every published BF16 row and the block-float rows of reference D.5 (BFLOAT8_B / BFLOAT4_B operands
and output): the configuration tt-metal measured, its device-based utilization, the utilization our
model gives for that configuration, the error, and whether the row calibrated the cost table (CAL) or
only validates it. --ours adds the model of our own schedule with the same blocks (DRAM in0 and output,
partial sums reloaded instead of L1-accumulated). No device is needed: the measurements are the
published ones.
"""
import argparse
import statistics

from tilelang_tt.perf import estimate_groups
from tilelang_tt.perf.matmul import core_groups, program_header
from tilelang_tt.perf.validation import EXCEPTIONS, TOLERANCE, validate


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--headline", action="store_true", help="only the rows of reference/metalium-api.md D.5")
    ap.add_argument("--ours", action="store_true", help="also model our own schedule with the same blocks")
    args = ap.parse_args()
    rows = validate(args.headline)
    head = (f"{'card':10} {'M x K x N':>20} {'dtype':9} {'fid':5} {'storage':10} {'grid':5} {'block':6} {'k':>3} {'sub':4} "
            f"{'measured':>8} {'modeled':>8} {'error':>7}  role  bound")
    if args.ours:
        head += "            ours (reload, DRAM)"
    print(head)
    for r in rows:
        m, p = r.measurement, r.params
        line = (f"{m.card:10} {f'{m.M}x{m.K}x{m.N}':>20} {m.dtype:9} {m.fidelity:5} {m.storage:10} "
                f"{p.grid[0]}x{p.grid[1]:<3} {f'{p.per_core_M}x{p.per_core_N}':6} {p.in0_block_w:>3} "
                f"{p.subblock[0]}x{p.subblock[1]:<2} {r.measured:8.2f} {r.modeled:8.2f} {r.error * 100:+6.1f}%  "
                f"{'CAL ' if r.calibration else 'val '}{'D5' if m.headline else '  '} {r.bound:14}")
        if args.ours:
            from dataclasses import replace
            q = replace(p, accumulate="reload", in0_source="dram", out_dest="dram")
            e = estimate_groups(program_header(q), core_groups(q))
            line += f" {e.math_utilization * 100:6.2f}"
        print(line)
    bf16 = [r for r in rows if r.measurement.dtype == "BFLOAT16"]
    bfp = [r for r in rows if r.measurement.dtype != "BFLOAT16"]
    for name, errs in (("BF16 validation", [abs(r.error) for r in bf16 if not r.calibration]),
                       ("BF16 calibration", [abs(r.error) for r in bf16 if r.calibration]),
                       ("block-float (D.5, all validation)", [abs(r.error) for r in bfp])):
        if errs:
            print(f"{name} rows: {len(errs)}, |error| mean {statistics.mean(errs) * 100:.1f}%, max "
                  f"{max(errs) * 100:.1f}% (tolerance {TOLERANCE * 100:.0f}%)")
    print()
    head_rows = [abs(r.error) for r in bf16 if r.measurement.headline]
    print(f"reference D.5 BF16 rows: {len(head_rows)}, max |error| {max(head_rows) * 100:.1f}%")
    if EXCEPTIONS:
        print("exceptions:", EXCEPTIONS)


if __name__ == "__main__":
    main()
