"""THE op table: frontend tile primitive -> op kind -> Tensix engine -> T.tt intrinsics.

Verification asks it what is supported, lowering dispatches on `kind` to its rules (lower/rules.py),
and the TT-level op names (`tt_op`) are the `op` vocabulary of intrinsics.py, which each API profile
prints (codegen/profiles.py asserts it covers every one).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..intrinsics import BINARY_OPS, UNARY_OPS


@dataclass(frozen=True)
class OpInfo:
    frontend: str           # Tx.<frontend> (tirx.tile.<frontend>)
    kind: str               # copy | fill | matmul | binary | unary | cast
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
    OpInfo("exp", "unary", "SFPU", "exp", ("copy_tile", "unary_tile")),
    OpInfo("sqrt", "unary", "SFPU", "sqrt", ("copy_tile", "unary_tile")),
    OpInfo("reciprocal", "unary", "SFPU", "recip", ("copy_tile", "unary_tile")),
    OpInfo("silu", "unary", "SFPU", "silu", ("copy_tile", "unary_tile")),
    # Tx.maximum(x, y, 0) is relu; other maximum forms are rejected by verification.
    OpInfo("maximum", "unary", "SFPU", "relu", ("copy_tile", "unary_tile")),
    OpInfo("cast", "cast", "none", None, ("copy_tile",)),
]}

assert {o.tt_op for o in OPS.values() if o.kind == "binary"} <= set(BINARY_OPS)
assert {o.tt_op for o in OPS.values() if o.kind == "unary"} <= set(UNARY_OPS)

# Op kinds whose results on real data do not depend on what padding holds: element-wise ops read only
# their own position (padded positions are cropped), a matmul's zero-padded K adds nothing. A kernel over
# ragged tensors (tt.AnnotateLayouts) may use only these; a reduction over a padded axis would need a
# partial scaler or a mask on the device.
PADDING_NEUTRAL_KINDS = ("copy", "fill", "matmul", "binary", "unary", "cast")

UNARY_TILE_OPS = {o.frontend: o.tt_op for o in OPS.values() if o.kind == "unary" and o.frontend != "maximum"}
BINARY_TILE_OPS = tuple(o.frontend for o in OPS.values() if o.kind == "binary")

# What verification accepts, for error messages.
SUPPORTED_OPS_TEXT = ("Tx.copy (global<->shared, local->global, shared->local), Tx.fill (local), "
                      "Tx.gemm, Tx.add/sub/mul, Tx.exp/sqrt/reciprocal/silu, Tx.maximum(x, y, 0) (relu), "
                      "Tx.cast")


def info(op) -> OpInfo | None:
    """The table entry of a TileOp (or a frontend op name), None if unsupported."""
    return OPS.get(op if isinstance(op, str) else op.kind)
