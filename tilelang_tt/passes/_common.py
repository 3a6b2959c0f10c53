"""Shared helpers of the tt.* passes: reading a frontend tile kernel into a small model, error messages,
target resolution, tile-region arithmetic. No pass logic lives here."""
from __future__ import annotations

from dataclasses import dataclass, field

import tvm
from tvm import tirx
from tvm.sym.analyzer import Analyzer

from ..errors import TTCompileError
from ..target import TILE_COLS, TILE_ROWS, hardware, model_of

TILE_OP_PREFIX = "tirx.tile."
GRID_TAGS = ("blockIdx.x", "blockIdx.y")

# What VerifyInput accepts, for error messages.
SUPPORTED_OPS_TEXT = ("Tx.copy (global<->shared, local->global, shared->local), Tx.fill (local), "
                      "Tx.gemm, Tx.add/sub/mul, Tx.exp/sqrt/reciprocal/silu, Tx.maximum(x, y, 0) (relu), "
                      "Tx.cast")


def kernel_name(func) -> str:
    if func.attrs is not None and "global_symbol" in func.attrs:
        return str(func.attrs["global_symbol"])
    return "main"


def fail(kernel: str, problem: str, stmt=None, supported: str | None = None, fix: str | None = None,
         cls=TTCompileError):
    """Raise a TT error naming the kernel, the offending statement, what is supported and what to change."""
    msg = f"kernel '{kernel}': {problem}"
    if stmt is not None:
        msg += "\n  offending statement:\n    " + stmt_text(stmt).replace("\n", "\n    ")
    if supported:
        msg += f"\n  supported: {supported}"
    if fix:
        msg += f"\n  fix: {fix}"
    raise cls(msg)


def stmt_text(stmt) -> str:
    """The statement as TVMScript, without the buffer declarations the printer adds for free vars."""
    try:
        text = stmt.script(show_meta=False)
    except Exception:  # noqa: BLE001  (printing is best effort inside an error path)
        return str(stmt)
    lines = [ln for ln in text.splitlines()
             if ln.strip() and not ln.startswith("#") and " = T.Buffer(" not in ln
             and not ln.rstrip().endswith("= T.int32()")]
    return "\n".join(lines) if lines else text


def resolve_target(func, target):
    """The target a pass works for: explicit argument, else the function's bound `target` attr, else the
    default Tenstorrent model."""
    if target is None and func.attrs is not None and "target" in func.attrs:
        target = func.attrs["target"]
    return target


def model_and_hw(func, target):
    target = resolve_target(func, target)
    return model_of(target), hardware(target)


def free_vars(expr) -> list:
    """The variables that occur in `expr`, each once, in order of first occurrence."""
    import tvm_ffi

    out = []

    def on_var(v):
        if v not in out:
            out.append(v)
    tvm_ffi.structural_walk(expr, [(tvm.ir.Var, on_var)])
    return out


def is_buffer(x) -> bool:
    return isinstance(x, tvm.ir.Var) and tirx.buffer.is_buffer_var(x)


def scope_of(buf) -> str:
    return str(buf.scope())


def shape_of(buf) -> tuple:
    return tuple(buf.shape)


def static_shape(buf) -> tuple[int, ...] | None:
    dims = []
    for d in buf.shape:
        if not isinstance(d, tirx.IntImm):
            return None
        dims.append(int(d))
    return tuple(dims)


def tiles_of(buf) -> tuple[int, int]:
    """(tile rows, tile cols) of a 2-D tile-aligned buffer."""
    rows, cols = static_shape(buf)
    return rows // TILE_ROWS, cols // TILE_COLS


def num_tiles(buf) -> int:
    rt, ct = tiles_of(buf)
    return rt * ct


@dataclass
class TileOp:
    """One TilePrimitiveCall: `kind` is the op name without the `tirx.tile.` prefix."""
    stmt: object
    kind: str

    @property
    def args(self):
        return list(self.stmt.args)


@dataclass
class Loop:
    """A serial loop of the frontend kernel (inside the grid), holding tile ops and loops."""
    stmt: object
    body: list = field(default_factory=list)

    @property
    def var(self):
        return self.stmt.loop_var

    @property
    def extent(self) -> int:
        return int(self.stmt.extent)


@dataclass
class KernelModel:
    """The frontend kernel as the TT passes see it: grid, buffers, and the per-block program."""
    name: str
    func: object
    grid: dict            # tag -> (Var, extent int)
    launches: list        # AttrStmt nodes of the launch_thread bindings, outermost first
    params: list          # global buffer Vars in parameter order
    allocs: list          # shared/local buffer Vars in allocation order
    body: list            # TileOp / Loop, the per-block program

    @property
    def grid_x(self) -> int:
        return self.grid["blockIdx.x"][1] if "blockIdx.x" in self.grid else 1

    @property
    def grid_y(self) -> int:
        return self.grid["blockIdx.y"][1] if "blockIdx.y" in self.grid else 1

    def walk_ops(self):
        """Every TileOp in program order, with the list of enclosing Loops."""
        def rec(items, loops):
            for it in items:
                if isinstance(it, Loop):
                    yield from rec(it.body, loops + [it])
                else:
                    yield it, loops
        yield from rec(self.body, [])


def read_kernel(func, strict: bool = True) -> KernelModel:
    """Split a frontend PrimFunc into grid bindings, buffers and tile program.

    With strict=False, statements outside the supported structure are skipped instead of raising (used
    by passes that only need the grid); VerifyInput runs with strict=True and names what is wrong.
    """
    name = kernel_name(func)
    grid, launches, allocs = {}, [], []

    def flatten(stmt):
        if isinstance(stmt, tirx.SeqStmt):
            out = []
            for s in stmt.seq:
                out.extend(flatten(s))
            return out
        return [stmt]

    def read_seq(stmts, in_loop):
        items = []
        for s in stmts:
            if isinstance(s, tirx.AttrStmt) and s.attr_key == "thread_extent":
                tag = str(s.node.thread_tag)
                if in_loop and strict:
                    fail(name, f"launch_thread('{tag}') inside a loop", s,
                         fix="bind the grid with T.launch_thread at the top of the kernel")
                if not isinstance(s.value, tirx.IntImm):
                    if strict:
                        fail(name, f"the extent of {tag} is not a constant", s,
                             supported="static grid extents", fix="make the grid size a Python int")
                    ext = 0
                else:
                    ext = int(s.value)
                grid[tag] = (s.node.var, ext)
                launches.append(s)
                items.extend(read_seq(flatten(s.body), in_loop))
            elif isinstance(s, tirx.AllocBuffer):
                if in_loop and strict:
                    fail(name, f"buffer {s.buffer.name} is allocated inside a loop", s,
                         fix="allocate shared/local buffers at the top of the kernel")
                allocs.append(s.buffer)
            elif isinstance(s, tirx.TilePrimitiveCall):
                op = str(s.op.name)
                items.append(TileOp(s, op[len(TILE_OP_PREFIX):] if op.startswith(TILE_OP_PREFIX) else op))
            elif isinstance(s, tirx.For):
                items.append(Loop(s, read_seq(flatten(s.body), True)))
            elif isinstance(s, tirx.Evaluate) and isinstance(s.value, tirx.IntImm):
                continue  # T.evaluate(0): a no-op the parser leaves behind
            elif strict:
                fail(name, f"unsupported statement {type(s).__name__}", s,
                     supported="T.launch_thread grid bindings, T.alloc_buffer (shared/local), serial "
                               "loops with static extents, and tile primitives: " + SUPPORTED_OPS_TEXT,
                     fix="express the kernel with tile primitives on whole shared/local buffers")
        return items

    body = read_seq(flatten(func.body), False)
    params = [p for p in func.params if is_buffer(p)]
    return KernelModel(name, func, grid, launches, params, allocs, body)


# ---------------------------------------------------------------------------------------------------
# Regions

_ANALYZER = Analyzer()


def simplify(e):
    return _ANALYZER.simplify(e)


def region_of(arg):
    """(buffer Var, [(min, extent)]) of a TensorRegion tile-op argument, else None."""
    if isinstance(arg, tvm.ir.TensorRegion):
        return arg.source, [(r.min, r.extent) for r in arg.region]
    if is_buffer(arg):
        return arg, [(tirx.IntImm("int32", 0), d) for d in arg.shape]
    return None


def covers_whole(buf, ranges) -> bool:
    shape = static_shape(buf)
    if shape is None or len(ranges) != len(shape):
        return False
    for (lo, ext), dim in zip(ranges, shape):
        if not (isinstance(simplify(lo), tirx.IntImm) and int(simplify(lo)) == 0):
            return False
        if not (isinstance(ext, tirx.IntImm) and int(ext) == dim):
            return False
    return True


def tile_start(expr, tile: int):
    """expr // tile, simplified (the start is known to be tile-aligned)."""
    return simplify(tirx.floordiv(expr, tile))


def is_multiple(expr, k: int) -> bool:
    r = simplify(tirx.floormod(expr, k))
    return isinstance(r, tirx.IntImm) and int(r) == 0
