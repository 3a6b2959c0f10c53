"""tt.AnnotateLayouts: the DRAM shape of every global tensor whose shape is not whole tiles of whole blocks.

A kernel over a ragged shape (M, N or K not a multiple of 32 or of the block) is written the way TileLang
users write it: a ceildiv grid and loops whose last block runs past the tensor's end. On the device the
tensor is stored padded: whole tiles, as far as the last block reaches. The host program pads each input
with zeros and crops each output (codegen/host.py); every later pass works on the padded shape
(`TileProgram.shape`), and the padding is neutral for what those passes accept: an element-wise op at
(i, j) reads only (i, j) of its inputs, the padded rows / columns of an output are cropped, and the zeros
padding K add nothing to a matmul. Ops for which it is not neutral (reductions, ...) must reject a padded
axis (tt.VerifyInput).

Pre-condition: a frontend kernel. Post-condition: attr `tt.padded_shapes = {tensor: [rows, cols]}` for
the tensors that need padding (absent when none do); the body is unchanged. A tensor is padded to the
largest region end its blocks reach, rounded to whole tiles, when only its last block runs past the end
(by less than one block); anything else is left for tt.VerifyInput to report as out of bounds.
"""
from __future__ import annotations

from tvm import tirx

from ..analysis.coverage import region_ends
from ..errors import TTError
from ..frontend.program import PADDED_ATTR, read_program, static_shape
from ..target import TILE_COLS, TILE_ROWS

PASS_NAME = "tt.AnnotateLayouts"
TILE = (TILE_ROWS, TILE_COLS)


def _round_up(x: int, unit: int) -> int:
    return -(-x // unit) * unit


def padded_shapes(func) -> dict:
    """{tensor name: (rows, cols)} of the global tensors the device stores padded."""
    try:
        km = read_program(func, strict=False)
        ends = region_ends(km)
    except TTError:
        return {}             # a malformed kernel: tt.VerifyInput reports it
    if ends is None:
        return {}
    extents = _block_extents(km)
    out = {}
    for p in km.params:
        shape = static_shape(p)
        if shape is None or len(shape) != 2 or 0 in shape:
            continue
        name = str(p.name)
        padded = list(shape)
        for d, size in enumerate(shape):
            end = ends.get(name, [0, 0])[d]
            block = extents.get(name, [TILE[0], TILE[1]])[d]
            # only where a block runs past the end: the last one, by less than one block. (A vector
            # (1, N) read whole is not padded here: the host stores it in whole tiles regardless.)
            if end > size and end % TILE[d] == 0 and end - size < block:
                padded[d] = end
        if tuple(padded) != shape:
            if any(p % t and p != 1 for p, t in zip(padded, TILE)):   # (a vector keeps its 1)
                continue        # a dimension that is ragged and not overrun: tt.VerifyInput reports it
            out[name] = tuple(padded)
    return out


def _block_extents(km) -> dict:
    """{tensor name: [largest region rows, cols]} of the copies that touch each global tensor."""
    from ..frontend.program import region_of
    out: dict = {}
    for op, _ in km.walk_ops():
        for arg in op.args:
            reg = region_of(arg)
            if reg is None or not any(reg[0].same_as(p) for p in km.params) or len(reg[1]) != 2:
                continue
            cur = out.setdefault(str(reg[0].name), [0, 0])
            for d, (_, ext) in enumerate(reg[1]):
                if isinstance(ext, tirx.IntImm):
                    cur[d] = max(cur[d], int(ext))
    return out


def annotate_layouts(func):
    padded = padded_shapes(func)
    if not padded:
        return func
    return func.with_attr(PADDED_ATTR, {k: list(v) for k, v in padded.items()})


def AnnotateLayouts():  # noqa: N802
    @tirx.transform.prim_func_pass(opt_level=0, name=PASS_NAME)
    def _pass(func, mod, ctx):
        return annotate_layouts(func)
    return _pass
