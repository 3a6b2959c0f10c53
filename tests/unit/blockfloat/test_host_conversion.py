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


def _group_kind(kind: int, count: int, rng) -> np.ndarray:
    """`count` groups of 16 float32 bit patterns of one kind."""
    bits = rng.integers(0, 1 << 32, (count, 16), dtype=np.uint32)
    sign, man = bits & np.uint32(0x80000000), bits & np.uint32(0x7FFFFF)
    base = rng.integers(100, 155, (count, 1), dtype=np.uint32)
    r = rng.integers(0, 1 << 32, (count, 16), dtype=np.uint32)          # exponent choices, positions
    if kind == 0:     # normal: exponents within +-3 of the group's
        exp = base + (r & 7) - 3
    elif kind == 1:   # tiny: exponent fields 0..7 (subnormals, smallest normals)
        exp = r & 7
    elif kind == 2:   # huge: 247..254
        exp = 247 + (r & 7)
    elif kind == 3:   # mixed: anything finite
        exp = 1 + r % 254
    elif kind == 4:   # +-0
        return sign
    elif kind == 7:   # ties: the bits below the Bfp8 / Bfp4 datum are exactly one half
        exp = base
        man = np.where(r & 1, (man & ~np.uint32(0x1FFFF)) | 0x10000, (man & ~np.uint32(0x1FFFFF)) | 0x100000)
    elif kind == 8:   # significands just below 2: rounding saturates
        exp = base
        man = np.uint32(0x7FFFFF) - (r & 0xFFF)
    elif kind == 9:   # raw bits: everything, NaN and Inf included
        return bits ^ (r << 7)
    else:             # 5: Inf, 6: NaN among normal values, at least one per group
        exp = base + (r & 7) - 3
        special = (r >> 28) == 0
        special[np.arange(count), (r[:, 0] >> 4) & 15] = True
        u = sign | (exp << 23) | man
        odd = sign | np.uint32(0x7F800000) | (np.maximum(man, 1) if kind == 6 else 0)
        return np.where(special, odd, u)
    return sign | (exp.astype(np.uint32) << 23) | man


def generated_tiles(n: int, seed: int) -> np.ndarray:
    """n tiles (float32, row-major per tile); every face row of 16 values is one group of a kind drawn
    at random: normal, tiny (subnormal / smallest normal exponents), huge, mixed exponents, zero, Inf,
    NaN, exact rounding ties, saturating significands, raw random bits."""
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n * 64, [0.1] * 10)
    u = np.concatenate([_group_kind(kind, int(c), rng) for kind, c in enumerate(counts)])
    return u[rng.permutation(n * 64)].reshape(n, 1024).view(np.float32)


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


@pytest.mark.parametrize("fmt", ["bfp8_b", pytest.param("bfp4_b", marks=pytest.mark.slow)])   # make test: one format
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
