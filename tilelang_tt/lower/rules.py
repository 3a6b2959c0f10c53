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

from ..errors import fail
from ..frontend.ops import SUPPORTED_OPS_TEXT, info
from ..frontend.program import num_tiles, scalar_value, tiles_of
from .common import ev, grid

RULES: dict = {}


def rule(kind: str):
    def register(fn):
        RULES[kind] = fn
        return fn
    return register


def lower_op(ctx, op) -> list:
    """The compute statements of one tile op (copies from global are the reader's: none here)."""
    entry = info(op)
    fn = RULES.get(entry.kind) if entry is not None else None
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
    base = ctx.base(dst.buf)
    out.append(grid([("i", m), ("j", n), ("kk", k)], lambda i, j, kk: ev(
        "matmul_tiles", ca, cb, i * k + kk, kk * n + j, base + i * n + j if base else i * n + j)))
    return out


@rule("binary")
def _binary(ctx, op):
    dst, a, b = op.operands[:3]
    tt_op = info(op).tt_op
    if a.kind == "shared" and b.kind == "shared":
        ca, cb = ctx.cb(a, op.stmt), ctx.cb(b, op.stmt)
        return [ctx.tiles(dst.buf, lambda t, d: ev("binary_tiles", tt_op, ca, cb, t, t, d))]
    shared = b if b.kind == "shared" else a
    cb = ctx.cb(shared, op.stmt)
    return [ctx.tiles(dst.buf, lambda t, d: ev("binary_dest_reuse_tiles", tt_op, cb, t, d))]


def _load_shared(ctx, op) -> list:
    """copy_tile the source into the destination's DST slots when it is a shared buffer."""
    src = op.operands[1]
    if src.kind != "shared":
        return []
    cb = ctx.cb(src, op.stmt)
    return [ctx.tiles(op.dst.buf, lambda t, d: ev("copy_tile", cb, t, d))]


@rule("unary")
def _unary(ctx, op):
    tt_op = info(op).tt_op
    return _load_shared(ctx, op) + [ctx.tiles(op.dst.buf, lambda t, d: ev("unary_tile", tt_op, d))]


@rule("cast")
def _cast(ctx, op):
    return _load_shared(ctx, op)       # unpack/pack convert formats; a local->local cast shares DST


@rule("copy")
def _copy(ctx, op):
    return _load_shared(ctx, op)       # shared -> local; the DM copies are the reader's and writer's


def tile_count(buf) -> int:
    return num_tiles(buf)
