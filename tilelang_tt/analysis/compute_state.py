"""The compute-kernel state machine, shared by lowering (which places inits with it) and the protocol
verifier of the compute printer (which checks generated TT-level TIR against it).

A Tensix compute kernel has, besides DST, three configured units: the FPU path (unpacker + matrix /
eltwise engine), configured for one op family and its input CBs by an init (`matmul_init(a, b)`,
`copy_init(cb)`, `binary_init(op, a, b)`, `binary_dest_reuse_init(op, cb)`, `matmul_block_init(...)`),
the SFPU, configured for one unary op (`unary_init(op)`; `fill_tile` is configured by the
`fill_tile_init` the printer emits beside it), and the packer's L1 accumulation
(`pack_reconfig_l1_acc(0/1)`; off after start-up). A math call runs correctly only when its engine is
configured for exactly its key; switching keys needs the matching init, also across loop iterations.

`requirement(call)` is the key a math intrinsic needs, `init_effect(call)` what an init sets; the
verifier steps through statements with them, and `place_inits` inserts the minimal inits into a
compute body with one forward analysis (loops: fixpoint over the few keys, memoized, so nested loops
cost linear time; an init that keeps every iteration consistent is hoisted in front of its loop).

Formats are state too (analysis/format_table.py): the unpacker's SrcA / SrcB and the packer are
programmed for one data format each, by compute_kernel_hw_startup and the reconfig calls only (no op
init touches them). Given the CBs' formats, `place_inits` also tracks those three units (keys: format
names) and inserts `reconfig_data_format_srca/_srcb(cb)` / `pack_reconfig_data_format(cb)` in front
of a call that unpacks or packs a CB of another format (before the op's init, as tt-metal's kernels
order them), hoisted out of loops like the inits.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import tvm
from tvm import tirx

from .. import intrinsics as I
from . import format_table as FT

UNKNOWN = "<differs between paths>"
# format units live in slots of their own; "pack" is the packer's L1 accumulation
FORMAT_SLOT = {"srca": "srca", "srcb": "srcb", "pack": "pack_fmt"}
FORMAT_UNIT = {v: k for k, v in FORMAT_SLOT.items()}
SLOTS = ("fpu", "sfpu", "pack", "srca", "srcb", "pack_fmt")
# reconfigs go in front of the op inits (tt-metal: reconfig_data_format_srca, then matmul_block_init;
# pack_reconfig_data_format, then pack_reconfig_l1_acc)
_HOIST_ORDER = ("srca", "srcb", "pack_fmt", "fpu", "sfpu", "pack")


def _v(node):
    """An intrinsic argument as a plain key part (int CB id, str op), or its printed form."""
    if isinstance(node, tirx.IntImm):
        return int(node.value)
    if isinstance(node, tvm.ir.StringImm):
        return str(node.value)
    return str(node)


def _args(intr, call) -> dict:
    return dict(zip(intr.args, call.args))


# intrinsic -> (slot, key function over its named args) for math calls and inits
_NEEDS = {
    "matmul_tiles": ("fpu", lambda a: ("matmul", _v(a["in0_cb"]), _v(a["in1_cb"]), _v(a["transpose"]))),
    "matmul_block": ("fpu", lambda a: ("matmul_block", _v(a["in0_cb"]), _v(a["in1_cb"]), _v(a["ct_dim"]),
                                       _v(a["rt_dim"]), _v(a["kt_dim"]), _v(a["transpose"]))),
    "copy_tile": ("fpu", lambda a: ("copy", _v(a["cb"]))),
    "binary_tiles": ("fpu", lambda a: ("binary", _v(a["op"]), _v(a["icb0"]), _v(a["icb1"]))),
    "binary_dest_reuse_tiles": ("fpu", lambda a: ("reuse", _v(a["op"]), _v(a["cb"]))),
    "unary_tile": ("sfpu", lambda a: _v(a["op"])),
    "fill_tile": ("sfpu", lambda a: "fill"),
    "reduce_tile": ("fpu", lambda a: ("reduce", _v(a["pool"]), _v(a["dim"]), _v(a["icb"]), _v(a["scaler_cb"]))),
    "bcast_tiles": ("fpu", lambda a: ("bcast", _v(a["op"]), _v(a["dim"]), _v(a["icb0"]), _v(a["icb1"]))),
    "scalar_tile": ("sfpu", lambda a: "scalar"),
    "sfpu_binary_tile": ("sfpu", lambda a: "binary_" + _v(a["op"])),
    "where_tile": ("sfpu", lambda a: "where"),
    "pack_tile": ("pack", lambda a: 0),
    "pack_tile_to": ("pack", lambda a: _v(a["l1_acc"])),
}
_SETS = {
    "matmul_init": ("fpu", lambda a: ("matmul", _v(a["in0_cb"]), _v(a["in1_cb"]), _v(a["transpose"]))),
    "matmul_block_init": ("fpu", lambda a: ("matmul_block", _v(a["in0_cb"]), _v(a["in1_cb"]), _v(a["ct_dim"]),
                                            _v(a["rt_dim"]), _v(a["kt_dim"]), _v(a["transpose"]))),
    "copy_init": ("fpu", lambda a: ("copy", _v(a["cb"]))),
    "binary_init": ("fpu", lambda a: ("binary", _v(a["op"]), _v(a["icb0"]), _v(a["icb1"]))),
    "binary_dest_reuse_init": ("fpu", lambda a: ("reuse", _v(a["op"]), _v(a["cb"]))),
    "unary_init": ("sfpu", lambda a: _v(a["op"])),
    "reduce_init": ("fpu", lambda a: ("reduce", _v(a["pool"]), _v(a["dim"]), _v(a["icb"]), _v(a["scaler_cb"]))),
    "reduce_uninit": ("fpu", lambda a: None),
    "bcast_init": ("fpu", lambda a: ("bcast", _v(a["op"]), _v(a["dim"]), _v(a["icb0"]), _v(a["icb1"]))),
    "scalar_init": ("sfpu", lambda a: "scalar"),
    "sfpu_binary_init": ("sfpu", lambda a: "binary_" + _v(a["op"])),
    "where_init": ("sfpu", lambda a: "where"),
    "pack_reconfig_l1_acc": ("pack", lambda a: _v(a["enable"])),
    # fill_tile carries its own fill_tile_init (printed beside it), so it both needs and sets "fill"
    "fill_tile": ("sfpu", lambda a: "fill"),
}
INIT_INTRINSICS = frozenset(n for n in _SETS if n != "fill_tile")
INITIAL = {"fpu": None, "sfpu": None, "pack": 0}     # what compute_kernel_hw_startup leaves configured


def requirement(intr, call):
    """(slot, key) the math intrinsic needs configured, or None."""
    if intr is None or intr.name not in _NEEDS:
        return None
    slot, key = _NEEDS[intr.name]
    return slot, key(_args(intr, call))


def init_effect(intr, call):
    """(slot, key) an init intrinsic configures, or None."""
    if intr is None or intr.name not in _SETS:
        return None
    slot, key = _SETS[intr.name]
    return slot, key(_args(intr, call))


def is_reduce(key) -> bool:
    """A reduce configuration (its packer mask stays until reduce_uninit)."""
    return isinstance(key, tuple) and key[0] == "reduce"


def describe(key) -> str:
    if key is None:
        return "nothing yet"
    if key == UNKNOWN:
        return UNKNOWN
    if isinstance(key, tuple):
        return f"{key[0]} {', '.join(map(repr, key[1:]))}"
    return repr(key)


def init_text(slot: str, key) -> str:
    """The init that configures `slot` for `key`, as a T.tt call for messages."""
    call = init_stmt(slot, key, 0).value
    args = [repr(_v(a)) if isinstance(a, tvm.ir.StringImm) else str(_v(a)) for a in call.args]
    if call.op.name.endswith("matmul_init"):
        args[2] = "<out cb>"
        if args[3] == "0":
            args.pop()                  # the default transpose
    return f"T.tt.{call.op.name[len('tirx.tt.'):]}({', '.join(args)})"


def format_needs(intr, call, cb_formats) -> list:
    """[(slot, format, cb)] the call unpacks / packs through (format_table.INTRINSIC_USES)."""
    if intr is None or cb_formats is None:
        return []
    out = []
    args = _args(intr, call)
    uses = FT.intrinsic_uses(intr.name)
    if intr.name == "reduce_tile" and (_v(args["pool"]), _v(args["dim"])) in FT.REDUCE_SWAPS:
        uses = {arg: {"srca": "srcb", "srcb": "srca"}[unit] for arg, unit in uses.items()}
    for arg, unit in uses.items():
        cb = _v(args[arg])
        if isinstance(cb, int) and cb in cb_formats:
            out.append((FORMAT_SLOT[unit], cb_formats[cb], cb))
    return out


def format_effects(intr, call, cb_formats, reverse: bool = False) -> list:
    """[(slot, format)] a startup / reconfig intrinsic programs."""
    if intr is None or cb_formats is None:
        return []
    args = _args(intr, call)
    out = []
    for unit, arg in FT.intrinsic_sets(intr.name, reverse).items():
        cb = _v(args[arg])
        out.append((FORMAT_SLOT[unit], cb_formats.get(cb, UNKNOWN) if isinstance(cb, int) else UNKNOWN))
    return out


def format_stmt(slot: str, cb: int) -> tirx.Evaluate:
    """The reconfig intrinsic that programs format slot `slot` for CB `cb`'s format."""
    return I.evaluate(FT.RECONFIG_INTRINSIC[FORMAT_UNIT[slot]], cb)


def init_stmt(slot: str, key, out_cb: int) -> tirx.Evaluate:
    """The init intrinsic that configures `slot` for `key` (out_cb: the kernel's main output CB, which
    the E3 `mm_init` also configures the packer for)."""
    if slot == "sfpu":
        if key == "scalar":
            return I.evaluate("scalar_init")
        if key == "where":
            return I.evaluate("where_init")
        if isinstance(key, str) and key.startswith("binary_"):
            return I.evaluate("sfpu_binary_init", key[len("binary_"):])
        return I.evaluate("unary_init", key)
    if slot == "pack":
        return I.evaluate("pack_reconfig_l1_acc", key)
    kind = key[0]
    if kind == "matmul":
        return I.evaluate("matmul_init", key[1], key[2], out_cb, key[3])
    if kind == "matmul_block":
        return I.evaluate("matmul_block_init", *key[1:7])
    if kind == "copy":
        return I.evaluate("copy_init", key[1])
    if kind == "binary":
        return I.evaluate("binary_init", key[1], key[2], key[3])
    if kind == "reduce":
        return I.evaluate("reduce_init", key[1], key[2], key[3], key[4], out_cb)
    if kind == "bcast":
        return I.evaluate("bcast_init", key[1], key[2], key[3], key[4])
    return I.evaluate("binary_dest_reuse_init", key[1], key[2])


# ---------------------------------------------------------------------------------------------------
# Init placement

@dataclass(frozen=True)
class _Cfg:
    fpu: object = None
    sfpu: object = None
    pack: object = 0            # the packer starts without L1 accumulation
    srca: object = None         # formats (set from the startup call by place_inits)
    srcb: object = None
    pack_fmt: object = None

    def get(self, slot):
        return getattr(self, slot)

    def set(self, slot, key):
        return replace(self, **{slot: key})


def _join(a: _Cfg, b: _Cfg) -> _Cfg:
    return _Cfg(*(a.get(s) if a.get(s) == b.get(s) else UNKNOWN for s in SLOTS))


def _flatten(s):
    if isinstance(s, tirx.SeqStmt):
        return [x for y in s.seq for x in _flatten(y)]
    return [s]


def _seq(stmts):
    stmts = [s for s in stmts if s is not None]
    if not stmts:
        return tirx.Evaluate(tirx.IntImm("int32", 0))
    return stmts[0] if len(stmts) == 1 else tirx.SeqStmt(stmts)


def _runs_at_least_once(loop) -> bool:
    return isinstance(loop.extent, tirx.IntImm) and int(loop.extent) > 0


class _Placer:
    def __init__(self, out_cb: int, cb_formats: dict | None = None):
        self.out_cb = out_cb
        self.cb_formats = cb_formats
        self.memo: dict = {}        # (stmt, cfg) -> (new stmt, out cfg)
        self.firsts: dict = {}      # stmt -> {slot: first key}
        self.first_cbs: dict = {}   # stmt -> {format slot: the CB its first key comes from}

    def first_needs(self, s) -> dict:
        """The first key each slot is set to (by an init or a math call) in program order under `s`."""
        if s not in self.firsts:
            out: dict = {}
            cbs: dict = {}
            for node in _preorder(s):
                if isinstance(node, tirx.Evaluate):
                    intr = I.intrinsic_of(node.value)
                    eff = init_effect(intr, node.value) or requirement(intr, node.value)
                    if eff is not None and eff[0] not in out:
                        # fill_tile configures itself: nothing to hoist for the SFPU in front of it
                        out[eff[0]] = None if intr.name == "fill_tile" else eff[1]
                    for slot, fmt in format_effects(intr, node.value, self.cb_formats):
                        out.setdefault(slot, None)      # explicitly programmed: nothing to hoist
                    for slot, fmt, cb in format_needs(intr, node.value, self.cb_formats):
                        if slot not in out:
                            out[slot], cbs[slot] = fmt, cb
            self.firsts[s] = out
            self.first_cbs[s] = cbs
        return self.firsts[s]

    def _init(self, slot, key, s=None, cb=None):
        if slot in FORMAT_UNIT:
            return format_stmt(slot, cb if cb is not None else self.first_cbs[s][slot])
        return init_stmt(slot, key, self.out_cb)

    def run(self, s, cfg: _Cfg):
        key = (s, cfg)   # TVM nodes hash by identity; keeping them as keys also keeps them alive
        if key in self.memo:
            return self.memo[key]
        res = self._run(s, cfg)
        self.memo[key] = res
        return res

    def _run(self, s, cfg):
        if isinstance(s, tirx.SeqStmt):
            out = []
            for x in _flatten(s):
                nx, cfg = self.run(x, cfg)
                out.append(nx)
            return _seq(out), cfg
        if isinstance(s, tirx.Evaluate):
            intr = I.intrinsic_of(s.value)
            need = requirement(intr, s.value)
            eff = init_effect(intr, s.value)
            pre = []
            for slot, fmt in format_effects(intr, s.value, self.cb_formats):
                cfg = cfg.set(slot, fmt)
            for slot, fmt, cb in format_needs(intr, s.value, self.cb_formats):
                if cfg.get(slot) != fmt:
                    pre.append(format_stmt(slot, cb))
                    cfg = cfg.set(slot, fmt)
            if need is not None and cfg.get(need[0]) != need[1] and intr.name != "fill_tile":
                if need[0] == "fpu" and is_reduce(cfg.fpu):
                    pre.append(I.evaluate("reduce_uninit", cfg.fpu[3]))
                pre.append(init_stmt(need[0], need[1], self.out_cb))
            if eff is not None:
                cfg = cfg.set(*eff)
            elif need is not None:
                cfg = cfg.set(*need)
            return (_seq(pre + [s]) if pre else s), cfg
        if isinstance(s, tirx.For):
            return self._loop(s, cfg)
        if isinstance(s, tirx.IfThenElse):
            then, a = self.run(s.then_case, cfg)
            if s.else_case is not None:
                other, b = self.run(s.else_case, cfg)
            else:
                other, b = None, cfg
            return tirx.IfThenElse(s.condition, then, other), _join(a, b)
        if isinstance(s, tirx.AttrStmt):
            body, cfg = self.run(s.body, cfg)
            return tirx.AttrStmt(s.node, s.attr_key, s.value, body), cfg
        return s, cfg

    def _fixpoint(self, body, start: _Cfg) -> _Cfg:
        cur = start
        while True:
            _, end = self.run(body, cur)
            nxt = _join(start, end)
            if nxt == cur:
                return cur
            cur = nxt

    def _loop(self, s, cfg):
        first = self.first_needs(s.body)
        # Hoist each slot's first init in front of the loop when the loop then stays consistent.
        hoisted = cfg
        for slot, key in first.items():
            if key is not None and cfg.get(slot) != key:
                hoisted = hoisted.set(slot, key)
        entry = self._fixpoint(s.body, hoisted)
        pre = []
        final = cfg
        for slot in _HOIST_ORDER:
            if hoisted.get(slot) != cfg.get(slot):
                if entry.get(slot) == hoisted.get(slot):
                    if slot == "fpu" and is_reduce(cfg.fpu):
                        pre.append(I.evaluate("reduce_uninit", cfg.fpu[3]))
                    pre.append(self._init(slot, hoisted.get(slot), s.body))
                    final = final.set(slot, hoisted.get(slot))
        if final != hoisted:
            entry = self._fixpoint(s.body, final)
        body, end = self.run(s.body, entry)
        loop = tirx.For(s.loop_var, s.min, s.extent, s.kind, body, s.thread_binding, s.annotations)
        after = end if _runs_at_least_once(s) else _join(entry, end)
        return (_seq(pre + [loop]) if pre else loop), after


def _preorder(s):
    """Statements and calls under `s` in program order (Evaluate nodes only are used)."""
    stack = [s]
    while stack:
        n = stack.pop()
        if isinstance(n, tirx.SeqStmt):
            stack.extend(reversed(list(n.seq)))
        elif isinstance(n, tirx.For):
            stack.append(n.body)
        elif isinstance(n, tirx.IfThenElse):
            if n.else_case is not None:
                stack.append(n.else_case)
            stack.append(n.then_case)
        elif isinstance(n, tirx.AttrStmt):
            stack.append(n.body)
        else:
            yield n


def place_inits(body, out_cb: int, cb_formats: dict | None = None, startup_of=None):
    """`body` with the inits (and, given cb_formats {CB index: data format}, the format reconfigs) its
    math and pack calls need inserted; returns (new body, startup) where startup = startup_of(first FPU
    key or None), the (icb0, icb1, ocb, reverse_src_order) of the compute_kernel_hw_startup that runs
    before `body` (it programs the formats the analysis starts from), or the first FPU key when no
    startup_of is given.

    Existing inits and reconfigs in `body` are respected (they set the state): the pass is idempotent."""
    placer = _Placer(out_cb, cb_formats)
    first = placer.first_needs(body).get("fpu")
    start = _Cfg()
    startup = startup_of(first) if startup_of is not None else first
    if startup_of is not None and cb_formats is not None:
        icb0, icb1, ocb, reverse = startup
        call = I.call("compute_kernel_hw_startup", icb0, icb1, ocb, int(reverse))
        for slot, fmt in format_effects(I.intrinsic_of(call), call, cb_formats, bool(reverse)):
            start = start.set(slot, fmt)
    new, _ = placer.run(body, start)
    return new, startup
