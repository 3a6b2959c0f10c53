"""Matmul sweep: every schedule on both chips, over shapes, dtypes and math fidelities.

    .venv/bin/python benchmarks/matmul_sweep.py --quick          # a couple of minutes (`make bench`)
    .venv/bin/python benchmarks/matmul_sweep.py --update-readme  # the full sweep (`make sweep`)
    .venv/bin/python benchmarks/matmul_sweep.py --readme         # print the README table of the last run

For every point (chip, M x K x N, dtype, fidelity, schedule) it compiles `samples.matmul` with
`tilelang_tt.compile(..., schedule=...)` and records: the compile wall time; the schedule the compiler
built (variant, grid, blocks, subblocks) and its reason; the modeled time, TFLOP/s, utilization and
bounding resource of that program (`kernel.estimate()`, docs/perf-model.md); tt-metal's published
measurement of the same work where one exists (`perf/published.py`: BF16 inputs with bf16 accumulation,
HiFi2 / HiFi4, and the block-float rows of reference D.5); the CPU emulator's result checked against
numpy (`numerics.matmul_bound`) and its wall time, for problems up to --emulate-max cubed; and, when TT_METAL_HOME and a card are present, the run on
the device (`runtime.launcher.last_launch()`), else "no device". Nothing is estimated where it was not
measured: a point that does not compile or times out says so.

Block-float dtypes (`bfp8_b`, `bfp4_b`: every operand and C in that storage format, as tt-metal measured;
`bf16-bfp8w`: bfp8_b weights B, bf16 A and C) are modeled only, status "modeled": the compiler does not
accept a block-float storage format yet, so the point is the performance model's chooser
(`perf.choose_matmul(..., formats=...)`, our program, both partial-sum strategies, without the
compiler's legality checks) or, for naive, the user's blocks through `perf.matmul_work`; nothing is
compiled or emulated.

Outputs (benchmarks/results/ by default; --quick writes to benchmarks/results/quick/): matmul_sweep.csv
and .json (every row, with the machine, date, git commit and a hash of the compiler sources), PNG plots
(sweep_report.py) and, with --update-readme, the table between the matmul-sweep markers of README.md.
Each point runs in a worker process (--jobs of them) so a compile that exceeds --timeout is stopped and
recorded as such; --resume reuses the rows of an earlier run whose compiler sources were identical.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from emulator_speed import machine  # noqa: E402  (sibling script: one machine description)

# --------------------------------------------------------------------------------------------- points
CHIPS = {"n150": "tenstorrent", "p150": "tenstorrent/blackhole"}            # card -> target tag
CHIP_MODEL = {"n150": "wormhole_b0", "p150": "blackhole"}
DTYPES = {"bf16": ("bfloat16", "bfloat16"),           # (inputs and output, accumulation): what tt-metal measures
          "bf16-fp32acc": ("bfloat16", "float32"),
          "fp32": ("float32", "float32"),
          "bfp8_b": ("bfloat16", "bfloat16"),        # block-float storage (BLOCK_FLOAT): modeled only
          "bfp4_b": ("bfloat16", "bfloat16"),
          "bf16-bfp8w": ("bfloat16", "bfloat16")}
# (in0, in1, C) storage formats of the block-float dtypes; the logical dtype stays bfloat16
BLOCK_FLOAT = {"bfp8_b": ("Bfp8_b", "Bfp8_b", "Bfp8_b"), "bfp4_b": ("Bfp4_b", "Bfp4_b", "Bfp4_b"),
               "bf16-bfp8w": ("Float16_b", "Bfp8_b", "Float16_b")}
# tt-metal DataType of the block-float rows it published (perf/published.py BLOCK_FLOAT_D5)
PUBLISHED_DTYPE = {"bf16": "BFLOAT16", "bfp8_b": "BFLOAT8_B", "bfp4_b": "BFLOAT4_B"}
FIDELITIES = ("HiFi4", "HiFi2", "LoFi")
SCHEDULES = ("naive", "blocked", "subblocked", "multicast", "auto")
# (M, K, N), the order of tt-metal's tech report
SQUARES = [(s, s, s) for s in (256, 512, 1024, 2048, 4096, 8192, 16384)]
REPORT = [(2560, 4992, 4992), (3840, 6656, 6656), (20480, 26624, 26624), (3840, 4992, 6656)]   # P150 rows of D.5
SKINNY = [(32, 4096, 4096),     # one tile row of activations (decode): B streams, nothing to reuse
          (8192, 128, 8192)]    # a short K: writing C dominates
# shapes of the block-float D.5 rows not among the above, swept for the block-float dtypes only
BLOCK_FLOAT_SHAPES = [(3072, 3072, 4096), (5120, 6656, 6656), (10240, 13312, 13312)]
KEY_SHAPES = [(2048, 2048, 2048), (4096, 4096, 4096), (16384, 16384, 16384)] + REPORT
QUICK_SHAPES = SQUARES[:4]
NAIVE_BLOCK = (64, 64, 32)      # (block_m, block_n, block_k) the naive schedule uses as written

COLUMNS = [
    # the point
    "chip", "model", "target", "M", "K", "N", "dtype", "in_dtype", "acc_dtype", "formats", "fidelity", "schedule",
    "status", "error",
    # what the compiler built
    "variant", "reason", "grid", "cores", "per_core_m", "per_core_n", "in0_block_w", "subblock_h",
    "subblock_w", "naive_block", "compile_s",
    # the model of that program (kernel.estimate())
    "flops", "dram_bytes", "arith_intensity", "model_s", "model_device_s", "model_math_s", "model_tflops",
    "model_device_tflops", "model_util", "model_math_util", "bound", "peak_tflops",
    # tt-metal's published measurement of the same work (device-based utilization, its grid)
    "published_card", "published_grid", "published_util", "published_tflops",
    # CPU emulator and device
    "emu_status", "emu_max_err", "emu_err_ratio", "emu_first_s", "emu_wall_s",
    "device_status", "device_max_err", "device_wall_s", "device_program_s", "device_tflops",
]


@dataclass(frozen=True)
class Point:
    chip: str        # n150 | p150
    M: int
    K: int
    N: int
    dtype: str       # key of DTYPES
    fidelity: str
    schedule: str

    @property
    def key(self) -> tuple:
        return (self.chip, self.M, self.K, self.N, self.dtype, self.fidelity, self.schedule)

    def label(self) -> str:
        return f"{self.chip} {self.M}x{self.K}x{self.N} {self.dtype} {self.fidelity} {self.schedule}"


def points(shapes, chips=tuple(CHIPS), dtypes=tuple(DTYPES), fidelities=FIDELITIES, schedules=SCHEDULES,
           block_float_shapes=()):
    """Every combination, grouped so consecutive points share inputs (shape, dtype) and a compile cache;
    `block_float_shapes` are added for the (modeled-only) block-float dtypes."""
    pts = [Point(c, M, K, N, d, f, s) for c in chips for (M, K, N) in shapes for d in dtypes
           for f in fidelities for s in schedules]
    extra = [sh for sh in block_float_shapes if sh not in shapes]
    return pts + [Point(c, M, K, N, d, f, s) for c in chips for (M, K, N) in extra for d in dtypes
                  if d in BLOCK_FLOAT for f in fidelities for s in schedules]


def formats_of(dtype: str) -> str:
    """The (in0/in1/C) storage formats of a sweep dtype, as the CSV shows them."""
    from tilelang_tt.target import DATA_FORMAT
    if dtype in BLOCK_FLOAT:
        return "/".join(BLOCK_FLOAT[dtype])
    in_dtype = DATA_FORMAT[DTYPES[dtype][0]]
    return f"{in_dtype}/{in_dtype}/{in_dtype}"


def naive_block(M: int, N: int, K: int) -> tuple[int, int, int]:
    """NAIVE_BLOCK, halved on an axis it does not divide (every dimension is a multiple of 32)."""
    return tuple(b if dim % b == 0 else 32 for b, dim in zip(NAIVE_BLOCK, (M, N, K)))


# ------------------------------------------------------------------------------------ what and where
def _git(*args) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def source_hash() -> str:
    """sha256 of the compiler and emulator sources (tilelang_tt/): rows measured with the same hash are
    reusable by --resume."""
    h = hashlib.sha256()
    files = sorted(p for p in (ROOT / "tilelang_tt").rglob("*")
                   if p.is_file() and p.suffix in (".py", ".h", ".hpp", ".cpp", ".cc", ".cmake", ".txt", ".in"))
    for p in files:
        h.update(str(p.relative_to(ROOT)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def run_meta(mode: str, emulate_max: int) -> dict:
    import tvm

    from tilelang_tt.runtime import metalium
    commit = _git("rev-parse", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "what": ("tilelang_tt matmul sweep: compile time, chosen schedule and its reason, modeled performance "
                 "(kernel.estimate(), docs/perf-model.md), tt-metal's published measurement of the same work, "
                 f"CPU-emulator correctness and wall time up to {emulate_max}^3, device runs when present"),
        "mode": mode,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "python": platform.python_version(),
        "tvm": getattr(tvm, "__version__", "?"),
        "git_commit": commit[:12] + ("+dirty" if dirty else ""),
        "source_hash": source_hash(),
        "device": "present (TT_METAL_HOME and a card)" if metalium.available() else "no device",
        "load_before": round(os.getloadavg()[0], 2),
    }


def describe(meta: dict) -> str:
    """One line saying what was measured, on what and when (every output carries it)."""
    reused = (f", {meta['reused_rows']} rows reused from earlier runs of the same sources"
              if meta.get("reused_rows") else "")
    return (f"{meta['mode']} sweep, {meta['date']}, commit {meta['git_commit']} (compiler sources "
            f"{meta['source_hash']}{reused}); {meta['machine']}; Python {meta['python']}, TVM {meta['tvm']}; "
            f"{meta['device']}")


# ------------------------------------------------------------------------------------------ published
def published_for(chip: str, M: int, K: int, N: int, dtype: str, fidelity: str) -> dict:
    """tt-metal's device-based utilization for the same work: BF16 (or, for bfp8_b / bfp4_b, block-float
    operands and output) with bf16 accumulation (fp32_dest_acc_en=False), same fidelity. On a p150 the
    11x10 row (our grid) wins over the 13x10 one."""
    from tilelang_tt.perf.published import measurements
    from tilelang_tt.target import HARDWARE
    if dtype not in PUBLISHED_DTYPE:
        return {}
    model = CHIP_MODEL[chip]
    hw = HARDWARE[model]
    found = [m for m in measurements() if m.model == model and (m.M, m.K, m.N) == (M, K, N)
             and m.fidelity == fidelity and m.dtype == PUBLISHED_DTYPE[dtype]]
    if not found:
        return {}
    m = min(found, key=lambda m: m.grid != hw.grid)
    cols, rows = m.grid
    peak = hw.flops_per_cycle[fidelity] * hw.clock_ghz * cols * rows / 1e3     # TFLOP/s on its grid
    return {"published_card": m.card, "published_grid": f"{cols}x{rows}", "published_util": m.device_util / 100,
            "published_tflops": m.device_util / 100 * peak}


# ------------------------------------------------------------------------------------------ measuring
def compile_point(p: Point):
    """(kernel, compile wall seconds, naive block) of a point: `samples.matmul` as a user writes it."""
    import tilelang_tt
    from tilelang_tt import samples
    in_dtype, acc = DTYPES[p.dtype]
    bm, bn, bk = naive_block(p.M, p.N, p.K)
    func = samples.matmul(p.M, p.N, p.K, bm, bn, bk, dtype=in_dtype, accum_dtype=acc)
    t0 = time.perf_counter()
    kernel = tilelang_tt.compile(func, target=CHIPS[p.chip], out_idx=2, schedule=p.schedule,
                                 math_fidelity=p.fidelity)
    return kernel, time.perf_counter() - t0, (bm, bn, bk)


def schedule_fields(sched: dict) -> dict:
    """The schedule the compiler built, from plan.json's schedule entry."""
    out = {"variant": sched.get("variant", sched.get("kind", "")), "reason": sched.get("reason", "")}
    params = sched.get("params")
    if params:
        out["grid"] = "x".join(str(v) for v in params["grid"])
        for k in ("per_core_m", "per_core_n", "in0_block_w", "subblock_h", "subblock_w"):
            out[k] = params[k]
    elif "core_grid" in sched:
        out["grid"] = "x".join(str(v) for v in sched["core_grid"])
    return out


def estimate_fields(est, model: str, fidelity: str) -> dict:
    from tilelang_tt.target import HARDWARE
    return {"cores": est.cores, "flops": est.flops, "dram_bytes": est.dram_bytes,
            "arith_intensity": est.flops / est.dram_bytes if est.dram_bytes else None,
            "model_s": est.seconds, "model_device_s": est.device_seconds, "model_math_s": est.math_seconds,
            "model_tflops": est.tflops, "model_device_tflops": est.device_tflops,
            "model_util": est.utilization, "model_math_util": est.math_utilization, "bound": est.bound,
            "peak_tflops": HARDWARE[model].peak_tflops(fidelity)}


_INPUTS: dict = {}


def _inputs(p: Point, reference: bool):
    """(a, b, exact, bound) for the point's shape and dtype (exact and bound None without `reference`:
    the float64 product is what limits the check). Only the last shape is kept (points are grouped)."""
    import ml_dtypes
    import numpy as np

    from tilelang_tt.numerics import matmul_bound
    key = (p.M, p.K, p.N, p.dtype, p.fidelity)     # the bound depends on the fidelity
    if key not in _INPUTS:
        _INPUTS.clear()
        in_dtype = DTYPES[p.dtype][0]
        np_dtype = ml_dtypes.bfloat16 if in_dtype == "bfloat16" else np.float32
        rng = np.random.default_rng([p.M, p.K, p.N])
        _INPUTS[key] = [rng.uniform(-1, 1, (p.M, p.K)).astype(np_dtype),
                        rng.uniform(-1, 1, (p.K, p.N)).astype(np_dtype), None, None]
    entry = _INPUTS[key]
    if reference and entry[2] is None:
        in_dtype, acc = DTYPES[p.dtype]
        entry[2], entry[3] = matmul_bound(entry[0], entry[1], out_dtype=in_dtype, fp32_acc=acc == "float32",
                                          fidelity=p.fidelity)
    return entry


def _run(kernel, p: Point, backend: str, repeat: int, checked: bool) -> dict:
    """Run on `backend` (emulator | metalium): first call (builds), best of `repeat` more; checked
    against numpy when `checked`."""
    from tilelang_tt.numerics import check
    from tilelang_tt.runtime.launcher import last_launch
    a, b, exact, bound = _inputs(p, checked)
    old = os.environ.get("TILELANG_TT_BACKEND")
    os.environ["TILELANG_TT_BACKEND"] = backend
    try:
        t0 = time.perf_counter()
        c = kernel(a, b)
        first = time.perf_counter() - t0
        walls, records = [first], [last_launch()]
        for _ in range(repeat):
            t0 = time.perf_counter()
            c = kernel(a, b)
            walls.append(time.perf_counter() - t0)
            records.append(last_launch())
    finally:
        if old is None:
            os.environ.pop("TILELANG_TT_BACKEND", None)
        else:
            os.environ["TILELANG_TT_BACKEND"] = old
    ok, err, ratio = check(c.astype("float32"), exact, bound) if checked else (None, None, None)
    best = min(range(1, len(walls)), key=walls.__getitem__) if repeat else 0
    return {"ok": ok, "max_err": err, "ratio": ratio, "first": first, "wall": walls[best], "record": records[best]}


def model_point(p: Point, row: dict) -> dict:
    """A block-float point, modeled only (module docstring): the chooser's schedule of the variant (or
    auto's pick), or the naive schedule of the user's blocks, and its estimate."""
    from tilelang_tt.errors import TTError
    from tilelang_tt.perf import Constraints, choose_matmul, estimate, matmul_work
    from tilelang_tt.perf.matmul import MatmulParams
    from tilelang_tt.target import HARDWARE
    model, (f0, f1, fo) = CHIP_MODEL[p.chip], BLOCK_FLOAT[p.dtype]
    grid = HARDWARE[model].grid
    fmts = dict(in0_format=f0, in1_format=f1, out_format=fo)
    try:
        if p.schedule == "naive":
            bm, bn, bk = naive_block(p.M, p.N, p.K)
            mp = MatmulParams(M=p.M, N=p.N, K=p.K, grid=grid, per_core_M=bm // 32, per_core_N=bn // 32,
                              in0_block_w=bk // 32, variant="naive", fidelity=p.fidelity, model=model, **fmts)
            est, why = estimate(matmul_work(mp)), "the user's blocks (naive), modeled"
            row["naive_block"] = f"{bm}x{bn}x{bk}"
        else:
            variants = ("blocked", "subblocked", "multicast") if p.schedule == "auto" else (p.schedule,)
            c = choose_matmul(p.M, p.N, p.K, "bfloat16", False, p.fidelity, model,
                              Constraints(variants=variants, accumulate=("reload", "l1_acc"), max_grid=grid),
                              formats=(f0, f1, fo))
            mp, est, why = c.best, c.estimate, c.why
    except TTError as e:
        row.update(status="compile error", error=f"{type(e).__name__}: {str(e).splitlines()[0]}")
        return row
    row.update(status="modeled", variant=mp.variant, reason=why,
               grid=f"{mp.grid[0]}x{mp.grid[1]}")
    if mp.variant != "naive":
        row.update(per_core_m=mp.per_core_M, per_core_n=mp.per_core_N, in0_block_w=mp.in0_block_w,
                   subblock_h=mp.subblock[0], subblock_w=mp.subblock[1])
    row.update(estimate_fields(est, model, p.fidelity))
    return row


def measure_point(p: Point, emulate_max: int = 1024, device_max: int = 16384, repeat: int = 1) -> dict:
    """One row of the sweep (COLUMNS). Compile errors of the point are recorded, not raised."""
    from tilelang_tt.errors import TTError
    from tilelang_tt.runtime import metalium
    in_dtype, acc = DTYPES[p.dtype]
    row = dict.fromkeys(COLUMNS)
    row.update(chip=p.chip, model=CHIP_MODEL[p.chip], target=CHIPS[p.chip], M=p.M, K=p.K, N=p.N, dtype=p.dtype,
               in_dtype=in_dtype, acc_dtype=acc, formats=formats_of(p.dtype), fidelity=p.fidelity,
               schedule=p.schedule)
    row.update(published_for(p.chip, p.M, p.K, p.N, p.dtype, p.fidelity))
    if p.dtype in BLOCK_FLOAT:
        why = "not compiled: the compiler does not accept a block-float storage format yet (model only)"
        row.update(emu_status=why, device_status=why)
        return model_point(p, row)
    try:
        kernel, row["compile_s"], blk = compile_point(p)
    except TTError as e:       # e.g. no schedule of this variant fits: the message says why
        row.update(status="compile error", error=f"{type(e).__name__}: {str(e).splitlines()[0]}",
                   emu_status="not compiled", device_status="not compiled")
        return row
    row["naive_block"] = "x".join(map(str, blk)) if p.schedule == "naive" else None
    row.update(schedule_fields(kernel.program.schedule))
    row.update(estimate_fields(kernel.estimate(), CHIP_MODEL[p.chip], p.fidelity))
    row["status"] = "ok"
    volume = p.M * p.N * p.K
    if volume <= emulate_max ** 3:
        try:
            r = _run(kernel, p, "emulator", repeat, checked=True)
            row.update(emu_status="ok" if r["ok"] else "WRONG", emu_max_err=r["max_err"], emu_err_ratio=r["ratio"],
                       emu_first_s=r["first"], emu_wall_s=r["wall"])
        except TTError as e:
            row.update(emu_status=f"error: {type(e).__name__}: {str(e).splitlines()[0]}")
    else:
        row["emu_status"] = f"skipped (above {emulate_max}^3)"
    if not metalium.available():
        row["device_status"] = "no device"
    elif volume > device_max ** 3:
        row["device_status"] = f"skipped (above {device_max}^3)"
    else:
        try:
            checked = volume <= emulate_max ** 3     # the float64 reference is what limits the check
            r = _run(kernel, p, "metalium", max(1, repeat), checked)
            rec = r["record"]
            row.update(device_status=("ok" if r["ok"] else "WRONG") if checked else "ran (unchecked)",
                       device_max_err=r["max_err"], device_wall_s=r["wall"],
                       device_program_s=rec.program_seconds if rec else None,
                       device_tflops=row["flops"] / rec.program_seconds / 1e12 if rec and rec.program_seconds
                       else None)
        except TTError as e:
            row.update(device_status=f"error: {type(e).__name__}: {str(e).splitlines()[0]}")
    return row


def _worker(conn, opts: dict) -> None:
    """A worker process: measure the points it is sent, one at a time."""
    while True:
        msg = conn.recv()
        if msg is None:
            return
        try:
            conn.send(measure_point(Point(**msg), **opts))
        except Exception as e:   # an internal error of the compiler: recorded, the sweep goes on
            row = dict.fromkeys(COLUMNS)
            row.update(asdict(Point(**msg)), status="internal error", error=f"{type(e).__name__}: {e}")
            conn.send(row)


# ------------------------------------------------------------------------------------------ the sweep
class _Progress:
    """tqdm when installed, else one line per point."""

    def __init__(self, total: int):
        try:
            from tqdm import tqdm
            self._bar = tqdm(total=total, unit="pt", dynamic_ncols=True)
        except ImportError:
            self._bar = None
        self.total, self.done = total, 0

    def update(self, line: str) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.write(line)
            self._bar.update(1)
        else:
            print(f"[{self.done}/{self.total}] {line}", flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def point_line(row: dict) -> str:
    """A row as one printed line: the modeled number beside tt-metal's published one."""
    head = (f"{row['chip']} {row['M']}x{row['K']}x{row['N']} {row['dtype']} {row['fidelity']} "
            f"{row['schedule']:10}")
    if row["status"] != "ok":
        return f"{head} {row['status']}: {row['error']}"
    blocks = (f"{row['per_core_m']}x{row['per_core_n']} k{row['in0_block_w']} sub {row['subblock_h']}x"
              f"{row['subblock_w']}" if row.get("per_core_m") else f"blocks {row['naive_block'] or ''}")
    pub = (f"tt-metal {row['published_util'] * 100:.1f}% ({row['published_card']})"
           if row.get("published_util") is not None else "tt-metal -")
    emu = row["emu_status"] if row["emu_status"] != "ok" else f"emu ok {row['emu_wall_s']:.2f}s"
    return (f"{head} -> {row['variant']} {row['grid']} {blocks}; compile {row['compile_s']:.1f}s; model "
            f"{row['model_util'] * 100:5.1f}% ({row['model_math_util'] * 100:.1f}% math) "
            f"{row['model_tflops']:6.1f} TFLOP/s, {row['bound']} | {pub} | {emu} | {row['device_status']}")


def _timeout_row(p: Point, timeout: float) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(chip=p.chip, model=CHIP_MODEL[p.chip], target=CHIPS[p.chip], M=p.M, K=p.K, N=p.N, dtype=p.dtype,
               in_dtype=DTYPES[p.dtype][0], acc_dtype=DTYPES[p.dtype][1], formats=formats_of(p.dtype),
               fidelity=p.fidelity, schedule=p.schedule,
               status="timeout", error=f"not finished within {timeout:.0f} s (compile or emulator run)",
               emu_status="not run", device_status="not run")
    row.update(published_for(p.chip, p.M, p.K, p.N, p.dtype, p.fidelity))
    return row


def row_key(r: dict) -> tuple:
    return (r["chip"], int(r["M"]), int(r["K"]), int(r["N"]), r["dtype"], r["fidelity"], r["schedule"])


def ordered(rows) -> list[dict]:
    """Rows in sweep order: chip, shape (squares, report, skinny, others by size), dtype, fidelity, schedule."""
    shapes = SQUARES + REPORT + SKINNY + BLOCK_FLOAT_SHAPES
    rank = {"chip": list(CHIPS), "dtype": list(DTYPES), "fidelity": list(FIDELITIES), "schedule": list(SCHEDULES)}

    def key(r):
        shape = (int(r["M"]), int(r["K"]), int(r["N"]))
        return (rank["chip"].index(r["chip"]), shapes.index(shape) if shape in shapes else len(shapes),
                shape[0] * shape[1] * shape[2], rank["dtype"].index(r["dtype"]),
                rank["fidelity"].index(r["fidelity"]), rank["schedule"].index(r["schedule"]))
    return sorted(rows, key=key)


def run_sweep(pts, emulate_max: int = 1024, device_max: int = 16384, repeat: int = 1, jobs: int = 0,
              timeout: float = 900.0, done: dict | None = None, on_row=None, quiet: bool = False) -> list[dict]:
    """Rows for `pts`, in order. jobs=0 measures in this process (no timeout); jobs >= 1 uses that many
    worker processes and stops a point after `timeout` seconds. `done`: key -> row to reuse.
    `on_row(rows)` is called after every new row (incremental saving)."""
    opts = {"emulate_max": emulate_max, "device_max": device_max, "repeat": repeat}
    done = done or {}
    results: dict = {}
    todo = []
    for p in pts:
        if p.key in done:
            results[p.key] = done[p.key]
        else:
            todo.append(p)
    bar = _Progress(len(todo)) if not quiet else None

    def record(p, row):
        results[p.key] = row
        if bar is not None:
            bar.update(point_line(row))
        if on_row is not None:
            on_row([results[q.key] for q in pts if q.key in results])

    try:
        if jobs <= 0:
            for p in todo:
                record(p, measure_point(p, **opts))
        else:
            _run_pool(todo, opts, jobs, timeout, record)
    finally:
        if bar is not None:
            bar.close()
    return [results[p.key] for p in pts if p.key in results]


def _run_pool(todo, opts, jobs, timeout, record) -> None:
    import multiprocessing as mp
    from multiprocessing.connection import wait
    ctx = mp.get_context("spawn")      # a fresh interpreter: TVM and fork do not mix

    def start():
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, opts), daemon=True)
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "point": None, "since": 0.0}

    def stop(w):
        w["proc"].kill()
        w["proc"].join()
        w["proc"] = None            # replaced when it gets a point

    queue = list(todo)
    workers = [start() for _ in range(min(jobs, len(queue)))]
    try:
        while queue or any(w["point"] for w in workers):
            for w in workers:
                if w["point"] is None and queue:
                    if w["proc"] is None:
                        w.update(start())
                    w["point"], w["since"] = queue.pop(0), time.monotonic()
                    w["conn"].send(asdict(w["point"]))
            busy = [w for w in workers if w["point"] is not None]
            left = min(w["since"] + timeout - time.monotonic() for w in busy)
            ready = wait([w["conn"] for w in busy], timeout=min(5.0, max(0.0, left)))
            for w in busy:
                p = w["point"]
                if w["conn"] in ready:
                    try:
                        row = w["conn"].recv()
                    except EOFError:     # the worker died (out of memory, a crash): recorded, replaced
                        row = _timeout_row(p, 0)
                        row.update(status="worker died", error=f"exit code {w['proc'].exitcode}")
                        stop(w)
                elif time.monotonic() - w["since"] > timeout:
                    stop(w)
                    row = _timeout_row(p, timeout)
                else:
                    continue
                w["point"] = None
                record(p, row)
    finally:
        for w in workers:
            if w["proc"] is not None and w["proc"].is_alive():
                try:
                    w["conn"].send(None)
                except OSError:
                    pass
                w["proc"].join(timeout=10)
                if w["proc"].is_alive():
                    w["proc"].kill()


# ------------------------------------------------------------------------------------------ outputs
def write_csv(rows, meta: dict, path: Path) -> None:
    import csv
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(f"# {meta['what']}\n# {describe(meta)}\n")
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r[k]) for k in COLUMNS})


def read_csv(path: Path) -> list[dict]:
    import csv
    with open(path) as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def write_json(rows, meta: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"meta": meta, "columns": COLUMNS, "rows": rows}, indent=1))
    tmp.replace(path)


def read_json(path: Path) -> tuple[dict, list[dict]]:
    d = json.loads(path.read_text())
    return d["meta"], d["rows"]


def parse_shapes(text: str):
    out = []
    for s in text.split(","):
        dims = [int(x) for x in s.lower().split("x")]
        out.append(tuple(dims * 3) if len(dims) == 1 else tuple(dims))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--quick", action="store_true",
                    help="squares 256..2048, bf16 HiFi4, every schedule, both chips (a couple of minutes)")
    ap.add_argument("--shapes", help="MxKxN,... (or S for a square) instead of the mode's shapes")
    ap.add_argument("--chips", default=",".join(CHIPS), help="n150,p150")
    ap.add_argument("--dtypes", help=f"of {','.join(DTYPES)} (quick: bf16)")
    ap.add_argument("--fidelities", help=f"of {','.join(FIDELITIES)} (quick: HiFi4)")
    ap.add_argument("--schedules", default=",".join(SCHEDULES))
    ap.add_argument("--emulate-max", type=int, help="run the emulator up to this size cubed (quick 512, full 1024)")
    ap.add_argument("--device-max", type=int, default=16384, help="run on a device up to this size cubed")
    ap.add_argument("--repeat", type=int, default=1, help="timed emulator / device calls after the first")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (0: in this process, no timeout)")
    ap.add_argument("--timeout", type=float, help="seconds per point before it is stopped (quick 300, full 1800)")
    ap.add_argument("--out", help="results directory (default benchmarks/results, quick: benchmarks/results/quick)")
    ap.add_argument("--resume", action="store_true", help="reuse rows of the last run with identical sources")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--readme", action="store_true", help="print the README table of the results and exit")
    ap.add_argument("--render", action="store_true",
                    help="rewrite the CSV, plots (and README with --update-readme) from the JSON, measuring nothing")
    ap.add_argument("--update-readme", action="store_true", help="also write the table into README.md")
    args = ap.parse_args(argv)

    import sweep_report
    mode = "quick" if args.quick else "full"
    out = Path(args.out) if args.out else HERE / "results" / ("quick" if args.quick else "")
    json_path, csv_path = out / "matmul_sweep.json", out / "matmul_sweep.csv"
    if args.readme or args.render:
        if not json_path.exists():
            ap.error(f"{json_path} does not exist: run the sweep first")
        meta, rows = read_json(json_path)
        if args.readme:
            print(sweep_report.readme_table(rows, meta))
            return 0
        return report(rows, meta, out, args)

    shapes = parse_shapes(args.shapes) if args.shapes else (QUICK_SHAPES if args.quick else SQUARES + REPORT + SKINNY)
    dtypes = (args.dtypes or ("bf16" if args.quick else ",".join(DTYPES))).split(",")
    fids = (args.fidelities or ("HiFi4" if args.quick else ",".join(FIDELITIES))).split(",")
    chips, scheds = args.chips.split(","), args.schedules.split(",")
    for name, given, known in (("chip", chips, CHIPS), ("dtype", dtypes, DTYPES), ("fidelity", fids, FIDELITIES),
                               ("schedule", scheds, SCHEDULES)):
        bad = [g for g in given if g not in known]
        if bad:
            ap.error(f"unknown {name} {', '.join(bad)}; known: {', '.join(known)}")
    emulate_max = args.emulate_max if args.emulate_max is not None else (512 if args.quick else 1024)
    timeout = args.timeout if args.timeout is not None else (300.0 if args.quick else 1800.0)
    pts = points(shapes, chips, dtypes, fids, scheds,
                 block_float_shapes=() if (args.shapes or args.quick) else BLOCK_FLOAT_SHAPES)

    meta = run_meta(mode, emulate_max)
    done, kept = {}, []
    if args.resume and json_path.exists():
        old_meta, old_rows = read_json(json_path)
        if old_meta.get("source_hash") == meta["source_hash"]:
            wanted = {p.key for p in pts}
            for r in old_rows:
                key = row_key(r)
                if key not in wanted:
                    kept.append(r)                 # another selection of the same sources: kept
                elif r["status"] in ("ok", "compile error"):
                    done[key] = r                  # measured: reused (timeouts are tried again)
            print(f"resume: {len(done)} of {len(pts)} points and {len(kept)} other rows reused from {json_path}")
        else:
            print(f"resume: {json_path} was measured with other compiler sources "
                  f"({old_meta.get('source_hash')}); measuring every point")
        meta["reused_rows"] = len(done) + len(kept)
    print(describe(meta))
    print(f"{len(pts)} points ({len(shapes)} shapes x {len(chips)} chips x {len(dtypes)} dtypes x {len(fids)} "
          f"fidelities x {len(scheds)} schedules), {args.jobs} worker(s), timeout {timeout:.0f} s per point, "
          f"emulator up to {emulate_max}^3 -> {out}")
    t0 = time.perf_counter()
    rows = run_sweep(pts, emulate_max, args.device_max, args.repeat, args.jobs, timeout, done,
                     on_row=lambda rs: write_json(ordered(kept + rs), meta, json_path))
    rows = ordered(kept + rows)
    meta.update(wall_s=round(time.perf_counter() - t0, 1), load_after=round(os.getloadavg()[0], 2), points=len(rows))
    write_json(rows, meta, json_path)
    return report(rows, meta, out, args)


def report(rows, meta: dict, out: Path, args) -> int:
    """CSV, plots, printed table and summary, README: everything the JSON determines."""
    import sweep_report
    json_path, csv_path = out / "matmul_sweep.json", out / "matmul_sweep.csv"
    write_csv(rows, meta, csv_path)
    written = [json_path, csv_path]
    if not args.no_plots:
        written += sweep_report.plots(rows, meta, out)
    print()
    print(sweep_report.readme_table(rows, meta))
    bfp = sweep_report.block_float_table(rows)
    if bfp:
        print("\nBlock-float storage (modeled only: the compiler does not accept it yet):\n" + bfp)
    print()
    print(sweep_report.summary(rows))
    if args.update_readme:
        sweep_report.update_readme(ROOT / "README.md", sweep_report.readme_table(rows, meta))
        written.append(ROOT / "README.md")
    print(f"\n{meta['points']} points in {meta['wall_s']:.0f} s (load average {meta['load_before']} -> "
          f"{meta['load_after']}); {describe(meta)}\nwrote {', '.join(str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p) for p in written)}")
    bad = [r for r in rows if r["emu_status"] == "WRONG" or r["device_status"] == "WRONG"]
    for r in bad:
        print(f"WRONG RESULT: {point_line(r)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
