"""Operand data formats in the performance model: block-float (Bfp8_b, Bfp4_b) beside Float16_b / Float32.

A matmul operand's format changes three things and nothing else (docs/perf-model.md, "Block-float
operands"):

* DRAM, NOC and L1 bytes per tile: `target.TILE_BYTES` (tt::tile_size: Bfp8_b 1088 = 1024 one-byte
  datums + 64 shared exponents, Bfp4_b 576 = 512 + 64, Float16_b 2048). Every page read, multicast,
  written and every CB is counted at these sizes, so a block-float operand halves (quarters) its traffic
  and lets bigger blocks fit L1.
* The unpacker's cycles per tile. tt-isa-documentation WormholeB0 `UNPACR_Regular.md` ("Performance"):
  after two cycles of address calculation an UNPACR runs pipelined, "with the primary bottleneck being
  the fetching of bytes from L1" (16 / 32 / 64 bytes per cycle at x1 / x2 / x4; the LLK sets x4,
  `cunpack_common.h` `throttle_mode = 2`, both chips); `L1.md` ("Unpackers"): the BFP exponents come
  through one more 128-bit read port, one read per 256 datums. So an unpack costs the datum bytes it
  fetches: `UNPACK_DATUM_BYTES`, the tile without its exponent section, and a block-float tile costs
  the Float16_b tile's cycles (costs.py, per operand) times its datum bytes / 2048. This is the
  Float32 rule costs.py already assumes (twice the bytes, twice the cycles), applied with the ISA's
  statement that the exponent section is not on the datum path.
* Nothing on the matrix engine: the unpacker writes block-float datums into SrcA / SrcB as bf16-style
  values, and MVMUL's cost does not depend on the source format (wolfpine's silicon sweep of one p150,
  `framework/perf/datasets/tensixbench-blackhole-unpacr-nop-{bf16,fp32,tf32,fp16}.csv`: 5.988 cycles per
  MVMUL for every format, 0.001 apart).

The packer's cost per block-float tile is kept at the Float16_b tile's: the ISA documents no packer
rate per format, the packer must find each group's shared exponent before it writes, and no published
row is pack-bound either way (docs/perf-model.md says which rows would notice).
"""
from __future__ import annotations

from ..target import TILE_BYTES

BLOCK_FLOAT = ("Bfp8_b", "Bfp4_b")
FORMATS = ("Float16_b", "Float32") + BLOCK_FLOAT

# Bytes of one 32x32 tile the unpacker fetches on its datum path (the tile without its exponent
# section: 16 x 4 bytes of shared exponents per Bfp tile travel on their own L1 port, ISA L1.md).
EXPONENT_BYTES = 64
UNPACK_DATUM_BYTES = {f: TILE_BYTES[f] - (EXPONENT_BYTES if f in BLOCK_FLOAT else 0) for f in FORMATS}


def check_format(fmt: str, what: str) -> str:
    """`fmt` if the model knows it, else ValueError naming the operand and the formats it knows."""
    if fmt not in FORMATS:
        raise ValueError(f"{what}: data format {fmt!r} is not modeled; known: {', '.join(FORMATS)}")
    return fmt


def unpack_cycles(table: dict, fmt: str, what: str) -> float:
    """Cycles to unpack one tile of `fmt` from a per-format cost table (costs.py `unpack_srca_cycles` /
    `unpack_srcb_cycles`): the table's own entry, or for a block-float format the Float16_b entry scaled
    by the datum bytes fetched from L1 (module docstring)."""
    if fmt in table:
        return table[fmt]
    if fmt in BLOCK_FLOAT and "Float16_b" in table:
        return table["Float16_b"] * UNPACK_DATUM_BYTES[fmt] / UNPACK_DATUM_BYTES["Float16_b"]
    raise KeyError(f"no {what} cost for data format {fmt!r}; known: {', '.join(sorted(set(table) | set(BLOCK_FLOAT)))}")


def pack_cycles(table: dict, fmt: str) -> float:
    """Cycles to pack one tile of `fmt` (costs.py `pack_tile_cycles`); a block-float tile at the
    Float16_b tile's cost (module docstring)."""
    if fmt in table:
        return table[fmt]
    if fmt in BLOCK_FLOAT and "Float16_b" in table:
        return table["Float16_b"]
    raise KeyError(f"no pack cost for data format {fmt!r}; known: {', '.join(sorted(set(table) | set(BLOCK_FLOAT)))}")
