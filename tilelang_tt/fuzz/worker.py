"""One fuzz worker process: draws `--examples` cases with hypothesis from `--seed`, runs each, appends a
JSON line per case to `--results`, and writes the case it is about to run to `--current` first (so the
parent can name the case if this process hangs or dies)."""
from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--current", required=True)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--families", default="")
    args = ap.parse_args(argv)
    os.environ.setdefault("TILELANG_TT_TIMEOUT", str(args.time_limit))

    from hypothesis import HealthCheck, Phase, given, seed, settings

    from .case import run_case
    from .strategies import PARAMS, cases

    families = tuple(f for f in args.families.split(",") if f) or tuple(PARAMS)
    index = [0]

    @seed(args.seed)
    @settings(max_examples=args.examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(cases(families))
    def one(case):
        with open(args.current + ".tmp", "w") as f:
            json.dump({"case": json.loads(case.to_json()), "start": time.time(), "index": index[0]}, f)
        os.replace(args.current + ".tmp", args.current)
        t0 = time.perf_counter()
        outcome = run_case(case, timeout=args.time_limit)
        line = {"case": json.loads(case.to_json()), "outcome": asdict(outcome),
                "seconds": time.perf_counter() - t0}
        with open(args.results, "a") as f:
            f.write(json.dumps(line) + "\n")
        index[0] += 1

    one()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
