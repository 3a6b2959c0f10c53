"""tt.LowerMinReduce: Tx.min reductions as -max(-x).

The FPU reduce of the 0.81.1 release has no MIN: GMPOOL (max) and GAPOOL (sum / average) are the only pool
instructions, and the LLK static_asserts `pool_type != PoolType::MIN` (tt-llk `llk_unpack_AB_reduce.h`,
`llk_math_reduce.h`; `api/compute/reduce.h` documents {SUM, AVG, MAX}). Negation is exact in every format,
so min(x) = -max(-x) gives the same bits:

    Tx.min(r, X, axes)   ->   X_neg = T.alloc_buffer(X.shape, X.dtype, scope="shared")
                              Tx.mul(X_neg, X, T.float32(-1))      # SFPU, packed to an intermediate CB
                              Tx.max(r, X_neg, axes)               # the FPU reduce
                              Tx.mul(r, r, T.float32(-1))          # SFPU on the reduce's DST tiles

Pre-condition: tt.VerifyInput accepted the kernel (the Tx.min is a well-formed reduction).
Post-condition: no Tx.min reduction is left; every later pass sees ops it lowers already.
"""
from __future__ import annotations

from tvm import tirx
import tvm.tirx.operator as tirx_op

from ..errors import fail
from ..frontend.program import kernel_name, read_program

PASS_NAME = "tt.LowerMinReduce"
_MIN = "tirx.tile.min"


def _is_min(s) -> bool:
    return isinstance(s, tirx.TilePrimitiveCall) and str(s.op.name) == _MIN


def _whole(buf):
    return buf[tuple(slice(None) for _ in buf.ty.shape)]


def _minus_one():
    return tirx.FloatImm("float32", -1.0)


def _rewrite(s, name, taken, in_loop):
    if _is_min(s):
        dst, src, axes, accum = s.args[:4]
        if in_loop is not None:
            fail(name, f"the reduction Tx.min({dst.source.name}, {src.source.name}) inside the serial loop "
                       f"{in_loop.loop_var.name}", s,
                 supported="Tx.min reductions at the top level of the block (lowered as -max(-x) through an "
                           "intermediate CB)",
                 fix="move the reduction after the loop")
        base = f"{src.source.name}_neg"
        neg_name, i = base, 1
        while neg_name in taken:
            neg_name, i = f"{base}{i}", i + 1
        taken.add(neg_name)
        neg = tirx.decl_buffer(src.source.ty.shape, src.source.ty.dtype, neg_name, scope="shared")
        kw = dict(workspace={}, config={}, dispatch=None, scope=None)
        return [tirx.AllocBuffer(neg),
                tirx_op.Mul(_whole(neg), src, _minus_one(), **kw),
                tirx_op.Max(dst, _whole(neg), axes, accum, **kw),
                tirx_op.Mul(dst, dst, _minus_one(), **kw)]
    if isinstance(s, tirx.SeqStmt):
        out = []
        for x in s.seq:
            out.extend(_rewrite(x, name, taken, in_loop))
        return [tirx.SeqStmt(out)]
    if isinstance(s, tirx.AttrStmt):
        (body,) = _rewrite(s.body, name, taken, in_loop) if not _is_min(s.body) else [
            tirx.SeqStmt(_rewrite(s.body, name, taken, in_loop))]
        return [s if body.same_as(s.body) else tirx.AttrStmt(s.node, s.attr_key, s.value, body)]
    if isinstance(s, tirx.For):
        _rewrite(s.body, name, taken, s)       # only checks: a Tx.min inside a loop is refused
        return [s]
    return [s]


def lower_min_reduce(func):
    p = read_program(func, strict=False)
    if not any(op.kind == "min" for op, _ in p.walk_ops()):
        return func
    taken = {str(b.name) for b in list(p.allocs) + list(p.params)}
    (body,) = _rewrite(func.body, kernel_name(func), taken, None)
    return func.with_body(body)


def LowerMinReduce():  # noqa: N802
    @tirx.transform.prim_func_pass(opt_level=0, name=PASS_NAME)
    def _pass(func, mod, ctx):
        return lower_min_reduce(func)
    return _pass
