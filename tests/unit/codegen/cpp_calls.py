"""A small C++ call scanner for checking generated sources against API signature facts."""
from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT = re.compile(r"(?:(?<=\.)|(?<=->))?\b([A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)")
_NOT_CALLS = {"if", "for", "while", "switch", "return", "sizeof", "catch", "static_cast",
              "reinterpret_cast", "const_cast", "dynamic_cast", "static_assert", "decltype", "alignof"}


@dataclass
class CallSite:
    name: str          # last component of the (possibly qualified) name
    qualified: str
    template: str      # text between <> or ""
    args: list[str]
    line: int


def _strip_comments_and_strings(src: str) -> str:
    src = re.sub(r"//[^\n]*", lambda m: " " * len(m.group(0)), src)
    src = re.sub(r'"(?:\\.|[^"\\])*"', lambda m: '"' + "_" * (len(m.group(0)) - 2) + '"', src)
    return src


def _match(src: str, i: int, open_ch: str, close_ch: str, stop: str = "") -> int:
    """Index just past the bracket closing the one at src[i], or -1 if a stop char comes first."""
    depth = 0
    pairs = {"(": ")", "[": "]", "{": "}", "<": ">"}
    stack = []
    j = i
    while j < len(src):
        c = src[j]
        if c in stop and not stack[1:]:
            return -1
        if c == open_ch and (not stack or open_ch != "<" or stack[-1] == "<"):
            stack.append(c)
            depth += 1
        elif c in "([{":
            stack.append(c)
        elif c == close_ch and stack and stack[-1] == open_ch:
            stack.pop()
            depth -= 1
            if depth == 0:
                return j + 1
        elif c in ")]}" and stack and pairs[stack[-1]] == c:
            stack.pop()
        j += 1
    return -1


def _split_args(text: str) -> list[str]:
    args, depth, cur = [], 0, []
    for c in text:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    last = "".join(cur).strip()
    if last or args:
        args.append(last)
    return args


def _is_declaration(src: str, start: int) -> bool:
    """`Type name(args)` declares a variable: the name follows a type token, not an operator."""
    k = start - 1
    while k >= 0 and src[k] in " \t":
        k -= 1
    if k < 0 or not (src[k].isalnum() or src[k] in "_>"):
        return False
    word = re.search(r"(\w+)$", src[:k + 1])
    return not (word and word.group(1) in ("return", "throw", "else", "case", "new", "co_return"))


def calls(src: str) -> list[CallSite]:
    clean = _strip_comments_and_strings(src)
    out = []
    for m in _IDENT.finditer(clean):
        qualified = m.group(1)
        name = qualified.split("::")[-1]
        if name in _NOT_CALLS:
            continue
        j = m.end()
        while j < len(clean) and clean[j] == " ":
            j += 1
        template = ""
        if j < len(clean) and clean[j] == "<":
            end = _match(clean, j, "<", ">", stop=";{}")
            if end < 0:
                continue
            template = clean[j + 1:end - 1]
            j = end
        if j >= len(clean) or clean[j] != "(":
            continue
        if _is_declaration(clean, m.start()):
            continue
        end = _match(clean, j, "(", ")")
        args = _split_args(clean[j + 1:end - 1])
        out.append(CallSite(name, qualified, template, args, clean.count("\n", 0, m.start()) + 1))
    return out


def includes(src: str) -> set[str]:
    return set(re.findall(r'#include\s+[<"]([^>"]+)[>"]', src))
