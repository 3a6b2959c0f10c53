"""Compute regions of the naive schedule: where a block's compute hands DST off to L1.

A compute region is one `tile_regs_acquire .. tile_regs_release`: tile math on DST, then packs. A block
splits into regions at every DST -> CB hand-off:
  * after an op whose destination is a `shared` buffer (its result is packed to that buffer's
    intermediate CB at the end of the region; later ops read it back through the unpacker);
  * before an op that reads a `local` buffer through the unpacker (a broadcast or reduce operand, the
    other operand of a binary op) while that buffer's value was computed in the current region: the
    value is packed to the local's spill CB first ("<local>_spill").
A local whose value is still needed after a region ends is packed to its spill CB at the end of that
region and copied back (copy_tile) where a later region reads it in DST. Each region allocates DST for
the locals it touches plus scratch tiles (results bound for shared buffers, the second operand of
binary_max_tile, ...). Every value packed to a CB (a version) is waited for before its first reader and
popped after its last, so pages balance per block. Region boundaries must be at the top level of the
block (not inside a serial loop).

`plan_regions(program)` is pure analysis of the TileProgram (the CB plan and the lowering both read it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import fail
from ..frontend.layout import layout_of
from ..frontend.ops import REDUCE_OPS, info
from ..frontend.program import Loop, TileOp, num_tiles, scope_of

SPILL_SUFFIX = "_spill"


def _local(o) -> bool:
    return o.kind == "local"


def is_relu(op) -> bool:
    ops = op.operands
    return op.kind == "maximum" and len(ops) == 3 and ops[2].kind == "scalar" and ops[2].value == 0.0


@dataclass
class Access:
    """What one top-level item does to buffers."""
    cb_reads: set = field(default_factory=set)       # locals read through the unpacker (from a spill CB)
    dst_reads: set = field(default_factory=set)      # locals read in place in DST
    writes: set = field(default_factory=set)         # locals written
    full_writes: set = field(default_factory=set)    # locals overwritten without reading their old value
    shared_writes: list = field(default_factory=list)   # shared buffers written (packed at region end)
    shared_reads: set = field(default_factory=set)   # shared buffers read (any)
    scratch: int = 0                                 # DST scratch tiles besides destinations, one per tile
    fixed_scratch: int = 0                           # DST scratch tiles reused for every tile (Tx.select's 2)
    packed_in_place: set = field(default_factory=set)  # shared buffers packed straight from a local's slots


def fma_product(op: TileOp) -> TileOp:
    """The multiply of Tx.fma(dst, src, scale, bias) as the Tx.mul it lowers like (the bias is then added in
    place on dst's DST tiles); a scalar src is moved to the right, as Tx.mul(dst, t, s) needs."""
    dst, src, scale = op.operands[:3]
    if src.kind == "scalar":
        src, scale = scale, src
    return TileOp(op.stmt, "mul", [dst, src, scale])


def op_access(op: TileOp) -> Access:
    """The access of one tile op (verification has accepted its form)."""
    if op.kind == "fma":
        a = op_access(fma_product(op))
        bias = op.operands[3]
        if bias.kind == "shared":
            a.shared_reads.add(bias.name)
        elif _local(bias):
            a.cb_reads.add(bias.name)      # add_tiles dest reuse unpacks it (a local is read from its spill)
        return a
    a = Access()
    ops = op.operands
    k = op.kind
    entry = info(op)

    def read(o, via_cb: bool):
        if o.kind == "shared":
            a.shared_reads.add(o.name)
        elif _local(o):
            (a.cb_reads if via_cb else a.dst_reads).add(o.name)

    def write(o, reads_old: bool):
        if o.kind == "shared":
            a.shared_writes.append(o.name)
        elif _local(o):
            a.writes.add(o.name)
            if not reads_old:
                a.full_writes.add(o.name)

    if k == "copy":
        dst, src = ops[0], ops[1]
        if dst.kind == "global":
            read(src, False)
        elif dst.kind == "local":
            read(src, True)
            write(dst, False)
        elif dst.kind == "shared" and _local(src):
            read(src, False)
            write(dst, False)
            a.packed_in_place.add(dst.name)
        return a
    if k == "fill":
        write(ops[0], False)
        return a
    if k == "gemm":
        read(ops[1], True)
        read(ops[2], True)
        beta = ops[7].value if len(ops) > 7 else None
        if beta == 1.0:
            read(ops[0], False)
        write(ops[0], beta == 1.0)
        return a
    if entry is not None and entry.kind == "reduce":
        read(ops[1], True)
        write(ops[0], False)
        return a
    if k == "cast":
        dst, src = ops[0], ops[1]
        read(src, src.kind == "shared")
        write(dst, not _local(src))
        if dst.kind == "shared" and _local(src):
            a.packed_in_place.add(dst.name)
        return a
    if k == "select":
        # the true and false values meet in DST: one of them in dst's slots (read in place when it is dst),
        # the other and the mask tile in two scratch slots reused tile by tile (lower/rules.py)
        dst, t, f = ops[0], ops[1], ops[2]
        in_place = next((o for o in (t, f) if _local(o) and o.is_(dst)), None)
        for o in (t, f):
            if o is in_place:
                read(o, False)
            elif o.kind != "scalar":
                read(o, True)
        write(dst, in_place is not None)
        a.fixed_scratch = 2
        return a
    if k in ("maximum", "minimum") and not is_relu(op):
        dst, x, y = ops[0], ops[1], ops[2]
        in_place = _local(x) and x.is_(dst)
        read(x, not in_place)
        read(y, True)
        write(dst, in_place)
        a.scratch = num_tiles(dst.buf)
        return a
    if entry is not None and entry.kind == "unary":
        dst, src = ops[0], ops[1]
        in_place = _local(src) and src.is_(dst)
        read(src, not in_place)
        write(dst, in_place)
        return a
    if entry is not None and entry.kind == "binary":
        dst, x, y = ops[0], ops[1], ops[2]
        form = binary_form(op)
        if form == "reuse":
            read(x, False)
            read(y, True)
            write(dst, True)
        elif form == "reuse_swapped":
            read(y, False)
            read(x, True)
            write(dst, True)
        elif form == "scalar":
            t = x if x.kind != "scalar" else y
            in_place = _local(t) and t.is_(dst)
            read(t, not in_place)
            write(dst, in_place)
        elif form == "div":
            read(x, True)
            read(y, True)
            write(dst, False)
        else:                                   # two CB operands: binary_tiles / bcast_tiles
            read(x, True)
            read(y, True)
            write(dst, False)
        return a
    return a


def binary_form(op) -> str:
    """How a binary op lowers: 'scalar' (an immediate operand), 'bcast' (a vector / (1, 1) operand),
    'div' (tensor / tensor), 'reuse' / 'reuse_swapped' (in place on DST), or 'tiles' (two CBs)."""
    dst, x, y = op.operands[:3]
    if x.kind == "scalar" or y.kind == "scalar":
        return "scalar"
    lx, ly = layout_of(x.buf), layout_of(y.buf)
    if lx.kind != ly.kind and (lx.is_vector or ly.is_vector):
        return "bcast"
    if op.kind == "fdiv":
        return "div"
    if _local(x) and x.is_(dst) and y.kind == "shared":
        return "reuse"
    if op.kind != "sub" and _local(y) and y.is_(dst) and x.kind == "shared":
        return "reuse_swapped"
    return "tiles"


def item_access(km, it) -> Access:
    if isinstance(it, TileOp):
        return op_access(it)
    acc = Access()
    for sub in it.body:
        s = item_access(km, sub)
        if s.shared_writes or s.cb_reads & (acc.writes | s.writes):
            stmt = sub.stmt if isinstance(sub, TileOp) else sub.stmt
            what = (f"a result into shared buffer {s.shared_writes[0]}" if s.shared_writes else
                    f"reading local buffer {sorted(s.cb_reads)[0]} through the unpacker after writing it")
            fail(km.name, f"{what} inside the serial loop {it.var.name}", stmt,
                 supported="DST -> L1 hand-offs (compute results in shared buffers, broadcast / reduce operands "
                           "computed in local buffers) at the top level of the block",
                 fix="move that op after the loop (compute the loop's result into a local buffer first)")
        acc.dst_reads |= s.dst_reads - acc.writes
        acc.cb_reads |= s.cb_reads
        acc.writes |= s.writes
        acc.shared_reads |= s.shared_reads
        acc.scratch = max(acc.scratch, s.scratch)
        acc.fixed_scratch = max(acc.fixed_scratch, s.fixed_scratch)
    return acc


@dataclass
class Version:
    """One packed value of a CB: produced at the end of region `region`, read by steps."""
    cb: str                    # CB name (the shared buffer's, or <local>_spill)
    tiles: int
    region: int
    local: str | None          # the spilled local, None for a shared buffer
    readers: list = field(default_factory=list)   # step indices


@dataclass
class Region:
    steps: list = field(default_factory=list)     # step indices
    packs: list = field(default_factory=list)     # version ids packed at the end
    outputs: bool = False                         # the final region packs the outputs
    locals_: list = field(default_factory=list)   # local names touched (DST slots), in first-use order
    scratch: dict = field(default_factory=dict)   # shared dst name -> tiles
    extra: int = 0                                # op scratch tiles, one per tile of the op
    fixed: int = 0                                # op scratch tiles reused for every tile


@dataclass
class Plan:
    items: list                 # the top-level items (copy-outs included, last)
    steps: list                 # ("reload", local, version id) | ("item", item index)
    step_region: list           # region of each step
    regions: list               # Region
    versions: list              # Version
    item_reads: dict            # item index -> {buffer name: version id} (shared / spilled locals via CB)
    produced: set               # shared buffers written by compute
    spilled: dict               # local name -> tiles (locals with a spill CB)
    reduces: list               # (TileOp) reduce ops, for the scaler CBs


def _live_after(accs, idx, name) -> bool:
    for a in accs[idx + 1:]:
        if name in a.dst_reads or name in a.cb_reads:
            return True
        if name in a.full_writes:
            return False
    return False


def plan_regions(km, group=lambda n: n) -> Plan:
    """Split the block's top-level items into compute regions (see the module docstring).

    `group` maps a local name to the name whose DST slots it shares (a local->local cast aliases)."""
    items = list(km.body)       # reader copies (global -> shared) have an empty access
    tiles = {str(b.name): num_tiles(b) for b in km.allocs}

    def g_access(a: Access) -> Access:
        def gs(s):
            return {group(n) for n in s}
        return Access(gs(a.cb_reads), gs(a.dst_reads), gs(a.writes), gs(a.full_writes), list(a.shared_writes),
                      set(a.shared_reads), a.scratch, a.fixed_scratch, set(a.packed_in_place))
    accs = [g_access(item_access(km, it)) for it in items]
    produced = {n for a in accs for n in a.shared_writes}
    steps, step_region, regions, versions = [], [], [Region()], []
    item_reads: dict = {}
    current: dict = {}          # buffer name -> version id holding its value in a CB
    in_dst: set = set()         # locals whose value is in this region's DST
    modified: set = set()       # locals written in this region (their CB copy, if any, is stale)
    spilled: dict = {}
    reduces = [op for op, _ in km.walk_ops() if op.kind in REDUCE_OPS]

    def touch(name):
        r = regions[-1]
        if name not in r.locals_:
            r.locals_.append(name)

    def close(idx):
        r = regions[-1]
        for name in sorted(in_dst, key=lambda n: r.locals_.index(n) if n in r.locals_ else 0):
            if name in modified and _live_after(accs, idx, name):
                vid = len(versions)
                versions.append(Version(name + SPILL_SUFFIX, tiles[name], len(regions) - 1, name))
                r.packs.append(vid)
                current[name] = vid
                spilled[name] = tiles[name]
        regions.append(Region())
        in_dst.clear()
        modified.clear()

    for i, (it, a) in enumerate(zip(items, accs)):
        if a.cb_reads & modified:
            close(i - 1)
        for name in sorted(a.dst_reads - in_dst - a.full_writes):
            if name in current:         # the value is in a CB: copy it back into this region's DST
                vid = current[name]
                steps.append(("reload", name, vid))
                step_region.append(len(regions) - 1)
                versions[vid].readers.append(len(steps) - 1)
                in_dst.add(name)
                touch(name)
        reads = {}
        for name in sorted(a.cb_reads):
            if name not in current:
                fail(km.name, f"local buffer {name} is read before it is written", it.stmt,
                     fix=f"write {name} (Tx.fill / Tx.copy / a tile op) before reading it")
            reads[name] = current[name]
        for name in sorted(a.shared_reads & produced):
            if name in current:
                reads[name] = current[name]
        steps.append(("item", i))
        step_region.append(len(regions) - 1)
        item_reads[i] = reads
        for vid in reads.values():
            versions[vid].readers.append(len(steps) - 1)
        for name in sorted(a.writes | a.dst_reads):
            touch(name)
        in_dst |= a.writes | a.dst_reads
        modified |= a.writes
        for name in a.writes:
            current.pop(name, None)
        r = regions[-1]
        r.extra = max(r.extra, a.scratch)
        r.fixed = max(r.fixed, a.fixed_scratch)
        if a.shared_writes:
            for name in a.shared_writes:
                if name not in a.packed_in_place:     # a local copied to L1 is packed from its own slots
                    r.scratch[name] = tiles[name]
                vid = len(versions)
                versions.append(Version(name, tiles[name], len(regions) - 1, None))
                r.packs.append(vid)
                current[name] = vid
            close(i)
    # regions that received no step (a trailing close) are dropped
    for s, r in zip(range(len(steps)), step_region):
        regions[r].steps.append(s)
    while len(regions) > 1 and not regions[-1].steps:
        regions.pop()
    regions[-1].outputs = True
    for v in versions:
        if not v.readers:
            it = next(x for x in items if isinstance(x, TileOp) and x.operands[0].name == v.cb)
            fail(km.name, f"the result in shared buffer {v.cb} is never read", it.stmt,
                 fix=f"read {v.cb} in a later tile op, or compute into a local buffer and copy that to global")
    return Plan(items, steps, step_region, regions, versions, item_reads, produced, spilled, reduces)


def double_buffered(plan: Plan) -> set:
    """CBs that hold two versions at once: a value still being read in the region that packs the next
    value of the same CB (an in-place op such as Tx.exp(E, E)). In a region that runs in DST-sized chunks
    the old pages are popped only after the last chunk, after the new pages were reserved."""
    out = set()
    by_cb: dict = {}
    for vid, v in enumerate(plan.versions):
        by_cb.setdefault(v.cb, []).append(vid)
    for vids in by_cb.values():
        for old, new in zip(vids, vids[1:]):
            region = plan.versions[new].region
            if any(plan.step_region[s] == region for s in plan.versions[old].readers):
                out.add(plan.versions[new].cb)
    return out


def scaler_dtypes(km) -> list[str]:
    """The data formats of the reduce scaler CBs: one per dtype of a reduced buffer, the scaler in the
    format of the data it scales (a row SUM swaps its operands into SrcA / SrcB, so equal formats need no
    unpacker change between them)."""
    out = []
    for op, _ in km.walk_ops():
        if op.kind in REDUCE_OPS:
            d = str(op.operands[1].buf.dtype)
            if d not in out:
                out.append(d)
    return out


def scaler_name(dtype: str) -> str:
    return "scaler" if dtype == "bfloat16" else f"scaler_{dtype}"


def local_names(km) -> list[str]:
    return [str(b.name) for b in km.allocs if scope_of(b) == "local"]


__all__ = ["plan_regions", "Plan", "Region", "Version", "binary_form", "fma_product", "is_relu", "scaler_dtypes", "scaler_name",
           "SPILL_SUFFIX", "op_access", "Loop"]


def group_of(name: str, aliases: dict) -> str:
    while name in aliases:
        name = aliases[name]
    return name


def cast_aliases(km) -> dict:
    """{local: local whose DST slots it shares}: a top-level local->local Tx.cast aliases its source (pack
    converts the format)."""
    alias = {}
    top = {it.stmt for it in km.body if isinstance(it, TileOp)}
    order = [op for op, _ in km.walk_ops()]
    for pos, op in enumerate(order):
        if op.kind != "cast":
            continue
        dst, src = op.operands[:2]
        if src.kind != "local" or dst.kind != "local" or src.buf.same_as(dst.buf):
            continue        # local -> shared is an op with its own pack (docs/ops.md), no alias
        if op.stmt not in top:
            fail(km.name, "a local->local Tx.cast inside a loop", op.stmt,
                 fix="cast the finished local buffer once, after the loops")
        for later in order[pos + 1:]:
            if any(o.kind == "local" and o.buf.same_as(src.buf) for o in later.operands):
                fail(km.name, f"{src.name} is used after it was cast into {dst.name}", later.stmt,
                     fix=f"keep using {dst.name} after the cast (both share the same DST tiles)")
        for earlier in order[:pos]:
            if any(o.kind == "local" and o.buf.same_as(dst.buf) for o in earlier.operands):
                fail(km.name, f"{dst.name} is used before the cast that produces it", earlier.stmt,
                     fix=f"cast {src.name} into a fresh local buffer")
        alias[str(dst.buf.name)] = group_of(str(src.buf.name), alias)
    return alias
