"""tt.VerifyInput: reject frontend kernels the TT lowering cannot handle, with an actionable message.

Pre-condition: a frontend tile kernel (PrimFunc) as a user writes it (README.md, "What a kernel looks like").
Post-condition: the function is unchanged, and it is known to satisfy everything later tt.* passes
assume:
  * the grid is bound with T.launch_thread("blockIdx.x"/"blockIdx.y", <int>) at the top (no threadIdx);
  * parameters are 2-D global buffers, shared buffers become CBs, local buffers become DST slots; all
    static, 2-D, multiples of 32 in both dimensions; dtypes bfloat16/float32;
  * the per-block program is serial loops (static extents, min 0) over tile primitives on whole
    shared/local buffers; copies between global and shared/local use tile-aligned regions whose starts
    depend only on the grid and loop variables;
  * every shared buffer is loaded from a global buffer; at least one local buffer is copied to global;
  * the grid and loops tile the tensors (coverage.py): regions stay inside their tensor, no two blocks
    write the same output tile, every output element is written, and every gemm result is reduced over
    the whole K of its operands.
Every violation raises TTCompileError naming the kernel, the statement, what is supported and the fix.
"""
from __future__ import annotations

from tvm import tirx

from ..errors import TTInternalError, fail
from ..frontend import program as C
from ..frontend.layout import layout_of, layout_of_shape
from ..frontend.ops import (BINARY_TILE_OPS, PADDING_NEUTRAL_KINDS, REDUCE_OPS, SUPPORTED_OPS_TEXT, UNARY_TILE_OPS,
                            info)
from ..frontend.program import Loop, Operand, TileOp, classify, scalar_value
from ..target import DATA_FORMAT, TILE_COLS, TILE_ROWS
from . import masks
from .coverage import check_coverage
from .padding import plan_padding

PASS_NAME = "tt.VerifyInput"

BUFFER_DTYPES = tuple(DATA_FORMAT)                  # bfloat16, float32
ACCUM_DTYPES = ("float32", "bfloat16")


def verify_kernel(func) -> C.TileProgram:
    """Check one frontend kernel; returns its model. Raises TTCompileError on the first violation."""
    km = C.read_program(func, strict=True)
    name = km.name
    _check_grid(km)
    for p in func.params:
        if C.is_buffer(p):
            _check_buffer(name, p, "global", BUFFER_DTYPES, km, km.shape(p))
    for p in func.params:
        if not C.is_buffer(p):
            fail(name, f"parameter {p.name} is not a buffer",
                 supported="T.Buffer((rows, cols), dtype) parameters in DRAM",
                 fix="pass scalars as compile-time constants (Python ints) instead")
    for b in km.allocs:
        scope = C.scope_of(b)
        if scope == "shared":
            _check_buffer(name, b, "shared", BUFFER_DTYPES, km)
        elif scope == "local":
            _check_buffer(name, b, "local", ACCUM_DTYPES, km)
        else:
            fail(name, f"buffer {b.name} has scope '{scope}'",
                 supported="scope='shared' (a circular buffer in L1) and scope='local' (DST tiles)",
                 fix="allocate it with scope='shared' or scope='local'")
    loop_vars = set()
    _check_items(km, km.body, loop_vars)
    _check_dataflow(km)
    check_coverage(km)   # last: it relies on the tile-aligned, grid/loop-indexed regions checked above
    plan_padding(km)     # a reduction over a ragged axis the device cannot mask / scale is refused here
    return km


def _check_grid(km):
    for tag, (var, ext) in km.grid.items():
        if tag not in C.GRID_TAGS:
            fail(km.name, f"launch_thread('{tag}') is not supported",
                 km.launches[[str(a.node.thread_tag) for a in km.launches].index(tag)],
                 supported="a 1-D or 2-D grid of blocks: blockIdx.x and blockIdx.y; one Tensix core "
                           "computes a whole block, so there are no threads",
                 fix="remove threadIdx/blockIdx.z bindings and fold them into blockIdx.x/blockIdx.y")
        if ext <= 0:
            fail(km.name, f"{tag} has extent {ext}", supported="a positive constant grid extent",
                 fix=f"launch at least one block: T.launch_thread('{tag}', n) with n >= 1")
    if not any(t in km.grid for t in C.GRID_TAGS):
        fail(km.name, "no grid binding found",
             supported="the grid of blocks bound with bx = T.launch_thread('blockIdx.x', n) "
                       "(and optionally blockIdx.y)",
             fix="add bx = T.launch_thread('blockIdx.x', <number of blocks>) at the top of the kernel")


def _construct(km, buf) -> tuple[str, object]:
    """The first tile op that uses `buf`, named as a construct ("row reduction Tx.max into m"), and its
    statement, so a shape error says what the buffer is for before the shape rule."""
    for op, _ in km.walk_ops():
        ops = op.operands
        if not any(o.buf is not None and o.buf.same_as(buf) for o in ops):
            continue
        if op.kind in REDUCE_OPS:
            axes = [int(a) for a in op.args[2]] if len(op.args) > 2 else [-1]
            what = ("row reduction" if axes in ([-1], [1]) else "column reduction" if axes == [0]
                    else "reduction over rows and columns")
            return f"{what} Tx.{op.kind}({ops[0].name}, {ops[1].name}, axes={tuple(axes)})", op.stmt
        if op.kind in BINARY_TILE_OPS + ("maximum", "minimum"):
            shapes = {tuple(C.static_shape(o.buf) or ()) for o in ops[:3] if o.buf is not None}
            if len(shapes) > 1:
                return f"broadcast Tx.{op.kind}({', '.join(o.name for o in ops[:3])})", op.stmt
        return f"Tx.{op.kind}({', '.join(o.name for o in ops if o.buf is not None)})", op.stmt
    return "", None


def _check_buffer(name, buf, what, dtypes, km=None, device_shape=None):
    """`device_shape`: a global tensor's shape on the device (padded when ragged, tt.AnnotateLayouts);
    its declared shape may then be anything positive."""
    construct, stmt = _construct(km, buf) if km is not None else ("", None)
    lead = f"{construct}: " if construct else ""
    shape = C.static_shape(buf)
    if shape is None:
        fail(name, f"{lead}{what} buffer {buf.name} has a symbolic shape {list(buf.shape)}", stmt,
             supported="static shapes", fix="specialize the kernel for concrete sizes")
    if len(shape) == 1 and shape[0] % TILE_ROWS == 0:
        fail(name, f"{lead}{what} buffer {buf.name} is 1-D (shape {list(shape)})", stmt,
             supported="2-D buffers; vectors are (rows, 1) (one value per row, e.g. a row max) or (1, cols) (one "
                       "value per column, e.g. a bias row), scalars (1, 1) (docs/ops.md)",
             fix=f"declare it ({shape[0]}, 1) for one value per row, or (1, {shape[0]}) for one per column")
    if len(shape) != 2:
        fail(name, f"{lead}{what} buffer {buf.name} has rank {len(shape)} (shape {list(shape)})", stmt,
             supported="2-D buffers (rows, cols)", fix="reshape the tensor to 2-D")
    if 0 in shape:
        fail(name, f"{lead}{what} buffer {buf.name} has shape {list(shape)}, an empty dimension", stmt,
             supported="positive dimensions", fix="give every dimension at least one element")
    padded = device_shape is not None and tuple(device_shape) != tuple(shape)
    if padded and any(d % t and d != 1 for d, t in zip(device_shape, (TILE_ROWS, TILE_COLS))):
        raise TTInternalError(f"tt.AnnotateLayouts padded {buf.name} to {list(device_shape)}, not whole tiles")
    if not padded and layout_of_shape(shape) is None:
        if what == "global":
            fail(name, f"{lead}global buffer {buf.name} has shape {list(shape)}, and its blocks do not reach "
                       f"whole {TILE_ROWS}x{TILE_COLS} tiles", stmt,
                 supported="any shape, read and written in blocks whose sizes are multiples of 32 (the last "
                           "block of a ragged dimension may run past the end: the device pads it); vectors "
                           "(32k, 1), (1, 32k) and scalars (1, 1)",
                 fix=f"use block sizes that are multiples of 32 with a ceildiv grid, e.g. "
                     f"T.launch_thread('blockIdx.x', (cols + bn - 1) // bn)")
        fail(name, f"{lead}{what} buffer {buf.name} has shape {list(shape)}, not a multiple of the "
                   f"{TILE_ROWS}x{TILE_COLS} tile", stmt,
             supported="blocks whose both dimensions are positive multiples of 32, column vectors (32k, 1), row "
                       "vectors (1, 32k) and scalars (1, 1)",
             fix="choose block sizes that are multiples of 32")
    if str(buf.dtype) not in dtypes:
        fail(name, f"{what} buffer {buf.name} has dtype {buf.dtype}",
             supported=f"{what} dtypes {', '.join(dtypes)}",
             fix="cast the data to bfloat16 (or float32) before the kernel")


def _check_items(km, items, loop_vars):
    for it in items:
        if isinstance(it, Loop):
            s = it.stmt
            if s.kind != tirx.ForKind.SERIAL or s.thread_binding is not None:
                fail(km.name, f"loop {s.loop_var.name} is {tirx.ForKind(int(s.kind)).name.lower()}", s,
                     supported="serial loops (T.serial / range) inside a block",
                     fix="use T.serial; parallelism comes from the grid of blocks")
            if not isinstance(s.extent, tirx.IntImm) or not isinstance(C.simplify(s.min), tirx.IntImm) \
                    or int(C.simplify(s.min)) != 0:
                fail(km.name, f"loop {s.loop_var.name} has a non-constant range", s,
                     supported="loops range(n) with a constant n", fix="make the trip count a Python int")
            if int(s.extent) <= 0:
                fail(km.name, f"loop {s.loop_var.name} has trip count {int(s.extent)}", s,
                     supported="positive trip counts", fix="remove the loop, or give it at least one iteration")
            _check_items(km, it.body, loop_vars | {s.loop_var})
        else:
            _check_op(km, it, loop_vars)


def _need(km, op, cond, problem, fix, supported=None):
    if not cond:
        fail(km.name, problem, op.stmt, supported=supported, fix=fix)


def _check_whole(km, op, o: Operand):
    _need(km, op, C.covers_whole(o.buf, o.ranges),
          f"the region of {o.kind} buffer {o.name} is not the whole buffer",
          f"pass the whole buffer {o.name} (e.g. {o.name} or {o.name}[0:rows, 0:cols])",
          supported="tile primitives on whole shared/local buffers; sub-regions only on global buffers")


def _check_global_region(km, op, g: Operand, other: Operand, loop_vars):
    grid_vars = {v for v, _ in km.grid.values()}
    gshape = C.static_shape(g.buf)
    for d, (lo, ext) in enumerate(g.ranges):
        tile = TILE_ROWS if d == 0 else TILE_COLS
        if gshape[d] == 1 and isinstance(ext, tirx.IntImm) and int(ext) == 1:
            continue        # the 1 of a vector / (1, 1) tensor: its one (padded) tile
        _need(km, op, isinstance(ext, tirx.IntImm) and int(ext) % tile == 0,
              f"the region of {g.name} has extent {ext} in dimension {d}, not a multiple of {tile}",
              "copy whole 32x32 tiles", supported="tile-aligned regions (multiples of 32)")
        _need(km, op, C.is_multiple(lo, tile),
              f"the region of {g.name} starts at {lo} in dimension {d}, not provably a multiple of {tile}",
              "start regions at multiples of 32 (e.g. by * 64, k * 32)",
              supported="tile-aligned regions (multiples of 32)")
        for v in C.free_vars(lo):
            _need(km, op, v in grid_vars or v in loop_vars,
                  f"the region of {g.name} uses {v.name}, which is neither a grid nor a loop variable",
                  "index global buffers with the blockIdx variables and enclosing loop variables only")
    ext = tuple(int(e) for _, e in g.ranges)
    _need(km, op, ext == C.static_shape(other.buf),
          f"the region of {g.name} has shape {list(ext)} but {other.kind} buffer {other.name} has "
          f"shape {list(C.static_shape(other.buf))}",
          f"copy exactly one {other.name}-sized block")


def _check_op(km, op: TileOp, loop_vars):
    name = km.name
    ops = classify(op)
    kind = op.kind
    entry = info(op)
    if km.padded and entry is not None and entry.kind not in PADDING_NEUTRAL_KINDS:
        padded = ", ".join(f"{n} to {list(s)}" for n, s in km.padded.items())
        fail(name, f"Tx.{kind} in a kernel over ragged tensors ({padded})", op.stmt,
             supported=f"ops whose result does not depend on the padding ({', '.join(PADDING_NEUTRAL_KINDS)}) "
                       "on tensors that are not whole tiles of whole blocks",
             fix="make the tensors' dimensions multiples of the block sizes (pad them on the host with a value "
                 f"neutral for Tx.{kind})")
    if kind == "copy":
        dst, src = ops[0], ops[1]
        if dst.kind == "shared" and src.kind == "global":
            _check_whole(km, op, dst)
            _check_global_region(km, op, src, dst, loop_vars)
            _need(km, op, str(src.buf.dtype) == str(dst.buf.dtype),
                  f"{src.name} is {src.buf.dtype} but shared buffer {dst.name} is {dst.buf.dtype}",
                  "the reader moves pages without converting: give the shared buffer the tensor's dtype")
        elif dst.kind == "global" and src.kind == "local":
            _check_whole(km, op, src)
            _check_global_region(km, op, dst, src, loop_vars)
        elif (dst.kind, src.kind) in (("local", "shared"), ("shared", "local")):
            _check_whole(km, op, dst)
            _check_whole(km, op, src)
            _need(km, op, C.static_shape(dst.buf) == C.static_shape(src.buf),
                  f"{dst.name} and {src.name} have different shapes", "copy between equal-shaped buffers")
        else:
            fail(name, f"Tx.copy from {src.kind} {src.name} to {dst.kind} {dst.name}", op.stmt,
                 supported="global->shared (reader NOC reads into a CB), local->global (pack + writer "
                           "NOC writes), shared->local (copy_tile into DST), local->shared (pack into a CB)",
                 fix="stage global data through a shared buffer, and compute into a local buffer before "
                     "copying it to global")
    elif kind == "fill":
        dst = ops[0]
        _need(km, op, dst.kind in ("local", "shared"), f"Tx.fill of {dst.kind} buffer {dst.name}",
              "fill a local (DST) or shared buffer", supported="Tx.fill on local / shared buffers")
        _check_whole(km, op, dst)
        _need(km, op, ops[1].kind == "scalar", "Tx.fill with a non-constant value",
              "fill with a constant such as T.float32(0)")
    elif kind == "gemm":
        _check_gemm(km, op, ops)
    elif kind in BINARY_TILE_OPS:
        _check_binary(km, op, ops)
    elif kind == "fma":
        _check_fma(km, op, ops)
    elif kind in REDUCE_OPS:
        _check_reduce(km, op, ops)
    elif kind in ("maximum", "minimum") and not (len(ops) == 3 and ops[2].kind == "scalar"
                                                 and ops[2].value == 0.0 and kind == "maximum"):
        dst, x, y = ops[0], ops[1], ops[2]
        _check_dst(km, op, dst)
        for o in (x, y):
            _need(km, op, o.kind in ("shared", "local"),
                  f"Tx.{kind}({dst.name}, {x.name}, {y.name}) with a {o.kind} operand {o.name}",
                  f"compare two shared / local buffers of the destination's shape, or for relu write "
                  f"{_in_place('maximum', dst.name)}",
                  supported="Tx.maximum / Tx.minimum of two tensors (binary_max_tile / binary_min_tile), relu")
            _check_whole(km, op, o)
            _same_shape(km, op, dst, o)
    elif kind in UNARY_TILE_OPS or kind == "maximum":
        dst, src = ops[0], ops[1]
        _check_dst(km, op, dst)
        if kind != "maximum":
            _need(km, op, all(a is None for a in op.args[2:]),
                  f"Tx.{kind} with bias/scale arguments", f"apply Tx.{kind} without bias/scale",
                  supported=f"plain Tx.{kind}(dst, src)")
        _check_unary_src(km, op, dst, src)
    elif kind == "cast":
        dst, src = ops[0], ops[1]
        _check_dst(km, op, dst)
        _check_unary_src(km, op, dst, src, allow_other_local=True)
    elif kind == "select":
        _check_select(km, op, ops, loop_vars)
    else:
        fail(name, f"tile primitive Tx.{kind} is not supported on Tenstorrent", op.stmt,
             supported=SUPPORTED_OPS_TEXT,
             fix="rewrite the computation with the supported tile primitives")


def _check_dst(km, op, dst):
    _need(km, op, dst.kind in ("local", "shared"), f"Tx.{op.kind} writes {dst.kind} buffer {dst.name}",
          "compute into a local buffer (DST) or a shared buffer (packed to L1) and copy it out with Tx.copy",
          supported="tile math whose destination is a local or shared buffer")
    _check_whole(km, op, dst)


def _check_unary_src(km, op, dst, src, allow_other_local=True):
    ok = src.kind in ("shared", "local")
    _need(km, op, ok, f"Tx.{op.kind} reads {src.kind} buffer {src.name} into {dst.name}",
          f"cast a local buffer: Tx.cast({dst.name}, <local>)" if op.kind == "cast" else
          f"apply it in place ({_in_place(op.kind, dst.name)}) or read a shared / local buffer",
          supported="unary ops from a shared or local buffer")
    _check_whole(km, op, src)
    _same_shape(km, op, dst, src)


def _in_place(kind: str, name: str) -> str:
    """The in-place call of a unary op as TVMScript parses it (the source is an argument too)."""
    if kind == "maximum":
        return f"Tx.maximum({name}, {name}, T.float32(0))"
    return f"Tx.{kind}({name}, {name})"


def _same_shape(km, op, a, b):
    _need(km, op, C.static_shape(a.buf) == C.static_shape(b.buf),
          f"{a.name} {list(C.static_shape(a.buf))} and {b.name} {list(C.static_shape(b.buf))} differ in shape",
          "use operands of the destination's shape")


def _check_binary(km, op, ops):
    kind = op.kind
    dst, a, b = ops[0], ops[1], ops[2]
    _check_dst(km, op, dst)
    names = f"Tx.{kind}({dst.name}, {a.name}, {b.name})"
    for o in (a, b):
        _need(km, op, o.kind in ("shared", "local", "scalar"), f"{names}: operand {o.name} is a {o.kind}",
              "use shared or local buffers, or an immediate scalar such as T.float32(2)",
              supported="element-wise ops on shared / local buffers and immediate scalars")
        if o.kind != "scalar":
            _check_whole(km, op, o)
    _need(km, op, not (a.kind == "scalar" and b.kind == "scalar"), f"{names} of two scalars",
          "compute the constant in Python")
    if a.kind == "scalar" or b.kind == "scalar":
        t = b if a.kind == "scalar" else a
        _need(km, op, not (kind == "fdiv" and a.kind == "scalar"), f"{names}: a scalar divided by a tensor",
              f"write Tx.reciprocal({dst.name}, {b.name}) then Tx.mul({dst.name}, {dst.name}, {a.name})")
        _same_shape(km, op, dst, t)
        return
    ld, la, lb = layout_of(dst.buf), layout_of(a.buf), layout_of(b.buf)
    if la.kind == lb.kind:
        _same_shape(km, op, dst, a)
        _same_shape(km, op, dst, b)
        return
    # a broadcast: one operand has the destination's layout, the other is a vector or a (1, 1) scalar
    full, vec = (a, b) if la.kind == ld.kind else (b, a)
    lv = layout_of(vec.buf)
    construct = {"col": "column broadcast of a (rows, 1) vector", "row": "row broadcast of a (1, cols) vector",
                 "scalar": "scalar broadcast of a (1, 1) buffer", "block": "broadcast"}[lv.kind]
    _need(km, op, layout_of(full.buf).kind == ld.kind and lv.is_vector,
          f"{construct}: {names} combines {list(C.static_shape(a.buf))} and {list(C.static_shape(b.buf))} into "
          f"{list(C.static_shape(dst.buf))}",
          f"give {dst.name} the shape of the full operand; broadcast only a (rows, 1), (1, cols) or (1, 1) buffer",
          supported="block <op> vector into a block of the block's shape (docs/ops.md)")
    _same_shape(km, op, dst, full)
    rows, cols = C.static_shape(full.buf)
    vr, vc = C.static_shape(vec.buf)
    _need(km, op, lv.kind == "scalar" or (lv.kind == "col" and vr == rows) or (lv.kind == "row" and vc == cols),
          f"{construct}: {names}: {vec.name} {[vr, vc]} does not match {full.name} {[rows, cols]}",
          f"a column vector has the block's rows ({rows}, 1), a row vector its columns (1, {cols})")
    _need(km, op, vec is b or kind in ("add", "mul"),
          f"{construct}: {names} with the vector as the first operand of Tx.{kind}",
          f"write the block first (Tx.{kind}({dst.name}, {b.name}, {a.name})) and fix the sign / order "
          f"afterwards (e.g. Tx.mul(x, x, T.float32(-1)))" if kind == "sub" else
          f"take the reciprocal of {b.name} into a shared buffer (Tx.reciprocal) and multiply",
          supported="the *_tiles_bcast_* family broadcasts its second operand")
    _need(km, op, kind != "fdiv", f"{construct}: Tx.fdiv by a broadcast vector ({names})",
          f"Tx.reciprocal(r, {vec.name}) into a shared vector r, then Tx.mul({dst.name}, {full.name}, r)",
          supported="Tx.fdiv of equal-shaped tensors or by an immediate scalar")


def _check_fma(km, op, ops):
    """Tx.fma(dst, src, scale, bias): tensors of dst's shape or immediate scalars (at most one of src and
    scale a scalar); the product lowers as Tx.mul, the bias is added in place on DST."""
    dst, src, scale, bias = ops[0], ops[1], ops[2], ops[3]
    _check_dst(km, op, dst)
    names = f"Tx.fma({dst.name}, {src.name}, {scale.name}, {bias.name})"
    for o in (src, scale, bias):
        _need(km, op, o.kind in ("shared", "local", "scalar"), f"{names}: operand {o.name} is a {o.kind}",
              "use shared or local buffers of the destination's shape, or immediate scalars such as T.float32(2)",
              supported="Tx.fma of shared / local buffers and immediate scalars")
        if o.kind == "scalar":
            continue
        _check_whole(km, op, o)
        _need(km, op, C.static_shape(o.buf) == C.static_shape(dst.buf),
              f"broadcast in {names}: {o.name} {list(C.static_shape(o.buf))} and {dst.name} "
              f"{list(C.static_shape(dst.buf))} differ in shape",
              f"broadcast with the binary ops: Tx.mul({dst.name}, {src.name}, {scale.name}) then "
              f"Tx.add({dst.name}, {dst.name}, {bias.name})",
              supported="Tx.fma of equal-shaped tensors and immediate scalars")
    _need(km, op, not (src.kind == "scalar" and scale.kind == "scalar"), f"{names}: a product of two scalars",
          f"compute the product in Python and write Tx.fill / Tx.add({dst.name}, ..., {bias.name})")


def _check_select(km, op, ops, loop_vars):
    """Tx.select(dst, t, f, lambda i, j: pred): a mask on tile coordinates (analysis/masks.py). t and f are
    tensors of dst's shape or immediates; the predicate an integer condition the reader can evaluate."""
    dst, t, f = ops[0], ops[1], ops[2]
    text = masks.describe(op)
    _check_dst(km, op, dst)
    _need(km, op, layout_of(dst.buf).kind == "block", f"mask {text} into the vector {dst.name}",
          f"select into a block (both dimensions multiples of 32) and reduce it afterwards",
          supported="Tx.select into blocks")
    for o in (t, f):
        _need(km, op, o.kind in ("shared", "local", "scalar"),
              f"mask {text}: operand {o.name} is a {o.kind} buffer",
              "select between shared / local buffers of the destination's shape or immediates (T.float32(...))",
              supported="Tx.select of tensors and immediates")
        if o.kind != "scalar":
            _check_whole(km, op, o)
            _same_shape(km, op, dst, o)
    masks.check_predicate(km, op, loop_vars)


def _check_reduce(km, op, ops):
    dst, src = ops[0], ops[1]
    axes = tuple(int(a) for a in op.args[2]) if len(op.args) > 2 else (-1,)
    rows, cols = C.static_shape(src.buf)
    norm = tuple(sorted({a % 2 for a in axes}))
    what = {(1,): "row reduction", (0,): "column reduction", (0, 1): "reduction over rows and columns"}.get(norm)
    expect = {(1,): (rows, 1), (0,): (1, cols), (0, 1): (1, 1)}.get(norm)
    construct = f"{what or 'reduction'} Tx.{op.kind}({dst.name}, {src.name}, axes={axes})"
    _need(km, op, what is not None, f"{construct}: axes {axes} of a 2-D buffer",
          "reduce over axes=-1 (rows), axes=0 (columns) or axes=(0, 1)")
    _need(km, op, len(op.args) < 4 or not bool(op.args[3]), f"{construct} with accum=True",
          f"reduce into a fresh buffer, then Tx.add it to the accumulator (or Tx.maximum for max)",
          supported="accum=False")
    _check_dst(km, op, dst)
    _need(km, op, src.kind in ("shared", "local"), f"{construct} reads {src.kind} buffer {src.name}",
          "reduce a shared or local buffer")
    _check_whole(km, op, src)
    _need(km, op, layout_of(src.buf).kind == "block", f"{construct} of the vector {src.name}",
          "reduce a block (both dimensions multiples of 32)")
    _need(km, op, C.static_shape(dst.buf) == expect,
          f"{construct} into a {list(C.static_shape(dst.buf))} buffer",
          f"declare {dst.name} with shape {list(expect)}: a row reduction keeps one value per row (rows, 1), "
          f"a column reduction one per column (1, cols), both axes one value (1, 1)")


def _check_gemm(km, op, ops):
    d, a, b, c = ops[0], ops[1], ops[2], ops[3]
    args = op.args
    trans_a, trans_b = bool(args[4]), bool(args[5])
    alpha, beta = scalar_value(args[6]), scalar_value(args[7])
    _need(km, op, d.kind == "local" and a.kind == "shared" and b.kind == "shared",
          f"Tx.gemm({d.name}, {a.name}, {b.name}, ...) with D {d.kind}, A {a.kind}, B {b.kind}",
          "compute D in a local buffer from A and B in shared buffers",
          supported="Tx.gemm(D local, A shared, B shared, C local)")
    for o in (d, a, b):
        _check_whole(km, op, o)
    _need(km, op, not trans_a, "Tx.gemm with transpose_A=True",
          "store A as (m, k), or swap the operands: (B^T A^T)^T with transpose_B", supported="transpose_A=False; "
          "transpose_B=True (the unpacker transposes each B tile)")
    (m, k1), (k2, n) = C.static_shape(a.buf), C.static_shape(b.buf)
    if trans_b:
        k2, n = n, k2
    _need(km, op, k1 == k2 and C.static_shape(d.buf) == (m, n),
          f"Tx.gemm shapes do not match: D {list(C.static_shape(d.buf))}, A {[m, k1]}, B {[k2, n]}",
          "use D (m, n), A (m, k), B (k, n)")
    _need(km, op, alpha == 1.0, f"Tx.gemm with alpha={args[6]}",
          "scale an operand or the result separately; alpha is not lowered",
          supported="alpha=1 (matmul_tiles accumulates A@B into DST)")
    if beta == 1.0:
        _need(km, op, c.kind == "local" and c.buf.same_as(d.buf),
              f"Tx.gemm with beta=1 and C={c.name} different from D={d.name}",
              f"accumulate in place (C is D), and add other tensors with Tx.add after the K loop",
              supported="beta=1 with C == D (accumulate in DST), beta=0 (overwrite)")
    else:
        _need(km, op, beta == 0.0, f"Tx.gemm with beta={args[7]}",
              "use beta=1 (accumulate into D) or beta=0 (overwrite D)",
              supported="beta=0 or beta=1")


def _check_dataflow(km):
    loaded, copied_out = set(), False
    for op, _ in km.walk_ops():
        ops = classify(op)
        if op.kind == "copy" and ops[0].kind == "shared" and ops[1].kind == "global":
            loaded.add(ops[0].name)
        if op.kind == "copy" and ops[0].kind == "global":
            copied_out = True
    written = set()
    for op, _ in km.walk_ops():
        ops = classify(op)
        if ops and ops[0].kind == "shared" and not (op.kind == "copy" and ops[1].kind == "global"):
            written.add(ops[0].name)
            if ops[0].name in loaded:
                fail(km.name, f"shared buffer {ops[0].name} is both loaded from DRAM and written by Tx.{op.kind}",
                     op.stmt, supported="a shared buffer is filled either by the reader or by compute (one CB "
                                        "producer)",
                     fix=f"write the result into another shared buffer")
    for b in km.allocs:
        if C.scope_of(b) == "shared" and str(b.name) not in loaded and str(b.name) not in written:
            fail(km.name, f"shared buffer {b.name} is never loaded from a global buffer nor written by compute",
                 supported="shared buffers that stage global data (Tx.copy(shared, global[...])) or hold a "
                           "compute result",
                 fix=f"load {b.name} with Tx.copy from a global buffer, or make it a local buffer")
    if not copied_out:
        fail(km.name, "the kernel never copies a result to a global buffer",
             supported="kernels that end with Tx.copy(global[...], local)",
             fix="copy the local result buffer to an output parameter")


def VerifyInput():  # noqa: N802  (TVM pass naming)
    """The tt.VerifyInput pass: checks and returns each function unchanged."""
    @tirx.transform.prim_func_pass(opt_level=0, name=PASS_NAME)
    def _pass(func, mod, ctx):
        verify_kernel(func)
        return func
    return _pass
