"""C++ identifier hygiene for generated sources.

Kernel, tensor and CB names come from user code and may hold any character; everything that lands in
C++ as an identifier goes through `sanitize`, and names that must not collide go through a `NameTable`.
"""
from __future__ import annotations

import re

CPP_KEYWORDS = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t
class compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield
decltype default delete do double dynamic_cast else enum explicit export extern false float for friend
goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private
protected public register reinterpret_cast requires return short signed sizeof static static_assert
static_cast struct switch template this thread_local throw true try typedef typeid typename union
unsigned using virtual void volatile wchar_t while xor xor_eq
final override import module
main kernel_main uint8_t uint16_t uint32_t uint64_t int32_t size_t std tt
""".split())


def sanitize(name: str, fallback: str = "v") -> str:
    """A valid, non-reserved C++ identifier derived from `name`.

    Invalid characters become `_`; runs of `_` collapse (names with `__` are reserved for the
    implementation); leading `_` is dropped (`_X` is reserved too); a leading digit or an empty result
    gets a prefix; keywords get a trailing `_`.
    """
    s = re.sub(r"[^A-Za-z0-9_]", "_", str(name))
    s = re.sub(r"_+", "_", s).strip("_")
    if not s:
        s = fallback
    if s[0].isdigit():
        s = f"{fallback}_{s}"
    if s in CPP_KEYWORDS:
        s += "_"
    return s


def comment_text(text: str) -> str:
    """Text safe inside a `//` comment (no line breaks, no trigraph/continuation tricks)."""
    return re.sub(r"[\r\n\\]", " ", str(text))


def c_string(text: str) -> str:
    """A C++ string literal holding `text`."""
    out = []
    for ch in str(text):
        if ch in "\\\"":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.extend(f"\\x{b:02x}\"\"" for b in ch.encode("utf-8"))
    return '"' + "".join(out) + '"'


class NameTable:
    """Unique C++ names in nested scopes: a name is free if no enclosing scope (or the reserved set)
    holds it, so sibling loops may both use `i` while a nested `i` becomes `i_1`."""

    def __init__(self, reserved=()):
        self._reserved = set(reserved)
        self._scopes: list[set[str]] = [set()]

    def reserve(self, name: str) -> None:
        self._reserved.add(name)

    def taken(self, name: str) -> bool:
        return name in self._reserved or any(name in s for s in self._scopes)

    def fresh(self, hint: str) -> str:
        base = sanitize(hint)
        name, n = base, 0
        while self.taken(name):
            n += 1
            name = f"{base}_{n}"
        self._scopes[-1].add(name)
        return name

    def push(self) -> None:
        self._scopes.append(set())

    def pop(self) -> None:
        self._scopes.pop()
