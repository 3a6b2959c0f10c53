"""Tile primitives TIRx (apache-tvm 0.27) lacks, written like its own: `from tilelang_tt import tile as TTx`.

    TTx.log(y, x)      # natural log, the release's log_tile
    TTx.rsqrt(y, x)    # 1 / sqrt(x), the release's rsqrt_tile

TVM's op registry takes new ops from Python (`register_op_attr` creates the op on first use), and its C++
TilePrimitiveCall constructor accepts any op whose `TIRxOpCategory` is "tile_primitive" (the category TIRx
gives its own `tirx.tile.*` ops), so these build the same statement `Tx.exp` builds: a TilePrimitiveCall of
`tirx.tile.<name>` on (dst, src) regions, inserted into the kernel being parsed. The compiler reads it
like any Tx op (frontend/program.py strips the `tirx.tile.` prefix). TVM prints such a call as
`T.tile.log(...)`, which its parser does not know: re-parse printed kernels with these ops through TTx.
"""
from __future__ import annotations

import tvm
from tvm.ir import Op
from tvm.ir import TensorRegion
from tvm.tirx import is_buffer_var
from tvm.tirx.tile_primitive import TilePrimitiveCall

from .errors import TTArgumentError

_PREFIX = "tirx.tile."
_CATEGORY = "TIRxOpCategory"
# our tile op -> the scalar intrinsic of the same function (the expression form, as Tx.exp(value) is tirx.exp)
OPS = {"log": "log", "rsqrt": "rsqrt"}


def _register(name: str) -> Op:
    full = _PREFIX + name
    if full in Op.list_op_names() and Op.get(full).get_attr(_CATEGORY) == "tile_primitive":
        return Op.get(full)              # registered already (a TVM that has the op)
    tvm.ir.register_op_attr(full, _CATEGORY, "tile_primitive")
    tvm.ir.register_op_attr(full, "TScriptPrinterName", name)
    return Op.get(full)


def _region(op_name: str, arg_name: str, value):
    if is_buffer_var(value):
        return value[tuple(slice(None) for _ in value.ty.shape)]
    if isinstance(value, TensorRegion) and is_buffer_var(value.source):
        return value
    raise TTArgumentError(
        f"TTx.{op_name}: `{arg_name}` is {type(value).__name__} {value!r}, not a buffer; TTx.{op_name} is a tile "
        f"op on whole shared / local buffers or slices of them; fix: pass a buffer, e.g. TTx.{op_name}(y, x_s), "
        f"or write T.{OPS[op_name]}(value) for a scalar expression")


def _tile_op(name: str):
    op = _register(name)

    def tile_op(dst, src=None):
        from tvm import tirx
        from tvm.tirx.script.builder import tirx as builder

        if not (is_buffer_var(dst) or isinstance(dst, TensorRegion)):
            if isinstance(dst, (tvm.ir.Expr, float, int)) and src is None:
                return getattr(tirx, OPS[name])(dst)      # expression form: the scalar intrinsic
        d = _region(name, "dst", dst)
        s = d if src is None else _region(name, "src", src)
        return builder.f_insert(TilePrimitiveCall(d, s, op=op))

    tile_op.__name__ = name
    tile_op.__doc__ = (f"TTx.{name}(dst, src=None): dst = {name}(src) element-wise on tiles (src omitted: in "
                       f"place); lowered to the release's {name}_tile (docs/ops.md).")
    return tile_op


log = _tile_op("log")
rsqrt = _tile_op("rsqrt")

__all__ = ["log", "rsqrt"]
