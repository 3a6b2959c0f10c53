"""The exact search behind the matmul chooser (perf/choose.py).

The closed-form shortlist tries only promising points (the device's row and column counts and the two
below, blocks that lose at most 1/8 to padding, the two cheapest subblocks), so with overrides it can
miss every legal schedule. When it finds nothing, `exact_candidates` searches the whole space the
constraints leave, and when that is empty too, `least_demanding` names the limit that rules out even
the least demanding schedule (which then rules out all of them).

Exact by dominance, not by brute force. Along M (N likewise) a per-core block extent matters through
the number of blocks it cuts the dimension into: of the extents giving the same count (and divisible by
a requested subblock extent), the smallest needs the least L1, pads least and gives every core row the
same chance of a block, so it is legal whenever a larger one is. For a block pair the grid that gives
the most cores a block (within the device, the core cap and the block counts) is legal whenever any
grid is (legality asks only that every core row and column gets a block). Every K block dividing K is
tried (L1 is not monotone in it: one K block needs no partial-sum CB), and besides the cheapest
subblocks the smallest, which needs the least DST and L1.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import TTCompileError
from ..target import TILE_BYTES
from .matmul import _fmt, check_params, intermediate_format, ours_epilogue_l1, tt_partials_format


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def fixed_subblock(fixed: dict) -> tuple:
    """(h, w) of the requested subblock, None where not requested."""
    if "subblock" in fixed:
        return tuple(fixed["subblock"])
    return fixed.get("subblock_h"), fixed.get("subblock_w")


def block_extents(tiles: int, step: int, fixed: int | None = None) -> list[int]:
    """Block extents along a dimension of `tiles` tiles, multiples of `step`: for each count of blocks,
    the smallest extent that gives it (module docstring)."""
    if fixed is not None:
        return [fixed]
    smallest: dict = {}
    for b in range(step, _ceil(tiles, step) * step + 1, step):
        smallest.setdefault(_ceil(tiles, b), b)
    return sorted(smallest.values())


def widest_grid(gx: int, gy: int, blocks_n: int, blocks_m: int, max_cores: int | None) -> tuple[int, int]:
    """(cols, rows) giving the most cores a block: within the device grid, the block counts and the core
    cap; among equals, the fewest rounds."""
    cols, rows = min(gx, blocks_n), min(gy, blocks_m)
    if max_cores is None or cols * rows <= max_cores:
        return cols, rows
    options = [(c, r) for r in range(1, rows + 1) for c in range(1, cols + 1) if c * r <= max_cores]
    return max(options, key=lambda g: (g[0] * g[1], -_ceil(blocks_n, g[0]) * _ceil(blocks_m, g[1])))


class Checker:
    """Why a candidate cannot run: the compiler's own legality when the constraints carry it (schedule/
    matmul.py), else the model's parameter checks; and the chooser's L1 budget either way."""

    def __init__(self, space, base):
        self.space, self.base = space, base
        b = base
        self.ta, self.tb, self.to = b.tile_bytes
        self.te = TILE_BYTES[_fmt(b.dtype)]           # epilogue / bias tensors
        self.ti = TILE_BYTES[intermediate_format(b)]

    def l1(self, acc, bm, bn, ibw, sb) -> int:
        """perf.matmul.l1_bytes of the candidate, by arithmetic (asked tens of thousands of times; a
        test keeps the two equal)."""
        b, kt = self.base, self.space.Kt
        total = b.cb_depth * (bm * self.ta + bn * self.tb) * ibw
        if b.program == "ours":
            sub = sb[0] * sb[1]
            total += 2 * sub * self.to + ours_epilogue_l1(b, sub, bn)
            return total + (bm * bn * self.ti if kt // ibw > 1 else 0)
        total += bm * bn * self.to + (b.cb_depth * bn * self.te if b.bias else 0)
        if kt // ibw > 1 and acc == "reload":
            total += bm * bn * self.ti
        elif kt // ibw > 1:
            # the partials' own CB unless they share the output's (perf.matmul.shares_output_cb)
            part = tt_partials_format(b.fp32_acc, acc == "l1_acc", kt // ibw, b.formats[2])
            if part != b.formats[2]:
                total += bm * bn * TILE_BYTES[part]
        return total

    def params(self, variant, acc, grid, bm, bn, ibw, sb):
        return replace(self.base, grid=tuple(grid), per_core_M=bm, per_core_N=bn, in0_block_w=ibw,
                       subblock=tuple(sb), variant=variant, accumulate=acc)

    def __call__(self, variant, acc, grid, bm, bn, ibw, sb) -> str | None:
        cons = self.space.cons
        if cons.legal is not None:
            why = cons.legal(variant, acc, tuple(grid), bm, bn, ibw, tuple(sb))
            if why:
                return why
        if cons.legal is None:
            p = self.params(variant, acc, grid, bm, bn, ibw, sb)
            try:
                check_params(p)
            except TTCompileError as e:
                return str(e).split(": ", 1)[-1]
            if cons.max_cores is not None and grid[0] * grid[1] > cons.max_cores:
                return f"grid {grid[0]}x{grid[1]} uses more than max_cores={cons.max_cores} cores"
            if _ceil(self.space.Mt, bm) < grid[1] or _ceil(self.space.Nt, bn) < grid[0]:
                return f"grid {grid[0]}x{grid[1]} has cores without an output block"
        need = self.l1(acc, bm, bn, ibw, sb)
        if need > self.space.budget:
            return f"CBs need {need} B of L1, more than the {self.space.budget} B budget"
        return None


def _subblocks(space, variant, bm, bn) -> list[tuple[int, int]]:
    """The requested subblock, else the two cheapest within DST and the smallest (module docstring)."""
    fh, fw = fixed_subblock(space.cons.fixed)
    if variant == "blocked" and fh is None and fw is None:
        return [(1, 1)]
    hs = [fh] if fh is not None else [d for d in range(1, bm + 1) if bm % d == 0]
    ws = [fw] if fw is not None else [d for d in range(1, bn + 1) if bn % d == 0]
    fits = [(h, w) for h in hs for w in ws if h * w <= space.cap]
    if not fits:
        return [(hs[0], ws[0])]          # over DST: the checks say so
    best = sorted(fits, key=lambda s: (space.subblock_cost(*s), -s[0] * s[1]))[:2]
    smallest = min(fits, key=lambda s: (s[0] * s[1], s))
    return best + ([smallest] if smallest not in best else [])


def _k_blocks(space) -> list[int]:
    fixed = space.cons.fixed
    return [fixed["in0_block_w"]] if "in0_block_w" in fixed else list(space.kdivs)


def candidates(space, check: Checker):
    """Every (variant, acc, grid, bm, bn, [(in0_block_w, subblock)]) of the constrained space that some
    legal schedule dominates to (module docstring), with its legal K blocks and subblocks, largest
    K blocks first (at most two widths, as the shortlist)."""
    cons, fixed = space.cons, space.cons.fixed
    gx, gy = cons.max_grid or space.hw.grid
    fh, fw = fixed_subblock(fixed)
    bms = block_extents(space.Mt, fh or 1, fixed.get("per_core_M"))
    bns = block_extents(space.Nt, fw or 1, fixed.get("per_core_N"))
    ibws = _k_blocks(space)
    # a variant and strategy whose least demanding schedule breaks a limit has no legal schedule at all
    open_ = [(p.variant, p.accumulate) for p in least_demanding(space, check).get(None, [])]
    for bn in bns if open_ else ():
        for bm in bms:
            grid = tuple(fixed["grid"]) if "grid" in fixed else \
                widest_grid(gx, gy, _ceil(space.Nt, bn), _ceil(space.Mt, bm), cons.max_cores)
            any_fit = False
            for variant, acc in open_:
                # the CBs with a 1x1 subblock bound every subblock's from below; they grow with bm
                fits = [w for w in ibws if check.l1(acc, bm, bn, w, (1, 1)) <= space.budget]
                any_fit = any_fit or bool(fits)
                pairs, widths = [], 0
                for ibw in fits:
                    ok = [(ibw, sb) for sb in _subblocks(space, variant, bm, bn)
                          if check(variant, acc, grid, bm, bn, ibw, sb) is None]
                    pairs += ok
                    widths += bool(ok)
                    if widths == 2:
                        break
                if pairs:
                    yield variant, acc, grid, bm, bn, pairs
            if not any_fit:
                break                      # larger blocks along M need more L1 still


def exact_candidates(space, check: Checker, keep: int) -> tuple[dict, int]:
    """{(variant, acc): [(closed-form estimate, (cols, rows, bm, bn, pairs))]} of the `keep` best per
    variant and strategy (space.quick's order), and how many were considered."""
    best: dict = {}
    count = 0
    for variant, acc, grid, bm, bn, pairs in candidates(space, check):
        q = space.quick(variant, acc, grid[0], grid[1], bm, bn, pairs[0][0], *pairs[0][1])
        count += 1
        best.setdefault((variant, acc), []).append((q, (grid[0], grid[1], bm, bn, tuple(pairs))))
    for scored in best.values():
        scored.sort(key=lambda t: t[0])
        del scored[keep:]
    return best, count


def any_legal(space, check: Checker):
    """The first legal schedule of the constrained space (MatmulParams), or None."""
    for variant, acc, grid, bm, bn, pairs in candidates(space, check):
        ibw, sb = pairs[0]
        return check.params(variant, acc, grid, bm, bn, ibw, sb)
    return None


def least_demanding(space, check: Checker) -> dict:
    """{why (None: legal): [MatmulParams]}: per variant and strategy, the least demanding schedule the
    constraints allow (one core or the requested grid, the smallest blocks and subblock, the K block
    needing the least L1 among those that give the strategy enough K blocks) and the limit it breaks.
    It is legal whenever any schedule of that variant and strategy is: every limit is monotone in what
    it minimizes (cores with a block, DST, L1, K blocks for l1_acc), and divisibility holds by
    construction (blocks that are multiples of a requested subblock extent)."""
    cons, fixed = space.cons, space.cons.fixed
    fh, fw = fixed_subblock(fixed)
    grid = tuple(fixed["grid"]) if "grid" in fixed else (1, 1)
    bm, bn = fixed.get("per_core_M", fh or 1), fixed.get("per_core_N", fw or 1)
    out: dict = {}
    for variant in cons.variants:
        sb = (fh or 1, fw or 1)
        for acc in cons.accumulate:
            ibws = _k_blocks(space)
            enough = [d for d in ibws if acc != "l1_acc" or space.Kt // d > 2] or ibws
            ibw = min(enough, key=lambda d: (check.l1(acc, bm, bn, d, sb), -d))
            why = check(variant, acc, grid, bm, bn, ibw, sb)
            out.setdefault(why, []).append(check.params(variant, acc, grid, bm, bn, ibw, sb))
    return out
