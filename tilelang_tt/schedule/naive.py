"""The naive schedule: the user's kernel as written. Every grid block runs on one core, one block at a
time, with a reader, a compute and a writer kernel on every core used.

Core map. Policy "contiguous" (default): block ids 0 .. gx*gy-1 (row-major, bid = by * gx + bx) are
split into contiguous runs over min(blocks, cores) cores, as evenly as possible, the first cores taking
one more block when it does not divide. A grid smaller than the device uses fewer cores; a larger one
gives each core several blocks, which its kernels walk in a persistent `for b in range(block_count)`.
Policy "2d_blocked": a rectangle of cols x rows cores where cols is the largest divisor of grid_x that
fits the device's columns (rows likewise for grid_y, both within `max_cores`); core (x, y) owns the
rectangle of cx = grid_x / cols by cy = grid_y / rows blocks at (x * cx, y * cy). Block ids are
core-major: core c owns ids c * cx * cy ..., and inside a core row-major.

CB plan. role "input", c_0..c_15: one per shared buffer loaded from a global buffer, in allocation
order; role "output", c_16..c_23: one staging CB per Tx.copy(global, local), in program order (name =
the local buffer's, plus "_<global>" if that local is copied out twice; dtype = the global tensor's:
pack converts); role "scaler", after the inputs: the reduce scaler tile per data format (lower/regions.py); role "mask",
after the scalers: the 0/1 tiles of each Tx.select, built by the reader per block (analysis/masks.py); role
"intermediate", c_24..: shared buffers written by compute and spilled locals ("<local>_spill"), one block
deep (the compute kernel is their only producer and consumer), two when an op rewrites one in place
(`double_buffered`). Other CBs: block_pages = tiles of one
block of the buffer, num_pages = block_pages * cb_depth.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import TTCompileError, fail
from ..frontend.program import TileProgram, num_tiles, scope_of
from ..specs import CBSpec, ComputeConfig, TensorSpec
from ..target import storage_name
from .common import INPUT_BASE, INTERMEDIATE_BASE, OUTPUT_BASE, check_cb_resources, tensors_of


@dataclass(frozen=True)
class NaiveSchedule:
    grid: tuple                   # (grid_x, grid_y) blocks of the launch
    core_grid: tuple              # (cols, rows) bounding the cores used; core i = (i % cols, i // cols)
    tiles_per_core: tuple         # blocks per core, core order
    block_start: tuple            # first block id per core
    policy: str
    cbs: tuple                    # CBSpec
    tensors: tuple                # TensorSpec
    compute: ComputeConfig
    reason: str = ""
    kind = "naive"
    variant = "naive"

    @property
    def cores(self) -> list[tuple[int, int]]:
        cols = self.core_grid[0]
        return [(i % cols, i // cols) for i in range(len(self.tiles_per_core))]

    def describe(self) -> str:
        return describe_naive(self.to_dict())

    def to_dict(self) -> dict:
        return {"kind": self.kind, "variant": self.variant, "grid": list(self.grid),
                "core_grid": list(self.core_grid), "tiles_per_core": list(self.tiles_per_core),
                "block_start": list(self.block_start), "policy": self.policy,
                "cbs": [c.to_dict() for c in self.cbs], "tensors": [t.to_dict() for t in self.tensors],
                "compute": self.compute.to_dict(), "reason": self.reason}

    @classmethod
    def from_dict(cls, d) -> "NaiveSchedule":
        return cls(tuple(int(x) for x in d["grid"]), tuple(int(x) for x in d["core_grid"]),
                   tuple(int(x) for x in d["tiles_per_core"]), tuple(int(x) for x in d["block_start"]),
                   str(d["policy"]), tuple(CBSpec.from_dict(c) for c in d["cbs"]),
                   tuple(TensorSpec.from_dict(t) for t in d["tensors"]),
                   ComputeConfig.from_dict(d["compute"]), str(d.get("reason", "")))


def describe_naive(d: dict) -> str:
    """One line of what a naive schedule (its dict, as in plan.json) runs where."""
    gx, gy = d["grid"]
    per = d["tiles_per_core"]
    return (f"naive: the kernel's {gx}x{gy} blocks as written, {d['policy']} over {len(per)} cores, "
            f"{min(per)}..{max(per)} blocks per core")


# ---------------------------------------------------------------------------------------------------
# Core map

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


# ---------------------------------------------------------------------------------------------------
# CB plan

def output_copies(program: TileProgram):
    """[(TileOp, cb name, local Var, global Var)] for every copy local->global, in program order."""
    outs = []
    for op, _ in program.walk_ops():
        if op.kind != "copy":
            continue
        dst, src = op.operands[:2]
        if dst.kind == "global" and src.kind == "local":
            outs.append([op, str(src.buf.name), src.buf, dst.buf])
    names = [o[1] for o in outs]
    for o in outs:
        if names.count(o[1]) > 1:
            o[1] = f"{o[1]}_{o[3].name}"
    seen = set()
    for o in outs:
        if o[1] in seen:
            fail(program.name, f"local buffer {o[2].name} is copied to {o[3].name} more than once", o[0].stmt,
                 fix="copy each local buffer to each output once per block")
        seen.add(o[1])
    return [tuple(o) for o in outs]


def loaded_shared(program: TileProgram) -> set[str]:
    names = set()
    for op, _ in program.walk_ops():
        if op.kind == "copy":
            dst, src = op.operands[:2]
            if dst.kind == "shared" and src.kind == "global":
                names.add(dst.name)
    return names


def input_storage(program: TileProgram, storage) -> dict[str, str]:
    """{shared buffer: block-float DataFormat} of the input CBs loaded from block-float tensors: a CB's
    pages are the DRAM pages it is loaded from, so it takes their format; one CB loaded from tensors of
    different formats has none (a typed error)."""
    declared = dict(storage)
    sources: dict[str, dict] = {}
    for op, _ in program.walk_ops():
        if op.kind == "copy":
            dst, src = op.operands[:2]
            if dst.kind == "shared" and src.kind == "global":
                sources.setdefault(dst.name, {})[src.name] = (declared.get(src.name, ""), op)
    out = {}
    for shared, srcs in sources.items():
        fmts = {f for f, _ in srcs.values()}
        if len(fmts) > 1:
            op = next(op for f, op in srcs.values() if f)
            fail(program.name, f"shared buffer {shared} is loaded from tensors stored in different formats "
                 f"({', '.join(n + ': ' + (storage_name(f) if f else 'its dtype') for n, (f, _) in sorted(srcs.items()))}); its circular "
                 f"buffer has one data format", op.stmt,
                 fix="load each shared buffer from tensors of one storage format (a separate shared buffer "
                     "per format), or declare the same storage for all of them")
        if fmts - {""}:
            out[shared] = fmts.pop()
    return out


def plan_cbs(program: TileProgram, hw, depth: int, storage=()) -> tuple[CBSpec, ...]:
    from ..analysis.masks import MASK_ROLE, mask_name, select_ops
    from ..analysis.padding import plan_padding, scaler_tiles
    from ..lower.regions import cast_aliases, double_buffered, group_of, plan_regions, scaler_dtypes, scaler_name

    loaded = loaded_shared(program)
    fmt = input_storage(program, storage)
    inputs, inters = [], []
    for b in program.allocs:
        if scope_of(b) == "shared":
            (inputs if str(b.name) in loaded else inters).append(b)
    cbs = [CBSpec(INPUT_BASE + i, str(b.name), str(b.dtype), num_tiles(b) * depth, num_tiles(b), "input",
                  storage=fmt.get(str(b.name), "")) for i, b in enumerate(inputs)]
    # the reduce scaler: constant tiles per format, filled once by the reader (lower/naive.py): the full
    # scaler, then one partial scaler per tail of a ragged SUM (analysis/padding.py)
    padding = plan_padding(program)
    n_scaler = {d: len(scaler_tiles(program, padding, d)) for d in scaler_dtypes(program)}
    cbs += [CBSpec(INPUT_BASE + len(inputs) + i, scaler_name(d), d, n_scaler[d], n_scaler[d], "scaler")
            for i, d in enumerate(scaler_dtypes(program))]
    # Tx.select masks: 0/1 bf16 tiles the reader builds per block (analysis/masks.py), buffered like inputs
    base = INPUT_BASE + len(inputs) + len(scaler_dtypes(program))
    cbs += [CBSpec(base + i, mask_name(program, op), "bfloat16", num_tiles(op.operands[0].buf) * depth,
                   num_tiles(op.operands[0].buf), MASK_ROLE) for i, op in enumerate(select_ops(program))]
    cbs += [CBSpec(OUTPUT_BASE + i, name, str(glob.dtype), num_tiles(local) * depth, num_tiles(local), "output")
            for i, (_, name, local, glob) in enumerate(output_copies(program))]
    # compute results in L1 and spilled locals: written and read by the compute kernel itself, one block
    # at a time, so one block of pages suffices (lower/regions.py)
    aliases = cast_aliases(program)
    plan = plan_regions(program, lambda n: group_of(n, aliases))
    dtypes = {str(b.name): str(b.dtype) for b in program.allocs}
    inter = [(str(b.name), str(b.dtype), num_tiles(b)) for b in inters]
    inter += [(n + "_spill", dtypes[n], t) for n, t in plan.spilled.items()]
    two = double_buffered(plan)
    cbs += [CBSpec(INTERMEDIATE_BASE + i, name, dtype, tiles * (2 if name in two else 1), tiles, "intermediate")
            for i, (name, dtype, tiles) in enumerate(inter)]
    check_cb_resources(program.name, hw, cbs,
                       fix="use smaller blocks (fewer tiles per shared/local buffer) or a lower buffering depth")
    return tuple(cbs)


def compute_config(program: TileProgram, options) -> ComputeConfig:
    """fp32 DST accumulation when any local (DST) buffer is float32, and for reductions (by default: a
    bf16 DST loses the low bits of long sums; tt-metal's softmax rows that do not sum to 1, #52045)."""
    from ..frontend.ops import REDUCE_OPS
    fp32_acc = any(scope_of(b) == "local" and str(b.dtype) == "float32" for b in program.allocs)
    fp32_acc = fp32_acc or any(op.kind in REDUCE_OPS for op, _ in program.walk_ops())
    return ComputeConfig(math_fidelity=options.math_fidelity, fp32_dest_acc_en=fp32_acc,
                         dst_full_sync_en=options.dst_mode == "full")


def naive_schedule(program: TileProgram, hw, options, reason: str = "") -> NaiveSchedule:
    grid = (program.grid_x, program.grid_y)
    if options.core_policy == "2d_blocked":
        core_grid, counts, starts = blocked_2d(grid, hw.grid, options.max_cores)
    else:
        core_grid, counts, starts = contiguous(grid[0] * grid[1], hw.grid, options.max_cores)
    if not counts:
        raise TTCompileError(f"kernel '{program.name}': the grid {grid} has no blocks")
    tensors = tensors_of(program, options.storage)      # first: it checks the storage declarations
    return NaiveSchedule(tuple(grid), tuple(core_grid), tuple(counts), tuple(starts), options.core_policy,
                         plan_cbs(program, hw, options.cb_depth, options.storage), tensors,
                         compute_config(program, options), reason)


__all__ = ["NaiveSchedule", "naive_schedule", "contiguous", "blocked_2d", "output_copies", "plan_cbs",
           "TensorSpec"]
