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
popped after its last, so pages balance per block.

A top-level serial loop whose body hands off too (a *region loop*) is split at its start and end; its
body's regions repeat every iteration. State carried across iterations lives in CBs: a buffer whose
value on entry is read in the body and that the body rewrites is *carried*: the value packed before the
loop and the one each iteration packs last are the same CB's successive versions, so each iteration
waits for and pops the previous value after its last reader and pushes the new one (per iteration one
push, one pop), and the final value is popped after its last reader after the loop. A value produced
before the loop and read in it is waited for once before the loop and popped after it (or after its last
reader after the loop). Region loops do not nest.

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


def _loop_access(km, loop) -> Access | None:
    """The access of a serial loop as one item of the region plan, or None when its body hands DST off to
    L1 (a shared result, a local read through the unpacker after it was written): a region loop."""
    acc = Access()
    for sub in loop.body:
        s = _loop_access(km, sub) if isinstance(sub, Loop) else op_access(sub)
        if s is None or s.shared_writes or s.cb_reads & (acc.writes | s.writes):
            return None
        acc.dst_reads |= s.dst_reads - acc.writes
        acc.cb_reads |= s.cb_reads
        acc.writes |= s.writes
        acc.shared_reads |= s.shared_reads
        acc.scratch = max(acc.scratch, s.scratch)
        acc.fixed_scratch = max(acc.fixed_scratch, s.fixed_scratch)
    return acc


def item_access(km, it) -> Access:
    """The access of one planned item: a tile op, or a loop without hand-offs (`_flatten` splits the others)."""
    return op_access(it) if isinstance(it, TileOp) else _loop_access(km, it)


def region_loop(km, it) -> bool:
    """A top-level serial loop whose body hands DST off to L1: its body is split into compute regions that
    repeat every iteration (state carried across iterations lives in CBs)."""
    return isinstance(it, Loop) and _loop_access(km, it) is None


@dataclass
class Version:
    """One packed value of a CB: produced at the end of region `region`, read by steps."""
    cb: str                    # CB name (the shared buffer's, or <local>_spill)
    tiles: int
    region: int
    local: str | None          # the spilled local, None for a shared buffer
    readers: list = field(default_factory=list)   # step indices
    loop: int | None = None    # the region loop whose body produces it (once per iteration)
    carried: bool = False      # the loop's last value of a buffer that the next iteration reads
    wait: tuple = ()           # ("step", s): before step s; ("loop", l): before region loop l starts
    pop: tuple = ()            # ("step", s): after step s; ("loop", l): after region loop l ends


@dataclass
class RegionLoop:
    """A top-level serial loop split into compute regions (`region_loop`)."""
    loop: Loop
    index: int                 # position in the block's top-level items
    carried: dict = field(default_factory=dict)   # buffer -> (version on entry, version at the body's end)


@dataclass
class Region:
    steps: list = field(default_factory=list)     # step indices
    packs: list = field(default_factory=list)     # version ids packed at the end
    outputs: bool = False                         # the final region packs the outputs
    locals_: list = field(default_factory=list)   # local names touched (DST slots), in first-use order
    scratch: dict = field(default_factory=dict)   # shared dst name -> tiles
    extra: int = 0                                # op scratch tiles, one per tile of the op
    fixed: int = 0                                # op scratch tiles reused for every tile
    loop: int | None = None                       # the region loop whose body it is part of


@dataclass
class Plan:
    items: list                 # the planned items: top-level items, a region loop's body in its place
    steps: list                 # ("reload", local, version id) | ("item", item index)
    step_region: list           # region of each step
    regions: list               # Region
    versions: list              # Version
    item_reads: dict            # item index -> {buffer name: version id} (shared / spilled locals via CB)
    produced: set               # shared buffers written by compute
    spilled: dict               # local name -> tiles (locals with a spill CB)
    reduces: list               # (TileOp) reduce ops, for the scaler CBs
    item_pos: list = field(default_factory=list)   # per item: (region loop id or None, index in its sequence)
    loops: list = field(default_factory=list)      # RegionLoop

    def step_loop(self, s):
        return self.regions[self.step_region[s]].loop


def _flatten(km):
    """(items, item_pos, loops, entries): a region loop's body items take its place, between ("begin", l)
    and ("end", l) entries; other items are ("item", index)."""
    items, pos, loops, entries = [], [], [], []
    for i, it in enumerate(km.body):
        if region_loop(km, it):
            lid = len(loops)
            loops.append(RegionLoop(it, i))
            entries.append(("begin", lid))
            for j, sub in enumerate(it.body):
                if region_loop(km, sub):
                    fail(km.name, f"the serial loop {sub.var.name} with DST -> L1 hand-offs inside the serial loop "
                         f"{it.var.name}, which has them too", sub.stmt,
                         supported="one level of serial loops whose body hands DST off to L1 (compute results in "
                                   "shared buffers) at the top level of the block",
                         fix=f"merge the loops into one, or compute the inner loop's result into a local buffer")
                items.append(sub)
                pos.append((lid, j))
                entries.append(("item", len(items) - 1))
            entries.append(("end", lid))
        else:
            items.append(it)
            pos.append((None, i))
            entries.append(("item", len(items) - 1))
    return items, pos, loops, entries


def _reads(a: Access, name) -> bool:
    return name in a.dst_reads or name in a.cb_reads


def _upward_exposed(accs, entries, lid, name) -> bool:
    """Is `name`'s value on entry to an iteration of region loop `lid` read in its body (carried)?"""
    inside = False
    for kind, x in entries:
        if kind == "begin" and x == lid:
            inside = True
        elif kind == "end" and x == lid:
            return False
        elif inside and kind == "item":
            if _reads(accs[x], name):
                return True
            if name in accs[x].full_writes:
                return False
    return False


def _live_after(accs, entries, at, name) -> bool:
    """Is the value of local `name` after entry `at` read later (around a region loop's back edge too)?"""
    for kind, x in entries[at + 1:]:
        if kind == "item":
            if _reads(accs[x], name):
                return True
            if name in accs[x].full_writes:
                return False
        elif kind == "end" and _upward_exposed(accs, entries, x, name):
            return True
    return False


def plan_regions(km, group=lambda n: n) -> Plan:
    """Split the block's items into compute regions (see the module docstring). A region loop's body is
    planned once and its regions repeat every iteration: a buffer whose value on entry is read in the body
    and that the body rewrites is carried (the next iteration reads, and pops, the version the body packed
    last); a value produced before the loop and only read in it is popped after the loop.

    `group` maps a local name to the name whose DST slots it shares (a local->local cast aliases)."""
    items, item_pos, loops, entries = _flatten(km)
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
    loop_now = None             # the region loop being planned
    on_entry: dict = {}         # its entry state: buffer -> version id
    entry_read: set = set()     # buffers whose entry version its body reads

    def touch(name):
        r = regions[-1]
        if name not in r.locals_:
            r.locals_.append(name)

    def close(at):
        r = regions[-1]
        for name in sorted(in_dst, key=lambda n: r.locals_.index(n) if n in r.locals_ else 0):
            if name in modified and _live_after(accs, entries, at, name):
                vid = len(versions)
                versions.append(Version(name + SPILL_SUFFIX, tiles[name], len(regions) - 1, name, loop=loop_now))
                r.packs.append(vid)
                current[name] = vid
                spilled[name] = tiles[name]
        if r.packs or (step_region and step_region[-1] == len(regions) - 1):
            regions.append(Region(loop=loop_now))
        in_dst.clear()
        modified.clear()

    def read(vid, name, stmt):
        v = versions[vid]
        if v.loop is not None and v.loop != loop_now and not v.carried:
            lp = loops[v.loop].loop
            fail(km.name, f"{name} is read after the serial loop {lp.var.name}, whose body computes it without "
                 f"reading its previous value", stmt,
                 supported="values leaving a loop whose body hands DST off to L1 are carried: initialised before "
                           "the loop, read and rewritten in its body",
                 fix=f"initialise {name} before the loop (Tx.fill) and update it from its previous value in the "
                     f"body, or use it inside the loop")
        if loop_now is not None and on_entry.get(name) == vid:
            entry_read.add(name)
        v.readers.append(len(steps) - 1)

    for e_idx, (kind, x) in enumerate(entries):
        if kind == "begin":
            close(e_idx - 1)
            regions[-1].loop = loop_now = x
            on_entry, entry_read = dict(current), set()
            continue
        if kind == "end":
            close(e_idx - 1)
            for name, vid in current.items():
                if on_entry.get(name) != vid and name in entry_read:
                    loops[x].carried[name] = (on_entry[name], vid)
                    versions[vid].carried = True
            loop_now = None
            regions[-1].loop = None
            continue
        i, it, a = x, items[x], accs[x]
        if a.cb_reads & modified:
            close(e_idx - 1)
        for name in sorted(a.dst_reads - in_dst - a.full_writes):
            if name in current:         # the value is in a CB: copy it back into this region's DST
                vid = current[name]
                steps.append(("reload", name, vid))
                step_region.append(len(regions) - 1)
                read(vid, name, it.stmt)
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
        for name, vid in reads.items():
            read(vid, name, it.stmt)
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
                versions.append(Version(name, tiles[name], len(regions) - 1, None, loop=loop_now))
                r.packs.append(vid)
                current[name] = vid
            close(e_idx)
    # regions that received no step (a trailing close) are dropped
    for s, r in zip(range(len(steps)), step_region):
        regions[r].steps.append(s)
    while len(regions) > 1 and not regions[-1].steps:
        regions.pop()
    regions[-1].outputs = True
    plan = Plan(items, steps, step_region, regions, versions, item_reads, produced, spilled, reduces, item_pos,
                loops)
    for vid, v in enumerate(versions):
        if not v.readers and not v.carried:
            it = next(x for x in items if isinstance(x, TileOp) and x.operands[0].name == v.cb)
            fail(km.name, f"the result in shared buffer {v.cb} is never read", it.stmt,
                 fix=f"read {v.cb} in a later tile op, or compute into a local buffer and copy that to global")
        v.wait, v.pop = _wait_point(plan, vid), _pop_point(plan, vid)
    return plan


def _invariant_in(plan: Plan, vid, step) -> int | None:
    """The region loop around `step` when version `vid` comes from before it and is not the value the loop
    carries in (so every iteration reads the same pages), else None."""
    v = plan.versions[vid]
    lid = plan.step_loop(step)
    if lid is None or v.loop == lid:
        return None
    name = v.cb if v.local is None else v.local
    return None if plan.loops[lid].carried.get(name, (None,))[0] == vid else lid


def _wait_point(plan: Plan, vid) -> tuple:
    """Where a version's pages are waited for: before its first reader, or before the region loop that
    reads it every iteration (one wait per push: the device program's balance check counts them); a
    carried last value nobody reads after the loop is waited for after it (`_pop_point`)."""
    v = plan.versions[vid]
    if not v.readers:
        return ("loop", v.loop)
    lid = _invariant_in(plan, vid, v.readers[0])
    return ("loop", lid) if lid is not None else ("step", v.readers[0])


def _pop_point(plan: Plan, vid) -> tuple:
    """Where a version's pages are popped: after its last reader, except
    * a loop's carried last value: the next iteration pops it (as its entry value), so its own pop is after
      its last reader after the loop, or right after the loop;
    * a value produced before a region loop, read in the body and not carried: after the loop (every
      iteration reads the same pages)."""
    v = plan.versions[vid]
    if v.carried:
        after = [s for s in v.readers if plan.step_loop(s) != v.loop]
        return ("step", after[-1]) if after else ("loop", v.loop)
    lid = _invariant_in(plan, vid, v.readers[-1])
    return ("loop", lid) if lid is not None else ("step", v.readers[-1])


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
