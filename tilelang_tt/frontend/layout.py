"""How a buffer's values sit in 32x32 tiles: the layout rule for blocks and vectors.

A 2-D buffer (rows, cols) is one of
  block   both dimensions positive multiples of 32: rows/32 x cols/32 tiles, row-major tile order;
  col     (R, 1), R a multiple of 32, a column vector (a row statistic such as a row max): R/32 tiles,
          the value of row r in column 0 of its tile, the rest 0;
  row     (1, C), C a multiple of 32, a row vector (a column statistic, a bias row): C/32 tiles, the
          value of column c in row 0 of its tile, the rest 0;
  scalar  (1, 1): one tile, the value at [0, 0].
This is where the reduce LLK places its results (row reduce -> column 0, column reduce -> row 0, scalar
reduce -> [0, 0]) and where the broadcast LLKs read their operand (bcast_cols reads column 0, bcast_rows
row 0, bcast_scalar [0, 0]), so a vector produced by a reduce is consumed by the matching broadcast without
moving data: a (R, 1) vector is broadcast along columns, a (1, C) vector along rows. In DRAM a vector is
the host tensor padded with zeros to whole tiles (the same tiles). Everything that needs a buffer's tile
grid or kind (verification, the CB plan, lowering, the host program) reads it from `layout_of`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..target import TILE_COLS, TILE_ROWS

KINDS = ("block", "col", "row", "scalar")


@dataclass(frozen=True)
class Layout:
    shape: tuple          # logical (rows, cols)
    kind: str             # block | col | row | scalar
    tiles: tuple          # (tile rows, tile cols)

    @property
    def num_tiles(self) -> int:
        return self.tiles[0] * self.tiles[1]

    @property
    def padded(self) -> tuple:
        return (self.tiles[0] * TILE_ROWS, self.tiles[1] * TILE_COLS)

    @property
    def is_vector(self) -> bool:
        return self.kind != "block"

    def describe(self) -> str:
        return {"block": "block", "col": "column vector", "row": "row vector", "scalar": "scalar"}[self.kind]


def layout_of_shape(shape) -> Layout | None:
    """The layout of a static 2-D shape, or None when it is none of the four kinds."""
    if shape is None or len(shape) != 2:
        return None
    r, c = (int(x) for x in shape)
    if r <= 0 or c <= 0:
        return None
    if r == 1 and c == 1:
        return Layout((r, c), "scalar", (1, 1))
    if c == 1 and r % TILE_ROWS == 0:
        return Layout((r, c), "col", (r // TILE_ROWS, 1))
    if r == 1 and c % TILE_COLS == 0:
        return Layout((r, c), "row", (1, c // TILE_COLS))
    if r % TILE_ROWS == 0 and c % TILE_COLS == 0:
        return Layout((r, c), "block", (r // TILE_ROWS, c // TILE_COLS))
    return None


def layout_of(buf) -> Layout | None:
    from .program import static_shape
    return layout_of_shape(static_shape(buf))
