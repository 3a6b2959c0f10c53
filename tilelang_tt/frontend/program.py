"""The tile kernel as the compiler sees it: a typed TileProgram read from the frontend PrimFunc.

A TileProgram is the grid (blockIdx bindings), the buffers (global parameters, shared and local
allocations) and the per-block program: serial Loops over TileOps. Each TileOp's arguments are
classified once into Operands by memory ("global" DRAM, "shared" CB, "local" DST, or "scalar").
Everything downstream (verification, coverage, scheduling, lowering) reads this model and never walks
the PrimFunc itself. Passes exchange PrimFuncs, so each pass that needs the model calls `read_program`
(five times per compile; it is cheap). `read_program` is the only reader of the TVMScript tile dialect;
a second frontend (TileLang) would produce the same TileProgram.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import tvm
from tvm import tirx
from tvm.sym.analyzer import Analyzer

from ..errors import compile_error
from ..target import TILE_COLS, TILE_ROWS

TILE_OP_PREFIX = "tirx.tile."
PADDED_ATTR = "tt.padded_shapes"     # written by tt.AnnotateLayouts
GRID_TAGS = ("blockIdx.x", "blockIdx.y")


def kernel_name(func) -> str:
    if func.attrs is not None and "global_symbol" in func.attrs:
        return str(func.attrs["global_symbol"])
    return "main"


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


def static_shape(buf) -> tuple[int, ...] | None:
    dims = []
    for d in buf.shape:
        if not isinstance(d, tirx.IntImm):
            return None
        dims.append(int(d))
    return tuple(dims)


def tiles_of(buf) -> tuple[int, int]:
    """(tile rows, tile cols) of a 2-D buffer: a block or a vector (frontend/layout.py)."""
    rows, cols = static_shape(buf)
    return -(-rows // TILE_ROWS), -(-cols // TILE_COLS)


def num_tiles(buf) -> int:
    rt, ct = tiles_of(buf)
    return rt * ct


# ---------------------------------------------------------------------------------------------------
# Operands and regions

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


def scalar_value(arg):
    """A Python float for an int/float immediate, else None."""
    if isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return float(arg)
    if isinstance(arg, (tirx.IntImm, tirx.FloatImm)):
        return float(arg.value)
    return None


class Operand:
    """A tile-op argument classified by memory: 'global' (DRAM), 'shared' (CB), 'local' (DST), 'scalar'."""

    def __init__(self, arg):
        self.arg = arg
        reg = region_of(arg)
        if reg is None:
            self.kind = "scalar" if scalar_value(arg) is not None else "other"
            self.buf, self.ranges, self.value = None, None, scalar_value(arg)
            return
        self.buf, self.ranges = reg
        self.value = None
        scope = scope_of(self.buf)
        self.kind = scope if scope in ("global", "shared", "local") else "other:" + scope

    @property
    def name(self):
        return str(self.buf.name) if self.buf is not None else str(self.arg)

    def is_(self, other: "Operand") -> bool:
        """Same buffer (by Var identity)."""
        return self.buf is not None and other.buf is not None and self.buf.same_as(other.buf)


# ---------------------------------------------------------------------------------------------------
# The program

@dataclass
class TileOp:
    """One TilePrimitiveCall: `kind` is the op name without the `tirx.tile.` prefix."""
    stmt: object
    kind: str
    _operands: list | None = field(default=None, repr=False)

    @property
    def args(self):
        return list(self.stmt.args)

    @property
    def operands(self) -> list[Operand]:
        if self._operands is None:
            self._operands = [Operand(a) for a in self.stmt.args]
        return self._operands

    @property
    def dst(self) -> Operand:
        return self.operands[0]


def classify(op: TileOp) -> list[Operand]:
    return op.operands


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
class TileProgram:
    """The frontend kernel: grid, buffers, and the per-block program."""
    name: str
    func: object
    grid: dict            # tag -> (Var, extent int)
    launches: list        # AttrStmt nodes of the launch_thread bindings, outermost first
    params: list          # global buffer Vars in parameter order
    allocs: list          # shared/local buffer Vars in allocation order
    body: list            # TileOp / Loop, the per-block program
    padded: dict = field(default_factory=dict)   # global tensor name -> (rows, cols) in DRAM (attr tt.padded_shapes)

    def shape(self, buf) -> tuple[int, ...] | None:
        """The shape the device works on: a global tensor's padded shape (whole tiles that the grid's last
        blocks reach; the host pads and crops, passes/annotate_layouts.py), else the declared shape."""
        return self.padded.get(str(buf.name)) or static_shape(buf)

    def is_padded(self, buf) -> bool:
        return str(buf.name) in self.padded

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

    def buffers(self, scope: str) -> list:
        return [b for b in self.allocs if scope_of(b) == scope]

    def param_index(self, buf) -> int:
        for i, p in enumerate(self.func.params):
            if p.same_as(buf):
                return i
        raise KeyError(buf.name)


def read_program(func, strict: bool = True) -> TileProgram:
    """Split a frontend PrimFunc into grid bindings, buffers and tile program.

    With strict=False, statements outside the supported structure are skipped instead of raising (used
    by passes that only need the grid); verification runs with strict=True and names what is wrong.
    """
    from .ops import SUPPORTED_OPS_TEXT

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
                    raise compile_error(name, f"launch_thread('{tag}') inside a loop", s,
                                        fix="bind the grid with T.launch_thread at the top of the kernel")
                if not isinstance(s.value, tirx.IntImm):
                    if strict:
                        raise compile_error(name, f"the extent of {tag} is not a constant", s,
                                            supported="static grid extents",
                                            fix="make the grid size a Python int")
                    ext = 0
                else:
                    ext = int(s.value)
                grid[tag] = (s.node.var, ext)
                launches.append(s)
                items.extend(read_seq(flatten(s.body), in_loop))
            elif isinstance(s, tirx.AllocBuffer):
                if in_loop and strict:
                    raise compile_error(name, f"buffer {s.buffer.name} is allocated inside a loop", s,
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
                raise compile_error(
                    name, f"unsupported statement {type(s).__name__}", s,
                    supported="T.launch_thread grid bindings, T.alloc_buffer (shared/local), serial "
                              "loops with static extents, and tile primitives: " + SUPPORTED_OPS_TEXT,
                    fix="express the kernel with tile primitives on whole shared/local buffers")
        return items

    body = read_seq(flatten(func.body), False)
    params = [p for p in func.params if is_buffer(p)]
    padded = {}
    if func.attrs is not None and PADDED_ATTR in func.attrs:
        padded = {str(k): tuple(int(x) for x in v) for k, v in func.attrs[PADDED_ATTR].items()}
    return TileProgram(name, func, grid, launches, params, allocs, body, padded)
