"""THE op table: frontend tile primitive -> op kind -> Tensix engine -> T.tt intrinsics.

Verification asks it what is supported, lowering dispatches on `kind` to its rules (lower/rules.py),
and the TT-level op names (`tt_op`) are the `op` vocabulary of intrinsics.py, which each API profile
prints (codegen/profiles.py asserts it covers every one).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..intrinsics import BINARY_OPS, UNARY_OPS


@dataclass(frozen=True)
class OpInfo:
    frontend: str           # Tx.<frontend> (tirx.tile.<frontend>)
    kind: str               # copy | fill | matmul | binary | fma | unary | cast | reduce | minmax | select
    engine: str             # DM (NOC), FPU (matrix/eltwise engine), SFPU (vector unit), PACK, none
    tt_op: str | None       # the `op` argument of binary_* / unary_* intrinsics
    intrinsics: tuple       # T.tt.* calls its lowering emits (inits are placed by analysis/compute_state)


OPS: dict[str, OpInfo] = {o.frontend: o for o in [
    OpInfo("copy", "copy", "DM", None,
           ("noc_async_read_page", "noc_async_write_page", "copy_tile", "pack_tile")),
    OpInfo("fill", "fill", "SFPU", "fill", ("fill_tile",)),
    OpInfo("gemm", "matmul", "FPU", None, ("matmul_tiles",)),
    OpInfo("add", "binary", "FPU", "add", ("binary_tiles", "binary_dest_reuse_tiles")),
    OpInfo("sub", "binary", "FPU", "sub", ("binary_tiles", "binary_dest_reuse_tiles")),
    OpInfo("mul", "binary", "FPU", "mul", ("binary_tiles", "binary_dest_reuse_tiles")),
    # a / b: reciprocal of b (SFPU) times a (FPU dest reuse); a / s: the SFPU's div by a scalar
    OpInfo("fdiv", "binary", "FPU", "mul", ("copy_tile", "unary_tile", "binary_dest_reuse_tiles", "scalar_tile")),
    # dst = src * scale + bias: the product (binary_tiles, dest reuse or a scalar multiply, as Tx.mul), then
    # bias added in place on DST (add_tiles dest reuse, or the scalar add); docs/ops.md "Tx.fma"
    OpInfo("fma", "fma", "FPU", "mul", ("binary_tiles", "binary_dest_reuse_tiles", "scalar_tile")),
    # the binary family also lowers broadcasts (a vector / (1, 1) operand) and immediate scalars:
    # bcast_tiles (FPU) and scalar_tile (SFPU binop_with_scalar)
    OpInfo("sum", "reduce", "FPU", None, ("reduce_tile",)),
    OpInfo("max", "reduce", "FPU", None, ("reduce_tile",)),
    # Tx.min: the FPU reduce has no MIN (llk_unpack_AB_reduce.h static_asserts); tt.LowerMinReduce rewrites
    # it as -max(-x) before scheduling (passes/lower_min_reduce.py)
    OpInfo("minimum", "minmax", "SFPU", None, ("copy_tile", "sfpu_binary_tile")),
    OpInfo("exp2", "unary", "SFPU", "exp2", ("copy_tile", "unary_tile")),
    OpInfo("exp", "unary", "SFPU", "exp", ("copy_tile", "unary_tile")),
    # log2(x) = ln(x) / ln(2): log_tile, then the SFPU's scalar multiply (UNARY_POST_SCALE)
    OpInfo("log2", "unary", "SFPU", "log", ("copy_tile", "unary_tile", "scalar_tile")),
    # natural log and 1 / sqrt: TIRx has no such tile ops; tilelang_tt.tile (TTx.log / TTx.rsqrt) adds them
    OpInfo("log", "unary", "SFPU", "log", ("copy_tile", "unary_tile")),
    OpInfo("rsqrt", "unary", "SFPU", "rsqrt", ("copy_tile", "unary_tile")),
    OpInfo("sqrt", "unary", "SFPU", "sqrt", ("copy_tile", "unary_tile")),
    OpInfo("reciprocal", "unary", "SFPU", "recip", ("copy_tile", "unary_tile")),
    OpInfo("silu", "unary", "SFPU", "silu", ("copy_tile", "unary_tile")),
    # Tx.maximum(x, y, 0) is relu (unary); of two tensors it is binary_max_tile (rules dispatch on the form)
    OpInfo("maximum", "unary", "SFPU", "relu", ("copy_tile", "unary_tile", "sfpu_binary_tile")),
    OpInfo("cast", "cast", "none", None, ("copy_tile",)),
    # a mask on tile coordinates: the reader builds 0/1 mask tiles (analysis/masks.py), the SFPU selects
    OpInfo("select", "select", "SFPU", None, ("copy_tile", "fill_tile", "where_tile")),
]}

assert {o.tt_op for o in OPS.values() if o.kind == "binary"} <= set(BINARY_OPS)
assert {o.tt_op for o in OPS.values() if o.kind == "unary"} <= set(UNARY_OPS)

# Op kinds a kernel over ragged tensors (tt.AnnotateLayouts) may use: element-wise ops read only their own
# position (padded positions are cropped), a matmul's zero-padded K adds nothing; a reduction over a padded
# axis gets a partial scaler or a -inf mask on the device, or a typed error (analysis/padding.py).
PADDING_NEUTRAL_KINDS = ("copy", "fill", "matmul", "binary", "fma", "minmax", "unary", "cast", "reduce", "select")

# Unary ops lowered as an SFPU op followed by a multiply by a constant (binop_with_scalar)
UNARY_POST_SCALE = {"log2": 1.0 / math.log(2.0)}

UNARY_TILE_OPS = {o.frontend: o.tt_op for o in OPS.values() if o.kind == "unary" and o.frontend != "maximum"}
BINARY_TILE_OPS = tuple(o.frontend for o in OPS.values() if o.kind == "binary")
REDUCE_OPS = {"sum": "SUM", "max": "MAX", "min": "MIN"}        # frontend -> PoolType (min: rewritten)

# What verification accepts, for error messages.
SUPPORTED_OPS_TEXT = ("Tx.copy (global<->shared, local->global, shared->local, local->shared), Tx.fill, "
                      "Tx.gemm, Tx.add/sub/mul/fdiv (tensors, broadcast vectors, immediate scalars), Tx.fma, "
                      "Tx.exp/exp2/log2/sqrt/reciprocal/silu, TTx.log/rsqrt (tilelang_tt.tile), Tx.maximum/minimum (two "
                      "tensors; maximum(x, y, 0) is relu), Tx.sum/max/min (axes=-1, 0 or both), Tx.cast, Tx.select with "
                      "a predicate on tile coordinates (docs/ops.md)")


def info(op) -> OpInfo | None:
    """The table entry of a TileOp (or a frontend op name), None if unsupported."""
    return OPS.get(op if isinstance(op, str) else op.kind)
