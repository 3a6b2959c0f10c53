"""The release's own host block-float conversion, called through ctypes: the oracle of the package's
converter (tilelang_tt/blockfloat.py) in tests/unit/blockfloat/.

libtt_metal.so exports `pack_as_bfp8_tiles<float>`, `pack_as_bfp4_tiles<float>`,
`unpack_bfp8_tiles_into_float_vec` and `unpack_bfp4_tiles_into_float_vec` (tt-metal's
blockfloat_common.cpp, bfloat8.cpp, bfloat4.cpp). The pack functions ask the MetalContext for the L1
alignment (the exponent section is padded to it), which opens a cluster; with no card the release's own
mock mode serves (TT_METAL_MOCK_CLUSTER_DESC_PATH: a one-chip Wormhole n150 descriptor written here).
All of that is process-global state, and a TT_FATAL aborts the process, so the oracle runs in a child
process (_blockfloat_child.py).

C++ ABI used (x86-64 System V): a returned std::vector<uint32_t>/<float> comes back through a hidden
pointer to three pointers (begin, end, capacity); std::span<const T> is passed as (pointer, size);
`const std::optional<Tile>&` is a pointer to zeroed memory (disengaged); bools as bools.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..errors import RealApiUnavailable
from . import release as _release

# Mangled names in the 0.81.1 libtt_metal.so (`nm -D --defined-only`).
SYMBOLS = {
    ("pack", "bfp8_b"): "_Z18pack_as_bfp8_tilesIfESt6vectorIjSaIjEESt4spanIKT_Lm18446744073709551615EEbbRKSt8optionalIN2tt8tt_metal4TileEE",
    ("pack", "bfp4_b"): "_Z18pack_as_bfp4_tilesIfESt6vectorIjSaIjEESt4spanIKT_Lm18446744073709551615EEbbRKSt8optionalIN2tt8tt_metal4TileEE",
    ("unpack", "bfp8_b"): "_Z32unpack_bfp8_tiles_into_float_vecSt4spanIKjLm18446744073709551615EEbbRKSt8optionalIN2tt8tt_metal4TileEE",
    ("unpack", "bfp4_b"): "_Z32unpack_bfp4_tiles_into_float_vecSt4spanIKjLm18446744073709551615EEbbRKSt8optionalIN2tt8tt_metal4TileEE",
}
CHILD = Path(__file__).with_name("_blockfloat_child.py")

# A one-chip Wormhole n150 (UMD cluster descriptor format); only the mock cluster reads it.
MOCK_N150 = """arch:
  0: wormhole_b0
chips:
  0: [0, 0, 0, 0]
ethernet_connections: []
chips_with_mmio:
  - 0: 0
harvesting:
  0:
    noc_translation: true
    harvest_mask: 64
    dram_harvesting_mask: 0
    eth_harvesting_mask: 0
    pcie_harvesting_mask: 0
chip_to_boardtype:
  0: n150
boards:
  -
    - board_id: 72059269368820857
    - board_type: n150
    - chips:
        - 0
"""


def run_many(jobs, timeout: float = 300.0) -> list:
    """The release's conversions, in one child process: `jobs` is a list of (op, fmt, array); op "pack"
    takes float32 (row-major tiles) and gives the tile bytes (uint8), op "unpack" takes tile bytes and
    gives float32 (row-major tiles)."""
    libdir = _release.ensure_host_libs()
    with tempfile.TemporaryDirectory(prefix="bfp-oracle-") as d:
        src, dst, desc = Path(d) / "jobs.npz", Path(d) / "out.npz", Path(d) / "n150.yaml"
        desc.write_text(MOCK_N150)
        arrays = {}
        for i, (op, fmt, values) in enumerate(jobs):
            arrays[f"{i}:{op}:{fmt}"] = (np.asarray(values, np.float32) if op == "pack"
                                         else np.ascontiguousarray(values, np.uint8).view(np.uint32))
        np.savez(src, **arrays)
        env = dict(os.environ, TT_METAL_RUNTIME_ROOT=str(libdir.parent), TT_METAL_MOCK_CLUSTER_DESC_PATH=str(desc),
                   TT_METAL_LOGGER_LEVEL="ERROR")
        syms = [x for (op, fmt), sym in SYMBOLS.items() for x in (f"{op}:{fmt}", sym)]
        proc = subprocess.run([sys.executable, str(CHILD), str(libdir), str(src), str(dst), *syms], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        if proc.returncode != 0 or not dst.exists():
            raise RealApiUnavailable(f"the release's host block-float conversion failed (exit {proc.returncode}):\n"
                                     f"{proc.stdout[-3000:]}")
        with np.load(dst) as z:
            return [z[f"{i}:{op}:{fmt}"] for i, (op, fmt, _) in enumerate(jobs)]


def run(op: str, fmt: str, values, timeout: float = 300.0) -> np.ndarray:
    return run_many([(op, fmt, values)], timeout)[0]
