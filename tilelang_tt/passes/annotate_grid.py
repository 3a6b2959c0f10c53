"""tt.AnnotateGrid: record the block grid of the frontend launch.

Pre-condition: the kernel binds its grid with T.launch_thread("blockIdx.x", gx) and/or
T.launch_thread("blockIdx.y", gy) with constant extents (checked by tt.VerifyInput).
Post-condition: the function carries attr `tt_grid = [grid_x, grid_y]` (1 for a missing axis); the body
is unchanged. A kernel without a blockIdx binding raises TTCompileError.
"""
from __future__ import annotations

from tvm import tirx

from ..errors import fail
from ..frontend.program import GRID_TAGS, read_program

PASS_NAME = "tt.AnnotateGrid"


def grid_of(func) -> list[int]:
    p = read_program(func, strict=False)
    if not any(t in p.grid for t in GRID_TAGS):
        fail(p.name, "no grid binding found",
             supported="bx = T.launch_thread('blockIdx.x', n) and optionally blockIdx.y",
             fix="bind the grid of blocks with T.launch_thread at the top of the kernel")
    return [p.grid_x, p.grid_y]


def annotate_grid(func):
    return func.with_attr("tt_grid", grid_of(func))


def AnnotateGrid():  # noqa: N802
    @tirx.transform.prim_func_pass(opt_level=0, name=PASS_NAME)
    def _pass(func, mod, ctx):
        return annotate_grid(func)
    return _pass
