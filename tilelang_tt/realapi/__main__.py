"""`python -m tilelang_tt.realapi check DIR [--chip wormhole_b0|blackhole|both]`: check a generated
program (a directory with plan.json, its kernels and main.cpp, as `Kernel.export()` writes it) against
the pinned TT-Metalium release: every kernel on every processor it runs on, and the host program's
tt_metal symbols. `python -m tilelang_tt.realapi fetch` only downloads and extracts the release."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import RealApiUnavailable


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tilelang_tt.realapi", description="check generated programs against the pinned TT-Metalium release (docs/realapi.md)")
    sub = ap.add_subparsers(dest="cmd", required=True, help="what to do")
    sub.add_parser("fetch", help="download and extract the pinned release (cached)")
    c = sub.add_parser("check", help="check a generated program directory")
    c.add_argument("dir", type=Path, help="a generated program directory (Kernel.export() writes one)")
    c.add_argument("--chip", default="plan", choices=["plan", "wormhole_b0", "blackhole", "both"],
                   help="chip(s) to compile the kernels for (default: the plan's own model)")
    args = ap.parse_args(argv)
    try:
        from . import host_symbols, release
        if args.cmd == "fetch":
            print(release.ensure_tree())
            return 0
        from .jit import Checker
        from .project import kernel_specs
        sources = {p.name: p.read_text() for p in args.dir.iterdir() if p.is_file()}
        chips = {"plan": [None], "both": ["wormhole_b0", "blackhole"]}.get(args.chip, [args.chip])
        specs = [s for chip in chips for s in kernel_specs(sources, model=chip)]
        results = Checker().check_all(specs)
        for r in results:
            print(r.line())
            if not r.ok:
                print(r.output)
        host = host_symbols.check(sources["main.cpp"])
        print("host program: " + host.report())
        return 0 if all(r.ok for r in results) and host.ok else 1
    except RealApiUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
