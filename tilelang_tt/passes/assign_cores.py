"""tt.AssignCores: distribute the grid's blocks over the Tensix cores as persistent loops.

Pre-condition: attr `tt_grid` (tt.AnnotateGrid).
Post-condition: attrs
  * `tt_model`: the chip model ("wormhole_b0" / "blackhole");
  * `tt_core_grid = [cols, rows]`: bounding rectangle of the cores used, cols <= the device's columns;
  * `tiles_per_core`: blocks per core, core i = (i % cols, i // cols), one entry per core used;
  * `tt_block_start`: first block id of each core, same order.
  * `tt_core_policy`: the policy, which fixes how a block id maps back to (bx, by) (tt.SplitKernels).
Policy "contiguous" (default): block ids 0 .. gx*gy-1 (row-major, bid = by * gx + bx) are
split into contiguous runs over min(blocks, cores) cores, as evenly as possible, the first cores taking
one more block when it does not divide. A grid smaller than the device uses fewer cores; a larger one
gives each core several blocks, which its kernels walk in a persistent `for b in range(block_count)`.
Policy "2d_blocked": a rectangle of cols x rows cores where cols is the largest divisor of grid_x that
fits the device's columns (rows likewise for grid_y, both within `max_cores`); core (x, y) owns the
rectangle of cx = grid_x / cols by cy = grid_y / rows blocks at (x * cx, y * cy), so the cores of one
core row share the same A rows and the cores of one column the same B columns (the layout multicast
reuse needs). Block ids are core-major: core c owns ids c * cx * cy ..., and inside a core row-major.
`max_cores` caps the number of cores (the device size when None).
"""
from __future__ import annotations

from tvm import tirx

from ..errors import TTTargetError
from . import _common as C

PASS_NAME = "tt.AssignCores"
POLICIES = ("contiguous", "2d_blocked")


def contiguous(num_blocks: int, device_grid: tuple[int, int], max_cores: int | None = None):
    """(core_grid [cols, rows], tiles_per_core, block_start) for the contiguous policy."""
    dev_cols, dev_rows = device_grid
    cores = min(num_blocks, dev_cols * dev_rows, max_cores or dev_cols * dev_rows)
    base, extra = divmod(num_blocks, cores)
    counts = [base + (1 if i < extra else 0) for i in range(cores)]
    starts = [sum(counts[:i]) for i in range(cores)]
    cols = min(cores, dev_cols)
    rows = -(-cores // cols)
    return [cols, rows], counts, starts


def blocked_2d(grid: tuple[int, int], device_grid: tuple[int, int], max_cores: int | None = None):
    """(core_grid [cols, rows], tiles_per_core, block_start) for the 2d_blocked policy."""
    gx, gy = grid
    cap = max_cores or device_grid[0] * device_grid[1]
    best = None
    for cols in (d for d in range(1, min(gx, device_grid[0]) + 1) if gx % d == 0):
        for rows in (d for d in range(1, min(gy, device_grid[1]) + 1) if gy % d == 0):
            # most cores, then the squarest rectangle (more reuse per core row/column), then wider
            key = (cols * rows, -abs(cols - rows), cols)
            if cols * rows <= cap and (best is None or key > best[0]):
                best = (key, cols, rows)
    _, cols, rows = best
    per = (gx // cols) * (gy // rows)
    return [cols, rows], [per] * (cols * rows), [i * per for i in range(cols * rows)]


def assign_cores(func, target=None, policy: str = "contiguous", max_cores: int | None = None):
    if policy not in POLICIES:
        raise TTTargetError(f"unknown core assignment policy {policy!r}; supported: {', '.join(POLICIES)}")
    if max_cores is not None and max_cores < 1:
        raise TTTargetError(f"max_cores must be >= 1, got {max_cores}")
    name = C.kernel_name(func)
    if func.attrs is None or "tt_grid" not in func.attrs:
        C.fail(name, f"{PASS_NAME} needs attr tt_grid", fix="run tt.AnnotateGrid first")
    gx, gy = (int(v) for v in func.attrs["tt_grid"])
    model, hw = C.model_and_hw(func, target)
    if policy == "2d_blocked":
        core_grid, counts, starts = blocked_2d((gx, gy), hw.grid, max_cores)
    else:
        core_grid, counts, starts = contiguous(gx * gy, hw.grid, max_cores)
    return func.with_attrs({"tt_model": model, "tt_core_grid": core_grid, "tiles_per_core": counts,
                            "tt_block_start": starts, "tt_core_policy": policy})


def AssignCores(target=None, policy: str = "contiguous", max_cores: int | None = None):  # noqa: N802
    @tirx.transform.prim_func_pass(opt_level=0, name=PASS_NAME)
    def _pass(func, mod, ctx):
        return assign_cores(func, target, policy, max_cores)
    return _pass
