"""Lowering of the naive schedule: the frontend kernel's blocks, one at a time per core, as a reader, a
compute and a writer kernel on every core used (docs/contracts.md sections 1 and 2).

* reader: per block (persistent loop over the core's blocks), each Tx.copy(shared, global[...]) becomes
  cb_reserve_back / noc_async_read_page per tile / noc_async_read_barrier / cb_push_back, in the
  frontend's loop structure;
* compute: tile_regs_acquire at the block start (DST starts zeroed, so Tx.fill(local, 0) on clean DST
  emits nothing), the tile math of lower/rules.py with cb_wait_front / cb_pop_front around the
  statements that read each input CB, then commit / wait / pack every output tile into its staging CB /
  release; inits are placed by analysis/compute_state;
* writer: per block, each Tx.copy(global[...], local) becomes cb_wait_front / noc_async_write_page per
  tile / noc_async_write_barrier / cb_pop_front.
Tile ids are the row-major tile index of the global buffer computed from the copy region. Local buffers
map to consecutive DST slots (a local->local Tx.cast shares its source's slots: pack converts the
format); the total must fit the DST capacity or TTResourceError is raised.
"""
from __future__ import annotations

from tvm import tirx

from ..analysis import masks
from ..analysis.compute_state import place_inits
from ..analysis.padding import NEGINF, plan_padding, scaler_face_positions, scaler_tiles
from ..errors import TTResourceError, fail
from ..frontend.ops import SUPPORTED_OPS_TEXT
from ..frontend.program import Loop, TileOp, num_tiles, scope_of, static_shape, tile_start, tiles_of
from ..specs import ranges_cover
from ..target import TILE_COLS, TILE_ROWS
from .assemble import KernelBuild
from .common import bind, call, ev, for_, grid, seq, var
from .regions import SPILL_SUFFIX, cast_aliases, group_of, plan_regions, scaler_name
from .rules import lower_op


def _I32(bits: int) -> int:  # noqa: N802
    """A 32-bit pattern as the int32 immediate the store takes (printed back as uint32_t)."""
    return bits - (1 << 32) if bits >= 1 << 31 else bits


def _is_copy_in(op):
    if not isinstance(op, TileOp) or op.kind != "copy":
        return False
    dst, src = op.operands[:2]
    return dst.kind == "shared" and src.kind == "global"


def _is_copy_out(op):
    if not isinstance(op, TileOp) or op.kind != "copy":
        return False
    dst, src = op.operands[:2]
    return dst.kind == "global" and src.kind == "local"


def _reads(op: TileOp):
    """Operands a tile op reads (for CB consumption)."""
    ops = op.operands
    if op.kind == "copy":
        return [] if ops[0].kind == "shared" else [ops[1]]
    if op.kind == "fill":
        return []
    if op.kind == "gemm":
        return [ops[1], ops[2], ops[3]]
    if op.kind in ("add", "sub", "mul", "fdiv", "maximum", "minimum", "select"):
        return [o for o in ops[1:3] if o.kind != "scalar"]
    if op.kind == "fma":
        return [o for o in ops[1:4] if o.kind != "scalar"]
    return [ops[1]]


class NaiveLowering:
    """Builds the three kernels of one naive schedule; also the compute context of lower/rules.py."""

    def __init__(self, program, schedule, hw):
        from ..schedule.naive import output_copies

        self.program = program
        self.km = program
        self.schedule = schedule
        self.hw = hw
        self.cb_by_name = {c.name: c for c in schedule.cbs}
        self.tensors = {t.name: t for t in schedule.tensors}
        self.fp32_acc = schedule.compute.fp32_dest_acc_en
        self.padding = plan_padding(program)        # tails of reductions over ragged axes, reader masks
        self.outs = [(op, name, local, glob, self.cb_by_name[name].index)
                     for op, name, local, glob in output_copies(program)]
        self.dirty: set = set()
        self._alloc_dst()

    # ------------------------------------------------------------------------------------------ DST
    def _alloc_dst(self):
        """Cast aliases and the region plan; DST slots are assigned per region (`_assign_dst`)."""
        self.alias = cast_aliases(self.km)
        self.plan = plan_regions(self.km, self.group)
        self.region_base: dict = {}
        self.scratch_base = 0
        self.fixed_base = 0              # scratch slots reused for every tile (Tx.select)
        self.chunk = None                # (chunk loop var, tiles per chunk) in a chunked region
        self.chunk_waits: list = []      # CB waits / pops an op asks for once per block in a chunked region
        self.chunk_pops: list = []

    def _chunking(self, region, tiles, cap):
        """Tiles per chunk when the region is too big for DST but tile-wise (every op reads and writes the
        same tile index of equal-sized buffers, broadcasts and scalars included): the region then runs as a
        loop over chunks, one acquire each. None when it fits or cannot be split."""
        names = region.locals_ + list(region.scratch)
        sizes = {tiles[n] for n in names}
        if len(sizes) != 1:
            return None
        n = sizes.pop()
        per = len(names) + (1 if region.extra else 0)
        if per * n + region.fixed <= cap:
            return None
        for s_idx in region.steps:
            step = self.plan.steps[s_idx]
            if step[0] != "item":
                continue
            it = self.plan.items[step[1]]
            if isinstance(it, Loop) or it.kind in ("gemm", "sum", "max", "min"):
                return None
        best = max((k for k in range(1, n + 1) if n % k == 0 and per * k + region.fixed <= cap), default=None)
        return best

    def _assign_dst(self, region):
        """DST slots of one region: its locals, then results bound for shared buffers, then op scratch."""
        km = self.km
        tiles = {str(b.name): num_tiles(b) for b in km.allocs}
        cap = self.hw.dst_capacity(self.fp32_acc, self.schedule.compute.dst_full_sync_en)
        k = self._chunking(region, tiles, cap)
        self.chunk = None if k is None else (var("c"), k)
        base, used = {}, 0
        for name in region.locals_ + list(region.scratch):
            base[name] = used
            used += tiles[name] if k is None else k
        self.scratch_base = used
        used += region.extra if k is None else (k if region.extra else 0)
        self.fixed_base = used
        used += region.fixed
        self.region_base = base
        if used > cap:
            parts = [f"{n} {list(static_shape(b))} = {tiles[n]} tiles" for n in base
                     for b in km.allocs if str(b.name) == n]
            if region.extra or region.fixed:
                parts.append(f"{region.extra + region.fixed} scratch tiles")
            acc = "float32" if self.fp32_acc else "bfloat16"
            mode = "full" if self.schedule.compute.dst_full_sync_en else "half"
            fixes = [f"make the block at most {cap} tiles (block_m * block_n <= {cap * 1024}) and launch more "
                     f"blocks"]
            if self.fp32_acc:
                fixes.append("a bfloat16 accumulator doubles the capacity" if not self.plan.reduces else
                             "dst_mode='full' doubles the capacity (reductions accumulate in float32)")
            if any(op.kind == "gemm" for op, _ in km.walk_ops()):   # only matmuls have subblocked schedules
                fixes.append("or write the kernel as a plain matmul (C = A @ B, optional element-wise epilogue) "
                             "and let a subblocked schedule split the block (schedule='auto')")
            where = "" if len(self.plan.regions) == 1 else \
                f" in compute region {self.plan.regions.index(region) + 1} of {len(self.plan.regions)}"
            raise TTResourceError(
                f"kernel '{km.name}': local buffers need {used} DST tiles{where} ({', '.join(parts)}) but DST "
                f"holds {cap} tiles with {acc} accumulation ({mode}-sync) on {self.hw.model}\n  fix: "
                + "; ".join(fixes))

    # ------------------------------------------------------------- compute context (lower/rules.py)
    def group(self, name, alias=None):
        return group_of(name, self.alias if alias is None else alias)

    def base(self, buf):
        name = self.group(str(buf.name))
        if name not in self.region_base:
            fail(self.km.name, f"buffer {name} has no DST slots in this compute region",
                 fix="report this: the region plan and the lowering disagree")
        return self.region_base[name]

    def scaler_cb(self, dtype) -> int:
        return self.cb_by_name[scaler_name(dtype)].index

    def mask_cb(self, op) -> int:
        return self.cb_by_name[masks.mask_name(self.km, op)].index

    def cb_window(self, cb, n, body) -> list:
        """`body` between cb_wait_front / cb_pop_front of n pages of `cb`, a CB only this op reads; in a
        chunked region the wait and pop go around the chunk loop (once per block)."""
        if self.chunk is None:
            return [ev("cb_wait_front", cb, n)] + body + [ev("cb_pop_front", cb, n)]
        self.chunk_waits.append(ev("cb_wait_front", cb, n))
        self.chunk_pops.append(ev("cb_pop_front", cb, n))
        return body

    def cb(self, operand, stmt=None) -> int:
        if operand.kind == "local":      # a local read through the unpacker: its spilled value
            name = self.group(operand.name) + SPILL_SUFFIX
            if name not in self.cb_by_name:
                fail(self.km.name, f"no spill CB planned for {operand.name}", stmt, fix="re-run tt.ChooseSchedule")
            return self.cb_by_name[name].index
        if operand.name not in self.cb_by_name:
            fail(self.km.name, f"no circular buffer planned for {operand.name}", stmt,
                 fix="re-run tt.ChooseSchedule")
        return self.cb_by_name[operand.name].index

    def tiles(self, local, make):
        """A loop over the tiles of `local`: make(tile index in its CBs, DST index). In a chunked region
        (`_chunking`) the loop covers this chunk's tiles only."""
        base = self.base(local)
        t = var("t")
        if self.chunk is not None:
            c, k = self.chunk
            return for_(t, k, [make(c * k + t, t + base if base else t)])
        return for_(t, num_tiles(local), [make(t, t + base if base else t)])

    # ------------------------------------------------------------------------------- dataflow kernels
    def _preamble(self, tensors):
        """Runtime-arg lets and accessors of a dataflow kernel: (stmts, block_start, block_count, names)."""
        stmts = []
        bs, bc = var("block_start"), var("block_count")
        stmts += [bind(bs, call("get_arg_val", 0)), bind(bc, call("get_arg_val", 1))]
        names = ["block_start", "block_count"]
        addr_vars = []
        for i, t in enumerate(tensors):
            v = var(f"{t}_addr")
            stmts.append(bind(v, call("get_arg_val", 2 + i)))
            names.append(f"addr:{t}")
            addr_vars.append(v)
        for i, (t, v) in enumerate(zip(tensors, addr_vars)):
            stmts.append(ev("tensor_accessor", t, i, v, self.tensors[t].page_bytes))
        return stmts, bs, bc, names

    def _block_ids(self, bid):
        """Binds of the frontend's blockIdx vars from the block id: bid = by * grid_x + bx for the
        contiguous policy; core-major rectangles for 2d_blocked (see schedule/naive.py)."""
        gx = self.schedule.grid[0]
        out = []
        has_x, has_y = "blockIdx.x" in self.km.grid, "blockIdx.y" in self.km.grid
        if self.schedule.policy == "2d_blocked":
            cols, rows = self.schedule.core_grid
            cx, cy = self.schedule.grid[0] // cols, self.schedule.grid[1] // rows
            core, local = var("core"), var("blk")
            out += [bind(core, tirx.floordiv(bid, cx * cy)), bind(local, tirx.floormod(bid, cx * cy))]
            if has_y:
                out.append(bind(self.km.grid["blockIdx.y"][0],
                                tirx.floordiv(core, cols) * cy + tirx.floordiv(local, cx)))
            if has_x:
                out.append(bind(self.km.grid["blockIdx.x"][0],
                                tirx.floormod(core, cols) * cx + tirx.floormod(local, cx)))
            return out
        if has_y:
            by = self.km.grid["blockIdx.y"][0]
            out.append(bind(by, tirx.floordiv(bid, gx) if has_x else bid))
        if has_x:
            bx = self.km.grid["blockIdx.x"][0]
            out.append(bind(bx, tirx.floormod(bid, gx) if has_y else bid))
        return out

    def _dataflow_kernel(self, name, processor, tensors, lower_items, prologue=()):
        stmts, bs, bc, names = self._preamble(tensors)
        stmts += list(prologue)
        b, bid = var("b"), var("bid")
        body = lower_items(self.km.body)
        block = [bind(bid, bs + b)] + self._block_ids(bid) + body
        stmts.append(for_(b, bc, block))
        return self._build(name, "dataflow", processor, seq(stmts), names, tensors)

    def _build(self, name, kind, processor, body, names, accessors):
        values = {}
        for core, start, count in zip(self.schedule.cores, self.schedule.block_start,
                                      self.schedule.tiles_per_core):
            values[core] = [start, count] + [n for n in names[2:]]
        return KernelBuild(name=name, kind=kind, processor=processor,
                           cores=ranges_cover(self.schedule.cores), body=body,
                           runtime_arg_names=names, runtime_args=values, accessors=list(accessors))

    def _dram_pages(self, glob, local_buf, cb, read: bool):
        """The per-tile NOC loop of one copy between a global region and a CB block."""
        rt, ct = tiles_of(local_buf)
        r0 = tile_start(glob.ranges[0][0], TILE_ROWS)
        c0 = tile_start(glob.ranges[1][0], TILE_COLS)
        gcols = -(-self.program.shape(glob.buf)[1] // TILE_COLS)   # padded (tt.AnnotateLayouts); a vector is one tile wide
        page_bytes = next(c for c in self.schedule.cbs if c.index == cb).page_bytes
        name = str(glob.buf.name)

        def body(i, j):
            tile_id = (r0 + i) * gcols + (c0 + j)
            base = call("get_write_ptr" if read else "get_read_ptr", cb)
            l1 = base + (i * ct + j) * page_bytes
            return ev("noc_async_read_page" if read else "noc_async_write_page", tile_id, name, l1)
        return grid([("i", rt), ("j", ct)], body)

    def _scaler_fill(self) -> list:
        """Each reduce scaler CB gets its tiles once per kernel: zeros, then 1.0 in row 0 of every 16x16 face
        (the reduce weights each element along the reduced dimension by it; 1.0 for SUM / MAX / MIN); a
        partial scaler tile for a ragged SUM's tail holds 1.0 only where its faces weigh the first k
        elements along the reduced axis (analysis/padding.scaler_face_positions), as tt-metal's layernorm
        reader does for W % 32 != 0."""
        out = []
        for cbspec in (c for c in self.schedule.cbs if c.role == "scaler"):
            cb, page = cbspec.index, cbspec.page_bytes
            esize = page // 1024
            counts = scaler_tiles(self.km, self.padding, cbspec.dtype)
            addr, w = var("scaler_addr"), var("w")
            out += [ev("cb_reserve_back", cb, len(counts)), bind(addr, call("get_write_ptr", cb)),
                    for_(w, page * len(counts) // 4, [ev("l1_store_u32", addr + w * 4, 0)])]
            for t, (k, axis) in enumerate(counts):
                for f in range(4):
                    n = scaler_face_positions(k, axis, f)
                    if n:
                        out.append(self._store_ones(addr + t * page, f, n, esize))
            out.append(ev("cb_push_back", cb, len(counts)))
        return out

    @staticmethod
    def _store_ones(tile_addr, face, n, esize):
        """1.0 at positions 0..n-1 of row 0 of one face (two bf16 per word; an odd n ends in a half word)."""
        k = var("k")
        if esize == 4:
            return for_(k, n, [ev("l1_store_u32", tile_addr + face * 1024 + k * 4, 0x3F800000)])
        stmts = [for_(k, n // 2, [ev("l1_store_u32", tile_addr + face * 512 + k * 4, 0x3F803F80)])]
        if n % 2:       # the low half word is position n-1 (little-endian), the high one stays 0
            stmts.append(ev("l1_store_u32", tile_addr + face * 512 + (n // 2) * 4, 0x00003F80))
        return seq([x for x in stmts if x is not None])

    def _mask_stores(self, local_buf, cb, valid, fill) -> list:
        """-inf (a max's mask) or +inf (a min's) over the padding of a loaded block (analysis/padding.py):
        positions at or past valid[0] rows / valid[1] columns of the block, written through the CB's L1 pointer
        after the NOC reads, before the push (the data movement core owns the reserved pages until then). A
        bf16 pair that straddles the column boundary keeps its valid low half and gets the infinity in its
        high half (a 16-bit store)."""
        rt, ct = tiles_of(local_buf)
        spec = next(c for c in self.schedule.cbs if c.index == cb)
        if spec.storage:
            # a block-float page shares one exponent per 16 values: -inf cannot be stored per element
            kind, inf = ("max", "-inf") if fill == NEGINF else ("min", "+inf")
            fail(self.km.name, f"Tx.{kind} over a ragged axis of {spec.name}, whose tensor is stored as "
                 f"{spec.storage}: the reader's {inf} mask needs bf16 / fp32 pages (a block-float group shares "
                 f"its exponent, and one Inf zeroes the group's other values)",
                 supported="a max or min over a ragged axis of a tensor stored in its own dtype",
                 fix=f"drop the block-float storage of the tensor loaded into {spec.name}, or make the reduced "
                     f"axis a multiple of 32")
        esize = spec.page_bytes // 1024
        page = spec.page_bytes
        base = var("mask_addr")
        out = [bind(base, call("get_write_ptr", cb))]
        for ti in range(rt):
            for tj in range(ct):
                kr = 32 if valid[0] is None else max(0, min(32, valid[0] - 32 * ti))
                kc = 32 if valid[1] is None else max(0, min(32, valid[1] - 32 * tj))
                if kr == 32 and kc == 32:
                    continue
                tile = base + (ti * ct + tj) * page
                # rows of the tile, split at the face boundary (16): valid rows lose their padded columns,
                # padded rows are -inf whole
                for r0, r1, first in ((0, min(kr, 16), kc), (16, max(kr, 16), kc),
                                      (kr, 16, 0), (max(kr, 16), 32, 0)):
                    if r0 < r1 and first < 32:
                        out += self._inf_rows(tile, r0, r1 - r0, first, esize, fill)
        return out

    @staticmethod
    def _inf_rows(tile, r0, nrows, first, esize, fill) -> list:
        """-inf / +inf (fill) at columns first..31 of tile rows r0..r0+nrows-1 (all in one face row: faces
        (r0 // 16) * 2 and + 1, 16 columns each, row-major within the face)."""
        f32, bf16 = (0xFF800000, 0xFF80) if fill == NEGINF else (0x7F800000, 0x7F80)
        out, r, k = [], var("r"), var("k")
        for fc in (0, 1):
            lo = max(first, 16 * fc) - 16 * fc
            if lo >= 16:
                continue
            row = tile + ((r0 // 16) * 2 + fc) * 256 * esize + ((r0 % 16) + r) * 16 * esize
            body = []
            if esize == 4:
                body.append(for_(k, 16 - lo, [ev("l1_store_u32", row + (lo + k) * 4, _I32(f32))]))
            else:
                if lo % 2:      # the pair (lo - 1, lo): keep the valid low half, -inf in the high half
                    body.append(ev("l1_store_u16", row + lo * 2, bf16))
                    lo += 1
                if lo < 16:
                    body.append(for_(k, (16 - lo) // 2, [ev("l1_store_u32", row + lo * 2 + k * 4, _I32(bf16 << 16 | bf16))]))
            out.append(for_(r, nrows, [x for x in body if x is not None]))
        return [x for x in out if x is not None]

    def _select_mask(self, op) -> list:
        """The 0/1 mask block of a Tx.select (analysis/masks.py): the predicate evaluated at every position of
        every tile of dst (tile-local coordinates, the block's grid and loop variables in scope), stored as
        bf16 1.0 / 0 through the reserved pages' L1 pointer, two positions per 32-bit word, in face order."""
        spec = self.cb_by_name[masks.mask_name(self.km, op)]
        cb, page = spec.index, spec.page_bytes
        rt, ct = tiles_of(op.operands[0].buf)
        n = rt * ct
        addr = var("mask_addr")
        ti, tj, fr, fc, r, w = (var(x) for x in ("ti", "tj", "fr", "fc", "r", "w"))
        row = ti * TILE_ROWS + fr * 16 + r
        col = tj * TILE_COLS + fc * 16 + w * 2

        def bit(c, value):
            return tirx.Select(masks.predicate_at(op, row, c), tirx.IntImm("int32", value), tirx.IntImm("int32", 0))
        word = bit(col, masks.ONE_BF16) + bit(col + 1, masks.ONE_BF16 << 16)
        tile = addr + (ti * ct + tj) * page
        per_element = for_(w, 8, [ev("l1_store_u32", tile + (fr * 2 + fc) * 512 + r * 32 + w * 4, word)])
        for v, ext in ((r, 16), (fc, 2), (fr, 2)):
            per_element = for_(v, ext, [per_element])
        # a tile wholly inside (outside) the mask is a constant: its words without evaluating the predicate
        k = var("k")
        all_true, all_false = masks.tile_class(op, ti * TILE_ROWS, tj * TILE_COLS)
        body = per_element
        for cond, value in ((all_false, 0), (all_true, masks.ONE_BF16 * 0x10001)):
            if cond is not False:
                body = tirx.IfThenElse(cond, for_(k, page // 4, [ev("l1_store_u32", tile + k * 4, value)]), body)
        return [ev("cb_reserve_back", cb, n), bind(addr, call("get_write_ptr", cb)),
                for_(ti, rt, [for_(tj, ct, [body])]), ev("cb_push_back", cb, n)]

    def reader(self):
        tensors = self._tensors_where(_is_copy_in, 1)

        def lower(items):
            out = []
            for it in items:
                if isinstance(it, Loop):
                    out.append(for_(it.var, it.extent, lower(it.body)))
                elif _is_copy_in(it):
                    dst, src = it.operands[:2]
                    cb = self.cb(dst, it.stmt)
                    n = num_tiles(dst.buf)
                    mask = self.padding.masks.get(it.stmt)
                    out += [ev("cb_reserve_back", cb, n), self._dram_pages(src, dst.buf, cb, True),
                            ev("noc_async_read_barrier")]
                    out += self._mask_stores(dst.buf, cb, mask, self.padding.fills[it.stmt]) if mask else []
                    out.append(ev("cb_push_back", cb, n))
                elif isinstance(it, TileOp) and it.kind == "select":
                    out += self._select_mask(it)
            return [s for s in out if s is not None]
        return self._dataflow_kernel("reader", "RISCV_1", tensors, lower, prologue=self._scaler_fill())

    def writer(self):
        tensors = self._tensors_where(_is_copy_out, 0)
        cb_of = {op.stmt: cb for op, _, _, _, cb in self.outs}

        def lower(items):
            out = []
            for it in items:
                if isinstance(it, Loop):
                    out.append(for_(it.var, it.extent, lower(it.body)))
                elif _is_copy_out(it):
                    dst, src = it.operands[:2]
                    cb = cb_of[it.stmt]
                    n = num_tiles(src.buf)
                    out += [ev("cb_wait_front", cb, n), self._dram_pages(dst, src.buf, cb, False),
                            ev("noc_async_write_barrier"), ev("cb_pop_front", cb, n)]
            return [s for s in out if s is not None]
        return self._dataflow_kernel("writer", "RISCV_0", tensors, lower)

    def _tensors_where(self, pred, operand):
        names = {op.operands[operand].name for op, _ in self.km.walk_ops() if pred(op)}
        return [str(p.name) for p in self.km.params if str(p.name) in names]

    # ------------------------------------------------------------------------------------- compute
    def compute(self):
        km = self.km
        copies_out = []
        for it in km.body:
            if _is_copy_out(it):
                copies_out.append(it)
                continue
            if copies_out:
                fail(km.name, "tile math after a copy to global", it.stmt,
                     supported="all copies to global at the end of the block (packed after the math)",
                     fix="move the copies of local buffers to global tensors after the last tile math")
            self._no_nested_copy_out(it)

        plan = self.plan
        before, after, loop_before, loop_after = self._windows()
        first, last, before_loop, after_loop = {}, {}, {}, {}
        for v in plan.versions:
            cb = self.cb_by_name[v.cb].index
            wait, pop = ev("cb_wait_front", cb, v.tiles), ev("cb_pop_front", cb, v.tiles)
            if not v.readers:           # a carried last value nobody reads after the loop
                after_loop.setdefault(v.pop[1], []).extend([wait, pop])
                continue
            # a value read in every iteration of a region loop and produced before it: waited for before
            # the loop (one wait per push), popped after it
            (first.setdefault(v.wait[1], []) if v.wait[0] == "step" else
             before_loop.setdefault(v.wait[1], [])).append(wait)
            (last.setdefault(v.pop[1], []) if v.pop[0] == "step" else after_loop.setdefault(v.pop[1], [])).append(pop)
        block = []
        open_loop = None        # (region loop id, the statements of its body)
        for region in plan.regions:
            if open_loop is not None and region.loop != open_loop[0]:
                block += self._close_loop(open_loop, loop_after, after_loop)
                open_loop = None
            if region.loop is not None and open_loop is None:
                block += loop_before.get(region.loop, []) + before_loop.get(region.loop, [])
                open_loop = (region.loop, [])
            out = self._region(region, first, last, before, after)
            (open_loop[1] if open_loop is not None else block).extend(out)
        if open_loop is not None:
            block += self._close_loop(open_loop, loop_after, after_loop)

        bs, bc, b = var("block_start"), var("block_count"), var("b")
        out_cb = self.outs[0][4]
        formats = {c.index: c.data_format for c in self.schedule.cbs}
        loop, startup = place_inits(for_(b, bc, block), out_cb, formats,
                                    lambda first: self._startup_cbs(first, out_cb))
        scalers = [c for c in self.schedule.cbs if c.role == "scaler"]
        stmts = [bind(bs, call("get_arg_val", 0)), bind(bc, call("get_arg_val", 1)),
                 ev("compute_kernel_hw_startup", *startup)]
        stmts += [ev("cb_wait_front", c.index, c.num_pages) for c in scalers]     # the reader's constant tiles
        stmts.append(loop)
        stmts += [ev("cb_pop_front", c.index, c.num_pages) for c in scalers]
        return self._build("compute", "compute", None, seq(stmts), ["block_start", "block_count"], [])

    def _close_loop(self, open_loop, loop_after, after_loop) -> list:
        lid, body = open_loop
        lp = self.plan.loops[lid].loop
        return [for_(lp.var, lp.extent, body)] + loop_after.get(lid, []) + after_loop.get(lid, [])

    def _windows(self):
        """The reader-filled CBs' waits and pops: ({item: before}, {item: after}, {region loop: before},
        {region loop: after}), per sequence (the block, each region loop's body)."""
        plan = self.plan
        before, after, loop_before, loop_after = {}, {}, {}, {}
        seqs = [(None, self.km.body, True)] + [(lid, rl.loop.body, False) for lid, rl in enumerate(plan.loops)]
        for parent, items, top in seqs:
            b, a = self._cb_windows(items, top)
            for i, (p, j) in enumerate(plan.item_pos):
                if p == parent:
                    before[i], after[i] = b.get(j, []), a.get(j, [])
            for lid, rl in enumerate(plan.loops):
                if parent is None:
                    loop_before[lid], loop_after[lid] = b.get(rl.index, []), a.get(rl.index, [])
        return before, after, loop_before, loop_after

    def _region(self, region, first, last, before, after) -> list:
        """One compute region: acquire, its steps' tile math (with the CB waits and pops of their operands),
        commit, the packs, release; a region too big for DST but tile-wise runs in DST-sized chunks."""
        km, plan = self.km, self.plan
        self.dirty = set()
        self.region_reduce = None
        self._assign_dst(region)
        waits, math, pops = [], [], []      # waits / pops leave a chunk loop (once per block)
        self.chunk_waits, self.chunk_pops = waits, pops
        chunked = self.chunk is not None
        for s_idx in region.steps:
            (waits if chunked else math).extend(first.get(s_idx, []))
            step = plan.steps[s_idx]
            if step[0] == "reload":
                name = step[1]
                cb = self.cb_by_name[name + SPILL_SUFFIX].index
                buf = next(b for b in km.allocs if str(b.name) == name)
                math.append(self.tiles(buf, lambda t, d: ev("copy_tile", cb, t, d)))
                self.dirty.add(name)
            else:
                idx = step[1]
                it = plan.items[idx]
                (waits if chunked else math).extend(before.get(idx, []))
                if isinstance(it, Loop):
                    # a group written anywhere in the loop is dirty on the loop's second iteration
                    self.dirty |= self._writes(it.body)
                    math.append(for_(it.var, it.extent, self._lower_seq(it.body)))
                elif not _is_copy_in(it) and not _is_copy_out(it):
                    math += lower_op(self, it)
                (pops if chunked else math).extend(after.get(idx, []))
            (pops if chunked else math).extend(last.get(s_idx, []))
        packs = []
        for vid in region.packs:
            v = plan.versions[vid]
            packs.append((self.cb_by_name[v.cb].index, v.tiles,
                          self.region_base[v.local if v.local is not None else v.cb]))
        if region.outputs:
            for op, _, local, _, cb in self.outs:
                packs.append((cb, num_tiles(local), self.base(local)))
        if chunked:
            c, k = self.chunk
            t = var("t")
            body = [ev("tile_regs_acquire")] + math + [ev("tile_regs_commit"), ev("tile_regs_wait")]
            body += [for_(t, k, [ev("pack_tile", t + base if base else t, cb)]) for cb, _, base in packs]
            body.append(ev("tile_regs_release"))
            out = waits + [ev("cb_reserve_back", cb, n) for cb, n, _ in packs]
            out += [for_(c, packs[0][1] // k if packs else 1, body)]
            out += [ev("cb_push_back", cb, n) for cb, n, _ in packs] + pops
            self.chunk = None
        else:
            out = [ev("tile_regs_acquire")] + math + [ev("tile_regs_commit"), ev("tile_regs_wait")]
            for cb, n, base in packs:
                out += self._pack(cb, n, base)
            out.append(ev("tile_regs_release"))
        if self.region_reduce is not None:
            # the packer's reduce mask stays set until reduce_uninit (after the reduce's results are packed)
            out.append(ev("reduce_uninit", self.region_reduce))
        return out

    @staticmethod
    def _pack(cb, n, base) -> list:
        t = var("t")
        return [ev("cb_reserve_back", cb, n), for_(t, n, [ev("pack_tile", t + base if base else t, cb)]),
                ev("cb_push_back", cb, n)]

    @staticmethod
    def _startup_cbs(first, out_cb):
        """compute_kernel_hw_startup args: the CBs of the first FPU op that reads CBs, and the output."""
        if first is None:
            return (out_cb, out_cb, out_cb, 0)
        if first[0] in ("matmul", "matmul_block"):
            return (first[1], first[2], out_cb, 1)
        if first[0] == "binary":
            return (first[2], first[3], out_cb, 0)
        if first[0] in ("reduce", "bcast"):
            return (first[3], first[4], out_cb, 0)
        return (first[-1], first[-1], out_cb, 0)     # copy / dest-reuse: one input CB

    def _no_nested_copy_out(self, it):
        if isinstance(it, Loop):
            for sub in it.body:
                if _is_copy_out(sub):
                    fail(self.km.name, "a copy to global inside a loop", sub.stmt,
                         supported="copies to global at the top level of the block, after the math",
                         fix="copy each result block once, after the loops")
                self._no_nested_copy_out(sub)

    def _exposed_use(self, it, name):
        if isinstance(it, TileOp):
            return any(o.kind == "shared" and o.name == name for o in _reads(it))
        return self._exposed_use_seq(it.body, name)

    def _exposed_use_seq(self, items, name):
        for it in items:
            if _is_copy_in(it) and it.operands[0].name == name:
                return False
            if self._exposed_use(it, name):
                return True
        return False

    def _cb_windows(self, items, top):
        """{index: ([waits before], [pops after])} for the input CBs loaded directly in this sequence."""
        before, after = {}, {}
        loads = {}
        for idx, it in enumerate(items):
            if _is_copy_in(it):
                loads.setdefault(it.operands[0].name, []).append(idx)
        for name, positions in loads.items():
            first = items[positions[0]]
            cb = self.cb(first.operands[0], first.stmt)
            n = num_tiles(first.operands[0].buf)
            for p, q in zip(positions, positions[1:] + [len(items)]):
                users = [k for k in range(p + 1, q) if self._exposed_use(items[k], name)]
                if not users:
                    fail(self.km.name, f"shared buffer {name} is loaded but no tile math reads it before "
                         f"it is loaded again (or the block ends)", items[p].stmt,
                         fix=f"use {name} after loading it, or remove the copy")
                before.setdefault(users[0], []).append(ev("cb_wait_front", cb, n))
                after.setdefault(users[-1], []).append(ev("cb_pop_front", cb, n))
            early = [k for k in range(positions[0]) if self._exposed_use(items[k], name)]
            if early:
                it = items[early[0]]
                fail(self.km.name, f"shared buffer {name} is read before it is loaded", it.stmt,
                     fix=f"load {name} with Tx.copy before reading it in the same loop body")
        if top:
            produced = self.plan.produced
            for idx, it in enumerate(items):
                for o in (_reads(it) if isinstance(it, TileOp) else []):
                    if o.kind == "shared" and o.name not in loads and o.name not in produced:
                        fail(self.km.name, f"shared buffer {o.name} is read outside the loop that loads it",
                             it.stmt, fix=f"read {o.name} in the same loop body that loads it")
                if isinstance(it, Loop):
                    for b in self.km.allocs:
                        n = str(b.name)
                        if scope_of(b) == "shared" and n not in loads and n not in produced \
                                and self._exposed_use(it, n):
                            fail(self.km.name, f"shared buffer {n} is read outside the loop that loads it",
                                 it.stmt, fix=f"read {n} in the same loop body that loads it")
        return before, after

    def _writes(self, items):
        out = set()
        for it in items:
            if isinstance(it, Loop):
                out |= self._writes(it.body)
            elif it.operands[0].kind == "local":
                out.add(self.group(it.operands[0].name))
        return out

    def _lower_seq(self, items, top=False):
        before, after = self._cb_windows(items, top)
        out = []
        for idx, it in enumerate(items):
            out += before.get(idx, [])
            if isinstance(it, Loop):
                # a group written anywhere in the loop is dirty on the loop's second iteration
                self.dirty |= self._writes(it.body)
                out.append(for_(it.var, it.extent, self._lower_seq(it.body)))
            elif not _is_copy_in(it):
                out += lower_op(self, it)
            out += after.get(idx, [])
        return [s for s in out if s is not None]

    def kernels(self) -> list:
        return [self.reader(), self.compute(), self.writer()]


def lower_naive(program, schedule, hw) -> list:
    """[KernelBuild] reader, compute, writer of a naive schedule."""
    return NaiveLowering(program, schedule, hw).kernels()


__all__ = ["lower_naive", "NaiveLowering", "SUPPORTED_OPS_TEXT"]
