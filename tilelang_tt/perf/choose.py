"""Choose the matmul schedule and block sizes with the best modeled throughput.

`best_matmul_config(M, N, K, dtypes, fp32_acc, fidelity, model, constraints) -> (params, Estimate, why)`
enumerates core grids, per-core output blocks (edge blocks padded), in0_block_w dividing Kt, output
subblocks within the DST capacity and the variants the lowering supports, keeps the schedules whose CBs
fit L1 (perf.matmul.l1_bytes) and the CB limit, ranks them with a closed-form estimate of the busiest
core, then runs the full model (perf.model) on the best few per variant and returns the fastest.
`choose_matmul` returns the winner of every variant too (what each schedule element contributes).
The enumeration is a shortlist of promising points (`_lanes`, `_block_sizes`, the two cheapest
subblocks); when it finds nothing the constraints allow, perf/exact.py searches all of them, so an
override is rejected only when no legal schedule satisfies it, naming the limit that rules it out.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from ..errors import TTCompileError, TTInternalError
from ..target import HARDWARE, TILE_BYTES
from .costs import costs
from .formats import BLOCK_FLOAT, unpack_cycles
from .matmul import (MatmulParams, VARIANTS, _fmt, check_params, core_groups, l1_bytes, program_header,
                     reused_per_call, tt_partials_format, unpacked_per_call)
from .exact import Checker, any_legal, exact_candidates, least_demanding
from .model import Estimate, estimate_groups

MATMUL_CBS = 4            # in0, in1, output, intermediate


@dataclass(frozen=True)
class Constraints:
    """What the lowering can build and the limits to respect (defaults: today's plan)."""
    variants: tuple = ("blocked", "subblocked", "multicast")
    accumulate: tuple = ("reload",)          # partial-sum strategies the lowering supports
    max_grid: tuple | None = None            # (cols, rows) cap; None: the model's default grid
    dst_full_sync: bool = False
    cb_depth: int = 2
    l1_bytes: int | None = None              # CB budget per core; None: the model's L1
    max_block_tiles: int = 256               # cap on per_core_M * per_core_N
    bias: bool = False                       # the matmul has a fused bias epilogue (its CB needs L1)
    shortlist: int = 4                       # (grid, block) pairs per variant the full model evaluates,
                                             # each with its two best K blocks and subblocks
    max_dram_load: float = 0.8               # card DRAM time / compute time the model was validated at
    dram_margin: float = 0.10                # (docs/perf-model.md): a busier schedule is taken only when
                                             # it is more than this much faster than the best calmer one
    program: str = "ours"                    # whose program is modeled (perf/matmul.py PROGRAMS)
    epilogue_tensors: int = 0                # ours: C-shaped tensors of the epilogue
    epilogue_rows: int = 0                   # ours: (1, N) row tensors of the epilogue (broadcast)
    epilogue_unary: tuple = ()               # ours: SFPU ops of the epilogue
    max_cores: int | None = None             # cap on cols x rows
    fixed: dict = field(default_factory=dict)  # the user's overrides: grid (cols, rows), per_core_M,
                                             # per_core_N, in0_block_w, subblock (h, w)
    legal: object = None                     # callable(variant, accumulate, grid, per_core_M, per_core_N,
                                             # in0_block_w, subblock) -> why it cannot run, or None


@dataclass
class Choice:
    best: MatmulParams
    estimate: Estimate
    why: str
    per_variant: dict = field(default_factory=dict)   # variant -> (MatmulParams, Estimate)
    considered: int = 0
    seconds: float = 0.0                               # wall time of the choice


def _dtypes(dtypes) -> tuple[str, str]:
    if isinstance(dtypes, str):
        return dtypes, dtypes
    a, b = dtypes
    return str(a), str(b)


def _block_sizes(tiles: int, lanes: int, cap: int, max_rounds: int = 24) -> list[int]:
    """Per-core block extents worth trying along one dimension: the block that covers the dimension in
    k rounds of `lanes` cores, k = 1 .. max_rounds, keeping those that lose at most 1/8 of the work to
    padding (more rounds than that only shrink blocks below where reuse pays)."""
    out = []
    k = 1
    while k <= max_rounds:
        b = -(-tiles // (lanes * k))
        blocks = -(-tiles // b)
        padded = -(-blocks // lanes) * lanes * b
        if b <= cap and (padded - tiles) * 8 <= padded and b not in out:
            out.append(b)
        if b == 1:
            break
        k += 1
    return out or [1]


def _lanes(tiles: int, most: int, every: bool = False) -> list[int]:
    """Core rows (columns) worth trying: the device's and the two below it (a better fit of the blocks),
    or every count when the problem has fewer tiles than the device has cores along this axis, or when
    `every` (a core cap the device's counts may not fit)."""
    if tiles < most or every:
        return list(range(1, min(tiles, most) + 1))
    return list(range(max(1, most - 2), most + 1))


class _Space:
    """Closed-form costs of one problem on one chip, shared by every candidate schedule."""

    def __init__(self, M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons: Constraints, formats=None):
        self.hw, self.ct, self.cons = HARDWARE[model], costs(model), cons
        self.Mt, self.Nt, self.Kt = M // 32, N // 32, K // 32
        # per operand: bytes per tile (DRAM, NOC, CBs) and the unpacker's cycles (perf/formats.py)
        b = _base(M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons, formats)
        self.formats = b.formats
        self.ta, self.tb, self.to = b.tile_bytes
        # the closed form ranks block-float operands at their own unpack cost and every other format at
        # the Float16_b cost, as it always has (the full model prices each format)
        ranked = [f if f in BLOCK_FLOAT else "Float16_b" for f in self.formats[:2]]
        self.ua = unpack_cycles(self.ct.unpack_srca_cycles, ranked[1], "SrcA unpack")          # in1
        self.ub = unpack_cycles(self.ct.unpack_srcb_cycles, ranked[0], "SrcB unpack")          # in0
        self.reuse = (unpack_cycles(self.ct.unpack_reuse_cycles, ranked[0], "reused in0 unpack"),
                      unpack_cycles(self.ct.unpack_reuse_cycles, ranked[1], "reused in1 unpack"))
        self.te = TILE_BYTES[_fmt(dtype)]                   # epilogue and bias tensors keep the dtype's format
        # ours' partials: Float32 with fp32 accumulation, else the output dtype's (a block-float output
        # still has Float16_b partials), and the reload's SrcA cost (the closed form only ranks)
        self.ti = TILE_BYTES["Float32" if fp32_acc else _fmt(out_dtype)]
        self.u_partial = self.ct.unpack_srca_cycles["Float16_b"]
        self.f = self.ct.mm_phase_cycles * self.ct.fidelity_phases[fidelity]
        self.fidelity = fidelity
        self.cap = self.hw.dst_capacity(fp32_acc, cons.dst_full_sync)
        self.budget = cons.l1_bytes or self.hw.l1_bytes
        self.fp32_acc = fp32_acc
        self.kdivs = sorted((d for d in range(1, self.Kt + 1) if self.Kt % d == 0), reverse=True)
        self._sub: dict = {}

    def _reuse(self, h: int, w: int) -> float:
        """Extra cycles of the reused operand's tiles in one matmul_block(w, h) call."""
        r0, r1 = reused_per_call(h, w)
        return r0 * self.reuse[0] + r1 * self.reuse[1]

    def subblock_cost(self, h: int, w: int) -> float:
        """Modeled cycles per tile product of an h x w subblock (math vs unpack per matmul_block call)."""
        ct = self.ct
        ua, ub = self.ua, self.ub
        in0, in1 = unpacked_per_call(h, w)
        unpack = in0 * ub + in1 * ua + self._reuse(h, w)
        return (max(h * w * self.f + ct.mm_call_cycles, unpack) + ct.dst_sync_cycles) / (h * w)

    def subblocks(self, bm: int, bn: int) -> list[tuple[int, int]]:
        """The two cheapest subblocks per tile product that agree with a requested subblock_h / _w."""
        key = (bm, bn)
        if "subblock" in self.cons.fixed:
            return [tuple(self.cons.fixed["subblock"])]
        fh, fw = self.cons.fixed.get("subblock_h"), self.cons.fixed.get("subblock_w")
        if key not in self._sub:
            scored = []
            for h in (d for d in range(1, min(bm, self.cap) + 1) if bm % d == 0 and fh in (None, d)):
                for w in (d for d in range(1, min(bn, self.cap // h) + 1) if bn % d == 0 and fw in (None, d)):
                    scored.append((self.subblock_cost(h, w), -h * w, (h, w)))
            scored.sort()
            self._sub[key] = [sc[2] for sc in scored[:2]]
        return self._sub[key]

    def k_blocks(self, bm: int, bn: int, acc: str) -> list[int]:
        """The in0_block_w (divisors of Kt, largest first) whose CBs fit L1 (perf.matmul.l1_bytes, with
        ours' output and epilogue CBs taken at the largest subblock DST holds)."""
        per_k = self.cons.cb_depth * (bm * self.ta + bn * self.tb)
        if self.cons.program == "ours":
            # two subblocks of output and epilogue tiles; the partial-sum block whenever K has more than
            # one block (reload and l1_acc alike)
            room = self.budget - 2 * self.cap * (self.to + self.cons.epilogue_tensors * self.te)
            if self.cons.epilogue_rows:      # the rows' blocks and the stage CB (perf.matmul.ours_epilogue_l1)
                room -= self.cons.epilogue_rows * 2 * bn * self.te + self.cap * self.ti
            partial = bm * bn * self.ti
            fits = [d for d in self.kdivs if d * per_k + (partial if self.Kt // d > 1 else 0) <= room]
        else:
            # tt-metal: the partials' own CB when reloading, or when their format is not the output's
            room = self.budget - bm * bn * self.to
            if self.cons.bias:
                room -= self.cons.cb_depth * bn * self.te
            fits = []
            for d in self.kdivs:
                part = tt_partials_format(self.fp32_acc, acc == "l1_acc", self.Kt // d, self.formats[2])
                own = self.Kt // d > 1 and (acc == "reload" or part != self.formats[2])
                if d * per_k + (bm * bn * TILE_BYTES[part] if own else 0) <= room:
                    fits.append(d)
        if "in0_block_w" in self.cons.fixed:
            return [w for w in fits if w == self.cons.fixed["in0_block_w"]]
        return fits

    def quick(self, variant, acc, cols, rows, bm, bn, ibw, h, w) -> tuple[bool, float]:
        """(loads the card's DRAM beyond the validated level, closed-form cycles of the busiest core (core
        (0, 0): most rounds, sender of A and B)): candidates sort calm and fast first."""
        ct = self.ct
        Mt, Nt, Kt = self.Mt, self.Nt, self.Kt
        kb = Kt // ibw
        nbm, nbn = -(-Mt // bm), -(-Nt // bn)
        rounds_m, rounds_n = -(-nbm // rows), -(-nbn // cols)
        rounds = rounds_m * rounds_n
        products = bm * bn * Kt
        calls = products // (h * w)
        in0, in1 = unpacked_per_call(h, w)
        subs = bm * bn // (h * w)
        math = products * self.f + calls * ct.mm_call_cycles + subs * kb * ct.dst_sync_cycles
        unpack = calls * (in0 * self.ub + in1 * self.ua + self._reuse(h, w))
        if acc == "reload" and kb > 1:
            reload = bm * bn * (kb - 1)
            inits = 2 * subs * (kb - 1) * ct.init_cycles
            math += reload * ct.copy_math_cycles + inits
            unpack += reload * self.u_partial + inits
        compute = max(math, unpack) * rounds
        a, b = bm * ibw * self.ta, ibw * bn * self.tb
        rt, rd = ct.noc_round_trip_cycles, ct.dram_read_bytes_per_cycle
        if variant == "multicast":
            mc, hs = ct.mcast_bytes_per_cycle, ct.mcast_handshake_cycles
            r1 = kb * (a / rd + rt + ((a / mc + hs) if min(cols, nbn) > 1 else 0.0))
            r0 = kb * (b / rd + rt + ((b / mc + hs) if min(rows, nbm) > 1 else 0.0))
            reads = (Mt * rounds_n * self.ta + Nt * rounds_m * self.tb) * Kt
        else:
            r1 = kb * ((a + b) / rd + rt)
            r0 = 0.0
            reads = (Mt * nbn * self.ta + Nt * nbm * self.tb) * Kt
        writes = bm * bn * self.to / ct.dram_write_bytes_per_cycle + rt
        dm = max(r1, r0 + writes) * rounds
        card = (reads + Mt * Nt * self.to) / (ct.dram_bandwidth_gbs / ct.clock_ghz)
        cycles = ct.kernel_start_cycles + max(compute, dm, card) + dm / (rounds * kb) + writes
        return card > self.cons.max_dram_load * compute, cycles


def _legal_pairs(space: _Space, variant, acc, grid, bm, bn, ibws, sbs) -> list:
    """(in0_block_w, subblock) pairs of the two largest K blocks with a legal subblock: larger K blocks
    amortize more, smaller ones only matter when the larger are illegal (so the rest are never checked)."""
    legal = space.cons.legal
    pairs, widths = [], 0
    for ibw in sorted(ibws, reverse=True):
        ok = [(ibw, sb) for sb in sbs if legal is None or not legal(variant, acc, grid, bm, bn, ibw, sb)]
        pairs += ok
        widths += bool(ok)
        if widths == 2:
            break
    return pairs


def _base(M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons: Constraints, formats=None) -> MatmulParams:
    """The problem and the fixed settings every candidate shares; `formats`: the (in0, in1, output)
    storage formats, None (or None entries) for the dtypes'."""
    f0, f1, fo = formats or (None, None, None)
    return MatmulParams(M=M, N=N, K=K, grid=(1, 1), per_core_M=1, per_core_N=1, in0_block_w=1, dtype=dtype,
                        out_dtype=out_dtype, fp32_acc=fp32_acc, fidelity=fidelity, model=model,
                        dst_full_sync=cons.dst_full_sync, cb_depth=cons.cb_depth, bias=cons.bias,
                        program=cons.program, epilogue_tensors=cons.epilogue_tensors,
                        epilogue_rows=cons.epilogue_rows,
                        epilogue_unary=tuple(cons.epilogue_unary), in0_format=f0, in1_format=f1, out_format=fo)


def _shortlist(space: _Space, cons: Constraints) -> tuple[dict, int]:
    """{(variant, acc): [(closed-form cycles, (cols, rows, bm, bn, pairs))]} of the promising points
    (module docstring) and how many were considered."""
    gx, gy = cons.max_grid or space.hw.grid
    best: dict = {}
    count = 0
    fixed = cons.fixed
    # a fixed per-core block bounds the core rows (columns) that get a block
    most_rows = min(gy, -(-space.Mt // fixed["per_core_M"])) if "per_core_M" in fixed else gy
    most_cols = min(gx, -(-space.Nt // fixed["per_core_N"])) if "per_core_N" in fixed else gx
    capped = cons.max_cores is not None and cons.max_cores < gx * gy
    if capped:
        most_rows, most_cols = min(most_rows, cons.max_cores), min(most_cols, cons.max_cores)
    row_lanes = [fixed["grid"][1]] if "grid" in fixed else _lanes(space.Mt, most_rows, capped)
    col_lanes = [fixed["grid"][0]] if "grid" in fixed else _lanes(space.Nt, most_cols, capped)
    for rows in row_lanes:
        bms = [fixed["per_core_M"]] if "per_core_M" in fixed else _block_sizes(space.Mt, rows, cons.max_block_tiles)
        for cols in col_lanes:
            if cons.max_cores is not None and cols * rows > cons.max_cores:
                continue
            bns = [fixed["per_core_N"]] if "per_core_N" in fixed else \
                _block_sizes(space.Nt, cols, cons.max_block_tiles)
            for bm in bms:
                if -(-space.Mt // bm) < rows:       # fewer block rows than core rows: a smaller grid does it
                    continue
                for bn in bns:
                    if -(-space.Nt // bn) < cols or bm * bn > cons.max_block_tiles:
                        continue
                    subs = space.subblocks(bm, bn)
                    for acc in cons.accumulate:
                        ibws = space.k_blocks(bm, bn, acc)
                        if not ibws:
                            continue
                        for variant in cons.variants:
                            sbs = [(1, 1)] if variant == "blocked" else subs
                            # subblocked with 1x1 subblocks is blocked: the exact search takes it
                            # only when nothing else is legal
                            if not sbs or (variant == "subblocked" and sbs[0] == (1, 1) and "subblock" not in fixed):
                                continue
                            pairs = _legal_pairs(space, variant, acc, (cols, rows), bm, bn, ibws, sbs)
                            if not pairs:
                                continue
                            q = space.quick(variant, acc, cols, rows, bm, bn, pairs[0][0], *pairs[0][1])
                            count += 1
                            best.setdefault((variant, acc), []).append(
                                (q, (cols, rows, bm, bn, tuple(pairs))))
    return best, count


def _expand(best: dict, base: MatmulParams, cons: Constraints) -> dict:
    """{variant: [MatmulParams]} the full model evaluates: per variant and strategy the schedules with
    the best closed-form estimate, each with its legal K blocks and subblocks."""
    out: dict = {}
    for (variant, acc), scored in best.items():
        scored.sort(key=lambda t: t[0])
        params = out.setdefault(variant, [])
        # the closed form misranks programs dominated by fill and latency, which are small: there are few
        # candidates then, and the full model takes them all
        # the best of both sides of the DRAM-load rule, so that _pick can apply it (sorting the calm
        # first, a shortlist of the calm only would drop a much faster busy schedule unseen)
        if len(scored) > 4 * cons.shortlist:
            scored = ([t for t in scored if not t[0][0]][:cons.shortlist]
                      + [t for t in scored if t[0][0]][:cons.shortlist])
        for _, (cols, rows, bm, bn, pairs) in scored:
            for ibw, sb in pairs:
                params.append(replace(base, grid=(cols, rows), per_core_M=bm, per_core_N=bn, in0_block_w=ibw,
                                      subblock=sb, variant=variant, accumulate=acc))
    return out


def _full(p: MatmulParams) -> Estimate:
    return estimate_groups(program_header(p), core_groups(p))


def _dram_busy(e: Estimate, cons: Constraints) -> bool:
    """True when the card's DRAM would be busier than the model was validated at."""
    b = e.breakdown
    return b["DRAM (card)"] > cons.max_dram_load * max(b["math thread"], b["unpack"], b["pack"])


def _pick(options: list, cons: Constraints):
    """The fastest (params, estimate), unless it loads the card's DRAM beyond what the model was
    validated at and a calmer option is within `dram_margin` of it."""
    fastest = min(options, key=lambda pe: pe[1].seconds)
    calm = [pe for pe in options if not _dram_busy(pe[1], cons)]
    if _dram_busy(fastest[1], cons) and calm:
        best_calm = min(calm, key=lambda pe: pe[1].seconds)
        if best_calm[1].seconds <= fastest[1].seconds * (1 + cons.dram_margin):
            return best_calm
    return fastest


def _why(p: MatmulParams, e: Estimate, per_variant: dict) -> str:
    # the math thread total is left out: its engines are listed on their own
    parts = sorted(((k, v) for k, v in e.breakdown.items() if v > 0 and k not in (e.bound, "math thread")),
                   key=lambda kv: -kv[1])
    b = e.breakdown.get(e.bound, 0.0) or 1e-30
    rest = ", ".join(f"{k} {v / b * 100:.0f}%" for k, v in parts[:3])
    others = "; ".join(f"best {v}: {pe.utilization * 100:.0f}% ({pe.bound})"
                       for v, (_, pe) in per_variant.items() if v != p.variant)
    return (f"{p.describe()}: {e.utilization * 100:.1f}% of {p.fidelity} peak, bound by {e.bound} "
            f"(next: {rest})" + (f"; {others}" if others else ""))


def choose_matmul(M: int, N: int, K: int, dtypes="bfloat16", fp32_acc: bool = False, fidelity: str = "HiFi4",
                  model: str = "wormhole_b0", constraints: Constraints | None = None, formats=None) -> Choice:
    """The fastest schedule; `formats`: (in0, in1, output) storage formats ("Float16_b", "Bfp8_b",
    "Bfp4_b"; None entries for the dtypes'), e.g. (None, "Bfp8_b", None) for bfp8 weights."""
    t0 = time.perf_counter()
    cons = constraints or Constraints()
    dtype, out_dtype = _dtypes(dtypes)
    for v in cons.variants:
        if v not in VARIANTS or v == "naive":
            raise TTCompileError(f"choose_matmul: variant {v!r} cannot be chosen; use blocked, subblocked or "
                                 f"multicast")
    f0, f1, fo = formats or (None, None, None)
    check_params(MatmulParams(M=M, N=N, K=K, grid=(1, 1), per_core_M=1, per_core_N=1, in0_block_w=1,
                              variant="blocked", dtype=dtype, out_dtype=out_dtype, fp32_acc=fp32_acc,
                              fidelity=fidelity, model=model, bias=cons.bias, program=cons.program,
                              in0_format=f0, in1_format=f1, out_format=fo))
    if MATMUL_CBS > HARDWARE[model].max_cbs:
        raise TTCompileError(f"choose_matmul: {MATMUL_CBS} CBs exceed the {model} limit")
    space = _Space(M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons, formats)
    base = _base(M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons, formats)
    best, considered = _shortlist(space, cons)
    if not best:
        # the shortlist's heuristics may hide every schedule the constraints allow: search them all
        best, considered = exact_candidates(space, Checker(space, base), 4 * cons.shortlist)
    if not best:
        why = _none_legal(space, base)
        err = TTCompileError(f"choose_matmul: no {'/'.join(cons.variants)} schedule of {M}x{K}x{N} "
                             f"({space.budget} B of L1 per core): {why}")
        err.reason = why               # schedule/matmul.py words its own message around it
        raise err
    per_variant = {}
    for variant, params in _expand(best, base, cons).items():
        evaluated = []
        for p in params:
            if l1_bytes(p) > space.budget:
                raise TTInternalError(f"choose_matmul: {p.describe()} was shortlisted but does not fit L1")
            evaluated.append((p, _full(p)))
        if evaluated:
            per_variant[variant] = _pick(evaluated, cons)
    p, e = _pick(list(per_variant.values()), cons)
    return Choice(best=p, estimate=e, why=_why(p, e, per_variant), per_variant=per_variant,
                  considered=considered, seconds=time.perf_counter() - t0)


def _none_legal(space: _Space, base: MatmulParams) -> str:
    """Why no schedule satisfies the constraints: the limit the least demanding one breaks, per variant
    and strategy (perf/exact.py); that limit holds for every schedule the constraints allow."""
    found = least_demanding(space, Checker(space, base))
    if None in found:
        raise TTInternalError(f"choose_matmul: the exact search missed the legal {found[None][0].describe()}")
    every = len(space.cons.variants) * len(space.cons.accumulate)
    return "; ".join(
        f"{why} ({'every candidate' if len(ps) == every else ', '.join(f'{p.variant}/{p.accumulate}' for p in ps)}"
        f", even the least demanding: {ps[0].describe()})" for why, ps in found.items())


def feasible(M: int, N: int, K: int, dtypes="bfloat16", fp32_acc: bool = False, fidelity: str = "HiFi4",
             model: str = "wormhole_b0", constraints: Constraints | None = None, formats=None) -> MatmulParams | None:
    """A legal schedule under the constraints (the first the exact search meets, not the fastest), or
    None: whether the constraints can be met at all (to name the override that rules a request out)."""
    cons = constraints or Constraints()
    dtype, out_dtype = _dtypes(dtypes)
    space = _Space(M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons, formats)
    return any_legal(space, Checker(space, _base(M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons,
                                                 formats)))


def best_matmul_config(M: int, N: int, K: int, dtypes="bfloat16", fp32_acc: bool = False,
                       fidelity: str = "HiFi4", model: str = "wormhole_b0",
                       constraints: Constraints | None = None, formats=None):
    """(MatmulParams, Estimate, why) of the schedule with the best modeled throughput."""
    c = choose_matmul(M, N, K, dtypes, fp32_acc, fidelity, model, constraints, formats)
    return c.best, c.estimate, c.why

