"""Compute lowering rules, one per op kind of the op table (frontend/ops.py), registered by kind.

A rule turns one TileOp into the tile math of the compute kernel: copy_tile / matmul_tiles /
binary_tiles / binary_dest_reuse_tiles / unary_tile / fill_tile on DST slots. It emits no inits: those
are placed afterwards by analysis/compute_state.place_inits. Rules see the kernel through a context
(`ctx`) that maps shared operands to CB ids and local buffers to DST slots and says which DST groups
hold data already (`ctx.dirty`). Only the naive schedule (lower/naive.py) lowers through these rules
today; the matmul schedules build their tile math, epilogue included, in lower/matmul.py from the
recognized MatmulSpec.
"""
from __future__ import annotations

from tvm import tirx

import struct

from ..analysis.padding import scaler_tiles
from ..errors import fail
from ..frontend.layout import layout_of
from ..frontend.ops import REDUCE_OPS, SUPPORTED_OPS_TEXT, UNARY_POST_SCALE, info
from ..frontend.program import num_tiles, scalar_value, tiles_of
from .common import ev, grid
from .regions import binary_form, fma_product, is_relu

RULES: dict = {}


def rule(kind: str):
    def register(fn):
        RULES[kind] = fn
        return fn
    return register


def lower_op(ctx, op) -> list:
    """The compute statements of one tile op (copies from global are the reader's: none here)."""
    entry = info(op)
    kind = entry.kind if entry is not None else None
    if op.kind in ("maximum", "minimum") and not is_relu(op):
        kind = "minmax"
    fn = RULES.get(kind)
    if fn is None:  # verification rejects these first
        fail(ctx.program.name, f"Tx.{op.kind} cannot be lowered", op.stmt, supported=SUPPORTED_OPS_TEXT)
    out = fn(ctx, op)
    ctx.dirty.add(ctx.group(op.dst.name))
    return out


def fill_dst(ctx, buf, value: float) -> list:
    return [ctx.tiles(buf, lambda t, d: ev("fill_tile", d, tirx.FloatImm("float32", value)))]


@rule("fill")
def _fill(ctx, op):
    value = op.operands[1].value
    if value == 0.0 and ctx.group(op.dst.name) not in ctx.dirty:
        return []                      # tile_regs_acquire hands out zeroed DST
    return fill_dst(ctx, op.dst.buf, value)


@rule("matmul")
def _matmul(ctx, op):
    dst, a, b = op.operands[:3]
    out = []
    if scalar_value(op.args[7]) == 0.0 and ctx.group(dst.name) in ctx.dirty:
        out += fill_dst(ctx, dst.buf, 0.0)  # matmul_tiles accumulates: overwriting needs zeroed DST
    ca, cb = ctx.cb(a, op.stmt), ctx.cb(b, op.stmt)
    (m, k), (_, n) = tiles_of(a.buf), tiles_of(b.buf)
    transpose = int(bool(op.args[5]))
    if transpose:           # B is (n, k): tile (j, kk), transposed by the unpacker (matmul_init's flag)
        n = tiles_of(b.buf)[0]
    base = ctx.base(dst.buf)
    out.append(grid([("i", m), ("j", n), ("kk", k)], lambda i, j, kk: ev(
        "matmul_tiles", ca, cb, i * k + kk, j * k + kk if transpose else kk * n + j,
        base + i * n + j if base else i * n + j, transpose)))
    return out


def fp32_bits(value: float) -> int:
    """The fp32 bit pattern of `value` as a signed int32 (T.tt arguments are int32)."""
    return struct.unpack("<i", struct.pack("<f", value))[0]


def _same_slots(ctx, a, b) -> bool:
    return a.kind == "local" and b.kind == "local" and ctx.group(a.name) == ctx.group(b.name)


def _load(ctx, op, src) -> list:
    """Bring `src` into the destination's DST slots: nothing when it is the destination (in place),
    else copy_tile from its CB (a shared buffer, or a local's spilled value)."""
    dst = op.dst
    if _same_slots(ctx, src, dst):
        return []
    cb = ctx.cb(src, op.stmt)
    return [ctx.tiles(dst.buf, lambda t, d: ev("copy_tile", cb, t, d))]


_BCAST_DIM = {"col": "cols", "row": "rows", "scalar": "scalar"}


@rule("binary")
def _binary(ctx, op):
    dst, a, b = op.operands[:3]
    form = binary_form(op)
    tt_op = info(op).tt_op
    if form == "scalar":
        swapped = a.kind == "scalar"
        t, value = (b, a.value) if swapped else (a, b.value)
        mode = {"add": "add", "mul": "mul", "sub": "rsub" if swapped else "sub", "fdiv": "div"}[op.kind]
        bits = fp32_bits(value)
        return _load(ctx, op, t) + [ctx.tiles(dst.buf, lambda _, d: ev("scalar_tile", mode, d, bits))]
    if form == "bcast":
        ld = layout_of(dst.buf)
        x, v = (a, b) if layout_of(a.buf).kind == ld.kind else (b, a)     # verification: sub keeps order
        lv = layout_of(v.buf)
        dim = _BCAST_DIM[lv.kind]
        cx, cv = ctx.cb(x, op.stmt), ctx.cb(v, op.stmt)
        ct = ld.tiles[1]

        def vtile(t):      # the vector tile of block tile t = i * ct + j: i (column vector), j (row vector)
            # (a one-tile-wide block: a column vector has a tile per block row, a row vector only tile 0)
            return (t if ct == 1 else t // ct) if lv.kind == "col" else (0 if ct == 1 else t % ct) \
                if lv.kind == "row" else 0
        return [ctx.tiles(dst.buf, lambda t, d: ev("bcast_tiles", tt_op, dim, cx, cv, t, vtile(t), d))]
    if form == "div":     # a / b = a * (1 / b): b into DST, reciprocal (SFPU), times a (dest reuse)
        cb_b, cb_a = ctx.cb(b, op.stmt), ctx.cb(a, op.stmt)
        return [ctx.tiles(dst.buf, lambda t, d: ev("copy_tile", cb_b, t, d)),
                ctx.tiles(dst.buf, lambda t, d: ev("unary_tile", "recip", d)),
                ctx.tiles(dst.buf, lambda t, d: ev("binary_dest_reuse_tiles", "mul", cb_a, t, d))]
    if form == "tiles":
        ca, cb = ctx.cb(a, op.stmt), ctx.cb(b, op.stmt)
        return [ctx.tiles(dst.buf, lambda t, d: ev("binary_tiles", tt_op, ca, cb, t, t, d))]
    shared = b if form == "reuse" else a
    cb = ctx.cb(shared, op.stmt)
    return [ctx.tiles(dst.buf, lambda t, d: ev("binary_dest_reuse_tiles", tt_op, cb, t, d))]


@rule("fma")
def _fma(ctx, op):
    """dst = src * scale + bias: the product lowers as Tx.mul (into dst's DST tiles), then the bias is added
    in place: add_tiles dest reuse from its CB, or the SFPU's scalar add for an immediate."""
    out = _binary(ctx, fma_product(op))
    dst, bias = op.dst, op.operands[3]
    if bias.kind == "scalar":
        bits = fp32_bits(bias.value)
        return out + [ctx.tiles(dst.buf, lambda _, d: ev("scalar_tile", "add", d, bits))]
    cb = ctx.cb(bias, op.stmt)
    return out + [ctx.tiles(dst.buf, lambda t, d: ev("binary_dest_reuse_tiles", "add", cb, t, d))]


@rule("minmax")
def _minmax(ctx, op):
    """Tx.maximum / Tx.minimum of two tensors: x into the destination's slots, y into scratch slots,
    binary_max_tile / binary_min_tile (SFPU) in place."""
    dst, x, y = op.operands[:3]
    which = "max" if op.kind == "maximum" else "min"
    scratch, base = ctx.scratch_base, ctx.base(dst.buf)
    cy = ctx.cb(y, op.stmt)
    return _load(ctx, op, x) + [
        ctx.tiles(dst.buf, lambda t, d: ev("copy_tile", cy, t, scratch + (d - base))),
        ctx.tiles(dst.buf, lambda t, d: ev("sfpu_binary_tile", which, d, scratch + (d - base), d))]


@rule("select")
def _select(ctx, op):
    """Tx.select(dst, t, f, pred): one value in dst's slots, the other in a scratch slot (an immediate filled
    once), and per tile the reader's 0/1 mask tile (analysis/masks.py) in a second scratch slot; where_tile
    picks per datum. Nothing is multiplied, so an inf or NaN on the discarded side does not leak."""
    dst, t, f = op.operands[:3]
    mask, s_cond, s_other = ctx.mask_cb(op), ctx.fixed_base, ctx.fixed_base + 1
    fmt = "Float32" if ctx.fp32_acc else "Float16_b"         # what DST holds: where_tile's load width
    in_dst, other = (f, t) if _same_slots(ctx, f, dst) else (t, f)   # the value that goes into dst's slots
    out = [] if _same_slots(ctx, in_dst, dst) else \
        [ctx.tiles(dst.buf, lambda tile, d: _value_at(ctx, op, in_dst, tile, d))]
    if other.kind == "scalar":
        out.append(_value_at(ctx, op, other, None, s_other))

    def per_tile(tile, d):
        body = [ev("copy_tile", mask, tile, s_cond)]
        if other.kind != "scalar":
            body.append(_value_at(ctx, op, other, tile, s_other))
        true_slot, false_slot = (d, s_other) if in_dst is t else (s_other, d)
        return tirx.SeqStmt(body + [ev("where_tile", fmt, s_cond, true_slot, false_slot, d)])
    return ctx.cb_window(mask, num_tiles(dst.buf), out + [ctx.tiles(dst.buf, per_tile)])


def _value_at(ctx, op, o, tile, slot):
    """Tile `tile` of a select operand into DST slot `slot`: an immediate is filled, a tensor copied."""
    if o.kind == "scalar":
        return ev("fill_tile", slot, tirx.FloatImm("float32", o.value))
    return ev("copy_tile", ctx.cb(o, op.stmt), tile, slot)


_REDUCE_DIM = {"col": "REDUCE_ROW", "row": "REDUCE_COL", "scalar": "REDUCE_SCALAR"}


@rule("reduce")
def _reduce(ctx, op):
    """Tx.sum / max / min over rows (into a (R, 1) buffer: REDUCE_ROW, result in column 0), columns
    (into (1, C): REDUCE_COL, row 0) or both (into (1, 1): REDUCE_SCALAR, [0, 0]); reduce_tile
    accumulates every tile along the reduced dimension into one DST tile."""
    dst, src = op.operands[:2]
    if ctx.group(dst.name) in ctx.dirty:
        fail(ctx.program.name, f"Tx.{op.kind} into {dst.name}, which already holds values in this compute region",
             op.stmt, fix=f"reduce into a fresh buffer (the reduce accumulates into its destination's DST tiles)")
    pool = REDUCE_OPS[op.kind]
    dim = _REDUCE_DIM[layout_of(dst.buf).kind]
    rt, ct = tiles_of(src.buf)
    icb, scb = ctx.cb(src, op.stmt), ctx.scaler_cb(str(src.buf.dtype))
    base = ctx.base(dst.buf)
    ctx.region_reduce = icb

    def out(i, j):
        k = i if dim == "REDUCE_ROW" else j if dim == "REDUCE_COL" else 0
        return base + k if base else k
    pre = []
    if dim == "REDUCE_ROW" and pool == "SUM":
        # the release's reduce.h: a row SUM swaps its operands (scaler -> SrcA, data -> SrcB) and asks the
        # caller for reconfig_data_format(icb_scaler, icb) before reduce_init
        pre.append(ev("reconfig_data_format", scb, icb))
    tails = ctx.padding.tails.get(op.stmt, [])
    if not tails:
        return pre + [grid([("i", rt), ("j", ct)], lambda i, j: ev(
            "reduce_tile", pool, dim, icb, scb, i * ct + j, 0, out(i, j)))]
    # a reduction over a ragged axis (analysis/padding.py): a tile of padding only is skipped, a SUM's tail
    # tile is weighted by its partial scaler tile; a MAX's padding is -inf already (the reader's mask)
    tiles = scaler_tiles(ctx.km, ctx.padding, str(src.buf.dtype))
    valid = [[32] * rt, [32] * ct]
    scaler = [[0] * rt, [0] * ct]
    for tail in tails:
        valid[tail.axis] = list(tail.counts)
        if tail.partial_scaler:
            scaler[tail.axis] = [0 if k in (0, 32) else tiles.index((k, tail.axis)) for k in tail.counts]
    return pre + [ev("reduce_tile", pool, dim, icb, scb, i * ct + j, scaler[0][i] or scaler[1][j], out(i, j))
                  for i in range(rt) for j in range(ct) if valid[0][i] and valid[1][j]]


def _load_shared(ctx, op) -> list:
    """copy_tile the source into the destination's DST slots unless it already is the destination."""
    src = op.operands[1]
    if src.kind not in ("shared", "local"):
        return []
    return _load(ctx, op, src)


@rule("unary")
def _unary(ctx, op):
    tt_op = info(op).tt_op
    out = _load_shared(ctx, op) + [ctx.tiles(op.dst.buf, lambda t, d: ev("unary_tile", tt_op, d))]
    if op.kind in UNARY_POST_SCALE:
        bits = fp32_bits(UNARY_POST_SCALE[op.kind])
        out.append(ctx.tiles(op.dst.buf, lambda _, d: ev("scalar_tile", "mul", d, bits)))
    return out


@rule("cast")
def _cast(ctx, op):
    dst, src = op.operands[:2]
    if dst.kind == "shared" and src.kind == "local":     # pack the local's slots in the shared format
        ctx.region_base[dst.name] = ctx.base(src.buf)
        return []
    return _load_shared(ctx, op)       # unpack/pack convert formats; a local->local cast shares DST


@rule("copy")
def _copy(ctx, op):
    dst, src = op.operands[:2]
    if dst.kind == "shared" and src.kind == "local":
        # pack a local to L1: the shared buffer's pack at the end of the region reads the local's slots
        ctx.region_base[dst.name] = ctx.base(src.buf)
        return []
    return _load_shared(ctx, op)       # shared -> local; the DM copies are the reader's and writer's


def tile_count(buf) -> int:
    return num_tiles(buf)
