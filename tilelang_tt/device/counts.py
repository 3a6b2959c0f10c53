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
from ..frontend.program import free_vars


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


def steering_args(body) -> tuple:
    """Indices of the runtime args that reach a loop bound, a condition or a counted argument, through
    the lets in between (a static dataflow over the kernel)."""
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
                intr = I.intrinsic_of(node)
                if intr is not None and intr.name == "get_arg_val" and isinstance(node.args[0], tirx.IntImm):
                    found.add(int(node.args[0]))
            elif hash(node) not in seen:
                seen.add(hash(node))
                key = node if node in defs else next((b for b in defs if getattr(b, "data", None) is not None
                                                      and b.data.same_as(node)), None)
                if key is not None:
                    work.append(defs[key])
    return tuple(sorted(found))


def _calls_and_vars(e) -> list:
    import tvm_ffi

    out = []
    tvm_ffi.structural_walk(e, [(tvm.ir.Call, out.append), (tvm.ir.Var, out.append),
                                (tvm.ir.TensorLoad, lambda n: out.append(n.source))])
    return out


_CB_KIND = {"cb_reserve_back": "reserve", "cb_push_back": "push", "cb_wait_front": "wait",
            "cb_pop_front": "pop"}


class KernelCounter:
    """Counts one kernel body; `count(args)` for one core's runtime argument values."""

    def __init__(self, body, page_bytes: dict[str, int], where: str):
        self.body = body
        self.page_bytes = page_bytes      # tensor name -> bytes per page
        self.where = where
        self._fv: dict = {}
        self._memo: dict = {}
        self._seen: dict = {}         # values of the steering args -> Tally
        self._steering: tuple | None = None

    def count(self, args: list) -> Tally:
        """The counts for one core's runtime args. Only the args that steer loops, conditions and
        counted sizes matter (`steering_args`): cores that agree on those share their counts."""
        if self._steering is None:
            self._steering = steering_args(self.body)
        key = tuple(args[i] if i < len(args) else None for i in self._steering)
        if key not in self._seen:
            self._memo = {}
            self.args = args
            try:
                self._seen[key] = self._stmt(self.body, {})
            except _Unbound as u:
                raise TTInternalError(f"{self.where}: variable {u.var.name} is used but never bound") from None
        return self._seen[key]

    # ------------------------------------------------------------------------------ expressions
    def _free(self, node) -> tuple:
        # keyed by the node's hash (its handle: unique while self.body keeps it alive; Python wrappers are
        # transient, and TVM expressions compare with an overloaded, slow ==)
        key = hash(node)
        if key not in self._fv:
            self._fv[key] = tuple(free_vars(node))
        return self._fv[key]

    def _expr(self, e, env):
        if isinstance(e, (tirx.IntImm, tirx.FloatImm)):
            return e.value
        if isinstance(e, tvm.ir.StringImm):
            return str(e.value)
        if isinstance(e, tvm.ir.Var):
            if e not in env:
                raise _Unbound(e)
            v = env[e]
            if isinstance(v, _Pending):
                raise _Unbound(v.var)
            return v
        if isinstance(e, tirx.Cast):
            return self._expr(e.value, env)
        if isinstance(e, tvm.ir.TensorLoad):       # a scalar cell (`x: T.int32 = ...`)
            if e.source not in env:
                raise _Unbound(e.source)
            v = env[e.source]
            if isinstance(v, _Pending):
                raise _Unbound(v.var)
            return v
        if isinstance(e, tvm.ir.Call):
            intr = I.intrinsic_of(e)
            if intr is not None and intr.name == "get_arg_val":
                i = int(self._expr(e.args[0], env))
                if i >= len(self.args):
                    raise TTInternalError(f"{self.where}: get_arg_val({i}) but the core has {len(self.args)} "
                                          f"runtime args")
                v = self.args[i]
                return v if isinstance(v, int) else None     # symbolic (address, NOC coordinate ...)
            return None                                       # an address or a pointer: not a count
        ops = {tirx.Add: lambda a, b: a + b, tirx.Sub: lambda a, b: a - b, tirx.Mul: lambda a, b: a * b,
               tirx.FloorDiv: lambda a, b: a // b, tirx.FloorMod: lambda a, b: a % b,
               tirx.Div: lambda a, b: a // b, tirx.Mod: lambda a, b: a % b,
               tirx.Min: min, tirx.Max: max, tirx.LT: lambda a, b: a < b, tirx.LE: lambda a, b: a <= b,
               tirx.GT: lambda a, b: a > b, tirx.GE: lambda a, b: a >= b, tirx.EQ: lambda a, b: a == b,
               tirx.NE: lambda a, b: a != b, tirx.And: lambda a, b: a and b, tirx.Or: lambda a, b: a or b}
        fn = ops.get(type(e))
        if fn is not None:
            a, b = self._expr(e.a, env), self._expr(e.b, env)
            return None if a is None or b is None else fn(a, b)
        if isinstance(e, tirx.Not):
            a = self._expr(e.a, env)
            return None if a is None else not a
        if isinstance(e, tirx.Select):
            c = self._expr(e.condition, env)
            return None if c is None else self._expr(e.true_value if c else e.false_value, env)
        return None

    def _int(self, e, env, what):
        v = self._expr(e, env)
        if not isinstance(v, (int, bool)):
            raise TTInternalError(f"{self.where}: {what} `{e}` is not a number known at compile time")
        return int(v)

    # ------------------------------------------------------------------------------- statements
    def _stmt(self, s, env) -> Tally:
        free = [v for v in self._free(s) if v in env]
        if any(isinstance(env[v], _Pending) for v in free):
            return self._stmt_uncached(s, env)
        key = (hash(s), tuple((hash(v), env[v]) for v in free))
        if key in self._memo:
            return self._memo[key]
        t = self._stmt_uncached(s, env)
        self._memo[key] = t
        return t

    def _stmt_uncached(self, s, env) -> Tally:
        t = Tally()
        if isinstance(s, tirx.SeqStmt):
            env = dict(env)
            for x in s.seq:
                if isinstance(x, (tirx.Bind, tirx.BufferStore)):
                    key = x.var if isinstance(x, tirx.Bind) else x.buffer
                    try:
                        env[key] = self._expr(x.value, env)
                    except _Unbound as u:
                        env[key] = _Pending(u.var)
                else:
                    t.add(self._stmt(x, env))
            return t
        if isinstance(s, (tirx.Bind, tirx.BufferStore, tirx.AllocBuffer)):
            return t
        if isinstance(s, tirx.For):
            n = self._int(s.extent, env, "the loop extent")
            lo = self._int(s.min, env, "the loop start")
            if n <= 0:
                return t
            try:
                t.add(self._stmt(s.body, env), n)
                return t
            except _Unbound as u:
                if not u.var.same_as(s.loop_var):
                    raise
            for i in range(lo, lo + n):
                t.add(self._stmt(s.body, {**env, s.loop_var: i}))
            return t
        if isinstance(s, tirx.IfThenElse):
            c = self._expr(s.condition, env)
            if c is None:
                raise TTInternalError(f"{self.where}: the condition `{s.condition}` is not known at "
                                      f"compile time")
            if c:
                return self._stmt(s.then_case, env)
            return self._stmt(s.else_case, env) if s.else_case is not None else t
        if isinstance(s, tirx.AttrStmt):
            return self._stmt(s.body, env)
        if isinstance(s, tirx.Evaluate) and isinstance(s.value, tvm.ir.Call):
            self._call(s.value, env, t)
        return t

    def _call(self, c, env, t: Tally) -> None:
        intr = I.intrinsic_of(c)
        if intr is None:
            return
        name = intr.name
        t.bump(("call", name))
        a = dict(zip(intr.args, c.args))
        if name in _CB_KIND:
            cb = self._int(a["cb"], env, "the CB id")
            n = self._int(a["num_pages"], env, "the page count")
            t.bump(("cb", cb, _CB_KIND[name]), n)
            t.bump(("max", "cb_request", cb), n)
        elif name in ("noc_async_read_page", "noc_async_write_page"):
            tensor = str(a["accessor"].value)
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
        elif name == "pack_tile_to":
            if self._int(a["l1_acc"], env, "pack_tile_to's l1_acc"):
                t.bump(("pack_l1_acc_tiles",), 1)
        elif name == "noc_async_write_multicast":
            size = self._int(a["size"], env, "the multicast size")
            dests = self._int(a["num_dests"], env, "the multicast destination count")
            t.bump(("mcast_bytes",), size)
            t.bump(("mcast_dests",), dests)
