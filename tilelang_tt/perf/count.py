"""Exact per-core work of a TT-level TIR module (docs/contracts.md section 1), by walking its kernels.

`program_work(tt_mod) -> ProgramWork` runs every role PrimFunc once per core with that core's runtime
arguments bound (block_start / block_count from the work split; DRAM addresses are irrelevant to counts
and bound to 0), multiplies loop trip counts out and counts the T.tt.* calls by the conventions of
perf/work.py. A loop whose variable reaches nothing that changes a count (a loop bound, a condition, a
counted argument such as matmul_block's dimensions) is counted once and multiplied; otherwise it is
walked iteration by iteration. A T.tt.* call without a counting rule is an internal error: the counter
must learn every intrinsic that costs time.
"""
from __future__ import annotations

from tvm import tirx
from tvm.ir.expr import Expr as PrimExpr

from ..errors import TTInternalError
from ..intrinsics import intrinsic_of
from ..target import TILE_BYTES
from .matmul import unpacked_per_call
from .work import ComputeWork, CoreWork, DMWork, ProgramWork

# role -> processor of today's three-kernel plan (docs/plan-schema.md); a kernel may name its own with
# the function attribute "tt.processor".
ROLE_PROCESSOR = {"reader": "RISCV_1", "writer": "RISCV_0", "compute": "compute"}

# Calls that cost nothing the model charges (bookkeeping, CB protocol, one-time setup).
FREE = {"get_arg_val", "cb_reserve_back", "cb_push_back", "cb_wait_front", "cb_pop_front", "get_write_ptr",
        "get_read_ptr", "get_tile_size", "tensor_accessor", "compute_kernel_hw_startup", "tile_regs_commit",
        "tile_regs_wait", "tile_regs_release", "noc_semaphore_set", "get_semaphore"}
INITS = {"matmul_init", "copy_init", "binary_init", "binary_dest_reuse_init", "unary_init", "matmul_block_init"}
# Argument names whose values change counts (matmul_block dims, multicast sizes).
COUNTED_ARGS = {"ct_dim", "rt_dim", "num_dests", "size", "bytes"}

_BIN = {tirx.Add: lambda a, b: a + b, tirx.Sub: lambda a, b: a - b, tirx.Mul: lambda a, b: a * b,
        tirx.FloorDiv: lambda a, b: a // b, tirx.FloorMod: lambda a, b: a % b,
        tirx.Div: lambda a, b: int(a / b), tirx.Mod: lambda a, b: a - b * int(a / b),
        tirx.Min: min, tirx.Max: max, tirx.EQ: lambda a, b: a == b, tirx.NE: lambda a, b: a != b,
        tirx.LT: lambda a, b: a < b, tirx.LE: lambda a, b: a <= b, tirx.GT: lambda a, b: a > b,
        tirx.GE: lambda a, b: a >= b, tirx.And: lambda a, b: bool(a) and bool(b),
        tirx.Or: lambda a, b: bool(a) or bool(b)}


class _Walker:
    def __init__(self, func, args: list[int], processor: str, page_bytes: dict):
        self.func = func
        self.args = args
        self.proc = processor
        self.page_bytes = page_bytes          # tensor name -> page bytes (from tt_tensors)
        self.accessors: dict[str, int] = {}   # accessor name -> page bytes it was declared with
        self.compute = ComputeWork()
        self.dm = DMWork()

    # --- expressions -------------------------------------------------------------------------------------
    def eval(self, e, env):
        if isinstance(e, (int, bool)):
            return e
        if isinstance(e, tirx.IntImm):
            return int(e.value)
        if isinstance(e, tirx.Var):
            if e not in env:
                raise TTInternalError(f"perf.count: {self.func_name} uses {e.name} before binding it")
            return env[e]
        if isinstance(e, tirx.Cast):
            return self.eval(e.value, env)
        if isinstance(e, tirx.Not):
            return not self.eval(e.a, env)
        if isinstance(e, tirx.Select):
            return self.eval(e.true_value if self.eval(e.condition, env) else e.false_value, env)
        op = _BIN.get(type(e))
        if op is not None:
            return op(self.eval(e.a, env), self.eval(e.b, env))
        intr = intrinsic_of(e)
        if intr is not None and intr.name == "get_arg_val":
            i = self.eval(e.args[0], env)
            if not 0 <= i < len(self.args):
                raise TTInternalError(f"perf.count: {self.func_name} reads runtime arg {i} of {len(self.args)}")
            return self.args[i]
        if intr is not None and intr.name in ("get_write_ptr", "get_read_ptr", "get_tile_size"):
            return 0                          # L1 addresses never change a count
        raise TTInternalError(f"perf.count: cannot evaluate {e} in {self.func_name}")

    @property
    def func_name(self) -> str:
        return str(self.func.attrs.get("global_symbol", "kernel")) if self.func.attrs else "kernel"

    # --- which variables reach a count ---------------------------------------------------------------------
    def _vars(self, e, out: set):
        if isinstance(e, tirx.Var):
            out.add(e)
        for name in ("a", "b", "value", "condition", "true_value", "false_value"):
            sub = getattr(e, name, None)
            if isinstance(sub, PrimExpr):
                self._vars(sub, out)
        for sub in getattr(e, "args", []) or []:
            if isinstance(sub, PrimExpr):
                self._vars(sub, out)

    def _relevant(self, stmt, lets: dict, out: set):
        """Variables whose value can change the counts of `stmt`."""
        def add(e):
            found: set = set()
            self._vars(e, found)
            todo = list(found)
            while todo:
                v = todo.pop()
                if v in out:
                    continue
                out.add(v)
                if v in lets:
                    more: set = set()
                    self._vars(lets[v], more)
                    todo.extend(more)
        if isinstance(stmt, tirx.Bind):
            lets[stmt.var] = stmt.value
        elif isinstance(stmt, tirx.SeqStmt):
            for s in stmt.seq:
                self._relevant(s, lets, out)
        elif isinstance(stmt, tirx.For):
            add(stmt.min), add(stmt.extent)
            self._relevant(stmt.body, lets, out)
        elif isinstance(stmt, tirx.IfThenElse):
            add(stmt.condition)
            self._relevant(stmt.then_case, lets, out)
            if stmt.else_case is not None:
                self._relevant(stmt.else_case, lets, out)
        elif isinstance(stmt, tirx.LetStmt):
            lets[stmt.var] = stmt.value
            self._relevant(stmt.body, lets, out)
        elif isinstance(stmt, tirx.Evaluate):
            intr = intrinsic_of(stmt.value)
            if intr is not None:
                for name, arg in zip(intr.args, stmt.value.args):
                    if name in COUNTED_ARGS:
                        add(arg)

    # --- statements ----------------------------------------------------------------------------------------
    def run(self, stmt, env, scale: int = 1):
        if isinstance(stmt, tirx.SeqStmt):
            env = dict(env)
            for s in stmt.seq:
                if isinstance(s, tirx.Bind):
                    env[s.var] = self._maybe(s.value, env)
                else:
                    self.run(s, env, scale)
        elif isinstance(stmt, tirx.Bind):
            env[stmt.var] = self._maybe(stmt.value, env)
        elif isinstance(stmt, tirx.LetStmt):
            env = dict(env)
            env[stmt.var] = self._maybe(stmt.value, env)
            self.run(stmt.body, env, scale)
        elif isinstance(stmt, tirx.For):
            lo, n = self.eval(stmt.min, env), self.eval(stmt.extent, env)
            if n <= 0:
                return
            relevant: set = set()
            self._relevant(stmt.body, {}, relevant)
            if stmt.loop_var in relevant:
                for i in range(lo, lo + n):
                    self.run(stmt.body, {**env, stmt.loop_var: i}, scale)
            else:
                self.run(stmt.body, {**env, stmt.loop_var: lo}, scale * n)
        elif isinstance(stmt, tirx.IfThenElse):
            if self.eval(stmt.condition, env):
                self.run(stmt.then_case, env, scale)
            elif stmt.else_case is not None:
                self.run(stmt.else_case, env, scale)
        elif isinstance(stmt, tirx.Evaluate):
            self.call(stmt.value, env, scale)
        else:
            raise TTInternalError(f"perf.count: statement {type(stmt).__name__} in {self.func_name} has no rule")

    def _maybe(self, e, env):
        """Value of a binding, or None when it cannot matter (e.g. an L1 address expression)."""
        try:
            return self.eval(e, env)
        except TTInternalError:
            return None

    def call(self, e, env, scale: int):
        intr = intrinsic_of(e)
        if intr is None:
            raise TTInternalError(f"perf.count: {self.func_name} calls {e}, which is not a T.tt.* intrinsic")
        name, a = intr.name, dict(zip(intr.args, e.args))
        c, d = self.compute, self.dm
        if name in FREE:
            return
        if name == "tensor_accessor":
            return
        if name in INITS:
            c.inits += scale
        elif name == "matmul_tiles":
            c.matmul_tiles += scale
            c.matmul_calls += scale
            c.matmul_unpacked_tiles += 2 * scale
            c.matmul_unpacked_in0_tiles += scale
        elif name == "matmul_block":
            h, w = self.eval(a["rt_dim"], env), self.eval(a["ct_dim"], env)
            in0, in1 = unpacked_per_call(h, w)
            c.matmul_tiles += scale * h * w
            c.matmul_calls += scale
            c.matmul_unpacked_tiles += scale * (in0 + in1)
            c.matmul_unpacked_in0_tiles += scale * in0
        elif name == "copy_tile":
            c.copy_tiles += scale
        elif name in ("binary_tiles", "binary_dest_reuse_tiles"):
            c.eltwise_tiles += scale
        elif name in ("unary_tile", "fill_tile"):
            c.sfpu_tiles += scale
        elif name == "pack_tile":
            c.pack_tiles += scale
        elif name == "tile_regs_acquire":
            c.dst_acquires += scale
        elif name in ("noc_async_read_page", "noc_async_write_page"):
            acc = str(getattr(e.args[1], "value", e.args[1]))
            nbytes = self.accessors.get(acc, self.page_bytes.get(acc))
            if nbytes is None:
                raise TTInternalError(f"perf.count: {self.func_name} reads accessor {acc!r} it never declared")
            if name == "noc_async_read_page":
                d.dram_read_pages += scale
                d.dram_read_bytes += scale * nbytes
            else:
                d.dram_write_pages += scale
                d.dram_write_bytes += scale * nbytes
        elif name in ("noc_async_read_barrier", "noc_async_write_barrier", "noc_async_atomic_barrier"):
            d.barriers += scale
        elif name == "noc_semaphore_wait":
            d.sem_waits += scale
        elif name in ("noc_semaphore_inc", "noc_semaphore_set_multicast"):
            d.sem_signals += scale
        elif name == "noc_async_write_multicast":
            d.mcast_writes += scale
            d.mcast_bytes += scale * self.eval(a["size"], env)
            d.mcast_dests += scale * self.eval(a["num_dests"], env)
        else:
            raise TTInternalError(f"perf.count: no counting rule for T.tt.{name} (in {self.func_name}); "
                                  "add one to tilelang_tt/perf/count.py")

    def declare(self, stmt):
        """Record the page size of every accessor the kernel declares (before the walk)."""
        def visit(s):
            if isinstance(s, tirx.Evaluate):
                intr = intrinsic_of(s.value)
                if intr is not None and intr.name == "tensor_accessor":
                    name = s.value.args[0].value
                    self.accessors[name] = self.eval(s.value.args[3], {})
            for attr in ("seq",):
                for sub in getattr(s, attr, []) or []:
                    visit(sub)
            for attr in ("body", "then_case", "else_case"):
                sub = getattr(s, attr, None)
                if isinstance(sub, tirx.Stmt):
                    visit(sub)
        visit(stmt)


def _attr(func, key, default=None):
    return func.attrs[key] if func.attrs is not None and key in func.attrs else default


def program_work(tt_mod) -> ProgramWork:
    """Count the work of every core of a TT-level module (lower_to_tt output)."""
    funcs = [f for f in tt_mod.functions.values() if isinstance(f, tirx.PrimFunc) and _attr(f, "tt.kernel_role")]
    if not funcs:
        raise TTInternalError("perf.count: the module has no TT kernels (functions with attr tt.kernel_role)")
    f0 = funcs[0]
    model = str(_attr(f0, "tt_model"))
    counts = [int(v) for v in _attr(f0, "tiles_per_core")]
    starts = [int(v) for v in _attr(f0, "tt_block_start")]
    cols = int(_attr(f0, "tt_core_grid")[0])
    cfg = _attr(f0, "tt_compute_config")
    tensors = {str(t["name"]): t for t in _attr(f0, "tt_tensors")}
    page_bytes = {n: int(t["page_bytes"]) for n, t in tensors.items()}
    cbs = sorted(_attr(f0, "tt_cb_plan"), key=lambda cb: int(cb["index"]))
    in_fmts = [str(cb["data_format"]) for cb in cbs if str(cb["role"]) == "input"]
    out_fmts = [str(cb["data_format"]) for cb in cbs if str(cb["role"]) == "output"]
    inter = [str(cb["data_format"]) for cb in cbs if str(cb["role"]) == "intermediate"]
    for f in in_fmts + out_fmts:
        if f not in TILE_BYTES:
            raise TTInternalError(f"perf.count: unknown data format {f}")
    depth = min((int(cb["num_pages"]) // max(1, int(cb["block_pages"])) for cb in cbs
                 if str(cb["role"]) == "input"), default=1)
    cores = []
    memo: dict = {}
    for i, (n, start) in enumerate(zip(counts, starts)):
        core = CoreWork(core=(i % cols, i // cols), step_overlap=min(2, max(1, depth)), blocks=n, out_overlap=1)
        for f in funcs:
            role = str(_attr(f, "tt.kernel_role"))
            proc = str(_attr(f, "tt.processor", ROLE_PROCESSOR.get(role, "")))
            if not proc:
                raise TTInternalError(f"perf.count: kernel role {role!r} has no processor")
            names = [str(a) for a in _attr(f, "tt.runtime_args", [])]
            vals = [start if a == "block_start" else n if a == "block_count" else 0 for a in names]
            key = (f, tuple(vals))
            if key not in memo:
                w = _Walker(f, vals, proc, page_bytes)
                w.declare(f.body)
                w.run(f.body, {})
                memo[key] = w
            w = memo[key]
            if proc == "compute":
                core.compute.add(w.compute)
            else:
                core.dm_of(proc).add(w.dm)
        # steps: the reader's CB blocks per input CB = K steps of today's lowering (one A and one B per step)
        core.steps = core.dm.get("RISCV_1", DMWork()).barriers // max(1, len(in_fmts)) or n
        cores.append(core)
    return ProgramWork(model=model, math_fidelity=str(cfg["math_fidelity"]),
                       fp32_dest_acc_en=bool(cfg["fp32_dest_acc_en"]), input_formats=in_fmts or out_fmts,
                       output_format=out_fmts[0] if out_fmts else in_fmts[0],
                       intermediate_format=inter[0] if inter else None, cores=cores, kernels=len(funcs),
                       label=str(_attr(f0, "tt.kernel", "kernel")))
