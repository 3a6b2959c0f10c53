"""tt.AssignCores: distribute the grid's blocks over the Tensix cores as persistent loops.

Pre-condition: attr `tt_grid` (tt.AnnotateGrid).
Post-condition: attrs
  * `tt_model`: the chip model ("wormhole_b0" / "blackhole");
  * `tt_core_grid = [cols, rows]`: bounding rectangle of the cores used, cols <= the device's columns;
  * `tiles_per_core`: blocks per core, core i = (i % cols, i // cols), one entry per core used;
  * `tt_block_start`: first block id of each core, same order.
Policy "contiguous" (the only one for now): block ids 0 .. gx*gy-1 (row-major, bid = by * gx + bx) are
split into contiguous runs over min(blocks, cores) cores, as evenly as possible, the first cores taking
one more block when it does not divide. A grid smaller than the device uses fewer cores; a larger one
gives each core several blocks, which its kernels walk in a persistent `for b in range(block_count)`.
`max_cores` caps the number of cores (the device size when None).
"""
from __future__ import annotations

from tvm import tirx

from ..errors import TTTargetError
from . import _common as C

PASS_NAME = "tt.AssignCores"
POLICIES = ("contiguous",)


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
    core_grid, counts, starts = contiguous(gx * gy, hw.grid, max_cores)
    return func.with_attrs({"tt_model": model, "tt_core_grid": core_grid,
                            "tiles_per_core": counts, "tt_block_start": starts})


def AssignCores(target=None, policy: str = "contiguous", max_cores: int | None = None):  # noqa: N802
    @tirx.transform.prim_func_pass(opt_level=0, name=PASS_NAME)
    def _pass(func, mod, ctx):
        return assign_cores(func, target, policy, max_cores)
    return _pass
