"""Schedules: how a verified TileProgram runs on the cores of a chip.

`choose(program, hw, options)` returns a typed schedule: NaiveSchedule (the user's blocks as written,
schedule/naive.py) or a MatmulSchedule (per-core blocks, K blocking, DST subblocks, multicast;
schedule/matmul.py) for kernels recognized as a matmul (analysis/matmul.py). Schedules serialize to
plain dicts (`to_dict` / `from_dict`) because they travel as the `tt_schedule` PrimFunc attribute.
"""
from __future__ import annotations

from ..errors import TTCompileError
from .naive import NaiveSchedule, naive_schedule

MATMUL_ONLY = ("blocked", "subblocked", "multicast")


def choose(program, hw, options):
    """The schedule of one kernel under `options.schedule` ("auto" picks)."""
    if options.schedule == "naive":
        return naive_schedule(program, hw, options, reason="requested: schedule='naive'")
    from ..analysis.matmul import recognize
    spec, why_not = recognize(program)
    if spec is None:
        if options.schedule in MATMUL_ONLY:
            raise TTCompileError(
                f"kernel '{program.name}': schedule='{options.schedule}' applies to matmul kernels only, "
                f"and this kernel is not one the compiler recognizes as a matmul: {why_not}\n"
                f"  fix: use schedule='naive' or 'auto', or write the kernel as C = A @ B (+ element-wise "
                f"epilogue) in the form of tilelang_tt.samples.matmul")
        return naive_schedule(program, hw, options, reason=f"not a matmul: {why_not}")
    from .matmul import matmul_schedule
    return matmul_schedule(program, spec, hw, options)


def from_dict(d):
    kind = str(d["kind"])
    if kind == "naive":
        return NaiveSchedule.from_dict(d)
    if kind == "matmul":
        from .matmul import MatmulSchedule
        return MatmulSchedule.from_dict(d)
    raise TTCompileError(f"unknown schedule kind {kind!r}")


def describe(d: dict) -> str:
    """One line of what a schedule runs where, from its dict (a compiled program's or plan.json's)."""
    kind = str(d.get("kind", ""))
    if kind == "naive":
        from .naive import describe_naive
        return describe_naive(d)
    if kind == "matmul":
        from .matmul import MatmulParams
        return MatmulParams.from_dict(d["params"]).describe()
    raise TTCompileError(f"unknown schedule kind {kind!r}")


__all__ = ["choose", "describe", "from_dict", "NaiveSchedule", "naive_schedule"]
