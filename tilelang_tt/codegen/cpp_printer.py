"""The visitor base: TT-level TIR statements and expressions printed as readable C++.

Role printers (`kernels.py`) subclass `KernelPrinter` and decide how intrinsics print; everything else
(loops, conditionals, lets, index arithmetic, CB constants, includes, names) lives here.

Index arithmetic is int32 in TIR and `uint32_t` in C++: the contract guarantees the values are
non-negative, so floordiv/floormod print as `/` and `%`.
"""
from __future__ import annotations

import math

import tvm
import tvm_ffi
from tvm import tirx

from .. import intrinsics as tt_intrinsics
from ..errors import TTCompileError
from . import profiles as P
from .names import NameTable, comment_text, sanitize

INDENT = "    "

# C++ operator precedence (smaller binds tighter); parentheses are added only where C++ needs them.
_BINARY = [
    (tirx.Mul, "*", 5), (tirx.Div, "/", 5), (tirx.FloorDiv, "/", 5), (tirx.Mod, "%", 5),
    (tirx.FloorMod, "%", 5), (tirx.Add, "+", 6), (tirx.Sub, "-", 6),
    (tirx.LShift, "<<", 7), (tirx.RShift, ">>", 7),
    (tirx.LT, "<", 9), (tirx.LE, "<=", 9), (tirx.GT, ">", 9), (tirx.GE, ">=", 9),
    (tirx.EQ, "==", 10), (tirx.NE, "!=", 10),
    (tirx.BitwiseAnd, "&", 11), (tirx.BitwiseXor, "^", 12), (tirx.BitwiseOr, "|", 13),
    (tirx.And, "&&", 14), (tirx.Or, "||", 15),
]
_ATOM, _UNARY, _TERNARY = 0, 3, 16

# Intrinsic argument names that hold a CB id (printed through the cb_<name> constants).
CB_ARGS = frozenset({"cb", "icb0", "icb1", "ocb", "in0_cb", "in1_cb", "out_cb", "icb", "scaler_cb", "srca_cb",
                     "srcb_cb"})

# Every API identifier the kernels may call; TIR variables never take these names.
_API_NAMES = frozenset(
    [c.name.replace("{op}", op).replace("{dim}", dim) for prof in P.PROFILES.values() for c in prof.calls.values()
     for op in list(P.UNARY_HEADERS) + list(P.BINARY_OPS) + list(P.SCALAR_OPS) + list(P.SFPU_BINARY_OPS)
     for dim in P.BCAST_DIMS]
    + ["TensorAccessorArgs", "TensorAccessor", "fill_tile_init", "get_compile_time_arg_val",
       "SrcOrder", "EltwiseBinaryType", "EltwiseBinaryReuseDestType", "ckernel", "noc_index", "tt_l1_ptr",
       "PoolType", "ReduceDim"])


def dtype_of(e) -> str:
    """TIR dtype of a PrimExpr or scalar Var (0.27 keeps it on the node's PrimType)."""
    ty = e.ty
    return str(getattr(ty, "dtype", ty))


def c_type(dtype) -> str:
    d = str(dtype)
    if d == "bool":
        return "bool"
    if d.startswith("float"):
        return "float"
    if d in ("int64", "uint64"):
        return "uint64_t"                 # NOC addresses
    if d.startswith("int") or d.startswith("uint"):
        return "uint32_t"
    raise TTCompileError(f"no C++ type for TIR dtype {d} in a TT kernel (index values are int32)")


def float_literal(value: float) -> str:
    if math.isnan(value):
        return "__builtin_nanf(\"\")"
    if math.isinf(value):
        return "__builtin_inff()" if value > 0 else "-__builtin_inff()"
    text = repr(float(value))
    if "e" not in text and "." not in text:
        text += ".0"
    return text + "f"


class KernelPrinter:
    """Prints one role function as a complete kernel source.

    Subclasses set `role` ("reader", "compute", "writer") and `family` ("dm" or "compute") and may
    override `intrinsic_stmt` / `check` to add role-specific lowering and protocol checks.
    """

    role = "kernel"
    family = "dm"
    base_includes: tuple[str, ...] = ()

    def __init__(self, func: tirx.PrimFunc, profile: P.ApiProfile, cb_plan: list[dict],
                 kernel_name: str, accessors: list[str] | None = None):
        self.func = func
        self.profile = profile
        self.kernel_name = kernel_name
        self.accessors = list(accessors or [])
        self.cb_plan = {int(cb["index"]): cb for cb in cb_plan}
        self.lines: list[str] = []
        self.depth = 1
        self.includes: set[str] = set(self.base_includes)
        self.used_cbs: set[int] = set()
        self.names = NameTable(reserved=_API_NAMES)
        self.vars: dict[object, str] = {}          # tvm Var (or scalar cell buffer) -> C++ name
        self.consts: dict[object, int] = {}        # loop vars of single-iteration loops -> their value
        self.cb_names = self._cb_constant_names()
        for name in self.cb_names.values():
            self.names.reserve(name)

    # ----------------------------------------------------------------------------------------------
    # output helpers

    def where(self) -> str:
        return f"kernel '{self.kernel_name}', {self.role} kernel"

    def error(self, message: str, node=None) -> TTCompileError:
        text = f"{self.where()}: {message}"
        if node is not None:
            text += f"\n  at: {_short_script(node)}"
        return TTCompileError(text)

    def emit(self, line: str = "") -> None:
        self.lines.append(INDENT * self.depth + line if line else "")

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "" and not self.lines[-1].endswith("{"):
            self.lines.append("")

    def _cb_constant_names(self) -> dict[int, str]:
        table = NameTable()
        return {index: table.fresh("cb_" + sanitize(self.cb_plan[index].get("name", f"c{index}"), f"c{index}"))
                for index in sorted(self.cb_plan)}

    # ----------------------------------------------------------------------------------------------
    # entry point

    def print(self) -> str:
        self.check(self.func.body)
        self._count_refs(self.func.body)
        self.stmt(self.func.body)
        return self.render()

    def _count_refs(self, body) -> None:
        """Reference counts of every Var (definitions included) and stores per scalar cell, so lets
        nobody reads can be dropped (e.g. block_start in a compute kernel)."""
        self._refs: dict = {}
        self._stores: dict = {}

        def on_var(v):
            self._refs[v] = self._refs.get(v, 0) + 1

        def on_store(s):
            self._stores[s.buffer] = self._stores.get(s.buffer, 0) + 1

        tvm_ffi.structural_walk(body, [(tvm.ir.Var, on_var)])
        tvm_ffi.structural_walk(body, [(tirx.BufferStore, on_store)])

    def unread(self, var) -> bool:
        """True if `var` (a let var or scalar cell) is defined but never read."""
        defs = 1 + self._stores.get(var, 0)
        return self._refs.get(var, 0) <= defs

    def check(self, body) -> None:
        """Role-specific protocol checks before printing (none for the base)."""

    def header_comment(self) -> list[str]:
        return [f"// {self.role.capitalize()} kernel of `{comment_text(self.kernel_name)}`, generated "
                f"by tilelang_tt from TT-level TIR."]

    def render(self) -> str:
        if self.used_cbs:
            self.includes.add(P.KERNEL_STRUCTS_H)   # tt::CBIndex
        out = self.header_comment()
        out.append("")
        out.append("#include <cstdint>")
        out.append("")
        for inc in sorted(self.includes):
            out.append(f'#include "{inc}"')
        if self.used_cbs:
            out.append("")
            for index in sorted(self.used_cbs):
                out.append(f"constexpr uint32_t {self.cb_names[index]} = tt::CBIndex::c_{index};")
        out.append("")
        out.append(f"{self.profile.entry_point} {{")
        body = list(self.lines)
        while body and body[-1] == "":
            body.pop()
        out.extend(body)
        out.append("}")
        return "\n".join(out) + "\n"

    # ----------------------------------------------------------------------------------------------
    # statements

    def stmt(self, s) -> None:
        if isinstance(s, tirx.SeqStmt):
            self.seq(list(s.seq))
        elif isinstance(s, tirx.For):
            self.for_loop(s)
        elif isinstance(s, tirx.Bind):
            self.let(s)
        elif isinstance(s, tirx.IfThenElse):
            self.if_then_else(s)
        elif isinstance(s, tirx.Evaluate):
            self.evaluate(s)
        elif isinstance(s, tirx.AttrStmt):
            # Annotations carry nothing the kernel needs; their body is ordinary code.
            self.stmt(s.body)
        elif isinstance(s, tirx.AllocBuffer):
            self.scalar_cell(s, None)
        elif isinstance(s, tirx.BufferStore):
            self.store(s)
        else:
            raise self.error(f"cannot print a {type(s).__name__} statement in a TT kernel", s)

    def seq(self, stmts: list) -> None:
        i = 0
        while i < len(stmts):
            s = stmts[i]
            # `x: T.int32 = v` parses to a one-element local cell plus a store: print one declaration.
            if (isinstance(s, tirx.AllocBuffer) and i + 1 < len(stmts)
                    and isinstance(stmts[i + 1], tirx.BufferStore)
                    and stmts[i + 1].buffer.same_as(s.buffer)):
                self.scalar_cell(s, stmts[i + 1])
                i += 2
                continue
            if self.depth == 1 and isinstance(s, (tirx.For, tirx.IfThenElse)):
                self.blank()
            self.stmt(s)
            i += 1

    def declare(self, key, hint: str) -> str:
        name = self.names.fresh(hint)
        self.vars[key] = name
        return name

    def let(self, s) -> None:
        value = self.expr(s.value)      # printed (and so validated) even if dropped below
        if self.unread(s.var):
            return  # a pure value nobody reads (lets only bind side-effect-free expressions)
        name = self.declare(s.var, s.var.name)
        self.emit(f"{c_type(dtype_of(s.var))} {name} = {value};")
        self.after_let(s, name)

    def after_let(self, s, name: str) -> None:
        """Hook: a blank line after the runtime-argument prologue reads better."""

    def scalar_cell(self, alloc, init_store) -> None:
        buf = alloc.buffer
        shape = [int(x) for x in buf.ty.shape]
        if buf.scope() not in ("local", "") or shape not in ([1], []):
            raise self.error(
                f"buffer {buf.name} (shape {shape}, scope {buf.scope()}) reached codegen; only scalar "
                f"locals may remain in TT-level TIR (CB and DST storage is expressed with T.tt calls)",
                alloc)
        ctype = c_type(buf.ty.dtype)
        value = self.expr(init_store.value) if init_store is not None else "0"
        if init_store is not None and self._stores.get(buf, 0) == 1 and self.unread(buf):
            return  # written once, never read
        name = self.declare(buf, buf.name)
        self.emit(f"{ctype} {name} = {value};")

    def store(self, s) -> None:
        name = self.vars.get(s.buffer)
        if name is None:
            raise self.error(f"store to {s.buffer.name}, which is not a scalar local of this kernel", s)
        self.emit(f"{name} = {self.expr(s.value)};")

    def for_loop(self, s) -> None:
        if s.thread_binding is not None or int(s.kind) not in (int(tirx.ForKind.SERIAL),
                                                               int(tirx.ForKind.UNROLLED)):
            raise self.error("only serial loops can run on a Tensix RISC-V core", s)
        step = getattr(s, "step", None)
        if step is not None and not (isinstance(step, tirx.IntImm) and int(step.value) == 1):
            raise self.error("loops with a step other than 1 are not supported", s)
        if self.single_iteration(s):
            # `for kk in range(1)` (a 1-wide tile grid axis): no loop, kk prints as its value.
            self.consts[s.loop_var] = int(s.min.value)
            self.stmt(s.body)
            return
        lo = self.expr(s.min)
        self.names.push()
        var = self.declare(s.loop_var, s.loop_var.name)
        bound = self.loop_bound(s.min, s.extent)
        self.emit(f"for (uint32_t {var} = {lo}; {var} < {bound}; ++{var}) {{")
        self.depth += 1
        self.stmt(s.body)
        self.depth -= 1
        self.emit("}")
        self.names.pop()

    def single_iteration(self, s) -> bool:
        if not (isinstance(s.min, tirx.IntImm) and isinstance(s.extent, tirx.IntImm)
                and int(s.extent.value) == 1):
            return False
        declares = []
        tvm_ffi.structural_walk(s.body, [((tirx.Bind, tirx.AllocBuffer), declares.append)])
        return not declares     # keep the braces if the body declares names

    def loop_bound(self, lo, extent) -> str:
        """`lo + extent` for the loop condition, folding the forms TIR produces for range(a, b)."""
        if isinstance(lo, tirx.IntImm) and int(lo.value) == 0:
            return self.expr(extent)
        if isinstance(lo, tirx.IntImm) and isinstance(extent, tirx.IntImm):
            return str(int(lo.value) + int(extent.value))
        if (isinstance(extent, tirx.Sub) and isinstance(extent.b, tirx.IntImm)
                and isinstance(lo, tirx.IntImm) and int(extent.b.value) == int(lo.value)):
            return self.expr_prec(extent.a, 9)[0]      # range(m, x) arrives as m + (x - m)
        if isinstance(extent, tirx.Sub) and extent.b.same_as(lo):
            return self.expr_prec(extent.a, 9)[0]
        return self.expr_prec(tirx.Add(lo, extent), 9)[0]

    def if_then_else(self, s) -> None:
        self.emit(f"if ({self.expr(s.condition)}) {{")
        self.scoped(s.then_case)
        self._else_tail(s.else_case)

    def _else_tail(self, else_case) -> None:
        if else_case is None:
            self.emit("}")
            return
        if isinstance(else_case, tirx.IfThenElse):
            self.emit("} else if" + f" ({self.expr(else_case.condition)}) {{")
            self.scoped(else_case.then_case)
            self._else_tail(else_case.else_case)
            return
        self.emit("} else {")
        self.scoped(else_case)
        self.emit("}")

    def scoped(self, body) -> None:
        self.names.push()
        self.depth += 1
        self.stmt(body)
        self.depth -= 1
        self.names.pop()

    def evaluate(self, s) -> None:
        v = s.value
        if isinstance(v, tirx.IntImm):
            return  # T.evaluate(0): a no-op TVM leaves behind
        intr = tt_intrinsics.intrinsic_of(v)
        if intr is None:
            raise self.error("only T.tt.* intrinsic calls may appear as statements", s)
        if intr.returns != "void":
            raise self.error(f"T.tt.{intr.name} returns a value; its result must be used", s)
        self.check_role(intr, v)
        self.intrinsic_stmt(intr, v)

    def check_role(self, intr, call) -> None:
        if self.family not in intr.roles:
            raise self.error(f"T.tt.{intr.name} is not available in a {self.role} kernel "
                             f"(allowed in: {', '.join(intr.roles)})", call)

    # ----------------------------------------------------------------------------------------------
    # intrinsics

    def intrinsic_stmt(self, intr, call) -> None:
        self.emit(self.api_call(intr, call) + ";")

    def api_call(self, intr, call, api: P.ApiCall | None = None) -> str:
        """The one API call an intrinsic maps to, per the profile's table."""
        api = api or self.profile.call(intr.name)
        args = dict(zip(intr.args, call.args))
        op = self.op_arg(intr, args)
        name = api.name.replace("{op}", op[0] if op else "")
        self.includes.add(self.include_of(intr, api, op))
        template = api.template
        for key in ("pool", "dim", "fmt"):    # reduce PoolType / ReduceDim, broadcast dimension, DataFormat
            if key in args:
                value = self.enum_arg(intr, key, args[key])
                name, template = name.replace("{%s}" % key, value), template.replace("{%s}" % key, value)
        if "{elw}" in template:
            template = template.replace("{elw}", op[1])
        if "{src_order}" in template:
            template = template.replace("{src_order}", self.src_order(args, call))
        text = name + (f"<{template}>" if template else "")
        printed = []
        for a in api.args:
            if a.startswith("#"):
                printed.append(a[1:])
                continue
            if a.endswith("?"):                # a defaulted trailing parameter: printed only when set
                a = a[:-1]
                if isinstance(args[a], tirx.IntImm) and args[a].value == 0:
                    continue
            value = self.arg(intr, a, args[a], call)
            printed.append(api.casts[a].format(value) if a in api.casts else value)
        return text + "(" + ", ".join(printed) + ")"

    def include_of(self, intr, api: P.ApiCall, op) -> str:
        inc = api.include.get(self.family)
        if inc is None:
            raise self.error(f"T.tt.{intr.name} has no {self.family} header in profile {self.profile.name}")
        if inc == "{op}":
            inc = P.UNARY_HEADERS[op[0]]
        return inc

    def op_arg(self, intr, args):
        if "op" not in args:
            return None
        node = args["op"]
        if not isinstance(node, tvm.ir.StringImm):
            raise self.error(f"T.tt.{intr.name}: `op` must be a string literal", node)
        op = str(node.value)
        if intr.name == "scalar_tile":
            if op not in P.SCALAR_OPS:
                raise self.error(f"unknown scalar op {op!r}; supported: {', '.join(P.SCALAR_OPS)}")
            return (op, None)
        if intr.name.startswith("sfpu_binary"):
            if op not in P.SFPU_BINARY_OPS:
                raise self.error(f"unknown SFPU binary op {op!r}; supported: {', '.join(P.SFPU_BINARY_OPS)}")
            return (op, None)
        if intr.name.startswith("unary"):
            if op not in P.UNARY_HEADERS:
                raise self.error(f"unknown SFPU unary op {op!r}; supported: {', '.join(P.UNARY_HEADERS)}")
            return (op, None)
        if op not in P.BINARY_OPS:
            raise self.error(f"unknown binary op {op!r}; supported: {', '.join(P.BINARY_OPS)}")
        return P.BINARY_OPS[op]

    def enum_arg(self, intr, key, node) -> str:
        allowed = {"pool": P.REDUCE_POOLS, "dim": P.BCAST_DIMS if intr.name.startswith("bcast") else P.REDUCE_DIMS,
                   "fmt": P.WHERE_FORMATS}
        if not isinstance(node, tvm.ir.StringImm) or str(node.value) not in allowed[key]:
            raise self.error(f"T.tt.{intr.name}: `{key}` must be one of {', '.join(allowed[key])}", node)
        return str(node.value)

    def src_order(self, args, call) -> str:
        rev = args.get("reverse_src_order")
        if not isinstance(rev, tirx.IntImm):
            raise self.error("reverse_src_order of compute_kernel_hw_startup must be a literal 0 or 1", call)
        return "SrcOrder::Reverse" if int(rev.value) else ""

    def arg(self, intr, name: str, node, call) -> str:
        if name in CB_ARGS:
            return self.cb_arg(node, call)
        if name == "accessor":
            return self.accessor_arg(node, call)
        return self.expr(node)

    def cb_arg(self, node, call) -> str:
        if isinstance(node, tirx.IntImm):
            index = int(node.value)
            if index not in self.cb_plan:
                raise self.error(f"CB c_{index} is not in the CB plan (tt_cb_plan has "
                                 f"{sorted(self.cb_plan) or 'no CBs'})", call)
            self.used_cbs.add(index)
            return self.cb_names[index]
        return self.expr(node)

    def accessor_arg(self, node, call) -> str:
        raise self.error("tensor accessors exist only in data movement kernels", call)

    # ----------------------------------------------------------------------------------------------
    # expressions

    def expr(self, e) -> str:
        return self.expr_prec(e, _TERNARY + 1)[0]

    def expr_prec(self, e, outer: int, right: bool = False) -> tuple[str, int]:
        """Print `e` as an operand of an operator with precedence `outer` (parenthesized if needed)."""
        text, prec = self._expr(e)
        if prec > outer or (right and prec == outer and prec != _ATOM):
            return f"({text})", _ATOM
        return text, prec

    _FOLD = {tirx.Add: lambda a, b: a + b, tirx.Sub: lambda a, b: a - b if a >= b else None,
             tirx.Mul: lambda a, b: a * b, tirx.FloorDiv: lambda a, b: a // b if b else None,
             tirx.Div: lambda a, b: a // b if b else None,
             tirx.FloorMod: lambda a, b: a % b if b else None, tirx.Mod: lambda a, b: a % b if b else None}

    def const_value(self, e):
        """The value of an index expression made of literals and single-iteration loop vars, else None."""
        if isinstance(e, tirx.IntImm):
            return None if dtype_of(e) == "bool" else int(e.value)
        if isinstance(e, tvm.ir.Var):
            return self.consts.get(e)
        fold = self._FOLD.get(type(e))
        if fold is None:
            return None
        a, b = self.const_value(e.a), self.const_value(e.b)
        return None if a is None or b is None else fold(a, b)

    def _identity(self, e):
        """x + 0, x - 0, x * 1, x / 1 print as x; x * 0 and x % 1 as 0 (after constant substitution)."""
        a, b = self.const_value(e.a), self.const_value(e.b)
        if isinstance(e, tirx.Add):
            return e.b if a == 0 else e.a if b == 0 else None
        if isinstance(e, tirx.Sub):
            return e.a if b == 0 else None
        if isinstance(e, tirx.Mul):
            if a == 0 or b == 0:
                return 0
            return e.b if a == 1 else e.a if b == 1 else None
        if isinstance(e, (tirx.FloorDiv, tirx.Div)):
            return e.a if b == 1 else None
        if isinstance(e, (tirx.FloorMod, tirx.Mod)):
            return 0 if b == 1 else None
        return None

    def _expr(self, e) -> tuple[str, int]:
        value = self.const_value(e)
        if value is not None and not isinstance(e, tirx.IntImm):
            return str(value), _ATOM
        if type(e) in self._FOLD:
            same = self._identity(e)
            if same is not None:
                return (str(same), _ATOM) if isinstance(same, int) else self._expr(same)
        if isinstance(e, tirx.IntImm):
            if dtype_of(e) == "bool":
                return ("true" if int(e.value) else "false"), _ATOM
            v = int(e.value)
            return (str(v) if v >= 0 else f"-{-v}"), (_ATOM if v >= 0 else _UNARY)
        if isinstance(e, tirx.FloatImm):
            return float_literal(float(e.value)), _ATOM
        if isinstance(e, tvm.ir.TensorLoad):
            name = self.vars.get(e.source)
            if name is None:
                raise self.error(f"load from {e.source.name}, which is not a scalar local", e)
            return name, _ATOM
        if isinstance(e, tvm.ir.Var):
            name = self.vars.get(e)
            if name is None:
                raise self.error(f"variable {e.name} is used but never bound (kernels have no "
                                 f"parameters: bind it with a let from T.tt.get_arg_val)", e)
            return name, _ATOM
        for cls, op, prec in _BINARY:
            if isinstance(e, cls):
                a = self.expr_prec(e.a, prec)[0]
                b = self.expr_prec(e.b, prec, right=True)[0]
                return f"{a} {op} {b}", prec
        if isinstance(e, tirx.Not):
            return "!" + self.expr_prec(e.a, _UNARY)[0], _UNARY
        if isinstance(e, (tirx.Min, tirx.Max)):
            a, b = self.expr_prec(e.a, 9)[0], self.expr_prec(e.b, 9)[0]
            cmp = "<" if isinstance(e, tirx.Min) else ">"
            return f"{a} {cmp} {b} ? {a} : {b}", _TERNARY
        if isinstance(e, tirx.Select):
            c = self.expr_prec(e.condition, 15)[0]
            t = self.expr_prec(e.true_value, _TERNARY)[0]
            f = self.expr_prec(e.false_value, _TERNARY)[0]
            return f"{c} ? {t} : {f}", _TERNARY
        if isinstance(e, tirx.Cast):
            dst = c_type(dtype_of(e))
            if self._value_type(e.value) == dst:
                return self._expr(e.value)      # int32 <-> uint32: both uint32_t in C++
            return f"static_cast<{dst}>({self.expr(e.value)})", _ATOM
        if isinstance(e, tvm.ir.Call):
            intr = tt_intrinsics.intrinsic_of(e)
            if intr is None:
                raise self.error(f"call to {getattr(e.op, 'name', e.op)} has no TT-Metalium mapping", e)
            if intr.returns == "void":
                raise self.error(f"T.tt.{intr.name} returns nothing and cannot be used as a value", e)
            self.check_role(intr, e)
            return self.api_call(intr, e), _ATOM
        raise self.error(f"cannot print a {type(e).__name__} expression in a TT kernel", e)

    @staticmethod
    def _value_type(e) -> str:
        try:
            return c_type(dtype_of(e))
        except (AttributeError, TTCompileError):
            return ""


def _short_script(node) -> str:
    try:
        text = node.script() if hasattr(node, "script") else str(node)
    except Exception:  # noqa: BLE001 - best effort for an error message
        text = str(node)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("# from")]
    return " | ".join(lines[:4])[:300]
