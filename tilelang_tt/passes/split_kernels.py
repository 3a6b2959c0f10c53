"""tt.SplitKernels: split each planned tile kernel K into the TT-level PrimFuncs K_reader, K_compute,
K_writer (docs/contracts.md sections 1 and 2).

Pre-condition (module pass): every PrimFunc to split was accepted by tt.VerifyInput and carries the
attrs of tt.AnnotateGrid, tt.AssignCores and tt.PlanCBs (tt_grid, tt_core_grid, tiles_per_core,
tt_block_start, tt_model, tt_cb_plan, tt_tensors, tt_compute_config).
Post-condition: K is replaced by three parameterless PrimFuncs whose bodies call only T.tt.* intrinsics,
with the plan attrs copied and tt.kernel / tt.kernel_role / tt.runtime_args / tt.accessors added:
  * reader: per block (persistent loop over the core's blocks), each Tx.copy(shared, global[...]) becomes
    cb_reserve_back / noc_async_read_page per tile / noc_async_read_barrier / cb_push_back, in the
    frontend's loop structure;
  * compute: tile_regs_acquire at the block start (DST starts zeroed, so Tx.fill(local, 0) on clean DST
    emits nothing), the tile math with cb_wait_front / cb_pop_front around the statements that read each
    input CB, inits re-emitted whenever the op family changes, then commit / wait / pack every output
    tile into its staging CB / release;
  * writer: per block, each Tx.copy(global[...], local) becomes cb_wait_front / noc_async_write_page per
    tile / noc_async_write_barrier / cb_pop_front.
Tile ids are the row-major tile index of the global buffer computed from the copy region. Local buffers
map to consecutive DST slots (a local->local Tx.cast shares its source's slots: pack converts the
format); the total must fit hardware.dst_capacity(fp32 accumulation) or TTResourceError is raised.
The pages each CB's producer pushes per block must equal what its consumer waits for and pops, else
TTCompileError.
"""
from __future__ import annotations

import tvm
import tvm_ffi
from tvm import tirx

from .. import intrinsics as I
from ..errors import TTCompileError, TTResourceError
from ..target import TILE_COLS, TILE_ROWS, hardware
from . import _common as C
from ._common import Loop, TileOp, fail
from .plan_cbs import output_copies
from .verify_input import BINARY_TILE_OPS, UNARY_TILE_OPS, Operand, classify, scalar_value

PASS_NAME = "tt.SplitKernels"
PLAN_ATTRS = ("tt_grid", "tt_core_grid", "tiles_per_core", "tt_block_start", "tt_model", "tt_cb_plan",
              "tt_tensors", "tt_compute_config")
ROLES = ("reader", "compute", "writer")


def _i32(v):
    return tirx.IntImm("int32", int(v))


def _var(name):
    return tirx.Var(name, "int32")


def _seq(stmts):
    stmts = [s for s in stmts if s is not None]
    if not stmts:
        return None
    return stmts[0] if len(stmts) == 1 else tirx.SeqStmt(stmts)


def _for(var, extent, body_stmts):
    body = _seq(body_stmts)
    if body is None:
        return None
    return tirx.For(var, _i32(0), _i32(extent) if isinstance(extent, int) else extent,
                    tirx.ForKind.SERIAL, body)


def _fresh_vars(stmt):
    """Copy every variable of a role body: the frontend's grid and loop vars are shared by the three
    role functions while they are built, but each PrimFunc must own its vars (print/parse round trip)."""
    memo = {}

    def remap(v):
        if v not in memo:
            memo[v] = tirx.Var(v.name, v.ty)
        return memo[v]
    return tvm_ffi.structural_map(stmt, [(tvm.ir.Var, remap)])


def _grid(extents, make_body):
    """Nested serial loops `for i, j, ... in T.grid(*extents)` around make_body(*vars)."""
    names = [n for n, _ in extents]
    vs = [_var(n) for n in names]
    body = make_body(*vs)
    for v, (_, ext) in reversed(list(zip(vs, extents))):
        body = _for(v, ext, [body])
    return body


ev = I.evaluate
call = I.call


def _is_copy_in(op):
    if not isinstance(op, TileOp) or op.kind != "copy":
        return False
    dst, src = classify(op)[:2]
    return dst.kind == "shared" and src.kind == "global"


def _is_copy_out(op):
    if not isinstance(op, TileOp) or op.kind != "copy":
        return False
    dst, src = classify(op)[:2]
    return dst.kind == "global" and src.kind == "local"


def _reads(op: TileOp):
    """Operands a tile op reads (for CB consumption)."""
    ops = classify(op)
    if op.kind == "copy":
        return [] if ops[0].kind == "shared" else [ops[1]]
    if op.kind == "fill":
        return []
    if op.kind == "gemm":
        return [ops[1], ops[2], ops[3]]
    if op.kind in BINARY_TILE_OPS:
        return [ops[1], ops[2]]
    return [ops[1]]


class _Plan:
    """The attrs of the planning passes, indexed for lowering."""

    def __init__(self, km, func):
        missing = [a for a in PLAN_ATTRS if func.attrs is None or a not in func.attrs]
        if missing:
            fail(km.name, f"{PASS_NAME} needs attrs {', '.join(missing)}",
                 fix="run tt.AnnotateGrid, tt.AssignCores and tt.PlanCBs first (or use lower_to_tt)")
        a = func.attrs
        self.grid = [int(v) for v in a["tt_grid"]]
        self.model = str(a["tt_model"])
        self.hw = hardware(self.model)
        self.cbs = [{k: (v if isinstance(v, (int, bool)) else str(v)) for k, v in e.items()}
                    for e in a["tt_cb_plan"]]
        self.cb_by_name = {e["name"]: e for e in self.cbs}
        self.tensors = {str(t["name"]): t for t in a["tt_tensors"]}
        self.config = a["tt_compute_config"]
        self.fp32_acc = bool(self.config["fp32_dest_acc_en"])
        self.attrs = {k: a[k] for k in PLAN_ATTRS}
        self.core_grid = [int(v) for v in a["tt_core_grid"]]
        self.policy = str(a["tt_core_policy"]) if "tt_core_policy" in a else "contiguous"
        if self.policy != "contiguous":
            self.attrs["tt_core_policy"] = a["tt_core_policy"]

    def cb(self, km, name, stmt=None):
        if name not in self.cb_by_name:
            fail(km.name, f"no circular buffer planned for {name}", stmt, fix="re-run tt.PlanCBs")
        return self.cb_by_name[name]


class _Lowering:
    def __init__(self, km, func):
        self.km = km
        self.plan = _Plan(km, func)
        self.outs = [(op, name, local, glob, self.plan.cb(km, name, op.stmt)["index"])
                     for op, name, local, glob in output_copies(km)]
        self._alloc_dst()

    # ------------------------------------------------------------------------------------------ DST
    def _alloc_dst(self):
        """Give each local buffer DST slots; a local->local cast aliases its source's slots."""
        km = self.km
        alias = {}
        top = {id(it.stmt) for it in km.body if isinstance(it, TileOp)}
        order = [op for op, _ in km.walk_ops()]
        for pos, op in enumerate(order):
            if op.kind != "cast":
                continue
            dst, src = classify(op)[:2]
            if src.kind != "local" or src.buf.same_as(dst.buf):
                continue
            if id(op.stmt) not in top:
                fail(km.name, "a local->local Tx.cast inside a loop", op.stmt,
                     fix="cast the finished local buffer once, after the loops")
            for later in order[pos + 1:]:
                if any(o.kind == "local" and o.buf.same_as(src.buf) for o in classify(later)):
                    fail(km.name, f"{src.name} is used after it was cast into {dst.name}", later.stmt,
                         fix=f"keep using {dst.name} after the cast (both share the same DST tiles)")
            for earlier in order[:pos]:
                if any(o.kind == "local" and o.buf.same_as(dst.buf) for o in classify(earlier)):
                    fail(km.name, f"{dst.name} is used before the cast that produces it", earlier.stmt,
                         fix=f"cast {src.name} into a fresh local buffer")
            alias[str(dst.buf.name)] = self.group(str(src.buf.name), alias)
        self.alias = alias
        self.dst_base, used = {}, 0
        self.dst_tiles = {}
        for b in km.allocs:
            if C.scope_of(b) != "local":
                continue
            n = str(b.name)
            if n in alias:
                continue
            self.dst_base[n] = used
            self.dst_tiles[n] = C.num_tiles(b)
            used += C.num_tiles(b)
        cap = self.plan.hw.dst_capacity(self.plan.fp32_acc)
        if used > cap:
            locals_ = ", ".join(f"{b.name} {list(C.static_shape(b))} = {C.num_tiles(b)} tiles"
                                for b in km.allocs if C.scope_of(b) == "local" and str(b.name) not in alias)
            acc = "float32" if self.plan.fp32_acc else "bfloat16"
            raise TTResourceError(
                f"kernel '{km.name}': local buffers need {used} DST tiles ({locals_}) but DST holds {cap} "
                f"tiles with {acc} accumulation (half-sync) on {self.plan.hw.model}\n"
                f"  fix: make the output block at most {cap} tiles (block_m * block_n <= {cap * 1024}); "
                f"{'a bfloat16 accumulator doubles the capacity; ' if self.plan.fp32_acc else ''}"
                f"subblocking of larger blocks is not lowered yet")

    def group(self, name, alias=None):
        alias = self.alias if alias is None else alias
        while name in alias:
            name = alias[name]
        return name

    def base(self, buf):
        return self.dst_base[self.group(str(buf.name))]

    # ------------------------------------------------------------------------------- dataflow kernels
    def _preamble(self, tensors):
        """Runtime-arg lets and accessors of a dataflow kernel: (stmts, runtime_args, accessors)."""
        stmts = []
        bs, bc = _var("block_start"), _var("block_count")
        stmts += [tirx.Bind(bs, call("get_arg_val", 0)), tirx.Bind(bc, call("get_arg_val", 1))]
        args, accessors = ["block_start", "block_count"], []
        addr_vars = []
        for i, t in enumerate(tensors):
            v = _var(f"{t}_addr")
            stmts.append(tirx.Bind(v, call("get_arg_val", 2 + i)))
            args.append(f"addr:{t}")
            addr_vars.append(v)
        for i, (t, v) in enumerate(zip(tensors, addr_vars)):
            stmts.append(ev("tensor_accessor", t, i, v, int(self.plan.tensors[t]["page_bytes"])))
            accessors.append(t)
        return stmts, bs, bc, args, accessors

    def _block_ids(self, bid):
        """Binds of the frontend's blockIdx vars from the block id: bid = by * grid_x + bx for the
        contiguous policy; core-major rectangles for 2d_blocked (see tt.AssignCores)."""
        gx = self.plan.grid[0]
        out = []
        has_x, has_y = "blockIdx.x" in self.km.grid, "blockIdx.y" in self.km.grid
        if self.plan.policy == "2d_blocked":
            cols, rows = self.plan.core_grid
            cx, cy = self.plan.grid[0] // cols, self.plan.grid[1] // rows
            core, local = _var("core"), _var("blk")
            out += [tirx.Bind(core, tirx.floordiv(bid, _i32(cx * cy))),
                    tirx.Bind(local, tirx.floormod(bid, _i32(cx * cy)))]
            if has_y:
                out.append(tirx.Bind(self.km.grid["blockIdx.y"][0],
                                     tirx.floordiv(core, _i32(cols)) * cy + tirx.floordiv(local, _i32(cx))))
            if has_x:
                out.append(tirx.Bind(self.km.grid["blockIdx.x"][0],
                                     tirx.floormod(core, _i32(cols)) * cx + tirx.floormod(local, _i32(cx))))
            return out
        if has_y:
            by = self.km.grid["blockIdx.y"][0]
            out.append(tirx.Bind(by, tirx.floordiv(bid, _i32(gx)) if has_x else bid))
        if has_x:
            bx = self.km.grid["blockIdx.x"][0]
            out.append(tirx.Bind(bx, tirx.floormod(bid, _i32(gx)) if has_y else bid))
        return out

    def _dataflow_kernel(self, tensors, lower_items):
        stmts, bs, bc, args, accessors = self._preamble(tensors)
        b, bid = _var("b"), _var("bid")
        body = lower_items(self.km.body)
        block = [tirx.Bind(bid, bs + b)] + self._block_ids(bid) + body
        stmts.append(_for(b, bc, block))
        return _seq(stmts), args, accessors, body

    def _dram_pages(self, glob: Operand, local_buf, cb, read: bool):
        """The per-tile NOC loop of one copy between a global region and a CB block."""
        rt, ct = C.tiles_of(local_buf)
        r0 = C.tile_start(glob.ranges[0][0], TILE_ROWS)
        c0 = C.tile_start(glob.ranges[1][0], TILE_COLS)
        gcols = C.static_shape(glob.buf)[1] // TILE_COLS
        page_bytes = int(self.plan.cbs[[e["index"] for e in self.plan.cbs].index(cb)]["page_bytes"])
        name = str(glob.buf.name)

        def body(i, j):
            tile_id = (r0 + i) * gcols + (c0 + j)
            base = call("get_write_ptr" if read else "get_read_ptr", cb)
            l1 = base + (i * ct + j) * page_bytes
            return ev("noc_async_read_page" if read else "noc_async_write_page", tile_id, name, l1)
        return _grid([("i", rt), ("j", ct)], body)

    def reader(self):
        tensors = self._tensors_where(_is_copy_in, 1)

        def lower(items):
            out = []
            for it in items:
                if isinstance(it, Loop):
                    out.append(_for(it.var, it.extent, lower(it.body)))
                elif _is_copy_in(it):
                    dst, src = classify(it)[:2]
                    cb = self.plan.cb(self.km, str(dst.buf.name), it.stmt)["index"]
                    n = C.num_tiles(dst.buf)
                    out += [ev("cb_reserve_back", cb, n), self._dram_pages(src, dst.buf, cb, True),
                            ev("noc_async_read_barrier"), ev("cb_push_back", cb, n)]
            return [s for s in out if s is not None]
        return self._dataflow_kernel(tensors, lower)

    def writer(self):
        tensors = self._tensors_where(_is_copy_out, 0)
        cb_of = {id(op.stmt): cb for op, _, _, _, cb in self.outs}

        def lower(items):
            out = []
            for it in items:
                if isinstance(it, Loop):
                    out.append(_for(it.var, it.extent, lower(it.body)))
                elif _is_copy_out(it):
                    dst, src = classify(it)[:2]
                    cb = cb_of[id(it.stmt)]
                    n = C.num_tiles(src.buf)
                    out += [ev("cb_wait_front", cb, n), self._dram_pages(dst, src.buf, cb, False),
                            ev("noc_async_write_barrier"), ev("cb_pop_front", cb, n)]
            return [s for s in out if s is not None]
        return self._dataflow_kernel(tensors, lower)

    def _tensors_where(self, pred, operand):
        names = {str(classify(op)[operand].buf.name) for op, _ in self.km.walk_ops() if pred(op)}
        return [str(p.name) for p in self.km.params if str(p.name) in names]

    # ------------------------------------------------------------------------------------- compute
    def compute(self):
        km = self.km
        math, copies_out = [], []
        for it in km.body:
            if _is_copy_out(it):
                copies_out.append(it)
                continue
            if copies_out:
                fail(km.name, "tile math after a copy to global", it.stmt,
                     supported="all copies to global at the end of the block (packed after the math)",
                     fix="move the Tx.copy(global, local) statements after the last tile math")
            self._no_nested_copy_out(it)
            math.append(it)

        # A dry run finds the first op family: its init goes before the block loop.
        self.init, self.init_log = None, []
        self._lower_seq(math, set(), top=True)
        first = self.init_log[0] if self.init_log else None
        startup = self._startup_cbs()
        self.init, self.init_log = first, []
        block = self._lower_seq(math, set(), top=True)
        if self.init != first:  # the block ends in another op family: re-init at every block start
            self.init, self.init_log = None, []
            block = self._lower_seq(math, set(), top=True)

        pack = [ev("tile_regs_commit"), ev("tile_regs_wait")]
        for op, _, local, _, cb in self.outs:
            n = C.num_tiles(local)
            base = self.base(local)
            t = _var("t")
            pack += [ev("cb_reserve_back", cb, n), _for(t, n, [ev("pack_tile", t + base if base else t, cb)]),
                     ev("cb_push_back", cb, n)]
        pack.append(ev("tile_regs_release"))
        block_body = list(block)
        # acquire goes after any re-init at the block start
        lead = []
        while block_body and self._is_init(block_body[0]):
            lead.append(block_body.pop(0))
        body = lead + [ev("tile_regs_acquire")] + block_body + pack

        bs, bc, b = _var("block_start"), _var("block_count"), _var("b")
        stmts = [tirx.Bind(bs, call("get_arg_val", 0)), tirx.Bind(bc, call("get_arg_val", 1)),
                 ev("compute_kernel_hw_startup", *startup)]
        if first is not None:
            stmts.append(self._init_stmt(first))
        stmts.append(_for(b, bc, body))
        return _seq(stmts), ["block_start", "block_count"], [], body

    def _startup_cbs(self):
        """compute_kernel_hw_startup args: the CBs of the first op that reads CBs, and the first output."""
        out_cb = self.outs[0][4]
        for key in self.init_log:
            if key[0] == "matmul":
                return (key[1], key[2], key[3], 1)
            if key[0] == "binary":
                return (key[2], key[3], out_cb, 0)
            if key[0] in ("copy", "reuse"):
                return (key[-1], key[-1], out_cb, 0)
        return (out_cb, out_cb, out_cb, 0)

    def _no_nested_copy_out(self, it):
        if isinstance(it, Loop):
            for sub in it.body:
                if _is_copy_out(sub):
                    fail(self.km.name, "a copy to global inside a loop", sub.stmt,
                         supported="copies to global at the top level of the block, after the math",
                         fix="copy each result block once, after the loops")
                self._no_nested_copy_out(sub)

    @staticmethod
    def _is_init(stmt):
        if not isinstance(stmt, tirx.Evaluate):
            return False
        intr = I.intrinsic_of(stmt.value)
        return intr is not None and intr.name in ("matmul_init", "copy_init", "binary_init",
                                                  "binary_dest_reuse_init", "unary_init")

    def _init_stmt(self, key):
        kind = key[0]
        if kind == "matmul":
            return ev("matmul_init", key[1], key[2], key[3])
        if kind == "copy":
            return ev("copy_init", key[1])
        if kind == "binary":
            return ev("binary_init", key[1], key[2], key[3])
        if kind == "reuse":
            return ev("binary_dest_reuse_init", key[1], key[2])
        return ev("unary_init", key[1])

    def _ensure_init(self, key, out):
        if self.init != key:
            out.append(self._init_stmt(key))
            self.init = key
            self.init_log.append(key)

    def _cb_of(self, o: Operand, stmt):
        return self.plan.cb(self.km, o.name, stmt)["index"]

    def _exposed_use(self, it, name):
        if isinstance(it, TileOp):
            return any(o.kind == "shared" and o.name == name for o in _reads(it))
        return self._exposed_use_seq(it.body, name)

    def _exposed_use_seq(self, items, name):
        for it in items:
            if _is_copy_in(it) and classify(it)[0].name == name:
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
                loads.setdefault(classify(it)[0].name, []).append(idx)
        for name, positions in loads.items():
            buf = classify(items[positions[0]])[0].buf
            cb = self._cb_of(classify(items[positions[0]])[0], items[positions[0]].stmt)
            n = C.num_tiles(buf)
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
            for idx, it in enumerate(items):
                for o in (_reads(it) if isinstance(it, TileOp) else []):
                    if o.kind == "shared" and o.name not in loads:
                        fail(self.km.name, f"shared buffer {o.name} is read outside the loop that loads it",
                             it.stmt, fix=f"read {o.name} in the same loop body that loads it")
                if isinstance(it, Loop):
                    for b in self.km.allocs:
                        n = str(b.name)
                        if C.scope_of(b) == "shared" and n not in loads and self._exposed_use(it, n):
                            fail(self.km.name, f"shared buffer {n} is read outside the loop that loads it",
                                 it.stmt, fix=f"read {n} in the same loop body that loads it")
        return before, after

    def _writes(self, items):
        out = set()
        for it in items:
            if isinstance(it, Loop):
                out |= self._writes(it.body)
            else:
                d = classify(it)[0]
                if d.kind == "local":
                    out.add(self.group(d.name))
        return out

    def _lower_seq(self, items, dirty, top=False):
        before, after = self._cb_windows(items, top)
        out = []
        for idx, it in enumerate(items):
            out += before.get(idx, [])
            if isinstance(it, Loop):
                start = self.init
                inner_dirty = dirty | self._writes(it.body)
                mark = len(self.init_log)
                body = self._lower_seq(it.body, set(inner_dirty))
                if self.init != start and len(self.init_log) > mark:
                    # The body changes the op family. Hoist the init of its first op before the loop if
                    # that keeps every iteration consistent; otherwise re-init inside the loop.
                    first = self.init_log[mark]
                    self.init = first
                    body = self._lower_seq(it.body, set(inner_dirty))
                    if self.init == first and first != start:
                        out.append(self._init_stmt(first))
                    else:
                        self.init = None
                        body = self._lower_seq(it.body, set(inner_dirty))
                dirty |= inner_dirty
                out.append(_for(it.var, it.extent, body))
            else:
                out += self._lower_op(it, dirty)
            out += after.get(idx, [])
        return [s for s in out if s is not None]

    def _tiles(self, local, make):
        base = self.base(local)
        t = _var("t")
        return _for(t, C.num_tiles(local), [make(t, t + base if base else t)])

    def _fill_state(self):
        # fill_tile reconfigures the SFPU; codegen emits its fill_tile_init() itself (no T.tt op for it)
        self.init = ("unary", "fill")

    def _zero(self, local, out):
        out.append(self._tiles(local, lambda t, d: ev("fill_tile", d, tirx.FloatImm("float32", 0.0))))
        self._fill_state()

    def _lower_op(self, op: TileOp, dirty):
        ops = classify(op)
        kind, out = op.kind, []
        if _is_copy_in(op):
            return []
        dst = ops[0]
        group = self.group(dst.name)
        if kind == "fill":
            value = ops[1].value
            if value == 0.0 and group not in dirty:
                pass  # tile_regs_acquire hands out zeroed DST
            else:
                out.append(self._tiles(dst.buf, lambda t, d: ev("fill_tile", d,
                                                                 tirx.FloatImm("float32", value))))
                self._fill_state()
        elif kind == "gemm":
            a, b = ops[1], ops[2]
            beta = scalar_value(op.args[7])
            if beta == 0.0 and group in dirty:
                self._zero(dst.buf, out)  # matmul_tiles accumulates: overwrite needs zeroed DST
            ca, cbb = self._cb_of(a, op.stmt), self._cb_of(b, op.stmt)
            self._ensure_init(("matmul", ca, cbb, self._out_cb_for(dst.buf)), out)
            (m, k), (_, n) = C.tiles_of(a.buf), C.tiles_of(b.buf)
            base = self.base(dst.buf)
            out.append(_grid([("i", m), ("j", n), ("kk", k)], lambda i, j, kk: ev(
                "matmul_tiles", ca, cbb, i * k + kk, kk * n + j, base + i * n + j if base else i * n + j)))
        elif kind in BINARY_TILE_OPS:
            a, b = ops[1], ops[2]
            if a.kind == "shared" and b.kind == "shared":
                ca, cbb = self._cb_of(a, op.stmt), self._cb_of(b, op.stmt)
                self._ensure_init(("binary", kind, ca, cbb), out)
                out.append(self._tiles(dst.buf, lambda t, d: ev("binary_tiles", kind, ca, cbb, t, t, d)))
            else:
                shared = b if b.kind == "shared" else a
                cb = self._cb_of(shared, op.stmt)
                self._ensure_init(("reuse", kind, cb), out)
                out.append(self._tiles(dst.buf, lambda t, d: ev("binary_dest_reuse_tiles", kind, cb, t, d)))
        elif kind in UNARY_TILE_OPS or kind in ("maximum", "cast") or kind == "copy":
            src = ops[1]
            if src.kind == "shared":
                cb = self._cb_of(src, op.stmt)
                self._ensure_init(("copy", cb), out)
                out.append(self._tiles(dst.buf, lambda t, d: ev("copy_tile", cb, t, d)))
            if kind in ("cast", "copy"):
                pass  # unpack/pack convert formats; a local->local cast shares DST slots
            else:
                sfpu = "relu" if kind == "maximum" else UNARY_TILE_OPS[kind]
                self._ensure_init(("unary", sfpu), out)
                out.append(self._tiles(dst.buf, lambda t, d: ev("unary_tile", sfpu, d)))
        else:  # VerifyInput rejects these first
            fail(self.km.name, f"Tx.{kind} cannot be lowered", op.stmt, supported=C.SUPPORTED_OPS_TEXT)
        dirty.add(group)
        return out

    def _out_cb_for(self, local):
        g = self.group(str(local.name))
        for _, _, l2, _, cb in self.outs:
            if self.group(str(l2.name)) == g:
                return cb
        return self.outs[0][4]


# ---------------------------------------------------------------------------------------------------
# Static CB page accounting

def cb_page_counts(stmts):
    """Pages per CB that one block of a role body reserves / pushes / waits / pops:
    {cb: {"reserve": n, "push": n, "wait": n, "pop": n, "max_request": n}}. Loops multiply."""
    counts = {}

    def rec(s, mult):
        if s is None:
            return
        if isinstance(s, tirx.SeqStmt):
            for x in s.seq:
                rec(x, mult)
        elif isinstance(s, tirx.For):
            if not isinstance(s.extent, tirx.IntImm):
                raise TTCompileError(f"CB accounting needs constant loop extents inside a block, got {s.extent}")
            rec(s.body, mult * int(s.extent))
        elif isinstance(s, tirx.Evaluate):
            intr = I.intrinsic_of(s.value)
            kinds = {"cb_reserve_back": "reserve", "cb_push_back": "push", "cb_wait_front": "wait",
                     "cb_pop_front": "pop"}
            if intr is not None and intr.name in kinds:
                cb, n = int(s.value.args[0]), int(s.value.args[1])
                c = counts.setdefault(cb, {"reserve": 0, "push": 0, "wait": 0, "pop": 0, "max_request": 0})
                c[kinds[intr.name]] += n * mult
                c["max_request"] = max(c["max_request"], n)
    for s in stmts:
        rec(s, 1)
    return counts


def check_cb_balance(kernel, cb_plan, reader_body, compute_body, writer_body):
    """Per block, every CB's producer must push exactly what its consumer waits for and pops."""
    roles = {"reader": cb_page_counts(reader_body), "compute": cb_page_counts(compute_body),
             "writer": cb_page_counts(writer_body)}
    for e in cb_plan:
        idx, name, role = int(e["index"]), str(e["name"]), str(e["role"])
        producer, consumer = {"input": ("reader", "compute"), "output": ("compute", "writer"),
                              "intermediate": ("compute", "compute")}[role]
        zero = {"reserve": 0, "push": 0, "wait": 0, "pop": 0, "max_request": 0}
        p, c = roles[producer].get(idx, zero), roles[consumer].get(idx, zero)
        where = f"kernel '{kernel}': CB c_{idx} ({name}, {role})"
        if p["reserve"] != p["push"]:
            raise TTCompileError(f"{where}: the {producer} reserves {p['reserve']} pages per block but "
                                 f"pushes {p['push']}")
        if c["wait"] != c["pop"]:
            raise TTCompileError(f"{where}: the {consumer} waits for {c['wait']} pages per block but "
                                 f"pops {c['pop']}")
        if c["wait"] > p["push"]:
            raise TTCompileError(f"{where} is waited on for {c['wait']} pages per block by the {consumer} "
                                 f"but the {producer} pushes only {p['push']}: the {consumer} would block "
                                 f"forever")
        if c["wait"] < p["push"]:
            raise TTCompileError(f"{where}: the {producer} pushes {p['push']} pages per block but the "
                                 f"{consumer} consumes only {c['wait']}: the CB would fill up and stall")
        request = max(p["max_request"], c["max_request"])
        if request > int(e["num_pages"]):
            raise TTResourceError(f"{where}: a single request of {request} pages exceeds its "
                                  f"{int(e['num_pages'])} pages")


# ---------------------------------------------------------------------------------------------------

def split_kernel(func, name: str | None = None) -> dict:
    """{"K_reader": PrimFunc, "K_compute": ..., "K_writer": ...} for one planned kernel."""
    if name is not None and (func.attrs is None or "global_symbol" not in func.attrs):
        func = func.with_attr("global_symbol", name)
    km = C.read_kernel(func, strict=True)
    low = _Lowering(km, func)
    built = {"reader": low.reader(), "compute": low.compute(), "writer": low.writer()}
    check_cb_balance(km.name, low.plan.cbs, built["reader"][3], built["compute"][3], built["writer"][3])
    out = {}
    for role in ROLES:
        body, args, accessors, _ = built[role]
        fname = f"{km.name}_{role}"
        attrs = dict(low.plan.attrs)
        attrs.update({"global_symbol": fname, "tt.kernel": km.name, "tt.kernel_role": role,
                      "tt.runtime_args": args, "tt.accessors": accessors})
        out[fname] = tirx.PrimFunc([], _fresh_vars(body)).with_attrs(attrs)
    return out


def SplitKernels():  # noqa: N802
    @tvm.transform.module_pass(opt_level=0, name=PASS_NAME)
    def _pass(mod, ctx):
        funcs = {}
        for gv, func in mod.functions.items():
            if isinstance(func, tirx.PrimFunc) and func.attrs is not None and "tt_cb_plan" in func.attrs:
                for fname, f in split_kernel(func, gv.name_hint).items():
                    funcs[tvm.ir.GlobalVar(fname)] = f
            else:
                funcs[gv] = func
        return tvm.IRModule(funcs, attrs=mod.attrs)
    return _pass
