"""Small TIR builders shared by the lowering rules (statements of TT-level TIR are built directly with
tirx nodes; the intrinsics come from intrinsics.py)."""
from __future__ import annotations

import tvm
import tvm_ffi
from tvm import tirx

from .. import intrinsics as I

ev = I.evaluate
call = I.call


def i32(v):
    return tirx.IntImm("int32", int(v))


def var(name):
    return tirx.Var(name, "int32")


def seq(stmts):
    stmts = [s for s in stmts if s is not None]
    if not stmts:
        return None
    return stmts[0] if len(stmts) == 1 else tirx.SeqStmt(stmts)


def for_(v, extent, body_stmts):
    body = seq(body_stmts)
    if body is None:
        return None
    return tirx.For(v, i32(0), i32(extent) if isinstance(extent, int) else extent, tirx.ForKind.SERIAL, body)


def grid(extents, make_body):
    """Nested serial loops `for i, j, ... in T.grid(*extents)` around make_body(*vars)."""
    names = [n for n, _ in extents]
    vs = [var(n) for n in names]
    body = make_body(*vs)
    for v, (_, ext) in reversed(list(zip(vs, extents))):
        body = for_(v, ext, [body])
    return body


def bind(v, value):
    return tirx.Bind(v, value)


def fresh_vars(stmt):
    """Copy every variable of a role body: the frontend's grid and loop vars are shared by the role
    functions while they are built, but each PrimFunc must own its vars (print/parse round trip)."""
    memo = {}

    def remap(v):
        if v not in memo:
            memo[v] = tirx.Var(v.name, v.ty)
        return memo[v]
    return tvm_ffi.structural_map(stmt, [(tvm.ir.Var, remap)])
