"""Exact counts of what one kernel does on one core: every T.tt.* call executed, CB pages reserved /
pushed / waited / popped, DRAM pages and bytes moved, multicast bytes and destinations.

The kernel's TT-level TIR is evaluated abstractly with the core's runtime arguments bound: loop extents
and conditions are evaluated, loops whose body does not depend on the loop variable are counted once
and multiplied, the others iterate (memoized on the values the body depends on). Nothing is executed
and no shape is guessed. The CB balance check and the performance model read these counts.
"""
from __future__ import annotations

import tvm
from tvm import tirx

from .. import intrinsics as I
from ..errors import TTInternalError


class Tally(dict):
    """Counters keyed by tuples; keys whose first element is "max" keep a maximum instead of a sum."""

    def add(self, other: "Tally", times: int = 1) -> None:
        for k, v in other.items():
            if k[0] == "max":
                self[k] = max(self.get(k, 0), v)
            else:
                self[k] = self.get(k, 0) + v * times

    def bump(self, key, n: int = 1) -> None:
        if key[0] == "max":
            self[key] = max(self.get(key, 0), n)
        else:
            self[key] = self.get(key, 0) + n

    def calls(self, name: str) -> int:
        return self.get(("call", name), 0)


# The SFPU routine each SFPU tile call runs (the performance model prices them per routine): the `op` of
# unary_tile, one binop_with_scalar for every scalar mode, binary_max / binary_min, fill, where.
SFPU_ROUTINE = {
    "unary_tile": lambda a: str(a["op"][0].value),
    "scalar_tile": lambda a: "binop_with_scalar",
    "sfpu_binary_tile": lambda a: "binary_" + str(a["op"][0].value),
    "fill_tile": lambda a: "fill",
    "where_tile": lambda a: "where",
}


class _Unbound(Exception):
    def __init__(self, var):
        super().__init__(var.name)
        self.var = var


class _Pending:
    """A let whose value needs a loop variable that is not bound yet (the loop is being multiplied):
    counts that read it force the loop to iterate."""
    __slots__ = ("var",)

    def __init__(self, var):
        self.var = var


# Intrinsic arguments whose values change counts (the others are addresses and tile ids).
COUNTED_ARGS = frozenset({"cb", "num_pages", "ct_dim", "rt_dim", "size", "num_dests", "l1_acc"})


def _steering(body) -> tuple[tuple, frozenset]:
    """The steering of a kernel, by a static dataflow over it: the indices of the runtime args that
    reach a loop bound, a condition or a counted argument through the lets in between, and the hashes
    of the variables (lets, scalar cells, loop variables) on those paths. Only their values can change
    a count."""
    defs: dict = {}
    roots: list = []

    def visit(s):
        if isinstance(s, tirx.SeqStmt):
            for x in s.seq:
                visit(x)
        elif isinstance(s, tirx.Bind):
            defs[s.var] = s.value
        elif isinstance(s, tirx.BufferStore):
            defs[s.buffer] = s.value
        elif isinstance(s, tirx.For):
            roots.extend([s.min, s.extent])
            visit(s.body)
        elif isinstance(s, tirx.IfThenElse):
            roots.append(s.condition)
            visit(s.then_case)
            if s.else_case is not None:
                visit(s.else_case)
        elif isinstance(s, tirx.AttrStmt):
            visit(s.body)
        elif isinstance(s, tirx.Evaluate) and isinstance(s.value, tvm.ir.Call):
            intr = I.intrinsic_of(s.value)
            if intr is not None:
                roots.extend(a for n, a in zip(intr.args, s.value.args) if n in COUNTED_ARGS)
    visit(body)
    found: set = set()
    seen: set = set()
    work = list(roots)
    while work:
        e = work.pop()
        for node in _calls_and_vars(e):
            if isinstance(node, tvm.ir.Call):
                index = _const_arg_index(node)
                if index is not None:
                    found.add(index)
            elif hash(node) not in seen:
                seen.add(hash(node))
                key = node if node in defs else next((b for b in defs if getattr(b, "data", None) is not None
                                                      and b.data.same_as(node)), None)
                if key is not None:
                    seen.add(hash(key))
                    work.append(defs[key])
    return tuple(sorted(found)), frozenset(seen)


def _const_arg_index(call) -> int | None:
    """The index of a `get_arg_val(<constant>)` call, else None."""
    intr = I.intrinsic_of(call)
    if intr is not None and intr.name == "get_arg_val" and isinstance(call.args[0], tirx.IntImm):
        return int(call.args[0])
    return None


def _calls_and_vars(e) -> list:
    import tvm_ffi

    out = []
    tvm_ffi.structural_walk(e, [(tvm.ir.Call, out.append), (tvm.ir.Var, out.append),
                                (tvm.ir.TensorLoad, lambda n: out.append(n.source))])
    return out


_CB_KIND = {"cb_reserve_back": "reserve", "cb_push_back": "push", "cb_wait_front": "wait",
            "cb_pop_front": "pop"}


class KernelCounter:
    """Counts one kernel body; `count(args)` for one core's runtime argument values.

    The body is translated once into a small tree of Python closures (expressions) and nodes
    (statements), keyed by variable hashes: the evaluation below runs per core and per loop iteration,
    and TVM's objects are slow to walk and compare from Python."""

    def __init__(self, body, page_bytes: dict[str, int], where: str):
        self.body = body
        self.page_bytes = page_bytes      # tensor name -> bytes per page
        self.where = where
        self._memo: dict = {}
        self._seen: dict = {}         # values of the steering args -> Tally
        self._steering: tuple | None = None
        self._relevant: frozenset = frozenset()
        self._root = None

    def count(self, args: list) -> Tally:
        """The counts for one core's runtime args. Only the args that steer loops, conditions and
        counted sizes matter (`_steering`): cores that agree on those share their counts, and
        statements are memoized across cores and iterations on the steering values they see."""
        if self._steering is None:
            self._steering, self._relevant = _steering(self.body)
            self._root = self._node(self.body)
        key = tuple(args[i] if i < len(args) else None for i in self._steering)
        if key not in self._seen:
            self.args = args
            try:
                self._seen[key] = self._stmt(self._root, {})
            except _Unbound as u:
                raise TTInternalError(f"{self.where}: variable {u.var.name} is used but never bound") from None
        return self._seen[key]

    # ------------------------------------------------------------------------------ translation
    def _expr(self, e):
        """A closure env -> value: an int / bool / str, or None for what is not a count (an address)."""
        if isinstance(e, (tirx.IntImm, tirx.FloatImm)):
            value = e.value
            return lambda env: value
        if isinstance(e, tvm.ir.StringImm):
            text = str(e.value)
            return lambda env: text
        if isinstance(e, tirx.Cast):
            return self._expr(e.value)
        if isinstance(e, (tvm.ir.Var, tvm.ir.TensorLoad)):     # a variable or a scalar cell
            var = e if isinstance(e, tvm.ir.Var) else e.source
            h = hash(var)

            def load(env):
                v = env.get(h, _MISSING)
                if v is _MISSING:
                    raise _Unbound(var)
                if type(v) is _Pending:
                    raise _Unbound(v.var)
                return v
            return load
        if isinstance(e, tvm.ir.Call):
            intr = I.intrinsic_of(e)
            if intr is None or intr.name != "get_arg_val":
                return lambda env: None                         # an address or a pointer: not a count
            index = self._expr(e.args[0])

            def arg(env):
                i = int(index(env))
                if i >= len(self.args):
                    raise TTInternalError(f"{self.where}: get_arg_val({i}) but the core has {len(self.args)} "
                                          f"runtime args")
                v = self.args[i]
                return v if isinstance(v, int) else None       # symbolic (address, NOC coordinate ...)
            return arg
        fn = _BINARY.get(type(e))
        if fn is not None:
            fa, fb = self._expr(e.a), self._expr(e.b)

            def binary(env):
                a, b = fa(env), fb(env)
                return None if a is None or b is None else fn(a, b)
            return binary
        if isinstance(e, tirx.Not):
            fa = self._expr(e.a)
            return lambda env: (lambda a: None if a is None else not a)(fa(env))
        if isinstance(e, tirx.Select):
            fc, ft, ff = self._expr(e.condition), self._expr(e.true_value), self._expr(e.false_value)

            def select(env):
                c = fc(env)
                return None if c is None else (ft(env) if c else ff(env))
            return select
        return lambda env: None

    def _node(self, s) -> "_Node":
        node = _Node(s)
        import tvm_ffi

        found_vars, calls = [], []
        tvm_ffi.structural_walk(s, [(tvm.ir.Var, found_vars.append), (tvm.ir.Call, calls.append)])
        node.free = tuple(dict.fromkeys(h for h in map(hash, found_vars) if h in self._relevant))
        reads = {_const_arg_index(c) for c in calls} - {None}
        node.reads = tuple(sorted(i for i in reads if i in self._steering))
        if isinstance(s, tirx.SeqStmt):
            node.kind = "seq"
            node.items = []
            for x in s.seq:
                if isinstance(x, (tirx.Bind, tirx.BufferStore)):
                    key = x.var if isinstance(x, tirx.Bind) else x.buffer
                    node.items.append((True, hash(key), self._expr(x.value)))
                else:
                    node.items.append((False, self._node(x), None))
        elif isinstance(s, tirx.For):
            node.kind = "for"
            node.var = hash(s.loop_var)
            node.lo, node.extent = (s.min, self._expr(s.min)), (s.extent, self._expr(s.extent))
            node.body = self._node(s.body)
        elif isinstance(s, tirx.IfThenElse):
            node.kind = "if"
            node.cond = (s.condition, self._expr(s.condition))
            node.then = self._node(s.then_case)
            node.other = self._node(s.else_case) if s.else_case is not None else None
        elif isinstance(s, tirx.AttrStmt):
            node.kind = "attr"
            node.body = self._node(s.body)
        elif isinstance(s, tirx.Evaluate) and isinstance(s.value, tvm.ir.Call) and \
                I.intrinsic_of(s.value) is not None:
            intr = I.intrinsic_of(s.value)
            node.kind = "call"
            node.name = intr.name
            node.args = {n: (a, self._expr(a)) for n, a in zip(intr.args, s.value.args)}
        else:
            node.kind = "nop"                 # lets and stores alone, allocations, other evaluations
        return node

    # ------------------------------------------------------------------------------- evaluation
    def _int(self, expr, env, what):
        e, fn = expr
        v = fn(env)
        if not isinstance(v, (int, bool)):
            raise TTInternalError(f"{self.where}: {what} `{e}` is not a number known at compile time")
        return int(v)

    def _stmt(self, node, env) -> Tally:
        if node.kind in ("if", "call", "nop"):       # cheaper to evaluate than to look up (a branch memoizes)
            return self._stmt_uncached(node, env)
        # The memo key: the statement and the values of what can change its counts (the steering
        # variables free in it and the steering args it reads), so statements that differ only in tile
        # ids or addresses (another K block, another core) share one count.
        free = tuple((h, env[h]) for h in node.free if h in env)
        if any(type(v) is _Pending for _, v in free):
            return self._stmt_uncached(node, env)
        key = (id(node), free, tuple(self.args[i] if i < len(self.args) else None for i in node.reads))
        t = self._memo.get(key)
        if t is None:
            t = self._memo[key] = self._stmt_uncached(node, env)
        return t

    def _stmt_uncached(self, node, env) -> Tally:
        t = Tally()
        kind = node.kind
        if kind == "seq":
            env = dict(env)
            for is_let, what, value in node.items:
                if is_let:
                    try:
                        env[what] = value(env)
                    except _Unbound as u:
                        env[what] = _Pending(u.var)
                else:
                    t.add(self._stmt(what, env))
            return t
        if kind == "for":
            n = self._int(node.extent, env, "the loop extent")
            lo = self._int(node.lo, env, "the loop start")
            if n <= 0:
                return t
            try:
                t.add(self._stmt(node.body, env), n)
                return t
            except _Unbound as u:
                if hash(u.var) != node.var:
                    raise
            for i in range(lo, lo + n):
                t.add(self._stmt(node.body, {**env, node.var: i}))
            return t
        if kind == "if":
            cond, fn = node.cond
            c = fn(env)
            if c is None:
                raise TTInternalError(f"{self.where}: the condition `{cond}` is not known at compile time")
            if c:
                return self._stmt(node.then, env)
            return self._stmt(node.other, env) if node.other is not None else t
        if kind == "attr":
            return self._stmt(node.body, env)
        if kind == "call":
            self._call(node, env, t)
        return t

    def _call(self, node, env, t: Tally) -> None:
        name, a = node.name, node.args
        t.bump(("call", name))
        if name in _CB_KIND:
            cb = self._int(a["cb"], env, "the CB id")
            n = self._int(a["num_pages"], env, "the page count")
            t.bump(("cb", cb, _CB_KIND[name]), n)
            t.bump(("max", "cb_request", cb), n)
        elif name in ("noc_async_read_page", "noc_async_write_page"):
            tensor = str(a["accessor"][0].value)
            kind = "dram_read" if name == "noc_async_read_page" else "dram_write"
            t.bump((kind, tensor), 1)
            t.bump((kind + "_bytes",), self.page_bytes[tensor])
        elif name == "matmul_tiles":
            t.bump(("matmul_tiles",), 1)
        elif name == "matmul_block":
            ct = self._int(a["ct_dim"], env, "ct_dim")
            rt = self._int(a["rt_dim"], env, "rt_dim")
            t.bump(("matmul_tiles",), ct * rt)
            t.bump(("matmul_block_dims", rt, ct), 1)
        elif name in SFPU_ROUTINE:
            t.bump(("sfpu_op", SFPU_ROUTINE[name](a)), 1)
        elif name == "pack_tile_to":
            if self._int(a["l1_acc"], env, "pack_tile_to's l1_acc"):
                t.bump(("pack_l1_acc_tiles",), 1)
        elif name == "noc_async_write_multicast":
            size = self._int(a["size"], env, "the multicast size")
            dests = self._int(a["num_dests"], env, "the multicast destination count")
            t.bump(("mcast_bytes",), size)
            t.bump(("mcast_dests",), dests)


class _Node:
    """One statement of the translated body: its kind, its parts, and what its count depends on
    (`free`: hashes of the steering variables in it; `reads`: the steering args it reads)."""
    __slots__ = ("stmt", "kind", "free", "reads", "items", "var", "lo", "extent", "body", "cond", "then",
                 "other", "name", "args")

    def __init__(self, stmt):
        self.stmt = stmt


_MISSING = object()
_BINARY = {tirx.Add: lambda a, b: a + b, tirx.Sub: lambda a, b: a - b, tirx.Mul: lambda a, b: a * b,
           tirx.FloorDiv: lambda a, b: a // b, tirx.FloorMod: lambda a, b: a % b,
           tirx.Div: lambda a, b: a // b, tirx.Mod: lambda a, b: a % b,
           tirx.Min: min, tirx.Max: max, tirx.LT: lambda a, b: a < b, tirx.LE: lambda a, b: a <= b,
           tirx.GT: lambda a, b: a > b, tirx.GE: lambda a, b: a >= b, tirx.EQ: lambda a, b: a == b,
           tirx.NE: lambda a, b: a != b, tirx.And: lambda a, b: a and b, tirx.Or: lambda a, b: a or b}
