"""Coverage checks of tt.VerifyInput: a kernel that type-checks can still compute wrong numbers without
a word when its grid and loops do not tile its tensors (TileLang 2381 dropped part of K for one block
size). This module proves, by enumeration, that for one frontend kernel:

  * every global region it touches lies inside its tensor (out-of-bounds NOC reads/writes corrupt DRAM
    on hardware);
  * no two blocks write the same output tile (a race on hardware; the result depends on timing), and
    no block reads a tile another block writes (C = A @ C: the same race between a read and a write;
    C = A @ B + C, each block reading the tiles it overwrites, is fine);
  * the union of the regions written to each output, over the whole grid and every serial loop, is the
    whole tensor (rows/cols never written keep whatever was in DRAM). A tensor the kernel also reads is
    exempt: it is uploaded before the launch (access readwrite), so a partial write is an in-place
    update of a well-defined tensor;
  * every gemm result copied out was reduced over the full K extent of its A (columns) and B (rows; columns
    with transpose_B):
    the union of the K ranges loaded into the gemm's operands, over the accumulation (beta=1 gemms since
    the last reset of the accumulator) covers 0..K. The union is taken over the blocks that load the
    same A rows (B cols), so a split-K kernel whose blocks each reduce a slice of K and write partial
    results to distinct places is still accepted.

How: the per-block program is executed abstractly, once, with the grid variables as numpy arrays over
all grid points (so one step handles every block) and the serial loops run concretely. Region starts
are evaluated exactly (affine or not: +, -, *, floordiv, floormod, min, max, casts). Everything is at
tile granularity: VerifyInput has already proved regions tile-aligned.

Limits: the check is skipped without an error (the kernel is accepted as before) only when it would be
astronomically large: more than MAX_OP_STEPS executions of tile ops over the loops, more than MAX_CELLS
(grid points x tiles) in one coverage array or write log, or a region start with an expression the
evaluator does not know. Real kernels are far below the caps (a 4096^3 matmul in 32x32x32 blocks is
16K grid points, 384 op steps and 16K output tiles).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import tvm
from tvm import tirx

from ..errors import fail
from ..frontend import program as C
from ..frontend.program import classify
from ..target import TILE_COLS, TILE_ROWS

MAX_OP_STEPS = 200_000      # tile-op executions of the per-block program (loops unrolled)
MAX_CELLS = 1 << 24         # grid points x tiles in one coverage array / write log

TILE = (TILE_ROWS, TILE_COLS)
AXIS = ("rows", "columns")
SUPPORTED = ("grids and loops that read the whole K of every gemm operand and write every element of "
             "each output exactly once, inside the tensor")


class _Skip(Exception):
    """The check would be too large or meets an expression it cannot evaluate: accept unchecked."""


# ---------------------------------------------------------------------------------------------------
# Expression evaluation over numpy arrays of grid points

def _eval(e, env):
    if isinstance(e, tirx.IntImm):
        return int(e.value)
    if isinstance(e, tvm.ir.Var):
        if e in env:
            return env[e]
        raise _Skip(f"free variable {e.name}")
    if isinstance(e, tirx.Cast):
        return _eval(e.value, env)
    if isinstance(e, (tirx.Add, tirx.Sub, tirx.Mul, tirx.FloorDiv, tirx.FloorMod, tirx.Div, tirx.Mod,
                      tirx.Min, tirx.Max)):
        a, b = _eval(e.a, env), _eval(e.b, env)
        if isinstance(e, tirx.Add):
            return a + b
        if isinstance(e, tirx.Sub):
            return a - b
        if isinstance(e, tirx.Mul):
            return a * b
        if isinstance(e, tirx.Min):
            return np.minimum(a, b)
        if isinstance(e, tirx.Max):
            return np.maximum(a, b)
        if np.any(np.asarray(b) == 0):
            raise _Skip("division by zero")
        if isinstance(e, tirx.FloorDiv):
            return a // b
        if isinstance(e, tirx.FloorMod):
            return a % b
        q = np.abs(a) // np.abs(b) * np.sign(a) * np.sign(b)    # truncating Div / Mod
        return q if isinstance(e, tirx.Div) else a - q * b
    raise _Skip(f"expression {type(e).__name__}")


def _free_vars(expr, candidates):
    """The variables of `candidates` (Loop-var / grid-var objects) that occur in expr."""
    return [v for v in C.free_vars(expr) if v in candidates]


def _runs(mask, unit):
    """[(lo, hi)] half-open element ranges of the True runs of a 1-D tile mask."""
    out, start = [], None
    for i, m in enumerate(list(mask) + [False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            out.append((start * unit, i * unit))
            start = None
    return out


def _spans(mask, unit):
    """'a..b, c..d' (inclusive element indices) of the True runs of a 1-D tile mask."""
    return ", ".join(f"{a}..{b - 1}" for a, b in _runs(mask, unit)) or "none"


def _divisors(size, near, tile):
    """Up to three tile multiples dividing `size`, the closest to `near` first, shown ascending."""
    ds = [d for d in range(tile, size + 1, tile) if size % d == 0]
    return sorted(sorted(ds, key=lambda d: (abs(d - near), d))[:3])


# ---------------------------------------------------------------------------------------------------
# Abstract state

@dataclass
class _Region:
    """A global region as seen by every grid point: starts (int or [G] array, elements) and extents."""
    tensor: object          # global buffer Var
    starts: list
    exts: list
    op: object              # TileOp
    loops: list             # enclosing Loops

    @property
    def name(self):
        return str(self.tensor.name)


@dataclass
class _Acc:
    """K coverage of one gemm operand tensor accumulated into a local buffer: cov[g, k_tile]."""
    tensor: object
    axis: int               # the K axis of the tensor: 1 for A, 0 for B
    cov: np.ndarray
    group: np.ndarray       # [G] start of the non-K axis of the last load (the block's rows / cols)
    varying: np.ndarray     # [G] the non-K start changed within the accumulation
    load: _Region           # the last load (for messages)
    width: int              # K block of the operand (elements)


@dataclass
class _Write:
    region: _Region
    tiles: np.ndarray       # [G, ht, wt] row-major tile ids of the tensor
    failure: object = None  # (acc, ok [G], grouped cov [G, nt]) of an incomplete reduction, else None


class _State(dict):
    """The gemm provenance of a local buffer: (tensor name, K axis) -> _Acc. Only accumulations (some
    beta=1 gemm since the last reset) are checked: a lone beta=0 gemm computes exactly the product the
    user wrote, even of a K slice; an accumulation over a loop means "the whole K"."""
    accumulates = False


UNKNOWN = "unknown"         # a local whose provenance the checker does not follow: no K check


@dataclass
class _Run:
    km: object
    grid_vars: list = field(default_factory=list)    # [(tag, Var, extent)]
    env: dict = field(default_factory=dict)
    loads: dict = field(default_factory=dict)        # shared buffer name -> _Region
    acc: dict = field(default_factory=dict)          # local buffer name -> {key: _Acc} | None | UNKNOWN
    writes: dict = field(default_factory=dict)       # tensor name -> [_Write]
    cells: int = 0
    read_tensors: set = field(default_factory=set)
    reads: dict = field(default_factory=dict)        # tensor name -> [(_Region, tiles)] of the loads

    def __post_init__(self):
        km = self.km
        self.G = km.grid_x * km.grid_y
        g = np.arange(self.G, dtype=np.int64)
        for tag, val in (("blockIdx.x", g % km.grid_x), ("blockIdx.y", g // km.grid_x)):
            if tag in km.grid:
                var, ext = km.grid[tag]
                self.grid_vars.append((tag, var, ext))
                self.env[var] = val

    # -- helpers -------------------------------------------------------------------------------------
    def block(self, g):
        """'(bx=1, by=0)' for grid point g."""
        return "(" + ", ".join(f"{v.name}={int(self.env[v][g])}" for _, v, _ in self.grid_vars) + ")"

    def full(self, x):
        return np.broadcast_to(np.asarray(x, dtype=np.int64), (self.G,))

    def region(self, arg, op, loops):
        buf, ranges = C.region_of(arg)
        starts = [self.full(_eval(lo, self.env)) for lo, _ in ranges]
        exts = [int(e) for _, e in ranges]
        reg = _Region(buf, starts, exts, op, loops)
        self.check_bounds(reg)
        return reg

    def loop_text(self, reg, axis):
        """The loops whose variable moves the region along `axis`, as `for k in range(3)`."""
        lvars = {lp.var: lp for lp in reg.loops}
        _, ranges = C.region_of(_tensor_arg(reg.op, reg.tensor))
        used = _free_vars(ranges[axis][0], lvars)
        return ", ".join(f"`for {v.name} in range({lvars[v].extent})`" for v in used)

    def grid_text(self, reg, axis):
        gvars = {v: (tag, ext) for tag, v, ext in self.grid_vars}
        _, ranges = C.region_of(_tensor_arg(reg.op, reg.tensor))
        return [(gvars[v][0], v, gvars[v][1]) for v in _free_vars(ranges[axis][0], gvars)]

    # -- checks --------------------------------------------------------------------------------------
    def check_bounds(self, reg):
        shape = self.km.shape(reg.tensor)
        for d, (s, e) in enumerate(zip(reg.starts, reg.exts)):
            bad = (s < 0) | (s + e > shape[d])
            if not bad.any():
                continue
            g = int(np.argmax(bad))
            lo, hi = int(s[g]), int(s[g]) + e
            out_lo, out_hi = (lo, min(hi, 0)) if lo < 0 else (max(lo, shape[d]), hi)
            where = ", ".join(f"{int(st[g])}:{int(st[g]) + ex}" for st, ex in zip(reg.starts, reg.exts))
            moved = [f"{tag} ({v.name}) = 0..{n - 1}" for tag, v, n in self.grid_text(reg, d)]
            lt = self.loop_text(reg, d)
            drivers = ", ".join(moved + ([lt] if lt else []))
            size = C.static_shape(reg.tensor)[d]
            if size % e:
                n = -(-size // e)
                fix = (f"{size} is not a multiple of the block size {e}: launch ceil({size}/{e}) = {n} blocks "
                       f"(only the last block may run past the end; the device pads {reg.name} to {n * e} "
                       f"{AXIS[d]}), or use a block size that divides {size} "
                       f"({' or '.join(map(str, _divisors(size, e, TILE[d])))})")
            else:
                fix = (f"use {shape[d]} // {e} = {shape[d] // e} blocks of {e} {AXIS[d]}, starting at "
                       f"multiples of {e} below {shape[d]}")
            fail(self.km.name,
                 f"block {self.block(g)} {'writes' if _is_write(reg) else 'reads'} {reg.name}[{where}], "
                 f"but {reg.name} has {shape[d]} {AXIS[d]} ({AXIS[d]} {out_lo}..{out_hi - 1} are outside "
                 f"0..{shape[d] - 1}; the NOC would touch other DRAM)", reg.op.stmt, supported=SUPPORTED,
                 fix=f"the {AXIS[d]} of {reg.name} are indexed through {drivers or 'constants only'}: {fix}")

    # -- abstract execution --------------------------------------------------------------------------
    def run(self, items, loops):
        for it in items:
            if isinstance(it, C.Loop):
                for i in range(it.extent):
                    self.env[it.var] = i
                    self.run(it.body, loops + [it])
                del self.env[it.var]
            else:
                self.step(it, loops)

    def step(self, op, loops):
        ops = classify(op)
        dst = ops[0]
        if op.kind == "copy" and dst.kind == "shared" and ops[1].kind == "global":
            self.loads[dst.name] = reg = self.region(op.args[1], op, loops)
            self.read_tensors.add(reg.name)
            self.reads.setdefault(reg.name, []).append((reg, self.tiles(reg)))
        elif op.kind == "copy" and dst.kind == "global":
            self.write(self.region(op.args[0], op, loops), ops[1].name)
        elif op.kind == "gemm":
            self.gemm(op, ops)
        elif dst.kind == "local":
            srcs = [o for o in ops[1:] if o.kind == "local"]
            if any(o.buf.same_as(dst.buf) for o in srcs):
                pass                                   # in place (epilogue): keeps the gemm provenance
            elif op.kind == "cast" and srcs:
                self.acc[dst.name] = _copy_state(self.acc.get(srcs[0].name))
            else:
                self.acc[dst.name] = None              # fresh data from shared / a constant

    def gemm(self, op, ops):
        d, a, b = ops[0], ops[1], ops[2]
        beta = float(op.args[7].value) if isinstance(op.args[7], (tirx.FloatImm, tirx.IntImm)) else 1.0
        state = _State() if beta == 0.0 else self.acc.get(d.name)
        if state is None:
            state = _State()                           # beta=1 onto fill(0) / copied data
        if beta != 0.0 and isinstance(state, _State):
            state.accumulates = True
        if state == UNKNOWN or a.name not in self.loads or b.name not in self.loads:
            self.acc[d.name] = UNKNOWN
            return
        b_k_axis = 1 if bool(op.args[5]) else 0       # transpose_B: B is (n, k)
        for load, axis in ((self.loads[a.name], 1), (self.loads[b.name], b_k_axis)):
            key = (load.name, axis)
            shape = self.km.shape(load.tensor)
            nt = shape[axis] // TILE[axis]
            other = load.starts[1 - axis]
            if key not in state:
                if self.G * nt > MAX_CELLS:
                    raise _Skip("coverage array too large")
                state[key] = _Acc(load.tensor, axis, np.zeros((self.G, nt), dtype=bool), other.copy(),
                                  np.zeros(self.G, dtype=bool), load, load.exts[axis])
            acc = state[key]
            acc.varying |= acc.group != other
            acc.group, acc.load, acc.width = other.copy(), load, load.exts[axis]
            cols = load.starts[axis][:, None] // TILE[axis] + np.arange(load.exts[axis] // TILE[axis])
            acc.cov[np.arange(self.G)[:, None], cols] = True
        self.acc[d.name] = state

    def tiles(self, reg):
        """(grid points, rows, cols) tile ids of the region in every block."""
        shape = self.km.shape(reg.tensor)
        ct = -(-shape[1] // TILE_COLS)
        ht, wt = -(-reg.exts[0] // TILE_ROWS), -(-reg.exts[1] // TILE_COLS)   # a vector's 1 is one tile
        self.cells += self.G * ht * wt
        if self.cells > MAX_CELLS:
            raise _Skip("write log too large")
        r0, c0 = reg.starts[0] // TILE_ROWS, reg.starts[1] // TILE_COLS
        return ((r0[:, None, None] + np.arange(ht)[None, :, None]) * ct
                + c0[:, None, None] + np.arange(wt)[None, None, :])

    def write(self, reg, src_name):
        w = _Write(reg, self.tiles(reg))
        state = self.acc.get(src_name)
        if isinstance(state, _State) and state.accumulates:
            for acc in state.values():
                cov = _grouped(acc)
                ok = cov.all(axis=1)
                if not ok.all():
                    w.failure = (acc, ok, cov)
                    break
        self.writes.setdefault(reg.name, []).append(w)

    # -- final checks over the whole launch ----------------------------------------------------------
    def finish(self):
        for name, ws in self.writes.items():
            self.check_overlap(ws)
        for name, ws in self.writes.items():
            self.check_read_write(ws, self.reads.get(name, []))
        for name, ws in self.writes.items():
            if name not in self.read_tensors:        # readwrite: unwritten parts keep the input
                self.check_output(ws)
        for name, ws in self.writes.items():
            self.check_reduction(ws)

    def check_read_write(self, ws, reads):
        """A tensor the kernel reads and writes (C = A @ B + C) is read by each block only where that
        block writes it, or where nobody does: the blocks run on different cores at once, so a tile
        one block writes and another reads is a race (C = A @ C reads C's columns in every block row)."""
        if not reads:
            return
        rows, cols = self.km.shape(ws[0].region.tensor)
        n = -(-rows // TILE_ROWS) * -(-cols // TILE_COLS)
        owner = np.full(n, -1, dtype=np.int64)
        for w in ws:
            owner[w.tiles.reshape(self.G, -1)] = np.arange(self.G)[:, None]
        for reg, tiles in reads:
            flat = tiles.reshape(self.G, -1)
            own = owner[flat]
            bad = (own >= 0) & (own != np.arange(self.G)[:, None])
            if not bad.any():
                continue
            g, j = (int(x) for x in np.argwhere(bad)[0])
            t, other = int(flat[g, j]), int(own[g, j])
            ct = -(-self.km.shape(reg.tensor)[1] // TILE_COLS)
            r, c = t // ct * TILE_ROWS, t % ct * TILE_COLS
            fail(self.km.name,
                 f"block {self.block(g)} reads {reg.name}[{r}:{r + TILE_ROWS}, {c}:{c + TILE_COLS}], which "
                 f"block {self.block(other)} writes: the blocks run on different cores at the same time, so "
                 f"whether the read sees the old or the new value depends on timing", reg.op.stmt,
                 supported="a tensor both read and written only where each block reads the tiles it writes "
                           "itself (C = A @ B + C reads C's block before overwriting it)",
                 fix=f"write the result to a tensor the kernel does not read, or read only the block of "
                     f"{reg.name} this block writes")

    def check_overlap(self, ws):
        g = np.arange(self.G, dtype=np.int64)
        tiles = np.concatenate([w.tiles.reshape(self.G, -1).ravel() for w in ws])
        gs = np.concatenate([np.repeat(g, w.tiles[0].size) for w in ws])
        pairs = np.unique(tiles * self.G + gs)         # a block rewriting its own tile is sequential: fine
        t, counts = np.unique(pairs // self.G, return_counts=True)
        if not (counts > 1).any():
            return
        tile = int(t[np.argmax(counts > 1)])
        g1, g2 = (int(x) for x in (pairs[pairs // self.G == tile] % self.G)[:2])
        mine = [set(np.concatenate([w.tiles[gg].ravel() for w in ws]).tolist()) for gg in (g1, g2)]
        both = np.array(sorted(mine[0] & mine[1]))
        reg = next(w.region for w in ws if tile in set(w.tiles[g2].ravel().tolist()))
        ct = -(-self.km.shape(reg.tensor)[1] // TILE_COLS)
        rows, cols = both // ct, both % ct
        box = (f"{reg.name}[{rows.min() * TILE_ROWS}:{(rows.max() + 1) * TILE_ROWS}, "
               f"{cols.min() * TILE_COLS}:{(cols.max() + 1) * TILE_COLS}]")
        unused = [f"{tag} ({v.name})" for tag, v, n in self.grid_vars
                  if n > 1 and not any(gv.same_as(v) for d in (0, 1) for _, gv, _ in self.grid_text(reg, d))]
        fail(self.km.name,
             f"blocks {self.block(g1)} and {self.block(g2)} both write {box} of output {reg.name}: on "
             f"hardware the cores race and the result depends on timing", reg.op.stmt, supported=SUPPORTED,
             fix=(f"the write does not depend on {', '.join(unused)}: index it with that grid variable or "
                  f"shrink that grid axis to 1" if unused else
                  "make the write region a one-to-one function of the block coordinates, e.g. "
                  f"{reg.name}[by * bm:by * bm + bm, bx * bn:bx * bn + bn]"))

    def check_output(self, ws):
        reg = ws[0].region
        shape = self.km.shape(reg.tensor)
        rt, ct = -(-shape[0] // TILE_ROWS), -(-shape[1] // TILE_COLS)
        covered = np.zeros(rt * ct, dtype=bool)
        for w in ws:
            covered[w.tiles.ravel()] = True
        miss = ~covered.reshape(rt, ct)
        if not miss.any():
            return
        full_rows, full_cols = miss.all(axis=1), miss.all(axis=0)
        parts = []
        if full_rows.any():
            parts.append(f"rows {_spans(full_rows, TILE_ROWS)} (all columns)")
        if full_cols.any():
            parts.append(f"columns {_spans(full_cols, TILE_COLS)} (all rows)")
        rest = miss & ~full_rows[:, None] & ~full_cols[None, :]
        if rest.any():
            parts.append(f"{int(rest.sum())} more tiles within rows {_spans(rest.any(axis=1), TILE_ROWS)}, "
                         f"columns {_spans(rest.any(axis=0), TILE_COLS)}")
        declared = C.static_shape(reg.tensor)       # the user's shape (shape may be padded)
        fixes = [self.axis_fix(reg, d, declared[d], ~miss.all(axis=1 - d))
                 for d, band in ((0, full_rows), (1, full_cols)) if band.any()]
        if rest.any():
            fixes.append("make the write region a one-to-one function of the block coordinates and loop "
                         f"variables that tiles all of {reg.name}")
        fail(self.km.name,
             f"output {reg.name} ({declared[0]}x{declared[1]}) is not fully written: {'; '.join(parts)} are "
             f"never written and keep whatever was in DRAM", reg.op.stmt, supported=SUPPORTED,
             fix="; ".join(fixes))

    def axis_fix(self, reg, d, size, covered_tiles):
        ext = reg.exts[d]
        what = AXIS[d]
        drivers = self.grid_text(reg, d)
        lt = self.loop_text(reg, d)
        if len(drivers) == 1 and not lt:
            tag, v, n = drivers[0]
            have = (f"the grid has {n} block{'s' if n != 1 else ''} along {tag} ({v.name}) of {ext} {what} "
                    f"= {n * ext} {what}, but {reg.name} has {size} {what}")
        else:
            how = ", ".join([f"{t} ({v.name}) = 0..{n - 1}" for t, v, n in drivers] + ([lt] if lt else []))
            have = (f"the writes ({ext} {what} each, moved by {how or 'nothing: a constant start'}) cover "
                    f"{what} {_spans(covered_tiles, TILE[d])} but {reg.name} has {size} {what}")
        tag = drivers[0][0] if len(drivers) == 1 else "the grid axis"
        if size % ext == 0:
            return f"{have}: launch {size} // {ext} = {size // ext} blocks along {tag}"
        n = -(-size // ext)
        return (f"{have}: {size} is not a multiple of the block size {ext}; launch ceil({size}/{ext}) = {n} "
                f"blocks along {tag} (the last block runs past the end; the device pads {reg.name} to {n * ext} "
                f"{what} and crops it), or use a block size that divides {size} "
                f"({' or '.join(map(str, _divisors(size, ext, TILE[d])))})")

    def check_reduction(self, ws):
        # Only the last write of each tile is the final value: an early copy-out mid-reduction that a
        # later, complete one overwrites is harmless.
        shape = self.km.shape(ws[0].region.tensor)
        n = -(-shape[0] // TILE_ROWS) * -(-shape[1] // TILE_COLS)
        last = np.full(n, -1, dtype=np.int64)
        for i, w in enumerate(ws):
            last[w.tiles.ravel()] = i
        for i, w in enumerate(ws):
            if w.failure is None:
                continue
            acc, ok, cov = w.failure
            bad = ~ok & (last[w.tiles.reshape(self.G, -1)] == i).any(axis=1)
            if bad.any():
                self.reduction_error(w, acc, int(np.argmax(bad)), cov, int((~ok).sum()))

    def reduction_error(self, w, acc, g, cov, nbad):
        load, axis = acc.load, acc.axis
        K = self.km.shape(acc.tensor)[axis]
        k = acc.width
        tname = acc.tensor.name
        operand = "A" if axis == 1 else "B"
        unit = TILE[axis]
        missing = ", ".join(f"{tname}[:, {a}:{b}]" if axis == 1 else f"{tname}[{a}:{b}, :]"
                            for a, b in _runs(~cov[g], unit))
        others = f" (and {nbad - 1} other block{'s' if nbad > 2 else ''})" if nbad > 1 else ""
        lt = self.loop_text(load, axis)
        where = f"the loop {lt}" if lt else "the load (in no loop over K)"
        if K % k:
            n = -(-K // k)
            fix = (f"K={K} is not a multiple of the K block {k}: loop ceil({K}/{k}) = {n} times "
                   f"(`for k in range({n})`; the last K block runs past K and the device pads it with zeros), "
                   f"or use a K block that divides {K} ({' or '.join(map(str, _divisors(K, k, unit)))})")
        else:
            fix = (f"loop over all {K // k} K blocks of {k}: `for k in range({K // k})` loading "
                   f"{'columns' if axis == 1 else 'rows'} k * {k}:k * {k} + {k}")
        fail(self.km.name,
             f"Tx.gemm into {_src_name(w)} reduces over only part of K for block {self.block(g)}{others}: "
             f"{where} covers K {_spans(cov[g], unit)} of {tname} (gemm operand {operand}, {AXIS[axis]}) "
             f"but K is 0..{K - 1}; {missing} never reach{'es' if len(_runs(~cov[g], unit)) == 1 else ''} "
             f"the gemm, so {w.region.name} silently misses those terms", load.op.stmt,
             supported=SUPPORTED, fix=fix)


def _src_name(w):
    return str(C.region_of(w.region.op.args[1])[0].name)


def _tensor_arg(op, tensor):
    for a in op.args[:2]:
        reg = C.region_of(a)
        if reg is not None and reg[0].same_as(tensor):
            return a
    raise _Skip("region not found")


def _is_write(reg):
    return reg.op.kind == "copy" and C.region_of(reg.op.args[0])[0].same_as(reg.tensor)


def _copy_state(state):
    if not isinstance(state, _State):
        return state
    out = _State({k: _Acc(a.tensor, a.axis, a.cov.copy(), a.group.copy(), a.varying.copy(), a.load, a.width)
                  for k, a in state.items()})
    out.accumulates = state.accumulates
    return out


def _grouped(acc):
    """cov[g] OR-ed over the blocks that load the same rows of A (cols of B): split-K partial sums."""
    cov = acc.cov
    key = np.where(acc.varying, -1 - np.arange(len(acc.group)), acc.group)
    uniq, inv = np.unique(key, return_inverse=True)
    if len(uniq) == len(key):
        return cov
    out = np.zeros((len(uniq), cov.shape[1]), dtype=bool)
    np.logical_or.at(out, inv, cov)
    return out[inv]


def _op_steps(items, mult=1):
    n = 0
    for it in items:
        if isinstance(it, C.Loop):
            n += _op_steps(it.body, mult * it.extent)
        else:
            n += mult
    return n


def check_coverage(km) -> None:
    """Raise TTCompileError if the kernel reads outside a tensor, races on an output, leaves output
    elements unwritten, or reduces a gemm over part of K. Accepts without checking when the
    enumeration would exceed MAX_OP_STEPS / MAX_CELLS (module docstring)."""
    if _op_steps(km.body) > MAX_OP_STEPS or km.grid_x * km.grid_y > MAX_CELLS:
        return
    run = _Run(km)
    try:
        run.run(km.body, [])
        run.finish()
    except _Skip:
        return


def region_ends(km) -> dict | None:
    """{global tensor name: [largest row end, largest column end]} over every region any block and loop
    iteration touches (elements, exclusive), or None when the enumeration would be too large or meets an
    expression the evaluator does not know. tt.AnnotateLayouts pads a tensor to these ends."""
    if _op_steps(km.body) > MAX_OP_STEPS or not 0 < km.grid_x * km.grid_y <= MAX_CELLS:
        return None                 # (an empty grid is tt.VerifyInput's error to report)
    env = _Run(km).env
    params = {str(p.name) for p in km.params}
    ends: dict = {}

    def visit(items):
        for it in items:
            if isinstance(it, C.Loop):
                for i in range(it.extent):
                    env[it.var] = i
                    visit(it.body)
                del env[it.var]
                continue
            for arg in it.args:
                reg = C.region_of(arg)
                if reg is None or str(reg[0].name) not in params or len(reg[1]) != 2:
                    continue
                cur = ends.setdefault(str(reg[0].name), [0, 0])
                for d, (lo, ext) in enumerate(reg[1]):
                    if not isinstance(ext, tirx.IntImm):
                        raise _Skip("symbolic extent")
                    cur[d] = max(cur[d], int(np.max(_eval(lo, env))) + int(ext))
    try:
        visit(km.body)
    except _Skip:
        return None
    return ends
