"""Tx.select masks: predicates on tile coordinates, and the mask tiles the reader builds for them.

`Tx.select(dst, t, f, lambda i, j: pred)` keeps `t` where the predicate holds and `f` elsewhere, `i, j`
the coordinates inside `dst`. A Tensix core has no per-element index registers, so the predicate cannot be
evaluated on the SFPU: the reader evaluates it for every position of every tile of `dst`, block by block,
and stores a 0 / 1.0 bf16 tile per `dst` tile into the op's mask CB (role "mask"); the compute kernel
copies each mask tile into DST and selects with the release's `where_tile` (docs/ops.md "Masks").

Supported predicates: comparisons (<, <=, >, >=, ==, !=) of integer expressions (+, -, *, //, % by
constants) in `i`, `j`, the grid variables and the enclosing serial loop variables, combined with and /
or / not: causal, band, block-diagonal and tail masks. Anything else (a float, a buffer load, a call) is a
typed error naming the predicate.
"""
from __future__ import annotations

import tvm
import tvm_ffi
from tvm import tirx

from ..errors import fail
from ..frontend.program import free_vars

MASK_ROLE = "mask"
_COMPARE = (tirx.LT, tirx.LE, tirx.GT, tirx.GE, tirx.EQ, tirx.NE)
_LOGIC = (tirx.And, tirx.Or, tirx.Not)
# `a & b` / `a | b` of two conditions (the Python spelling users reach for inside a lambda)
_BOOL_BITWISE = {tirx.BitwiseAnd: tirx.And, tirx.BitwiseOr: tirx.Or}
_ARITH = (tirx.Add, tirx.Sub, tirx.Mul, tirx.FloorDiv, tirx.FloorMod)

# a mask tile holds bf16 1.0 where the predicate holds, 0 elsewhere (where_tile tests for a non-zero datum)
ONE_BF16 = 0x3F80


def select_ops(km) -> list:
    """The Tx.select ops of a program, in program order (each owns one mask CB)."""
    return [op for op, _ in km.walk_ops() if op.kind == "select"]


def mask_name(km, op) -> str:
    """The mask CB of a select op: mask_<k>, k its position among the program's selects."""
    ops = select_ops(km)
    return f"mask_{next(i for i, o in enumerate(ops) if o.stmt.same_as(op.stmt))}"


def predicate(op):
    """(vars, body) of the op's LambdaExpr."""
    lam = op.args[3]
    return list(lam.vars), lam.pred


def check_predicate(km, op, loop_vars) -> None:
    """TTCompileError unless the predicate is a supported integer condition (module docstring)."""
    names, body = predicate(op)
    allowed = set(names) | {v for v, _ in km.grid.values()} | set(loop_vars)
    text = describe(op)

    def bad(what, fix):
        fail(km.name, f"mask {text}: the predicate {what}", op.stmt,
             supported="comparisons (<, <=, >, >=, ==, !=) of integer expressions in the coordinates, the grid "
                       "and loop variables, combined with and / or / not",
             fix=fix)

    if len(names) != 2:
        bad(f"takes {len(names)} coordinates", "write a lambda of the two coordinates: lambda i, j: ...")

    def visit(e, boolean: bool):
        e = _as_logic(e)
        if isinstance(e, _LOGIC):
            if not boolean:
                bad(f"uses a condition ({e}) as a number", "compare integer expressions")
            for x in ((e.a,) if isinstance(e, tirx.Not) else (e.a, e.b)):
                visit(x, True)
        elif isinstance(e, _COMPARE):
            if not boolean:
                bad(f"uses a comparison ({e}) as a number", "compare integer expressions")
            visit(e.a, False)
            visit(e.b, False)
        elif isinstance(e, _ARITH):
            if boolean:
                bad(f"is the number {e}, not a condition", f"compare it, e.g. {e} != 0")
            visit(e.a, False)
            visit(e.b, False)
        elif isinstance(e, tirx.IntImm) and not boolean and str(e.ty) != "bool":
            return
        elif isinstance(e, tvm.ir.Var) and not boolean and "int" in str(e.ty):
            if e not in allowed:
                bad(f"uses {e.name}, which is neither a coordinate, a grid variable nor a loop variable",
                    "build the condition from the coordinates, blockIdx and the enclosing loop variables")
        else:
            bad(f"contains {e} ({type(e).__name__})",
                "use integer comparisons of the coordinates (a data-dependent condition is an element-wise op: "
                "compare tensors with Tx.maximum / Tx.minimum, or build a 0/1 mask tensor on the host)")
    visit(body, True)
    try:
        unsigned_form(op)
    except ValueError as e:
        bad(f"compares {e}", "write each comparison as an affine expression of the coordinates, grid and loop "
                             "variables (e.g. j <= i + by * 32)")


def predicate_at(op, row, col):
    """The predicate with the coordinates replaced by the expressions `row`, `col` (tile-local positions of
    dst), in the unsigned-safe form of `unsigned_form`."""
    return _at(op, unsigned_form(op), row, col)


def _at(op, e, row, col):
    """`e` with the op's coordinate variables replaced by `row`, `col`."""
    (vi, vj), _ = predicate(op)
    return tvm_ffi.structural_map(e, [(tvm.ir.Var, lambda v: row if v.same_as(vi) else col if v.same_as(vj)
                                       else v)])


def tile_class(op, row0, col0, size: int = 32):
    """(all_true, all_false): conditions, each a bool expression or Python False, under which the predicate
    holds at every / no position of the size x size tile at (row0, col0), so the reader can store a
    constant tile without evaluating the predicate per element. An affine comparison is extreme at the
    corners of a rectangle, so its truth on the four corners decides it (== / != only when the two sides
    never meet on the tile); one with // or % terms decides nothing (mixed)."""
    as_expr = lambda x: tirx.IntImm("int32", x) if isinstance(x, int) else x          # noqa: E731
    corners = [(as_expr(row0 + dr), as_expr(col0 + dc)) for dr in (0, size - 1) for dc in (0, size - 1)]

    def rec(e):
        if isinstance(e, (tirx.And, tirx.Or)):
            (t1, f1), (t2, f2) = rec(e.a), rec(e.b)
            return (_and(t1, t2), _or(f1, f2)) if isinstance(e, tirx.And) else (_or(t1, t2), _and(f1, f2))
        if isinstance(e, tirx.Not):
            t, f = rec(e.a)
            return f, t
        if _has_atoms(e):
            return False, False
        sides = [(_at(op, e.a, r, c), _at(op, e.b, r, c)) for r, c in corners]
        if isinstance(e, (tirx.EQ, tirx.NE)):
            apart = _or(_all(tirx.GT(p, n) for p, n in sides), _all(tirx.LT(p, n) for p, n in sides))
            return (False, apart) if isinstance(e, tirx.EQ) else (apart, False)
        holds = [type(e)(p, n) for p, n in sides]
        return _all(holds), _all(tirx.Not(h) for h in holds)
    return rec(unsigned_form(op))


def _and(a, b):
    return False if a is False or b is False else tirx.And(a, b)


def _or(a, b):
    return b if a is False else a if b is False else tirx.Or(a, b)


def _all(conds):
    out = None
    for c in conds:
        out = c if out is None else tirx.And(out, c)
    return out


def _has_atoms(e) -> bool:
    if isinstance(e, (tirx.FloorDiv, tirx.FloorMod)):
        return True
    return any(_has_atoms(getattr(e, x)) for x in ("a", "b") if hasattr(e, x))


def unsigned_form(op):
    """The predicate rewritten so that no subexpression is negative: index arithmetic prints as uint32_t
    (codegen/cpp_printer.py), where `j - i < 4` would wrap for i > j. Each comparison `a OP b` becomes
    `P OP N`, P and N the terms of `a - b` with positive and negative coefficients (all variables are
    non-negative: coordinates, block indices, loop counters). ValueError names a comparison that is not
    affine (check_predicate turns it into the user's error)."""
    _, body = predicate(op)

    def rec(e):
        e = _as_logic(e)
        if isinstance(e, (tirx.And, tirx.Or)):
            return type(e)(rec(e.a), rec(e.b))
        if isinstance(e, tirx.Not):
            return tirx.Not(rec(e.a))
        pos, neg = _split(e.a - e.b)
        return type(e)(pos, neg)
    return rec(body)


def _as_logic(e):
    """A bitwise and / or of two conditions as the logical one (the same for bool operands)."""
    for cls, logic in _BOOL_BITWISE.items():
        if isinstance(e, cls) and str(e.ty) == "bool":
            return logic(e.a, e.b)
    return e


def _nonnegative(e) -> bool:
    """e is built from variables, non-negative constants, +, * and // / % by positive constants."""
    if isinstance(e, tvm.ir.Var):
        return True
    if isinstance(e, tirx.IntImm):
        return int(e.value) >= 0
    if isinstance(e, (tirx.FloorDiv, tirx.FloorMod)):
        return _nonnegative(e.a) and isinstance(e.b, tirx.IntImm) and int(e.b.value) > 0
    if isinstance(e, (tirx.Add, tirx.Mul)):
        return _nonnegative(e.a) and _nonnegative(e.b)
    return False


def _split(d):
    """(P, N) with d == P - N, P and N sums of non-negative terms: d affine in its variables and in
    floordiv / floormod terms of non-negative expressions (ValueError otherwise)."""
    from tvm.sym import detect_linear_equation

    atoms: list = []

    def atomize(e):
        if isinstance(e, (tirx.FloorDiv, tirx.FloorMod)):
            if not _nonnegative(e):
                raise ValueError(f"{e} (// and % only of non-negative expressions by positive constants)")
            atoms.append((tirx.Var(f"_atom{len(atoms)}", "int32"), e))
            return atoms[-1][0]
        if isinstance(e, _ARITH):
            return type(e)(atomize(e.a), atomize(e.b))
        return e
    flat = atomize(d)
    variables = free_vars(flat)
    coeffs = list(detect_linear_equation(flat, variables)) if variables else [flat]
    if len(coeffs) != len(variables) + 1 or not all(isinstance(c, tirx.IntImm) for c in coeffs):
        raise ValueError(f"{d} is not affine in {', '.join(v.name for v in variables)}")

    def atom(v):
        return next((e for a, e in atoms if a.same_as(v)), v)
    pos, neg = [], []
    for v, c in zip(variables + [None], (int(c.value) for c in coeffs)):
        term = tirx.IntImm("int32", abs(c)) if v is None else atom(v) * abs(c) if abs(c) != 1 else atom(v)
        if c > 0:
            pos.append(term)
        elif c < 0:
            neg.append(term)
    total = lambda ts: ts[0] if len(ts) == 1 else (total(ts[:-1]) + ts[-1]) if ts else tirx.IntImm("int32", 0)  # noqa: E731
    return total(pos), total(neg)


def uses_vars(op) -> list:
    """The variables of the predicate other than its coordinates (grid and loop variables)."""
    names, body = predicate(op)
    return [v for v in free_vars(body) if not any(v.same_as(n) for n in names)]


def describe(op) -> str:
    """The select as the user wrote it, for error messages."""
    dst, t, f = op.operands[:3]
    names, body = predicate(op)
    f_text = f.name if f.kind != "scalar" else _scalar_text(f.value)
    t_text = t.name if t.kind != "scalar" else _scalar_text(t.value)
    return f"Tx.select({dst.name}, {t_text}, {f_text}, lambda {', '.join(v.name for v in names)}: {body})"


def _scalar_text(v: float) -> str:
    return {float("inf"): "inf", float("-inf"): "-inf"}.get(v, repr(v))
