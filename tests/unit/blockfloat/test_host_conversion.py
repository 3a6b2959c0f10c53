"""Host block-float conversion (tilelang_tt/blockfloat.py) against the pinned release's own conversion in
libtt_metal.so (tilelang_tt/realapi/blockfloat_oracle.py): bit equality of the packed bytes and of the
unpacked floats on 10^5 generated tiles per format, plus the documented rules on hand-made groups."""
import os

import numpy as np
import pytest

from tilelang_tt import blockfloat as bf
from tilelang_tt.errors import RealApiUnavailable

TILES = 100_000
CHUNK = 10_000


def generated_tiles(n: int, seed: int) -> np.ndarray:
    """n tiles (float32, row-major per tile); every face row of 16 values is one group of a kind drawn
    at random: normal, tiny (subnormal / smallest normal exponents), huge, mixed exponents, zero, Inf,
    NaN, exact rounding ties, saturating significands, raw random bits."""
    rng = np.random.default_rng(seed)
    groups = n * 64
    kind = rng.integers(0, 10, (groups, 1), dtype=np.uint8)
    bits = rng.integers(0, 1 << 32, (groups, 16), dtype=np.uint32)   # sign, mantissa
    more = rng.integers(0, 1 << 32, (groups, 16), dtype=np.uint32)   # exponent jitter, choices
    base = rng.integers(100, 155, (groups, 1), dtype=np.uint32)
    jitter = (more & 7).astype(np.int32) - 3
    # exponent per kind: normal (a narrow band), tiny (0..7: subnormals, smallest normals), huge
    # (247..254), mixed (1..254); ties, saturating and special groups stay in the band
    exp = np.clip(base.astype(np.int32) + jitter, 1, 254).astype(np.uint32)
    exp = np.where(kind == 1, (more >> 3) & 7, exp)
    exp = np.where(kind == 2, 247 + ((more >> 3) & 7), exp)
    exp = np.where(kind == 3, 1 + ((more >> 3) % 254), exp)
    exp = np.where(kind >= 7, base, exp)
    man = bits & 0x7FFFFF
    pick = (more >> 12) & 1
    # ties: the bits below the Bfp8 / Bfp4 datum are exactly one half
    tie = np.where(pick == 1, (man & ~np.uint32(0x1FFFF)) | 0x10000, (man & ~np.uint32(0x1FFFFF)) | 0x100000)
    man = np.where(kind == 7, tie, man)
    man = np.where(kind == 8, 0x7FFFFF - ((more >> 13) & 0xFFF), man)                 # 1.999...
    u = (bits & 0x80000000) | (exp << 23) | man
    u = np.where(kind == 4, bits & 0x80000000, u)                                      # +-0
    special = ((more >> 25) & 15) == (kind.astype(np.uint32) & 15)                    # ~1 in 16 per group
    special[:, 0] |= (more[:, 0] >> 29) == 0
    special[np.arange(groups), (more[:, 1] >> 28)] = True                              # at least one
    inf = (bits & 0x80000000) | 0x7F800000
    u = np.where((kind == 5) & special, inf, u)
    u = np.where((kind == 6) & special, inf | np.maximum(man, 1), u)                   # NaN, any payload
    u = np.where(kind == 9, bits ^ (more << 7), u)                                     # raw bits
    return u.reshape(n, 1024).view(np.float32)


@pytest.fixture(scope="module")
def oracle():
    if os.environ.get("TILELANG_TT_REALAPI", "").lower() == "skip":
        pytest.skip("TILELANG_TT_REALAPI=skip: the release's libtt_metal.so is not used")
    from tilelang_tt.realapi import blockfloat_oracle
    try:
        blockfloat_oracle.run("pack", "bfp8_b", np.zeros(1024, np.float32))
    except (RealApiUnavailable, OSError) as e:
        pytest.skip(f"the pinned release's host conversion is not available here: {e}")
    return blockfloat_oracle


@pytest.mark.parametrize("fmt", ["bfp8_b", "bfp4_b"])
def test_bit_identical_to_release(oracle, fmt):
    checked = 0
    for start in range(0, TILES, CHUNK):
        x = generated_tiles(CHUNK, seed=start + (7 if fmt == "bfp8_b" else 11))
        packed = bf.pack_bfp_tiles(x, fmt)
        # unpack the release's bytes (ours and its) and our own bytes of random raw tiles too
        raw = np.random.default_rng(start).integers(0, 256, packed.size // 10, dtype=np.uint8)
        ref_packed, ref_unpacked, ref_raw = oracle.run_many(
            [("pack", fmt, x), ("unpack", fmt, packed), ("unpack", fmt, raw)])
        assert ref_packed.size == CHUNK * bf.tile_bytes(fmt)
        diff = np.flatnonzero(ref_packed != packed)
        assert diff.size == 0, f"{fmt}: {diff.size} bytes differ, first at byte {diff[0]} of tile {diff[0] // bf.tile_bytes(fmt)}"
        for got, ref in ((bf.unpack_bfp_tiles(packed, fmt), ref_unpacked), (bf.unpack_bfp_tiles(raw, fmt), ref_raw)):
            d = np.flatnonzero(got.view(np.uint32) != ref.view(np.uint32))
            assert d.size == 0, f"{fmt} unpack: {d.size} values differ, first at {d[0]}"
        checked += CHUNK
    assert checked >= 100_000


def _group(values):
    """One tile whose first face row holds `values` (16), the rest zero; returns (shared exp, datums)."""
    x = np.zeros((32, 32), np.float32)
    x[0, :16] = values
    return x


def test_documented_rules():
    # saturating mantissa: 1.999 stays in its exponent
    t = bf.pack_bfp_tiles(_group([1.999] + [0.5] * 15), "bfp8_b")
    assert t[0] == 127 and t[64] == 0x7F
    assert bf.unpack_bfp_tiles(t, "bfp8_b")[0] == 1.984375
    # shared exponent = largest; a value 2^7 below it is gone in bfp8, 2^3 below in bfp4
    y = bf.unpack_bfp_tiles(bf.pack_bfp_tiles(_group([1.0, 2.0 ** -7, 2.0 ** -6] + [0.0] * 13), "bfp8_b"), "bfp8_b")
    assert list(y[:3]) == [1.0, 0.0, 2.0 ** -6]
    y = bf.unpack_bfp_tiles(bf.pack_bfp_tiles(_group([1.0, 2.0 ** -3, 2.0 ** -2] + [0.0] * 13), "bfp4_b"), "bfp4_b")
    assert list(y[:3]) == [1.0, 0.0, 2.0 ** -2]
    # ties to even: 1 + 2^-7 (half way between 1 and 1 + 2^-6) -> 1; 1 + 3 * 2^-7 -> 1 + 2^-5
    y = bf.unpack_bfp_tiles(bf.pack_bfp_tiles(_group([1 + 2.0 ** -7, 1 + 3 * 2.0 ** -7] + [1.0] * 14), "bfp8_b"),
                            "bfp8_b")
    assert list(y[:2]) == [1.0, 1 + 2.0 ** -5]
    # -0 loses its sign; layout: exponents then data, 1088 / 576 bytes
    t = bf.pack_bfp_tiles(_group([-0.0] * 16), "bfp8_b")
    assert t.size == 1088 and not t.any()
    assert bf.pack_bfp_tiles(np.zeros(1024, np.float32), "bfp4_b").size == 576
