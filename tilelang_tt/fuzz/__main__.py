"""`python -m tilelang_tt.fuzz`: run a large fuzz budget over worker processes and report.

Prints the number of examples, the outcome categories and the time; writes a reproducer script for
every failure into <out>/reproducers and a summary into <out>/summary.json. Exit status 1 when any
case failed (a wrong number, a run error, an untyped or unnamed error, a crash or a hang).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from .case import FAILURES, Case, Outcome
from .reproducer import write


class Worker:
    def __init__(self, out: Path, tag: str, examples: int, seed: int, args):
        self.results = out / f"results-{tag}.jsonl"
        self.current = out / f"current-{tag}.json"
        self.examples = examples
        cmd = [sys.executable, "-m", "tilelang_tt.fuzz.worker", "--examples", str(examples), "--seed", str(seed),
               "--results", str(self.results), "--current", str(self.current), "--time-limit", str(args.time_limit),
               "--families", args.families]
        self.log = open(out / f"worker-{tag}.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def done(self) -> int:
        if not self.results.exists():
            return 0
        with open(self.results) as f:
            return sum(1 for _ in f)

    def current_case(self):
        try:
            with open(self.current) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()


def _record(results: Path, case: dict, outcome: Outcome, seconds: float):
    with open(results, "a") as f:
        f.write(json.dumps({"case": case, "outcome": outcome.__dict__, "seconds": seconds}) + "\n")


def run(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("results-*.jsonl"):
        old.unlink()
    start = time.time()
    per_job = [args.examples // args.jobs + (1 if j < args.examples % args.jobs else 0) for j in range(args.jobs)]
    workers, next_tag, seed = [], 0, args.seed
    for n in per_job:
        if n:
            workers.append(Worker(out, str(next_tag), n, seed, args))
            next_tag, seed = next_tag + 1, seed + 1
    last_report = time.time()
    while workers:
        time.sleep(1.0)
        for w in list(workers):
            cur = w.current_case()
            finished = w.proc.poll() is not None
            stuck = not finished and cur is not None and time.time() - cur["start"] > args.time_limit * 2
            if not finished and not stuck:
                continue
            if stuck:
                w.kill()
            workers.remove(w)
            done = w.done()
            missing = w.examples - done
            if not stuck and w.proc.returncode == 0:
                continue          # a worker that ends cleanly ran its budget
            if cur is not None and cur["index"] == done:
                # the case in flight hung or took its worker down: a failure of its own
                kind = "hang" if stuck else "crash"
                detail = (f"the case ran past {args.time_limit * 2:g} s and its worker was killed" if stuck else
                          f"the worker process died (exit {w.proc.returncode}) while running this case; see "
                          f"{w.log.name}")
                _record(w.results, cur["case"], Outcome(kind, f"{cur['case']['family']}:{kind}", detail),
                        time.time() - cur["start"])
                missing -= 1
            if missing > 0:       # a replacement runs what the lost worker did not
                workers.append(Worker(out, str(next_tag), missing, seed, args))
                next_tag, seed = next_tag + 1, seed + 1
        if time.time() - last_report > 60:
            n = sum(1 for p in out.glob("results-*.jsonl") for _ in open(p))
            print(f"  ... {n} of {args.examples} examples after {time.time() - start:.0f} s", flush=True)
            last_report = time.time()
    return summarize(out, args, time.time() - start)


def summarize(out: Path, args, wall: float) -> int:
    lines = []
    for p in sorted(out.glob("results-*.jsonl")):
        with open(p) as f:
            lines += [json.loads(line) for line in f if line.strip()]
    outcomes = Counter(r["outcome"]["outcome"] for r in lines)
    categories = Counter(r["outcome"]["category"] for r in lines)
    failures = [r for r in lines if r["outcome"]["outcome"] in FAILURES]
    repro_dir = out / "reproducers"
    paths = []
    for i, r in enumerate(failures):
        paths.append(str(write(repro_dir, i, Case.from_dict(r["case"]), Outcome(**r["outcome"]))))
    stage = {}
    for key in ("compile", "first_call", "calls"):
        vals = sorted(r["outcome"]["seconds"].get(key, 0.0) for r in lines if key in r["outcome"]["seconds"])
        if vals:
            stage[key] = {"n": len(vals), "mean": sum(vals) / len(vals), "p50": vals[len(vals) // 2],
                          "p95": vals[int(len(vals) * 0.95)], "max": vals[-1]}
    per_case = sorted(r["seconds"] for r in lines)
    checked = sum(r["outcome"].get("checked", 0) for r in lines)
    loose = sum(r["outcome"].get("loose", 0) for r in lines)
    summary = {"examples": len(lines), "wall_seconds": wall, "jobs": args.jobs, "seed": args.seed,
               "outcomes": dict(outcomes), "categories": dict(sorted(categories.items())),
               "failures": len(failures), "reproducers": paths, "stage_seconds": stage,
               "case_seconds": {"mean": sum(per_case) / max(1, len(per_case)),
                                "max": per_case[-1] if per_case else 0.0},
               "elements_checked": checked, "elements_loose": loose}
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print(f"tilelang_tt fuzz: {len(lines)} examples in {wall:.0f} s with {args.jobs} job(s) (seed {args.seed})")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))
    print("categories:")
    for k, v in sorted(categories.items()):
        print(f"  {k:50s} {v}")
    print(f"elements checked against their bound: {checked}; left open by the policy (loose): {loose}")
    for key, s in stage.items():
        print(f"  {key:10s} n={s['n']:5d} mean {s['mean']:.3f} s  p50 {s['p50']:.3f} s  p95 {s['p95']:.3f} s  "
              f"max {s['max']:.2f} s")
    if failures:
        print(f"{len(failures)} FAILURE(S); reproducers in {repro_dir}:")
        for p, r in zip(paths, failures):
            print(f"  {p}  [{r['outcome']['category']}]")
        return 1
    print("no failures")
    return 0


def main(argv=None) -> int:
    from .kernels import FAMILIES
    ap = argparse.ArgumentParser(prog="python -m tilelang_tt.fuzz", description=__doc__.splitlines()[0],
                                 epilog="docs/fuzzing.md describes what is drawn and how failures are kept.")
    ap.add_argument("--examples", type=int, default=5000,
                    help="number of generated kernels to compile, run and check (default %(default)s)")
    ap.add_argument("--jobs", type=int, default=2,
                    help="worker processes running cases in parallel (default %(default)s)")
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000,
                    help="seed of the case generator; the same seed draws the same cases (default: from the clock)")
    ap.add_argument("--out", default="fuzz-out",
                    help="directory for the run's summary and one reproducer script per failure "
                         "(default %(default)s)")
    ap.add_argument("--time-limit", type=float, default=120.0,
                    help="seconds one case (compile + emulator run) may take before it counts as a hang "
                         "(default %(default)s)")
    ap.add_argument("--families", default="",
                    help=f"comma-separated kernel families to draw from (default: all of {', '.join(FAMILIES)})")
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
