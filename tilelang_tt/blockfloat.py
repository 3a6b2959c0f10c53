"""Block-float tiles (Bfp8_b, Bfp4_b) on the host: conversion from and to float32, bit-exact with the
pinned TT-Metalium release's host conversion (`pack_as_bfp8_tiles`, `pack_as_bfp4_tiles`,
`unpack_bfp8_tiles_into_float_vec`, `unpack_bfp4_tiles_into_float_vec` in libtt_metal.so; the tests
compare against the library itself, see tests/unit/blockfloat/).

Layout of one 32x32 tile (docs/numerics.md, "Block-float"): the 64 shared exponents first (one byte per
16-value face row: face 0 rows 0..15, face 1, face 2, face 3), then the four faces' data, each face
row-major. A datum is sign + magnitude with an explicit leading one: Bfp8_b 1 + 7 bits (one byte),
Bfp4_b 1 + 3 bits (two per byte, the first in the low nibble). Bfp8_b tiles are 64 + 1024 = 1088 bytes,
Bfp4_b 64 + 512 = 576. "_b" means the shared exponent is 8 bits wide, biased like float32's.

The host rounds as the release does: the group's exponent is the largest float32 exponent field of its 16
values; each value's 24-bit significand (hidden one included) is shifted right by its distance to that
exponent (the bits shifted out are dropped), then rounded to the datum width to nearest with ties to
even on what is left, saturating instead of carrying into the exponent (1.999 -> 1.984375 in Bfp8_b);
a zero magnitude loses its sign. The device packer rounds differently (ties away from zero, Bfp4 cut
from Bfp8, NaN to infinity); that path lives in the emulator (emulator/src/blockfloat.cpp).
"""
from __future__ import annotations

import numpy as np

from .target import FACE_COLS, FACE_ROWS, TILE_BYTES, TILE_COLS, TILE_ROWS, storage_format

# Magnitude bits per datum (the leading one included) of each block-float format.
MAGNITUDE_BITS = {"Bfp8_b": 7, "Bfp4_b": 3}
TILE_VALUES = TILE_ROWS * TILE_COLS
# Leading zeros of a datum magnitude within its width (a zero magnitude counts width - 1; unused).
_LEADING_ZEROS = {w: np.array([w - max(m.bit_length(), 1) for m in range(1 << w)], dtype=np.uint32)
                  for w in MAGNITUDE_BITS.values()}
GROUPS_PER_TILE = TILE_VALUES // FACE_COLS          # one shared exponent per face row of 16 values


def _format(fmt: str) -> str:
    return storage_format(fmt)           # ValueError naming bfp8_b, bfp4_b


def tile_bytes(fmt: str) -> int:
    return TILE_BYTES[_format(fmt)]


def _face_order(x: np.ndarray) -> np.ndarray:
    """(tiles, 32, 32) row-major tiles -> (tiles, 64, 16) face rows in memory order (face, row)."""
    t = x.reshape(-1, 2, FACE_ROWS, 2, FACE_COLS)            # tile, face row, row, face col, col
    return t.transpose(0, 1, 3, 2, 4).reshape(-1, GROUPS_PER_TILE, FACE_COLS)


def _row_major(g: np.ndarray) -> np.ndarray:
    """Inverse of _face_order: (tiles, 64, 16) -> (tiles, 1024) row-major within each tile."""
    t = g.reshape(-1, 2, 2, FACE_ROWS, FACE_COLS)             # tile, face row, face col, row, col
    return t.transpose(0, 1, 3, 2, 4).reshape(-1, TILE_VALUES)


def pack_bfp_tiles(values, fmt: str = "bfp8_b", row_major_input: bool = True) -> np.ndarray:
    """float32 values, a whole number of tiles (each tile's 1024 values row-major when row_major_input,
    else already in face order) -> the block-float tiles as bytes (uint8, tile_bytes(fmt) per tile)."""
    fmt = _format(fmt)
    width = MAGNITUDE_BITS[fmt]
    u = np.ascontiguousarray(values, dtype=np.float32).reshape(-1).view(np.uint32)
    if u.size % TILE_VALUES:
        raise ValueError(f"pack_bfp_tiles: {u.size} values are not a whole number of 32x32 tiles")
    g = _face_order(u.reshape(-1, TILE_ROWS, TILE_COLS)) if row_major_input else \
        u.reshape(-1, GROUPS_PER_TILE, FACE_COLS)
    exp = (g >> 23) & 0xFF
    shared = exp.max(axis=2)                                 # (tiles, 64): largest exponent field
    mag = _magnitudes(g, exp, shared, width)
    sign = np.where(mag == 0, 0, g >> 31).astype(np.uint8)   # a zero magnitude loses its sign
    data = (sign << width) | mag.astype(np.uint8)
    if width == 3:                                          # two datums per byte, the first in the low nibble
        data = data[..., 0::2] | (data[..., 1::2] << 4)
    ntiles = g.shape[0]
    out = np.concatenate([shared.astype(np.uint8), data.reshape(ntiles, -1)], axis=1)
    return out.reshape(-1)


def _magnitudes(g, exp, shared, width):
    """Datum magnitudes (width bits, leading one explicit) of float32 bit patterns g against their
    group's shared exponent, rounded as the host release rounds."""
    shift = 24 - width                                       # bits below the datum in a 24-bit significand
    sig = (np.uint32(1 << 23) | (g & 0x7FFFFF)).astype(np.uint32)
    dist = (shared[..., None] - exp).astype(np.uint32)
    sig = np.where(dist >= 32, 0, sig >> np.minimum(dist, 31)).astype(np.uint32)
    rest = sig & np.uint32((1 << shift) - 1)
    mag = sig >> np.uint32(shift)
    tie = np.uint32(1 << (shift - 1))
    up = (rest > tie) | ((rest == tie) & ((mag & 1) == 1))
    mag = np.minimum(mag + up, (1 << width) - 1)             # saturate: never carry into the exponent
    return np.where(exp == 0, 0, mag).astype(np.uint32)               # zeros and subnormals flush to 0


def unpack_bfp_tiles(data, fmt: str = "bfp8_b", row_major_output: bool = True) -> np.ndarray:
    """Block-float tiles (bytes, tile_bytes(fmt) each) -> float32 values, each tile row-major when
    row_major_output, else in face order."""
    fmt = _format(fmt)
    width = MAGNITUDE_BITS[fmt]
    b = np.ascontiguousarray(data, dtype=np.uint8).reshape(-1)
    nbytes = TILE_BYTES[fmt]
    if b.size % nbytes:
        raise ValueError(f"unpack_bfp_tiles: {b.size} bytes are not a whole number of {fmt} tiles ({nbytes} B)")
    t = b.reshape(-1, nbytes)
    shared = t[:, :GROUPS_PER_TILE].astype(np.uint32)[..., None]   # (tiles, 64, 1)
    raw = t[:, GROUPS_PER_TILE:]
    if width == 3:
        raw = np.stack([raw & 0xF, raw >> 4], axis=-1)
    d = raw.reshape(-1, GROUPS_PER_TILE, FACE_COLS).astype(np.uint32)
    sign = d >> width
    mag = d & np.uint32((1 << width) - 1)
    # Normalise: shift the magnitude up until its top bit is the hidden one, lowering the exponent by
    # as much; a magnitude of 0 is a zero that keeps its sign bit (-0), a result below exponent 0 is +0.
    lz = _LEADING_ZEROS[width][mag]
    frac = (mag << (lz + np.uint32(1))) & np.uint32((1 << width) - 1)
    e = (shared - lz).astype(np.uint32)
    bits = (sign << np.uint32(31)) | (e << np.uint32(23)) | (frac << np.uint32(23 - width))
    bits = np.where(shared < lz, 0, bits)
    bits = np.where(mag == 0, sign << np.uint32(31), bits).astype(np.uint32)
    out = bits.view(np.float32)
    return (_row_major(out) if row_major_output else out).reshape(-1)


def _tiles(x: np.ndarray) -> np.ndarray:
    """(rows, cols), whole tiles -> its 32x32 tiles in row-major tile order, each tile row-major (the
    page order of a DRAM-interleaved tensor, one tile per page)."""
    rows, cols = x.shape
    return x.reshape(rows // TILE_ROWS, TILE_ROWS, cols // TILE_COLS, TILE_COLS).transpose(0, 2, 1, 3).reshape(-1)


def _untiles(t: np.ndarray, rows: int, cols: int) -> np.ndarray:
    return t.reshape(rows // TILE_ROWS, cols // TILE_COLS, TILE_ROWS, TILE_COLS).transpose(0, 2, 1, 3) \
        .reshape(rows, cols)


def _whole_tiles(x) -> np.ndarray:
    """x as a float32 (rows, cols) matrix padded with zeros to whole tiles (a zero never raises a shared
    exponent, so the padding leaves the stored values of the real elements unchanged)."""
    x = np.asarray(x, dtype=np.float32)
    x = x.reshape(1, -1) if x.ndim == 1 else x.reshape(-1, x.shape[-1])
    rows, cols = x.shape
    out = np.zeros((-(-rows // TILE_ROWS) * TILE_ROWS, -(-cols // TILE_COLS) * TILE_COLS), np.float32)
    out[:rows, :cols] = x
    return out


def pack_matrix(x, fmt: str, device_shape=None) -> np.ndarray:
    """A row-major matrix -> the bytes of its DRAM pages in `fmt` (one block-float tile per page, tiles in
    row-major order): what the host writes into a block-float tensor's buffer. device_shape: the padded
    (rows, cols) the device stores (default: x rounded up to whole tiles)."""
    m = _whole_tiles(x)
    if device_shape is not None and tuple(device_shape) != m.shape:
        full = np.zeros(tuple(int(v) for v in device_shape), np.float32)
        full[:m.shape[0], :m.shape[1]] = m
        m = full
    return pack_bfp_tiles(_tiles(m), fmt)


def quantize(x, fmt: str) -> np.ndarray:
    """The values a tensor holds after the host stores it in `fmt` (pack, then unpack), as float32 of x's
    shape: the inputs a numpy reference of a block-float kernel computes with (docs/tolerance.md)."""
    x = np.asarray(x)
    m = _whole_tiles(x)
    held = _untiles(unpack_bfp_tiles(pack_bfp_tiles(_tiles(m), fmt), fmt), *m.shape)
    rows, cols = (1, x.shape[0]) if x.ndim == 1 else (int(np.prod(x.shape[:-1])), x.shape[-1])
    return held[:rows, :cols].reshape(x.shape)
