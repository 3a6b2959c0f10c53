"""Read, from C++ compute API headers, which engine format state each API call programs.

The released headers (tt_metal/hw/inc/api/compute/*.h of the pinned ttnn wheel) program the unpacker's
SrcA / SrcB formats and the packer's output format through a handful of LLK calls
(`llk_unpack_hw_configure`, `llk_unpack_reconfig_data_format[_srca|_srcb]`, `llk_pack_hw_configure`,
`llk_pack_reconfig_data_format`); the emulator's headers do the same through `tt_emu_hw_startup` and
`tt_emu_reconfig_df`. `effects(...)` follows an API function's body (through the helpers it calls, with
its SrcOrder) down to those calls and says which of the function's parameters ends up in which unit.
tests/unit/realapi/test_format_table.py compares the result with analysis/format_table.py for both
trees, so the table cannot drift from the release or from the emulator.

This is a reader for these headers' simple shape (functions, local constants, ternaries on SrcOrder),
not a C++ parser; anything it cannot follow is reported, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

UNITS = ("srca", "srcb", "pack")
_KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "static_assert", "decltype", "UNPACK", "MATH",
             "PACK", "LLK_SAN_FUNCTION", "defined", "alignof", "constexpr", "static_cast", "reinterpret_cast"}


class HeaderReadError(Exception):
    """The header has a shape this reader does not follow."""


@dataclass
class Func:
    name: str
    params: list            # [(name, has_default)]
    template: str           # template parameter list text ("" if none)
    body: str
    file: str

    @property
    def required(self) -> int:
        return sum(1 for _, d in self.params if not d)

    def takes(self, n: int) -> bool:
        return self.required <= n <= len(self.params)


# ------------------------------------------------------------------------------------------ text

def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _eval_if(expr: str, defines: dict) -> bool:
    e = re.sub(r"defined\s*\(\s*(\w+)\s*\)", lambda m: "1" if m.group(1) in defines else "0", expr)
    e = re.sub(r"defined\s+(\w+)", lambda m: "1" if m.group(1) in defines else "0", e)
    e = e.replace("&&", " and ").replace("||", " or ")
    e = re.sub(r"!(?!=)", " not ", e)
    e = re.sub(r"\b[A-Za-z_]\w*\b", lambda m: m.group(0) if m.group(0) in ("and", "or", "not")
               else str(defines.get(m.group(0), 0)), e)
    try:
        return bool(eval(e, {"__builtins__": {}}))   # noqa: S307  (digits and boolean operators only)
    except Exception as err:  # noqa: BLE001
        raise HeaderReadError(f"cannot evaluate #if {expr!r}: {err}") from None


def preprocess(text: str, defines: dict) -> str:
    """`text` without comments and without the inactive branches of #if / #ifdef / #ifndef."""
    out, stack = [], []          # stack: [(this branch active, some branch taken, parent active)]
    active = True
    for line in _strip_comments(text).splitlines():
        s = line.strip()
        m = re.match(r"#\s*(ifdef|ifndef|if|elif|else|endif)\b(.*)", s)
        if not m:
            if active and not s.startswith("#"):
                out.append(line)
            continue
        kw, rest = m.group(1), m.group(2).strip()
        if kw in ("ifdef", "ifndef", "if"):
            cond = (rest in defines) if kw == "ifdef" else (rest not in defines) if kw == "ifndef" \
                else _eval_if(rest, defines)
            stack.append((active and cond, cond, active))
            active = active and cond
        elif kw == "elif":
            _, taken, parent = stack.pop()
            cond = not taken and _eval_if(rest, defines)
            stack.append((parent and cond, taken or cond, parent))
            active = parent and cond
        elif kw == "else":
            _, taken, parent = stack.pop()
            stack.append((parent and not taken, True, parent))
            active = parent and not taken
        else:
            _, _, parent = stack.pop()
            active = parent
    return "\n".join(out)


def _match(text: str, i: int, open_: str, close: str) -> int:
    """Index just past the bracket that closes text[i] (== open_); () and <> nest inside <>."""
    pairs = {"(": ")", "<": ">", "{": "}", "[": "]"} if open_ == "<" else {open_: close}
    closers = {v: k for k, v in pairs.items()}
    stack = []
    while i < len(text):
        c = text[i]
        if c in pairs and (open_ == "<" or c == open_):
            stack.append(c)
        elif c in closers and (open_ == "<" or c == close):
            if not stack or stack[-1] != closers[c]:
                raise HeaderReadError(f"unbalanced {c!r} near {text[max(0, i - 60):i + 20]!r}")
            stack.pop()
            if not stack:
                return i + 1
        elif open_ == "<" and c == ";":
            break
        i += 1
    raise HeaderReadError(f"no closing {close!r} near {text[max(0, i - 80):i]!r}")


def _split_args(text: str) -> list[str]:
    """Top-level comma split of an argument / parameter list (brackets and <> of templates nest)."""
    out, cur, depth = [], [], 0
    for c in text:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    last = "".join(cur).strip()
    if last or out:
        out.append(last)
    return [a.strip() for a in out]


def _param(p: str):
    has_default = "=" in p
    decl = p.split("=", 1)[0].strip()
    if decl == "TT_EMU_LINE":          # the emulator's hidden source-line parameter
        return "tt_emu_line", True
    m = re.search(r"(\w+)\s*$", decl)
    if not m:
        raise HeaderReadError(f"cannot read parameter {p!r}")
    return m.group(1), has_default


_DEF = re.compile(r"\bALWI\s+(?:inline\s+)?void\s+(\w+)\s*\(")


def functions(text: str, file: str = "") -> list[Func]:
    """The ALWI void functions defined in preprocessed `text`."""
    out = []
    for m in _DEF.finditer(text):
        name = m.group(1)
        p_open = m.end() - 1
        p_close = _match(text, p_open, "(", ")")
        rest = text[p_close:]
        k = len(rest) - len(rest.lstrip())
        if not rest[k:].startswith("{"):
            continue                   # a declaration
        b_open = p_close + k
        b_close = _match(text, b_open, "{", "}")
        # the template header, if any, is the nearest `template <...>` before the definition
        head = text[max(0, m.start() - 600):m.start()]
        t = list(re.finditer(r"template\s*<", head))
        template = ""
        if t:
            start = max(0, m.start() - 600) + t[-1].end() - 1
            end = _match(text, start, "<", ">")
            if not re.search(r"[;}]", text[end:m.start()]):
                template = text[start + 1:end - 1]
        params = [_param(p) for p in _split_args(text[p_open + 1:p_close - 1]) if p and p != "void"]
        out.append(Func(name, params, template, text[b_open + 1:b_close - 1], file))
    return out


def read_tree(paths, defines: dict) -> dict:
    """{name: [Func, ...]} over the headers `paths`."""
    table: dict = {}
    for p in paths:
        p = Path(p)
        for f in functions(preprocess(p.read_text(), defines), str(p)):
            table.setdefault(f.name, []).append(f)
    return table


# ------------------------------------------------------------------------------------ evaluation

class _Val:
    """A value during evaluation: a parameter of the top-level function, or a constant (by its text)."""

    def __init__(self, text: str, param: bool):
        self.text, self.param = text, param

    def __repr__(self):
        return self.text if self.param else f"<{self.text}>"


def _strip_parens(e: str) -> str:
    e = e.strip()
    while e.startswith("(") and _match(e, 0, "(", ")") == len(e):
        e = e[1:-1].strip()
    return e


def _ternary(e: str):
    depth, q = 0, -1
    for i, c in enumerate(e):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and c == "?" and q < 0:
            q = i
        elif depth == 0 and c == ":" and q >= 0 and e[i - 1] != ":" and (i + 1 >= len(e) or e[i + 1] != ":"):
            return e[:q], e[q + 1:i], e[i + 1:]
    return None


_ORDER_CONST = {"TT_EMU_CONFIGURE_REGULAR": "Regular", "TT_EMU_CONFIGURE_REVERSE": "Reverse", "0": "Regular",
                "1": "Reverse"}


def _eval(expr: str, env: dict):
    e = _strip_parens(expr)
    t = _ternary(e)
    if t is not None:
        c = _eval(t[0], env)
        if not isinstance(c, bool):
            raise HeaderReadError(f"cannot decide the condition of {expr!r}")
        return _eval(t[1] if c else t[2], env)
    m = re.fullmatch(r"src_order\s*==\s*SrcOrder::(\w+)", e)
    if m:
        return env["src_order"] == m.group(1)
    if e in ("true", "false"):
        return e == "true"
    e = re.sub(r"^\((?:int|uint32_t|std::uint32_t)\)\s*", "", e)
    if e in env:
        return env[e]
    return _Val(e, False)


# primitive: name -> (args -> [(unit, new, old)]) given evaluated args
def _pairs(units, args):
    if len(args) == len(units):
        return [(u, a, None) for u, a in zip(units, args)]
    if len(args) == 2 * len(units):
        return [(u, args[2 * i + 1], args[2 * i]) for i, u in enumerate(units)]
    raise HeaderReadError(f"unexpected argument count {len(args)} for units {units}")


def _order_of(v) -> str:
    if isinstance(v, str) and v in ("Regular", "Reverse"):
        return v
    if isinstance(v, _Val) and v.text in _ORDER_CONST:
        return _ORDER_CONST[v.text]
    raise HeaderReadError(f"cannot read a source order from {v!r}")


def _emu_reconfig(args):
    which, old, new = args[0], args[1], args[2]
    unit = {"TT_EMU_SRCA": "srca", "TT_EMU_SRCB": "srcb", "TT_EMU_PACK": "pack"}.get(getattr(which, "text", ""))
    if unit is None:
        raise HeaderReadError(f"tt_emu_reconfig_df with unit {which!r}")
    return [(unit, new, None if getattr(old, "text", "") == "TT_EMU_NO_CB" else old)]


def _emu_startup(args):
    a, b, o = args[0], args[1], args[2]
    rev = _order_of(args[3]) == "Reverse"
    return [("srca", b if rev else a, None), ("srcb", a if rev else b, None), ("pack", o, None)]


PRIMITIVES = {
    # release LLK API (tt_metal/hw/ckernels/<arch>/metal/llk_api)
    "llk_unpack_hw_configure": lambda a: _pairs(("srca", "srcb"), a),
    "llk_unpack_reconfig_data_format": lambda a: _pairs(("srca", "srcb"), a),
    "llk_unpack_reconfig_data_format_srca": lambda a: _pairs(("srca",), a),
    "llk_unpack_reconfig_data_format_srcb": lambda a: _pairs(("srcb",), a),
    "llk_pack_hw_configure": lambda a: _pairs(("pack",), a),
    "llk_pack_reconfig_data_format": lambda a: _pairs(("pack",), a),
    # emulator runtime (tilelang_tt/emulator/include/tt_emu/kernel_rt.h)
    "tt_emu_hw_startup": _emu_startup,
    "tt_emu_reconfig_df": _emu_reconfig,
}

_CALL = re.compile(r"\b([A-Za-z_]\w*(?:::\w+)*)\s*(?=[<(])")


def _calls(body: str):
    """(callee, template text, [arg texts]) for each call in `body`, in order (nested calls included)."""
    i = 0
    while True:
        m = _CALL.search(body, i)
        if not m:
            return
        name = m.group(1).split("::")[-1]
        j = m.end()
        template = ""
        if body[j] == "<":
            try:
                end = _match(body, j, "<", ">")
            except HeaderReadError:
                i = j + 1               # a comparison, not a template
                continue
            rest = body[end:].lstrip()
            if not rest.startswith("("):
                i = j + 1
                continue
            template = body[j + 1:end - 1]
            j = end + (len(body[end:]) - len(rest))
        if body[j] == "(" and name not in _KEYWORDS:      # UNPACK((...)) and the like: look inside
            close = _match(body, j, "(", ")")
            yield name, template, _split_args(body[j + 1:close - 1])
        i = j + 1


def _locals(body: str, env: dict) -> dict:
    env = dict(env)
    for m in re.finditer(r"\b(?:const|constexpr)\s+(?:std::)?\w+\s+(\w+)\s*=\s*([^;]+);", body):
        try:
            env[m.group(1)] = _eval(m.group(2), env)
        except HeaderReadError:       # a constant that decides nothing about formats (e.g. an approx mode)
            env[m.group(1)] = _Val(m.group(2).strip(), False)
    return env


def _overload(funcs, n: int):
    """The overload a call with n arguments picks: exact required arity first, then defaulted ones."""
    cands = sorted((f for f in funcs if f.takes(n)), key=lambda f: f.required != n)
    return cands[0] if cands else None


def _src_order(template_args: str, default: str = "Regular") -> str:
    m = re.search(r"SrcOrder::(\w+)", template_args)
    return m.group(1) if m else default


def _run(tree: dict, f: Func, env: dict, state: dict, expects: list, depth: int):
    if depth > 12:
        raise HeaderReadError(f"call chain too deep at {f.name}")
    env = _locals(f.body, env)
    for name, targs, args in _calls(f.body):
        if name in PRIMITIVES:
            vals = [_eval(a, env) for a in args if a]
            for unit, new, old in PRIMITIVES[name](vals):
                state[unit] = (new, old)
        elif name == "state_configure":
            # the release's sentinel: which CB each init expects in which unit (documentation of intent)
            vals = [_eval(a, env) for a in args[:-1]]
            ops = re.findall(r"Operand::(\w+)", targs) or (["SRCA", "SRCB", "PACK"][:len(vals)])
            expects.append({op.lower(): v for op, v in zip(ops, vals)})
        elif name in tree:
            g = _overload(tree[name], len([a for a in args if a]))
            if g is None:
                continue
            vals = [_eval(a, env) for a in args if a]
            sub = {p: v for (p, _), v in zip(g.params, vals)}
            sub["src_order"] = _src_order(targs, "Regular")
            _run(tree, g, sub, state, expects, depth + 1)


def effects(tree: dict, name: str, nargs: int, src_order: str = "Regular", func: Func | None = None):
    """({unit: (new param, old param | None)}, [state_configure expectations]) of the overload of `name`
    taking `nargs` arguments (or of `func`); parameters are reported by name, constants as <text>."""
    f = func if func is not None else _overload(tree.get(name, []), nargs)
    if f is None:
        raise HeaderReadError(f"no definition of {name} taking {nargs} arguments")
    env = {p: _Val(p, True) for p, _ in f.params}
    env["src_order"] = src_order
    state: dict = {}
    expects: list = []
    _run(tree, f, env, state, expects, 0)
    norm = {u: (repr(n), None if o is None else repr(o)) for u, (n, o) in state.items()}
    return norm, [{k: repr(v) for k, v in e.items()} for e in expects]


def state_setters(tree: dict) -> set:
    """Names of every function in `tree` whose body (through helpers) programs a format unit."""
    out = set()
    for name, fs in tree.items():
        for f in fs:
            try:
                st, _ = effects(tree, name, f.required, func=f)
            except HeaderReadError:
                continue
            if st:
                out.add(name)
    return out
