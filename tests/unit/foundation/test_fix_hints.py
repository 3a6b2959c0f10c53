"""Every `fix:` a message suggests is code that parses, and compiles where the message promises it will
(issue 18: a hint suggested `Tx.silu(L0)`, which TVMScript rejects; the form that parses is
`Tx.silu(L0, L0)`).

Two layers:
* statically, every fix text in the package source (a `fix=` argument, a string after "fix:", a string
  assigned to `fix`, or a string of a function that builds fixes), with its interpolations replaced by
  a name, has code fragments that parse as Python; and every fragment that is a call of the tile or
  script dialect (Tx., T.) or another API is covered by a case below;
* each case triggers its error, takes the fix's code out of the message, applies it to the kernel (or
  the call) and compiles it, or parses it where the message promises nothing more.
Placeholders are written <like this> and stand for a name or value the user picks."""
from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
import tvm

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.errors import TTArgumentError, TTCompileError, TTError

PACKAGE = Path(tilelang_tt.__file__).parent
PLACEHOLDER = re.compile(r"<[a-z][\w ]*>")
# a call of a dotted name (Tx.silu(...), T.launch_thread(...), arr.astype(...)), range(...), optionally
# assigned (bx = ...), a subscript with a slice (C[by * bm:by * bm + bm, ...]), a backticked span
CALL = re.compile(r"(?:\b[A-Za-z_]\w*\s*=\s*)?\b(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*\(|\brange\(")
SUBSCRIPT = re.compile(r"\b[A-Za-z_]\w*\[(?=[^\]]*:)")
FIX_BUILDERS = {"_relax", "axis_fix", "_in_place"}


def _close(text: str, start: int) -> int:
    """Index after the bracket that closes the one opened just before `start`."""
    depth, i = 1, start
    pairs = {"(": ")", "[": "]"}
    stack = [text[start - 1]]
    while i < len(text) and depth:
        ch = text[i]
        if ch in pairs:
            stack.append(ch)
            depth += 1
        elif ch in ")]":
            stack.pop()
            depth -= 1
        i += 1
    return i if depth == 0 else -1


def code_fragments(text: str) -> list[str]:
    """The code a fix text suggests (placeholders become names)."""
    text = PLACEHOLDER.sub("_placeholder", text)
    out = [m.group(1) for m in re.finditer(r"`([^`]+)`", text)]
    for rx in (CALL, SUBSCRIPT):
        for m in rx.finditer(text):
            end = _close(text, m.end())
            out.append(text[m.start():end] if end > 0 else text[m.start():])
    return out


# A backticked fix that is a shell command (`make toolchain`, `pyenv install 3.10`) is checked as one: its
# program is one the project's own files or the machine provide.
SHELL_COMMANDS = ("make ", "pyenv ", "uv ", "apt-get ", "pip ", "python -m ", "cmake ")


def parses(fragment: str) -> bool:
    if fragment.startswith(SHELL_COMMANDS):
        import shlex
        return len(shlex.split(fragment)) >= 2
    src = fragment + (": pass" if fragment.startswith(("for ", "if ")) else "")
    try:
        ast.parse(src)
        return True
    except SyntaxError:
        return False


# ---------------------------------------------------------------------------------------------------
# static: every fix text in the package

def _template(node) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "_x" for v in node.values)
    return ""


def _strings(node):
    """The string literals under `node` (an f-string whole, not its parts)."""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        t = _template(node)
        if t:
            yield node, t
        return
    for child in ast.iter_child_nodes(node):
        yield from _strings(child)


def fix_texts():
    """(file:line, text) of every fix text in the package."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "fuzz" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        seen = set()

        def add(n, text):
            if (n.lineno, text) not in seen:
                seen.add((n.lineno, text))
                out.append((f"{path.relative_to(PACKAGE)}:{n.lineno}", text))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "fix":
                for n, t in _strings(node.value):
                    add(n, t)
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ("fix", "fixes")
                                                      for t in node.targets):
                for n, t in _strings(node.value):
                    add(n, t)
            elif isinstance(node, ast.FunctionDef) and node.name in FIX_BUILDERS:
                for n, t in _strings(node):
                    add(n, t)
        for n, t in _strings(tree):
            if "fix:" in t:
                add(n, t.split("fix:", 1)[1])
    return out


FIXES = fix_texts()


def test_the_scan_finds_the_fix_texts():
    where = {w.split(":")[0] for w, _ in FIXES}
    assert {"analysis/verify.py", "analysis/coverage.py", "kernel.py", "errors.py", "schedule/matmul.py",
            "lower/naive.py"} <= where
    assert len(FIXES) > 50


@pytest.mark.parametrize("where,text", FIXES, ids=[w for w, _ in FIXES])
def test_every_fix_text_parses(where, text):
    for frag in code_fragments(text):
        assert parses(frag), f"{where}: the fix suggests {frag!r}, which does not parse:\n{text}"


# Which case below checks each fix whose code calls the tile / script dialect or another API, by a
# substring of its source text.
COVERED = {
    "apply it in place (": "unary_in_place",
    "Tx._x(_x, _x)": "unary_in_place",
    "Tx.maximum(_x, _x, T.float32(0))": "unary_in_place",
    "for relu write Tx.maximum(": "relu_against_nonzero",
    "T.float32(0)": "fill_with_a_variable",
    "(e.g. _x or _x[0:rows, 0:cols])": "partial_shared_region",
    "T.launch_thread('_x', n)": "zero_blocks",
    "bx = T.launch_thread('blockIdx.x', <number of blocks>)": "no_grid",
    "`for k in range(_x)`": "partial_k",
    "func.with_attr('global_symbol', 'my_kernel')": "empty_name",
    "arr.astype(_x)": "float64_argument",
    "np.empty_like(...)": "read_only_output",
    "tvm.build(..., target='tenstorrent')": "parse_only",
    "Tx.cast(_x, <local>)": "parse_only",
    "Tx.fma(_x, _x, M_s, F_s)": "parse_only",   # applied and run in tests/unit/passes/test_eltwise_breadth.py
    "_x[by * bm:by * bm + bm, bx * bn:bx * bn + bn]": "parse_only",
    "(e.g. by * 64, k * 32)": "parse_only",
    "T.launch_thread('blockIdx.x', (cols + bn - 1) // bn)": "parse_only",
    "(e.g. A[0:32, 0:NP] with NP = (N + 31) // 32 * 32)": "ragged_reduce_block_start",
    "e.g. TTx._x(y, x_s), or write T._x(value)": "ttx_operand",
}


def test_every_api_fix_is_covered_by_a_case():
    for where, text in FIXES:
        calls = [f for f in code_fragments(text) if CALL.match(f) or SUBSCRIPT.match(f) or f.startswith("for ")]
        if calls:
            assert any(key in text for key in COVERED), f"{where}: no case checks the fix {text!r}"


# ---------------------------------------------------------------------------------------------------
# dynamic: trigger, take the code out of the message, apply it, compile

HEADER = ("# from tvm.script import tirx as T\n@T.prim_func\n"
          "def {name}(A: T.Buffer((64, 128), \"bfloat16\"), C: T.Buffer((64, 128), \"bfloat16\")):\n")


def kernel(body: str, name="k", header=HEADER):
    """A PrimFunc from TVMScript text written with Tx. (the user's spelling of T.tile.)."""
    lines = textwrap.dedent(body).strip("\n").splitlines()
    src = header.format(name=name) + "\n".join("    " + ln for ln in lines) + "\n"
    return tvm.script.from_source(src.replace("Tx.", "T.tile."))


def fix_of(err) -> str:
    return str(err).split("fix:", 1)[1]


def compile_error(func, **options) -> TTError:
    with pytest.raises(TTError) as info:
        tilelang_tt.compile(func, **options)
    assert "fix:" in str(info.value)
    return info.value


def apply(body: str, old: str, fragment: str, **subst) -> str:
    for k, v in subst.items():
        fragment = re.sub(rf"\b{k}\b", v, fragment)
    assert old in body
    return body.replace(old, fragment)


UNARY = '''
    bx = T.launch_thread("blockIdx.x", 2)
    A_s = T.alloc_buffer((64, 64), "bfloat16", scope="shared")
    L0 = T.alloc_buffer((64, 64), "bfloat16", scope="local")
    L1 = T.alloc_buffer((64, 64), "bfloat16", scope="local")
    Tx.copy(A_s, A[0:64, bx * 64:bx * 64 + 64])
    Tx.exp(L0, A_s)
    Tx.exp(L1, A_s)
    {op}
    Tx.copy(C[0:64, bx * 64:bx * 64 + 64], L0)
'''


GLOBAL_SRC = "A[0:64, bx * 64:bx * 64 + 64]"


@pytest.mark.parametrize("op,want", [(f"Tx.silu(L0, {GLOBAL_SRC})", "Tx.silu(L0, L0)"),
                                     (f"Tx.sqrt(L0, {GLOBAL_SRC})", "Tx.sqrt(L0, L0)")])
def test_unary_in_place(op, want):
    body = UNARY.format(op=op)
    err = compile_error(kernel(body))
    frags = [f for f in code_fragments(fix_of(err)) if f.startswith("Tx.")]
    assert frags == [want], fix_of(err)
    tilelang_tt.compile(kernel(apply(body, op, frags[0])))
    if "silu" in op:    # the form the old hint suggested does not parse: the reason for the fix
        with pytest.raises(Exception, match="silu"):
            kernel(apply(body, op, "Tx.silu(L0)"))


@pytest.mark.parametrize("op", ["Tx.silu(L0, L1)", "Tx.sqrt(L0, L1)", "Tx.maximum(L0, L1, T.float32(0))",
                                "Tx.add(L0, L1, A_s)"])
def test_forms_the_old_hints_rewrote_compile_now(op):
    # unary ops from another local and local <op> shared into a third local were errors with a rewrite
    # hint; the compute regions of issue 17 lower them directly
    tilelang_tt.compile(kernel(UNARY.format(op=op)))


def test_relu_against_nonzero():
    body = UNARY.format(op="Tx.maximum(L0, L0, T.float32(1))")
    err = compile_error(kernel(body))
    frag = next(f for f in code_fragments(fix_of(err)) if f.startswith("Tx.maximum"))
    assert frag == "Tx.maximum(L0, L0, T.float32(0))"
    tilelang_tt.compile(kernel(apply(body, "Tx.maximum(L0, L0, T.float32(1))", frag)))


def test_fill_with_a_variable():
    body = UNARY.format(op="Tx.fill(L1, T.float32(2))").replace("Tx.fill(L1, T.float32(2))",
                                                                 "Tx.fill(L0, T.Cast(\"float32\", bx))")
    err = compile_error(kernel(body))
    frag = next(f for f in code_fragments(fix_of(err)) if f.startswith("T."))
    tilelang_tt.compile(kernel(apply(body, 'T.Cast("float32", bx)', frag)))


def test_partial_shared_region():
    body = UNARY.format(op="Tx.exp(L0, A_s[0:64, 0:64])").replace(
        'A_s = T.alloc_buffer((64, 64)', 'A_s = T.alloc_buffer((64, 64)')
    body = body.replace("Tx.exp(L0, A_s[0:64, 0:64])", "Tx.exp(L0, A_s[0:32, 0:64])")
    err = compile_error(kernel(body))
    frags = code_fragments(fix_of(err))
    assert "A_s[0:rows, 0:cols]" in frags and all(parses(f) for f in frags)
    tilelang_tt.compile(kernel(apply(body, "A_s[0:32, 0:64]", "A_s")))


PLAIN = '''
    bx = T.launch_thread("blockIdx.x", {n})
    A_s = T.alloc_buffer((64, 64), "bfloat16", scope="shared")
    L0 = T.alloc_buffer((64, 64), "bfloat16", scope="local")
    Tx.copy(A_s, A[0:64, bx * 64:bx * 64 + 64])
    Tx.exp(L0, A_s)
    Tx.copy(C[0:64, bx * 64:bx * 64 + 64], L0)
'''


def test_zero_blocks():
    body = PLAIN.format(n=0)
    err = compile_error(kernel(body))
    frag = next(f for f in code_fragments(fix_of(err)) if "launch_thread" in f)
    tilelang_tt.compile(kernel(apply(body, 'T.launch_thread("blockIdx.x", 0)', frag, n="2")))


def test_no_grid():
    body = '''
        A_s = T.alloc_buffer((64, 128), "bfloat16", scope="shared")
        L0 = T.alloc_buffer((64, 128), "bfloat16", scope="local")
        Tx.copy(A_s, A[0:64, 0:128])
        Tx.exp(L0, A_s)
        Tx.copy(C[0:64, 0:128], L0)
    '''
    err = compile_error(kernel(body))
    frag = next(f for f in code_fragments(fix_of(err)) if "launch_thread" in f)
    assert frag == "bx = T.launch_thread('blockIdx.x', _placeholder)"
    tilelang_tt.compile(kernel(frag.replace("_placeholder", "1") + "\n" + textwrap.dedent(body)))


def test_partial_k():
    M, N, K = 64, 64, 128
    header = ("# from tvm.script import tirx as T\n@T.prim_func\ndef {name}(A: T.Buffer((64, 128), \"bfloat16\"), "
              "B: T.Buffer((128, 64), \"bfloat16\"), C: T.Buffer((64, 64), \"bfloat16\")):\n")
    body = f'''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((64, 32), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((64, 32), "float32", scope="local")
        Tx.fill(C_l, T.float32(0))
        for k in range(2):
            Tx.copy(A_s, A[0:{M}, k * 32:k * 32 + 32])
            Tx.copy(B_s, B[k * 32:k * 32 + 32, bx * 32:bx * 32 + 32])
            Tx.gemm(C_l, A_s, B_s, C_l, beta=1.0)
        Tx.copy(C[0:{M}, bx * 32:bx * 32 + 32], C_l)
    '''
    err = compile_error(kernel(body, header=header))
    frag = next(f for f in code_fragments(fix_of(err)) if f.startswith("for "))
    assert frag == f"for k in range({K // 32})"
    tilelang_tt.compile(kernel(apply(body, "for k in range(2)", frag), header=header))
    assert N == 64


def test_empty_name():
    func = samples.matmul(64, 64, 64, 32, 32, 32).with_attr("global_symbol", "")
    err = compile_error(func)
    frag = next(f for f in code_fragments(fix_of(err)) if "with_attr" in f)
    tilelang_tt.compile(eval(frag, {"func": func}))


def test_float64_argument():
    k = tilelang_tt.compile(samples.matmul(64, 64, 64, 32, 32, 32), out_idx=2)
    arr = np.ones((64, 64))
    b = np.ones((64, 64), ml_dtypes.bfloat16)
    with pytest.raises(TTArgumentError) as info:
        k(arr, b)
    frag = next(f for f in code_fragments(fix_of(info.value)) if "astype" in f)
    out = k(eval(frag, {"arr": arr, "ml_dtypes": ml_dtypes}), b)
    assert float(np.asarray(out, np.float32)[0, 0]) == 64.0


def test_read_only_output():
    k = tilelang_tt.compile(samples.matmul(64, 64, 64, 32, 32, 32))
    a = np.ones((64, 64), ml_dtypes.bfloat16)
    c = np.zeros((64, 64), ml_dtypes.bfloat16)
    c.flags.writeable = False
    with pytest.raises(TTArgumentError) as info:
        k(a, a, c)
    frag = next(f for f in code_fragments(fix_of(info.value)) if "empty_like" in f)
    assert parses(frag)
    out = eval(frag.replace("...", "c"), {"np": np, "c": c})
    k(a, a, out)
    assert float(np.asarray(out, np.float32)[0, 0]) == 64.0


def test_dst_overflow_suggests_auto():
    func = samples.matmul(256, 256, 256, 128, 128, 32)
    err = compile_error(func, schedule="naive")
    assert "schedule='auto'" in fix_of(err) and parses("f(schedule='auto')")
    tilelang_tt.compile(func, **eval("dict(schedule='auto')"))


def test_override_fix_drops_the_named_override():
    func = samples.matmul(512, 512, 512, 32, 32, 32)
    err = compile_error(func, schedule="multicast", in0_block_w=5)
    assert "change or drop in0_block_w=5 (without it" in fix_of(err)
    tilelang_tt.compile(func, schedule="multicast")


def test_ragged_reduce_block_start():
    # a row sum over N = 50 columns whose block starts at bx * 64: which tile holds the tail is not static
    body = '''
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((32, 64), "float32", scope="shared")
        r = T.alloc_buffer((32, 1), "float32", scope="local")
        Tx.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        Tx.sum(r, A_s, axes=-1)
        Tx.copy(C[0:32, 0:1], r)
    '''
    header = ("# from tvm.script import tirx as T\n@T.prim_func\n"
              "def {name}(A: T.Buffer((32, 50), \"float32\"), C: T.Buffer((32, 1), \"float32\")):\n")
    err = compile_error(kernel(body, header=header))
    assert "over the ragged columns of A_s" in str(err)
    frag = re.search(r"e\.g\. (A\[[^\]]*\])", fix_of(err)).group(1)
    k = tilelang_tt.compile(kernel(apply(body, "A[0:32, bx * 64:bx * 64 + 64]", frag, NP="64"), header=header),
                            out_idx=1)
    a = np.random.default_rng(0).standard_normal((32, 50)).astype(np.float32)
    assert np.allclose(np.asarray(k(a))[:, 0], a.sum(axis=1), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("op", ["log", "rsqrt"])
def test_ttx_operand(op):
    """TTx.<op>(y, 3): the fix's tile form compiles in a kernel (and matches numpy), its scalar form is TVM's
    scalar intrinsic."""
    from tvm import tirx
    from tvm.script import tirx as T
    from tilelang_tt import tile as TTx
    with pytest.raises(TTArgumentError) as e:
        getattr(TTx, op)(tirx.decl_buffer((32, 64), "float32", "y", scope="local"), 3)
    tile_form = re.search(rf"TTx\.{op}\([^)]*\)", fix_of(e.value)).group(0)
    scalar_form = re.search(rf"\bT\.{op}\([^)]*\)", fix_of(e.value)).group(0)
    src = ("# from tvm.script import tirx as T\n@T.prim_func\n"
           'def k(A: T.Buffer((32, 64), "float32"), C: T.Buffer((32, 64), "float32")):\n'
           '    bx = T.launch_thread("blockIdx.x", 1)\n'
           '    x_s = T.alloc_buffer((32, 64), "float32", scope="shared")\n'
           '    y = T.alloc_buffer((32, 64), "float32", scope="local")\n'
           "    T.tile.copy(x_s, A[0:32, 0:64])\n"
           f"    {tile_form}\n"
           "    T.tile.copy(C[0:32, 0:64], y)\n")
    k = tilelang_tt.compile(tvm.script.from_source(src, extra_vars={"T": T, "TTx": TTx}), out_idx=1)
    a = np.random.default_rng(1).uniform(0.5, 4.0, (32, 64)).astype(np.float32)
    want = np.log(a) if op == "log" else 1 / np.sqrt(a)
    assert np.allclose(np.asarray(k(a)), want, rtol=1e-6, atol=1e-6)
    assert str(eval(scalar_form, {"T": T, "value": tirx.FloatImm("float32", 2.0)})) == f"T.{op}(T.float32(2.0))"


def test_docs_errors_fix_lines_parse():
    text = (PACKAGE.parent / "docs" / "errors.md").read_text()
    for line in re.findall(r"fix: (.*(?:\n {6,}.*)*)", text):
        for frag in code_fragments(" ".join(line.split())):
            assert parses(frag), f"docs/errors.md suggests {frag!r}"


def test_the_extractor():
    # Python accepts Tx.silu(L0); TVMScript does not (test_unary_in_place), hence the dynamic cases
    assert code_fragments("apply it in place (Tx.silu(L0)) or read") == ["Tx.silu(L0)"]
    assert code_fragments("add bx = T.launch_thread('blockIdx.x', <number of blocks>) at") == \
        ["bx = T.launch_thread('blockIdx.x', _placeholder)"]
    assert not parses(code_fragments("move the Tx.copy(global, local) statements")[0])
