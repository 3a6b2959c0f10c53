"""Padding through a tile program over ragged tensors: which positions of each block are padding, what they
hold, and what the device does so that a reduction over a ragged axis sees only the tensor's elements.

tt.AnnotateLayouts stores a ragged tensor padded to whole tiles and the host pads it with zeros. Element-wise
ops do not care (their padded results are cropped); a reduction over the padded axis does. Per reduction:

  * SUM over rows or columns: a **partial scaler**. The reduce weights element p along the reduced axis of a
    tile by row 0 of its scaler tile (ops-0.81.md section 2), so the last tile gets a scaler tile whose row 0
    holds 1.0 only at the first k positions (k = valid elements in that tile); padding is multiplied by 0.
    That is exact for any finite padding, so the padding must be finite (checked below). The logical N of a
    mean is the user's constant (`Tx.mul(s, s, T.float32(1 / N))`), untouched by padding.
  * MAX: a **-inf mask**. The
    reader stores -inf (bf16 0xFF80 / fp32 0xFF800000) over the padding of every block the reduction's
    source is computed from, after the block's NOC reads and before cb_push_back. A partial scaler cannot do
    it: the reduce multiplies by the scaler, so a weight 0 turns padding into 0 and a row of negative values
    would return 0 (tt-metal #12662). The mask survives the ops that keep -inf (adding a finite value, a
    positive scale, the column broadcast `x - max`), and exp turns it into exactly 0: softmax's padded
    exps add nothing to the row sum, whatever the row maximum is (no pad value has to survive exp).
  * MIN: a **+inf mask** (bf16 0x7F80 / fp32 0x7F800000), the max's mask mirrored. tt.LowerMinReduce turns
    the min into -max(-x): the negation makes the reader's +inf the -inf the max needs. Which sign a load
    gets is found by walking the chain: a mask is first given the sign its reduction wants at the reduction,
    and flipped once if the ops between do not deliver it (a negative scale, relu of -inf); a block that a max
    and a min both need masked the opposite way is refused.
  * SUM over both axes: one scaler tile weights rows and columns alike, so no partial scaler fits a tile
    ragged in one axis only; the host's zero padding adds exactly nothing, and padding that is no longer
    zero is refused.
  * A reduction that would need a mask / scaler it cannot get (padding that may be inf or NaN, -inf reaching
    a SUM, a ragged axis split across blocks) is a TTCompileError naming the reduction and what to change.

Padding classes per buffer and axis: "zero" (the host's zeros, or ops that keep 0), "finite", "-inf" / "+inf"
(masked, or made by an op: log(0), 1/sqrt(0)), "any" (may be inf or NaN: exp of finite padding can overflow,
1/0 ...). `valid[d]` is how many leading
elements along axis d of the block are the tensor's (None: no padding; "dyn": depends on the grid).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import fail
from ..frontend.layout import layout_of
from ..frontend.program import Loop, static_shape
from ..target import TILE_COLS, TILE_ROWS

ZERO, FINITE, NEGINF, POSINF, ANY = "zero", "finite", "-inf", "+inf", "any"
INF = (NEGINF, POSINF)
# the padding class a masked reduction needs at its source: an infinity that never wins it
MASK_CLASS = {"max": NEGINF, "min": POSINF}


def _neg(c):
    """The class of -x."""
    return {NEGINF: POSINF, POSINF: NEGINF}.get(c, c)
TILE = (TILE_ROWS, TILE_COLS)
REDUCE_KINDS = ("sum", "max", "min")
# the reduced axes of a reduce, from its destination's layout kind (frontend/layout.py)
REDUCED_AXES = {"col": (1,), "row": (0,), "scalar": (0, 1)}
AXIS_NAME = ("rows", "columns")


@dataclass
class BufState:
    valid: list = field(default_factory=lambda: [None, None])
    pad: list = field(default_factory=lambda: [ZERO, ZERO])
    origins: set = field(default_factory=set)     # the copy-in statements this block is computed from
    keys: object = None       # the Tx.gemm(..., transpose_B=True) whose B rows with padding became the columns


@dataclass
class ReduceTail:
    axis: int                 # the reduced axis with padding (0 rows, 1 columns)
    counts: tuple             # valid elements per tile along it (32: whole tile; 0: padding only)
    partial_scaler: bool      # weight the tail by a partial scaler tile (SUM over rows or columns)


@dataclass
class PaddingPlan:
    tails: dict = field(default_factory=dict)      # reduce stmt -> [ReduceTail]
    masks: dict = field(default_factory=dict)      # copy-in stmt -> [valid rows or None, valid cols or None]
    fills: dict = field(default_factory=dict)      # copy-in stmt -> NEGINF | POSINF, what the reader stores

    def partial_tiles(self, reduces) -> list:
        """The distinct partial scaler tiles (count 1..31, reduced axis) these reduce ops need, in order."""
        out = []
        for op in reduces:
            for tail in self.tails.get(op.stmt, []):
                if tail.partial_scaler:
                    out += [(k, tail.axis) for k in tail.counts if 0 < k < 32 and (k, tail.axis) not in out]
        return out


def scaler_tiles(km, plan: PaddingPlan, dtype: str) -> list:
    """The tiles of the reduce scaler CB of one data format, as (count, reduced axis): (32, 1), the full
    scaler, then one partial tile per distinct tail of that format's SUMs (lower/naive.py fills them)."""
    reduces = [op for op, _ in km.walk_ops() if op.kind in REDUCE_KINDS and str(op.operands[1].buf.dtype) == dtype]
    return [(32, 1)] + plan.partial_tiles(reduces)


def scaler_face_positions(count: int, axis: int, face: int) -> int:
    """How many leading positions of row 0 of scaler face `face` weigh 1.0 for a tail of `count` elements.
    The reduce pairs data face f with scaler face f and weighs the element at position p of the face along
    the reduced axis by position p of that face's row 0 (emulator/src/compute.cpp): faces 0 / 2 hold
    columns 0..15 and faces 1 / 3 columns 16..31 (a row reduce, axis 1), faces 0 / 1 rows 0..15 and
    faces 2 / 3 rows 16..31 (a column reduce, axis 0)."""
    first = 16 * (face % 2) if axis == 1 else 16 * (face // 2)
    return max(0, min(16, count - first))


def tile_counts(valid: int, extent: int, tile: int) -> tuple:
    return tuple(max(0, min(tile, valid - tile * j)) for j in range(extent // tile))


# -------------------------------------------------------------------------- class transfer per op
def _add(a, b):
    if ANY in (a, b) or {a, b} == set(INF):
        return ANY                  # -inf + inf = NaN
    for c in INF:
        if c in (a, b):
            return c
    return ZERO if a == b == ZERO else FINITE


def _sub(a, b):
    return _add(a, _neg(b))


def _mul(a, b):
    if a in INF and b in INF:
        return POSINF if a == b else NEGINF      # a square of a masked block stays masked
    if ANY in (a, b) or a in INF or b in INF:
        return ANY                  # inf * 0 = NaN, the sign of inf * x is x's
    return ZERO if ZERO in (a, b) else FINITE


def _div(a, b):
    return ANY                      # x / 0 = inf, and no class says a divisor's padding is nonzero


def _max(a, b):
    if ANY in (a, b):
        return ANY
    if POSINF in (a, b):
        return POSINF
    if NEGINF in (a, b):
        return b if a == NEGINF else a
    return ZERO if a == b == ZERO else FINITE


def _min(a, b):
    return _neg(_max(_neg(a), _neg(b)))


_BINARY = {"add": _add, "sub": _sub, "mul": _mul, "fdiv": _div, "maximum": _max, "minimum": _min}
# unary op -> class of f(padding) (a class not listed: "any")
_UNARY = {
    "exp": {ZERO: FINITE, FINITE: ANY, NEGINF: ZERO, POSINF: POSINF},   # exp(finite) may overflow; exp(-inf) = 0
    "exp2": {ZERO: FINITE, FINITE: ANY, NEGINF: ZERO, POSINF: POSINF},
    "sqrt": {ZERO: ZERO, FINITE: ANY, POSINF: POSINF},
    "reciprocal": {ZERO: ANY, FINITE: ANY, NEGINF: ZERO, POSINF: ZERO},
    "silu": {ZERO: ZERO, FINITE: FINITE, POSINF: POSINF},
    "relu": {ZERO: ZERO, FINITE: FINITE, NEGINF: ZERO, POSINF: POSINF},
    # the release's log_tile: 0 -> -inf, +inf -> +inf (ckernel_sfpu_log.h); rsqrt_tile: +-0 -> +-inf, inf -> 0
    # (ckernel_sfpu_sqrt.h, RECIPROCAL)
    "log": {ZERO: NEGINF, FINITE: ANY, POSINF: POSINF},
    "log2": {ZERO: NEGINF, FINITE: ANY, POSINF: POSINF},
    "rsqrt": {ZERO: ANY, FINITE: ANY, POSINF: ZERO},
}


def _either(a, b):
    """The class of a padding position holding a value of class a or one of class b (Tx.select)."""
    if a == b:
        return a
    return FINITE if {a, b} <= {ZERO, FINITE} else ANY


def _of_value(v: float):
    return ZERO if v == 0 else FINITE if math.isfinite(v) else NEGINF if v < 0 else POSINF if v > 0 else ANY


def _scalar(kind, x, s: float, scalar_first: bool):
    if x == ANY:
        return ANY
    if kind in ("add", "sub"):
        if scalar_first and kind == "sub":
            x = _neg(x)                             # s - x
        return x if x in INF else (ZERO if x == ZERO and s == 0 else FINITE)
    if kind == "mul":
        if x in INF:
            return x if s > 0 else _neg(x) if s < 0 else ANY      # inf * 0 = NaN
        return x
    if kind == "fdiv":
        if scalar_first:
            return ZERO if x in INF else ANY        # s / 0
        if s == 0:
            return ANY
        return (x if s > 0 else _neg(x)) if x in INF else x
    if kind in ("maximum", "minimum"):
        return (_max if kind == "maximum" else _min)(x, ZERO if s == 0 else FINITE)
    return ANY


# -------------------------------------------------------------------------- the walk
class _Walk:
    def __init__(self, km, masks: dict, strict: bool):
        self.km = km
        self.strict = strict             # raise on a reduction the device cannot handle (the final walk)
        self.masks = masks
        self.state: dict = {}
        self.tails: dict = {}
        self.want_masks: dict = {}      # reduce stmt -> [(axis, source state, class)] of a MAX / MIN that needs
        #                                 its source's padding to be that class (MASK_CLASS)

    def get(self, operand) -> BufState:
        name = operand.name
        if name not in self.state:
            self.state[name] = BufState()
        return self.state[name]

    def run(self, items, passes=1):
        for _ in range(passes):
            for it in items:
                if isinstance(it, Loop):
                    self.run(it.body, passes=2)     # a value carried around the loop (a matmul accumulator)
                else:
                    self.op(it)

    def op(self, op):
        ops = op.operands
        k = op.kind
        if k == "copy":
            dst, src = ops[0], ops[1]
            if src.kind == "global" and dst.kind == "shared":
                self.load(op, dst, src)
            elif dst.kind != "global":
                s = self.get(src)
                self.state[dst.name] = BufState(list(s.valid), list(s.pad), set(s.origins), s.keys)
            return
        if k == "fill":
            v = ops[1].value if len(ops) > 1 else None
            self.state[ops[0].name] = BufState(pad=[ZERO if v == 0 else FINITE] * 2)
            return
        if k in REDUCE_KINDS:
            self.reduce(op)
            return
        if k == "gemm":
            a, b, c = (self.get(o) for o in ops[1:4])
            nb = 0 if bool(op.args[5]) else 1      # transpose_B: the result's columns are B's rows
            bad = any(p in (NEGINF, POSINF, ANY) for p in a.pad + b.pad)
            pad = [ANY if bad else _add(a.pad[0], c.pad[0]), ANY if bad else _add(b.pad[nb], c.pad[1])]
            keys = op if nb == 0 and b.valid[0] is not None else c.keys
            self.state[ops[0].name] = BufState([a.valid[0], b.valid[nb]], pad, a.origins | b.origins | c.origins,
                                               keys)
            return
        if k == "select":       # either side at a padding position, whatever the predicate says there
            cls = [self.get(o).pad if o.kind != "scalar" else [_of_value(o.value)] * 2 for o in ops[1:3]]
            srcs = [o for o in ops[1:3] if o.kind != "scalar"]
            valid = [[self.get(o).valid[d] for o in srcs] for d in (0, 1)]
            self.state[ops[0].name] = BufState(
                ["dyn" if "dyn" in v else min((x for x in v if x is not None), default=None) for v in valid],
                [_either(cls[0][d], cls[1][d]) for d in (0, 1)],
                set().union(*(self.get(o).origins for o in srcs)) if srcs else set(),
                next((self.get(o).keys for o in srcs if self.get(o).keys is not None), None))
            return
        srcs = [o for o in ops[1:] if o.kind in ("shared", "local")]
        scal = [o for o in ops[1:] if o.kind == "scalar"]
        out = BufState(origins=set().union(*(self.get(o).origins for o in srcs)) if srcs else set(),
                       keys=next((self.get(o).keys for o in srcs if self.get(o).keys is not None), None))
        lay = {o.name: layout_of(o.buf) for o in srcs}
        for d in (0, 1):
            # a vector / (1, 1) operand broadcast along d contributes its (finite) value, not padding
            along = [o for o in srcs if not (lay[o.name] and lay[o.name].is_vector
                                              and static_shape(o.buf)[d] == 1)]
            vals = [self.get(o).valid[d] for o in along]
            out.valid[d] = "dyn" if "dyn" in vals else min((v for v in vals if v is not None), default=None)
            cls = [self.get(o).pad[d] if o in along else FINITE for o in srcs]
            if k == "maximum" and scal and len(srcs) == 1:       # relu
                out.pad[d] = _UNARY["relu"].get(cls[0], ANY)
            elif scal and srcs:
                out.pad[d] = _scalar(k, cls[0], scal[0].value, ops[1].kind == "scalar")
            elif len(srcs) == 2:
                out.pad[d] = _BINARY.get(k, lambda a, b: ANY)(*cls)
            elif len(srcs) == 1 and k in _UNARY:
                out.pad[d] = _UNARY[k].get(cls[0], ANY)
            elif len(srcs) == 1 and k == "cast":
                out.pad[d] = cls[0]
            else:
                out.pad[d] = ANY
        self.state[ops[0].name] = out

    def load(self, op, dst, src):
        st = BufState(origins={op.stmt})
        logical, padded = static_shape(src.buf), self.km.shape(src.buf)
        mask = self.masks.get(op.stmt, [None, None])
        for d, (lo, ext) in enumerate(src.ranges):
            if padded[d] <= logical[d]:
                continue
            lo_c = lo.value if hasattr(lo, "value") else None
            if lo_c is None:
                st.valid[d] = "dyn"
            elif logical[d] - lo_c < int(ext):
                st.valid[d] = logical[d] - lo_c
            st.pad[d] = mask[d] if mask[d] is not None else ZERO
        self.state[dst.name] = st

    def reduce(self, op):
        name = self.km.name
        dst, src = op.operands[:2]
        s = self.get(src)
        lay = layout_of(dst.buf)
        axes = REDUCED_AXES.get(lay.kind, ()) if lay else ()
        tails = []
        what = {"col": "row", "row": "column", "scalar": "scalar"}.get(lay.kind if lay else "", "")
        construct = f"{what} reduction Tx.{op.kind}({dst.name}, {src.name}) over the ragged {{}} of {src.name}"
        for d in axes:
            v = s.valid[d]
            if v is None:
                continue
            if d == 1 and s.keys is not None:
                g = s.keys.operands
                fail(name, construct.format(AXIS_NAME[d]) + f": they are the padded rows of {g[2].name}, transposed "
                     f"by Tx.gemm({g[0].name}, {g[1].name}, {g[2].name}, transpose_B=True), so their scores are "
                     f"products with the host's zero padding (0, not -inf)", op.stmt,
                     supported="a reduction over the columns of a transposed-B gemm whose B rows are whole tiles "
                               "(attention over a sequence that is a multiple of the key block)",
                     fix=f"make the rows of {g[2].name}'s tensor (the keys) a multiple of its block (and of 32); "
                         f"attention over a ragged key count is not supported yet")
            if not self.strict and (v == "dyn" or s.pad[d] not in (ZERO, FINITE)):
                if op.kind != "sum" and s.pad[d] != MASK_CLASS[op.kind]:
                    self.want_masks.setdefault(op.stmt, []).append((d, s, MASK_CLASS[op.kind]))
                continue
            if v == "dyn":
                fail(name, construct.format(AXIS_NAME[d]) + ": the block's start along that axis depends on the "
                     "grid, so which tile holds the tail is not known at compile time", op.stmt,
                     supported="a reduction over a ragged axis whose block spans the whole (padded) axis",
                     fix=f"start the block at 0 along that axis: copy the whole axis, in whole tiles, into "
                         f"{src.name} (e.g. A[0:32, 0:NP] with NP = (N + 31) // 32 * 32) and launch the grid "
                         f"over the other axis only")
            extent = static_shape(src.buf)[d]
            counts = tile_counts(v, extent, TILE[d])
            masked = op.kind != "sum"
            if not masked and len(axes) == 2:
                # one scaler weights rows and columns alike, so no tile can drop only its padded columns:
                # zero padding adds nothing exactly, anything else cannot be dropped
                if s.pad[d] != ZERO:
                    fail(name, construct.format(AXIS_NAME[d]) + f": its padding holds {s.pad[d]} values here and "
                         "a sum over both axes applies one scaler tile to rows and columns alike, so no partial "
                         "scaler can drop them", op.stmt,
                         supported="a Tx.sum over both axes of a ragged block whose padding is still the host's "
                                   "zeros (a loaded block, products of it)",
                         fix="sum over one axis at a time (a row sum into a (rows, 1) buffer gets a partial "
                             "scaler), or sum the loaded block itself")
                tails.append(ReduceTail(d, counts, partial_scaler=False))
                continue
            if masked:
                if s.pad[d] != MASK_CLASS[op.kind]:
                    self.want_masks.setdefault(op.stmt, []).append((d, s, MASK_CLASS[op.kind]))
            elif s.pad[d] not in (ZERO, FINITE):
                fail(name, construct.format(AXIS_NAME[d]) + f": its padding holds {s.pad[d]} values here ("
                     + ("the -inf of the mask a Tx.max over the same block needs" if s.pad[d] == NEGINF else
                        "the +inf of the mask a Tx.min over the same block needs, or of log(0) / 1/sqrt(0)"
                        if s.pad[d] == POSINF else
                        "an op before the sum may have made inf or NaN of the padding, e.g. exp of a finite "
                        "value or 1/0") + "), which the partial scaler's 0 weight cannot drop (0 * inf = NaN)",
                     op.stmt, supported="a Tx.sum over a ragged axis of values computed from its tensors "
                                        "by ops that keep the padding finite",
                     fix="load the tensor into a second shared buffer for the sum's chain (the mask goes only "
                         "to blocks a max reads), or apply the exp / reciprocal after the sum")
            tails.append(ReduceTail(d, counts, partial_scaler=not masked))
        if tails:
            self.tails[op.stmt] = tails
        out = BufState(list(s.valid), list(s.pad), set(s.origins))
        for d in axes:
            out.valid[d], out.pad[d] = None, ZERO
        self.state[dst.name] = out


def plan_padding(km) -> PaddingPlan:
    """Where the reader masks with -inf and which reductions get partial scaler tiles. Raises
    TTCompileError (naming the reduction) for a reduction over a ragged axis the device cannot handle."""
    if not km.padded:
        return PaddingPlan()
    masks: dict = {}                     # copy-in stmt -> [class stored over padded rows, ... columns]
    flipped, reverted = set(), set()
    wanted_by: dict = {}                 # (copy-in stmt, axis) -> the masked reductions (MASK_CLASS) reading it
    for _ in range(5):                   # a mask found by one walk changes the classes the next one sees
        w = _Walk(km, masks, strict=False)
        w.run(km.body)
        new = False
        for stmt, wants in w.want_masks.items():
            for d, s, want in wants:
                if not s.origins:
                    _unmaskable(km, stmt, d, s.pad[d])
                for origin in s.origins:
                    wanted_by.setdefault((origin, d), set()).add(want)
                    m = masks.setdefault(origin, [None, None])
                    if m[d] is None:         # first guess: the class the reduction wants
                        m[d], new = want, True
                    elif (origin, d) not in flipped:
                        # the guess did not reach the reduction as wanted (a negation, or relu made 0 of
                        # -inf): try the other infinity once
                        m[d], new = _neg(m[d]), True
                        flipped.add((origin, d))
                    elif (origin, d) not in reverted:
                        # neither works: back to the reduction's own class, which the error then names
                        m[d], new = _neg(m[d]), True
                        reverted.add((origin, d))
        if not new:
            break
    w = _Walk(km, masks, strict=True)
    w.run(km.body)
    for stmt, wants in w.want_masks.items():      # masked, but the infinity did not survive the chain
        d, s, _ = wants[0]
        both = any(len(wanted_by.get((o, d), ())) > 1 for o in s.origins)
        _unmaskable(km, stmt, d, s.pad[d], conflict=both)
    plan = PaddingPlan(tails=w.tails)
    for op, _ in km.walk_ops():
        if op.stmt in masks:
            st = w.state[op.operands[0].name]
            fills = {c for c in masks[op.stmt] if c is not None}
            if len(fills) > 1:
                _two_fills(km, op)
            plan.masks[op.stmt] = [st.valid[d] if masks[op.stmt][d] else None for d in (0, 1)]
            plan.fills[op.stmt] = fills.pop()
    return plan


def _unmaskable(km, stmt, d, pad, conflict=False):
    op = next(o for o, _ in km.walk_ops() if o.stmt.same_as(stmt))
    dst, src = op.operands[:2]
    construct = f"Tx.{op.kind}({dst.name}, {src.name}) over the ragged {AXIS_NAME[d]} of {src.name}"
    if conflict and pad == _neg(MASK_CLASS[op.kind]):
        fail(km.name, f"{construct}: its padding holds {pad}, the mask another reduction of the same loaded block "
             f"needs; a max needs -inf and a min +inf over the padding, and the reader stores one of them", stmt,
             supported="a max and a min over a ragged axis of different loaded blocks",
             fix=f"load the tensor into a second shared buffer for one of the two reductions, or make the "
                 f"tensor's {AXIS_NAME[d]} a multiple of 32")
    mask = "-inf" if op.kind == "max" else "+inf"
    fail(km.name, f"{construct}: the {mask} mask the reader stores over the padding of the loaded blocks does not "
         f"survive the ops that compute {src.name} (only adding finite values, a nonzero scale and Tx.maximum / "
         f"Tx.minimum keep an infinity)", stmt,
         supported="a max or min over a ragged axis of a loaded block, or of values computed from it by adds, "
                   "subtractions of finite values and nonzero scales",
         fix=f"reduce the loaded block itself, or make the tensor's {AXIS_NAME[d]} a multiple of 32")


def _two_fills(km, op):
    dst, src = op.operands[:2]
    fail(km.name, f"the block {dst.name} loaded by Tx.copy({dst.name}, {src.name}) is reduced with a max along one "
         f"ragged axis and a min along the other: the reader would have to store -inf over one padding and +inf "
         f"over the other", op.stmt,
         supported="one masked reduction kind (max or min) per loaded block",
         fix=f"load the tensor into a second shared buffer for one of the two reductions")


__all__ = ["plan_padding", "scaler_tiles", "scaler_face_positions", "PaddingPlan", "ReduceTail", "tile_counts", "ZERO",
           "FINITE", "NEGINF", "POSINF", "ANY"]
