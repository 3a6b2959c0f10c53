"""Refit the [CAL] parameters of one chip's cost table to its calibration rows (perf/costs.py).

    .venv/bin/python benchmarks/calibrate.py wormhole_b0 [--fix NAME=VALUE ...] [--free NAME ...]

Least squares on the relative error of the device-based utilization over `costs.CALIBRATION_ROWS` of the
chip (the published rows perf/published.py maps to tt-metal's configurations), by a log-space pattern
search with every parameter held inside its physical bounds (BOUNDS). Starts from the table in costs.py;
`--fix` pins a parameter (e.g. one taken from a measurement), `--free` restricts the search to the named
parameters. Prints the fitted values, the calibration and validation errors, and the rows outside 10%.
Nothing is written: copy the values into costs.py with their source.
"""
import argparse
import statistics
from dataclasses import replace

from tilelang_tt.perf import costs as C
from tilelang_tt.perf.matmul import core_groups, program_header
from tilelang_tt.perf.model import estimate_groups
from tilelang_tt.perf.published import measured_config, measurements

# (low, high) per chip: what the hardware allows, not what fits (docs/perf-model.md section 3)
BOUNDS = {
    "wormhole_b0": {"mm_call_cycles": (4, 80), "unpack_reuse_cycles": (0, 200), "dst_sync_cycles": (4, 200),
                    "kernel_start_cycles": (500, 4000), "dram_read_bytes_per_cycle": (15, 32),
                    "mcast_bytes_per_cycle": (15, 32), "noc_round_trip_cycles": (200, 1000),
                    "mcast_handshake_cycles": (50, 500)},
    "blackhole": {"mm_call_cycles": (4, 80), "unpack_reuse_cycles": (0, 200), "dst_sync_cycles": (4, 200),
                  "kernel_start_cycles": (500, 6000), "dram_read_bytes_per_cycle": (24, 64),
                  "mcast_bytes_per_cycle": (24, 64), "noc_round_trip_cycles": (200, 1500),
                  "mcast_handshake_cycles": (50, 800)},
}
UNPACK = ("unpack_srca_cycles", "unpack_srcb_cycles", "unpack_reuse_cycles")   # fitted on bf16; Float32 2x


def with_values(ct, values: dict):
    kw = {}
    for name, v in values.items():
        if name in UNPACK:
            kw[name] = {**getattr(ct, name), "Float16_b": v, "Float32": 2 * v}
        else:
            kw[name] = v
    return replace(ct, **kw)


def value_of(ct, name):
    v = getattr(ct, name)
    return v["Float16_b"] if name in UNPACK else v


class Rows:
    """The chip's published rows, their configurations' work computed once."""

    def __init__(self, model: str):
        cal = C.CALIBRATION_ROWS[model]
        self.rows = []
        for m in measurements():
            if m.model != model:
                continue
            p = measured_config(m)
            is_cal = any(card == m.card and (M, K, N) == (m.M, m.K, m.N) and fid in (None, m.fidelity)
                         for card, M, K, N, fid in cal)
            self.rows.append((m, program_header(p), core_groups(p), is_cal))

    def errors(self, ct):
        out = []
        for m, header, groups, is_cal in self.rows:
            e = estimate_groups(header, groups, ct)
            out.append((m, (e.math_utilization * 100 - m.device_util) / m.device_util, is_cal))
        return out

    def loss(self, ct) -> float:
        errs = [err for _, err, is_cal in self.errors(ct) if is_cal]
        return sum(e * e for e in errs) / len(errs)


def fit(model: str, fixed: dict, free: list[str] | None, start: dict, rounds: int = 60):
    rows = Rows(model)
    bounds = dict(BOUNDS[model])
    bounds.update({u: (15, 120) for u in UNPACK[:2]})
    names = [n for n in (free or bounds) if n not in fixed]
    ct = with_values(C.COSTS[model], fixed)
    x = {n: min(max(start.get(n, value_of(ct, n)), bounds[n][0]), bounds[n][1]) or 1.0 for n in names}
    best = rows.loss(with_values(ct, x))
    step = 0.25                                   # log-space step, halved when no move helps
    for _ in range(rounds):
        moved = False
        for n in names:
            for sign in (1, -1):
                lo, hi = bounds[n]
                trial = dict(x)
                trial[n] = min(max(x[n] * (1 + step) ** sign, max(lo, 1e-3)), hi)
                loss = rows.loss(with_values(ct, trial))
                if loss < best - 1e-12:
                    x, best, moved = trial, loss, True
        if not moved:
            step /= 2
            if step < 1e-3:
                break
    return rows, with_values(ct, x), x


def report(rows: Rows, ct) -> None:
    errs = rows.errors(ct)
    for label, sel in (("calibration", True), ("validation", False)):
        e = [abs(err) for _, err, c in errs if c == sel]
        print(f"{label} rows {len(e)}: |error| mean {statistics.mean(e) * 100:.1f}%, max {max(e) * 100:.1f}%")
    for m, err, c in errs:
        if abs(err) > 0.10:
            print(f"  {m.card:10} {m.M}x{m.K}x{m.N} {m.fidelity}: measured {m.device_util:.2f}% "
                  f"{err * 100:+.1f}%{' (CAL)' if c else ''}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=sorted(C.COSTS))
    ap.add_argument("--fix", nargs="*", default=[], help="NAME=VALUE held fixed (e.g. from a measurement)")
    ap.add_argument("--free", nargs="*", default=None, help="fit only these parameters")
    ap.add_argument("--start", nargs="*", default=[], help="NAME=VALUE to start the search from")
    ap.add_argument("--check", action="store_true", help="only report the table in costs.py")
    args = ap.parse_args()
    if args.check:
        report(Rows(args.model), C.COSTS[args.model])
        return
    fixed = {k: float(v) for k, v in (f.split("=") for f in args.fix)}
    start = {k: float(v) for k, v in (f.split("=") for f in args.start)}
    rows, ct, x = fit(args.model, fixed, args.free, start)
    print(f"{args.model}: fixed {fixed}")
    for n, v in sorted(x.items()):
        print(f"  {n} = {v:.1f}")
    report(rows, ct)


if __name__ == "__main__":
    main()
