"""Error bounds that the end-to-end checks use, derived from the numerics policy (docs/numerics.md).

Policy in one line: bf16 inputs are exact in fp32; math is fp32; DST holds fp32 when
`fp32_dest_acc_en` is on and is rounded to bf16 after every operation when it is off; pack rounds to
the output format (round to nearest even). The bounds below are the standard rounding-error bounds for
that policy, element by element; they are not tuned to make tests pass (docs/tolerance.md).
"""
from __future__ import annotations

import numpy as np

from .target import TILE_COLS

# Unit roundoff (half an ulp at 1.0) per storage format.
UNIT_ROUNDOFF = {"bfloat16": 2.0 ** -8, "float32": 2.0 ** -24}
# The FPU source registers hold 19-bit values (sign, 8-bit exponent, 10-bit mantissa): float32 operands
# of matmul_tiles may be rounded to that precision on the way in. bf16 operands pass exactly.
SRC_REGISTER_ROUNDOFF = {"bfloat16": 0.0, "float32": 2.0 ** -11}
TILE = TILE_COLS


def unit_roundoff(dtype: str) -> float:
    return UNIT_ROUNDOFF[str(dtype)]


def matmul_bound(a, b, out_dtype: str = "bfloat16", fp32_acc: bool = True, block_k: int = TILE):
    """Per-element bound on |C - A@B| (A@B computed exactly from the same bf16 inputs).

    fp32 accumulation: K products summed in fp32 (gamma_K = K * u32 of sum |a||b|), then one rounding
    to the output format (u_out * |C|). float32 operands add their source-register rounding. bf16 accumulation: the partial sum in DST is also rounded to
    bf16 after every tile step, K / 32 roundings of at most u_bf16 * sum |a||b| each.
    """
    in_dtype = "float32" if np.asarray(a).dtype == np.float32 else "bfloat16"
    a32 = np.asarray(a, dtype=np.float32)
    b32 = np.asarray(b, dtype=np.float32)
    K = a32.shape[1]
    exact = a32.astype(np.float64) @ b32.astype(np.float64)
    magnitude = np.abs(a32).astype(np.float64) @ np.abs(b32).astype(np.float64)
    u32 = UNIT_ROUNDOFF["float32"]
    acc = (K * u32 + 2 * SRC_REGISTER_ROUNDOFF[in_dtype]) * magnitude
    if not fp32_acc:
        acc = acc + (K / TILE) * UNIT_ROUNDOFF["bfloat16"] * magnitude
    bound = acc + unit_roundoff(out_dtype) * (np.abs(exact) + acc)
    return exact, bound + np.finfo(np.float32).tiny


def elementwise_bound(exact, out_dtype: str = "bfloat16", roundings: int = 1):
    """Per-element bound for an element-wise result computed in fp32 and rounded `roundings` times
    to a format no finer than out_dtype (DST rounding when fp32 accumulation is off, then pack)."""
    exact = np.asarray(exact, dtype=np.float64)
    u = unit_roundoff(out_dtype)
    return ((1 + u) ** roundings - 1) * np.abs(exact) + 4 * UNIT_ROUNDOFF["float32"] * np.abs(exact) \
        + np.finfo(np.float32).tiny


def check(result, exact, bound) -> tuple[bool, float, float]:
    """(all within bound, max |error|, max error/bound ratio)."""
    err = np.abs(np.asarray(result, dtype=np.float64) - exact)
    ratio = err / bound
    return bool(np.all(err <= bound)), float(err.max()), float(ratio.max())
