"""Check the hardware table (tilelang_tt/target.py) against a released TT-Metalium tree.

`check_hardware_table(tt_metal_dir) -> list[str]` reads the descriptors and headers the `ttnn` wheel ships
(used as data, never imported) and returns one line per fact our table gets wrong; an empty list means
the table agrees. `tt_metal_dir` is the release's `tt_metal` directory (the one holding
`soc_descriptors/`), or a directory above it (`ttnn/tt_metal`, `tt_metal`).

Facts checked per chip model:
* soc_descriptors/<arch>.yaml: the Tensix grid (distinct x and y of `functional_workers`), `worker_l1_size`
  (= l1_bytes), the number of `dram_views` (= dram_banks) and `dram_view_size` (= dram_bank_bytes);
* core_descriptors/<arch>.yaml: `compute_with_storage_grid_range` of the card's product entry (= grid) and
  of the unharvested entry (= max_grid);
* hw/inc/internal/tt-1xx/<arch>/dev_mem_map.h: MEM_L1_SIZE (= l1_bytes);
* hw/inc/internal/tt-1xx/<arch>/noc/noc_parameters.h: NOC_MAX_BURST_WORDS x NOC_PAYLOAD_WIDTH / 8
  (= noc_max_burst_bytes), NOC_DRAM_READ_ALIGNMENT_BYTES (= dram_read_alignment),
  NOC_L1_READ_ALIGNMENT_BYTES (= l1_alignment);
* build/lib/libtt_metal.so, where the tree has it: the constant `tt::tt_metal::NUM_SEMAPHORES` (= max_semaphores,
  the per-core limit CreateSemaphore enforces), read from the library's read-only data with binutils.
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

from ..errors import TTTargetError
from ..target import HARDWARE

# model -> (soc descriptor, core descriptor, (product, axis, command-queue count) of the card's grid,
#           same for the largest grid of the model, hw/inc arch directory)
SOURCES = {
    "wormhole_b0": ("wormhole_b0_80_arch.yaml", "wormhole_b0_80_arch.yaml", ("nebula_x1", "row", "1"),
                    ("nebula_x1", "row", "1"), "wormhole"),
    "blackhole": ("blackhole_140_arch.yaml", "blackhole_140_arch.yaml", ("2xharvested", "col", "1"),
                  ("unharvested", "col", "1"), "blackhole"),
}


# --- a reader for the YAML subset of the descriptors: block mappings, flow lists / maps, scalars -----------
def _flow(text: str):
    """Parse one flow value ([...], {...} or a scalar)."""
    pos = 0

    def skip():
        nonlocal pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1

    def value():
        nonlocal pos
        skip()
        if text[pos] == "[":
            pos += 1
            items = []
            while True:
                skip()
                if text[pos] == "]":
                    pos += 1
                    return items
                items.append(value())
                skip()
                if text[pos] == ",":
                    pos += 1
        if text[pos] == "{":
            pos += 1
            items = {}
            while True:
                skip()
                if text[pos] == "}":
                    pos += 1
                    return items
                key = re.match(r"[^:,}]+", text[pos:]).group(0)
                pos += len(key) + 1
                items[key.strip()] = value()
                skip()
                if text[pos] == ",":
                    pos += 1
        tok = re.match(r"[^,\]}]+", text[pos:]).group(0)
        pos += len(tok)
        return _scalar(tok.strip())

    out = value()
    return out


def _scalar(tok: str):
    tok = tok.strip().strip('"')
    return int(tok) if re.fullmatch(r"-?\d+", tok) else tok


def read_yaml(text: str) -> dict:
    """Nested dicts of a descriptor (mapping keys as strings, flow values parsed)."""
    lines = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if line.strip():
            lines.append(line)
    root: dict = {}
    stack = [(-1, root)]
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        m = re.match(r"\s*([^:\[\]{}]+):\s*(.*)$", line)
        if not m:
            raise ValueError(f"descriptor line not understood: {line!r}")
        key, rest = m.group(1).strip(), m.group(2)
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if not rest:
            # a nested mapping, or a flow value on the following lines
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if nxt.startswith(("[", "{")):
                buf, depth, i = "", 0, i + 1
                while True:
                    buf += lines[i] + "\n"
                    depth += lines[i].count("[") + lines[i].count("{") - lines[i].count("]") - lines[i].count("}")
                    if depth <= 0:
                        break
                    i += 1
                parent[key] = _flow(buf)
            elif nxt and not re.match(r"[^:\[\]{}]+:", nxt) and len(lines[i + 1]) - len(lines[i + 1].lstrip()) > indent:
                parent[key] = _scalar(nxt)
                i += 1
            else:
                child: dict = {}
                parent[key] = child
                stack.append((indent, child))
        elif rest.startswith(("[", "{")):
            buf, depth = rest + "\n", rest.count("[") + rest.count("{") - rest.count("]") - rest.count("}")
            while depth > 0:
                i += 1
                buf += lines[i] + "\n"
                depth += lines[i].count("[") + lines[i].count("{") - lines[i].count("]") - lines[i].count("}")
            parent[key] = _flow(buf)
        else:
            parent[key] = _scalar(rest)
        i += 1
    return root


def _arith(expr: str):
    """Value of an integer expression of literals, + - * / and parentheses; None for anything else."""
    import ast

    def ev(n):
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return n.value
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return -ev(n.operand)
        if isinstance(n, ast.BinOp) and type(n.op) in _OPS:
            return _OPS[type(n.op)](ev(n.left), ev(n.right))
        raise ValueError(expr)
    try:
        return ev(ast.parse(expr.strip(), mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError):
        return None


_OPS = {}


def read_defines(text: str) -> dict:
    """#define NAME value for integer expressions over earlier names; the last definition wins."""
    import ast
    import operator

    _OPS.update({ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
                 ast.Div: operator.floordiv, ast.FloorDiv: operator.floordiv})
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    out: dict = {}
    for m in re.finditer(r"^\s*#define\s+(\w+)[ \t]+([^\n]+?)\s*(?://[^\n]*)?$", text, re.M):
        name, expr = m.group(1), m.group(2)
        expr = re.sub(r"\b([A-Za-z_]\w*)\b", lambda w: str(out.get(w.group(1), w.group(1))), expr)
        expr = re.sub(r"\(\s*(?:static_cast<\w+>|u?int\d+_t)\s*\)", "", expr)
        val = _arith(expr)
        if val is not None:
            out[name] = val
    return out


# --- the check -------------------------------------------------------------------------------------------
def _root(tt_metal_dir) -> Path:
    d = Path(tt_metal_dir)
    for cand in (d, d / "tt_metal", d / "ttnn" / "tt_metal"):
        if (cand / "soc_descriptors").is_dir():
            return cand
    raise TTTargetError(f"{tt_metal_dir} is not a TT-Metalium release tree: no soc_descriptors/ in it, in "
                        "tt_metal/ or in ttnn/tt_metal/")


def _grid_of(core: dict, path: tuple, where: str):
    node = core
    for k in path:
        if not isinstance(node, dict) or k not in node:
            return None, f"{where}: no entry {'/'.join(path)}"
        node = node[k]
    rng = node.get("compute_with_storage_grid_range", {}) if isinstance(node, dict) else {}
    start, end = rng.get("start"), rng.get("end")
    if not (isinstance(start, list) and isinstance(end, list)):
        return None, f"{where}: {'/'.join(path)} has no compute_with_storage_grid_range"
    return (end[0] - start[0] + 1, end[1] - start[1] + 1), None


def library_u32(so: Path, symbol: str) -> int | None:
    """The 32-bit value of a constant `symbol` (demangled name) in a shared library's data, or None when
    binutils (nm, readelf) are missing or the symbol is not there."""
    if not (shutil.which("nm") and shutil.which("readelf")):
        return None
    syms = subprocess.run(["nm", "-C", str(so)], capture_output=True, text=True).stdout
    addr = next((int(line.split()[0], 16) for line in syms.splitlines() if line.endswith(" " + symbol)), None)
    if addr is None:
        return None
    sections = subprocess.run(["readelf", "-S", "-W", str(so)], capture_output=True, text=True).stdout
    for m in re.finditer(r"\]\s+\S+\s+(PROGBITS)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", sections):
        start, offset, size = (int(g, 16) for g in m.groups()[1:])
        if start <= addr < start + size:
            with open(so, "rb") as f:
                f.seek(offset + addr - start)
                return struct.unpack("<I", f.read(4))[0]
    return None


def check_hardware_table(tt_metal_dir) -> list[str]:
    """Mismatches between target.HARDWARE and the release at `tt_metal_dir` (empty: they agree)."""
    root = _root(tt_metal_dir)
    problems: list[str] = []
    for model, (soc_name, core_name, product, largest, arch) in SOURCES.items():
        hw = HARDWARE[model]

        def expect(what, ours, theirs, where):
            if ours != theirs:
                problems.append(f"{model}: {what} is {ours} in target.py but {theirs} in {where}")

        soc_path = root / "soc_descriptors" / soc_name
        if not soc_path.is_file():
            problems.append(f"{model}: missing soc_descriptors/{soc_name}")
        else:
            soc = read_yaml(soc_path.read_text())
            where = f"soc_descriptors/{soc_name}"
            workers = [tuple(int(v) for v in str(w).split("-")) for w in soc.get("functional_workers", [])]
            expect("tensix_grid", hw.tensix_grid, (len({x for x, _ in workers}), len({y for _, y in workers})),
                   where + " functional_workers")
            expect("l1_bytes", hw.l1_bytes, soc.get("worker_l1_size"), where + " worker_l1_size")
            expect("dram_banks", hw.dram_banks, len(soc.get("dram_views", [])), where + " dram_views")
            expect("dram_bank_bytes", hw.dram_bank_bytes, soc.get("dram_view_size"), where + " dram_view_size")
        core_path = root / "core_descriptors" / core_name
        if not core_path.is_file():
            problems.append(f"{model}: missing core_descriptors/{core_name}")
        else:
            core = read_yaml(core_path.read_text())
            where = f"core_descriptors/{core_name}"
            for what, ours, path in (("grid", hw.grid, product), ("max_grid", hw.max_grid, largest)):
                grid, err = _grid_of(core, path, where)
                if err:
                    problems.append(f"{model}: {err}")
                else:
                    expect(what, ours, grid, f"{where} {'/'.join(path)}")
        inc = root / "hw" / "inc" / "internal" / "tt-1xx" / arch
        mem, noc = inc / "dev_mem_map.h", inc / "noc" / "noc_parameters.h"
        if not mem.is_file():
            problems.append(f"{model}: missing {mem.relative_to(root)}")
        else:
            expect("l1_bytes", hw.l1_bytes, read_defines(mem.read_text()).get("MEM_L1_SIZE"),
                   f"{mem.relative_to(root)} MEM_L1_SIZE")
        if not noc.is_file():
            problems.append(f"{model}: missing {noc.relative_to(root)}")
        else:
            d = read_defines(noc.read_text())
            where = str(noc.relative_to(root))
            burst = d["NOC_MAX_BURST_WORDS"] * d["NOC_PAYLOAD_WIDTH"] // 8 \
                if "NOC_MAX_BURST_WORDS" in d and "NOC_PAYLOAD_WIDTH" in d else None
            expect("noc_max_burst_bytes", hw.noc_max_burst_bytes, burst, where + " NOC_MAX_BURST_WORDS")
            expect("dram_read_alignment", hw.dram_read_alignment, d.get("NOC_DRAM_READ_ALIGNMENT_BYTES"),
                   where + " NOC_DRAM_READ_ALIGNMENT_BYTES")
            expect("l1_alignment", hw.l1_alignment, d.get("NOC_L1_READ_ALIGNMENT_BYTES"),
                   where + " NOC_L1_READ_ALIGNMENT_BYTES")
        so = root.parent / "build" / "lib" / "libtt_metal.so"
        if so.is_file():
            expect("max_semaphores", hw.max_semaphores, library_u32(so, "tt::tt_metal::NUM_SEMAPHORES"),
                   "build/lib/libtt_metal.so tt::tt_metal::NUM_SEMAPHORES")
    return problems
