"""Choose the matmul schedule and block sizes with the best modeled throughput.

`best_matmul_config(M, N, K, dtypes, fp32_acc, fidelity, model, constraints) -> (params, Estimate, why)`
enumerates core grids, per-core output blocks (edge blocks padded), in0_block_w dividing Kt, output
subblocks within the DST capacity and the variants the lowering supports, keeps the schedules whose CBs
fit L1 (perf.matmul.l1_bytes) and the CB limit, ranks them with a closed-form estimate of the busiest
core, then runs the full model (perf.model) on the best few per variant and returns the fastest.
`choose_matmul` returns the winner of every variant too (what each schedule element contributes).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from ..errors import TTCompileError, TTInternalError
from ..target import HARDWARE, TILE_BYTES
from .costs import costs
from .matmul import (MatmulParams, VARIANTS, _fmt, check_params, core_groups, l1_bytes, program_header,
                     unpacked_per_call)
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

    def __init__(self, M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons: Constraints):
        self.hw, self.ct, self.cons = HARDWARE[model], costs(model), cons
        self.Mt, self.Nt, self.Kt = M // 32, N // 32, K // 32
        self.tb, self.to = TILE_BYTES[_fmt(dtype)], TILE_BYTES[_fmt(out_dtype)]
        self.ti = TILE_BYTES["Float32" if fp32_acc else _fmt(out_dtype)]
        self.f = self.ct.mm_phase_cycles * self.ct.fidelity_phases[fidelity]
        self.fidelity = fidelity
        self.cap = self.hw.dst_capacity(fp32_acc, cons.dst_full_sync)
        self.budget = cons.l1_bytes or self.hw.l1_bytes
        self.fp32_acc = fp32_acc
        self.skipped: dict = {}       # why candidates were dropped -> an example ("" if none), for the error
        self.kdivs = sorted((d for d in range(1, self.Kt + 1) if self.Kt % d == 0), reverse=True)
        self._sub: dict = {}

    def subblocks(self, bm: int, bn: int) -> list[tuple[int, int]]:
        """The two cheapest subblocks per tile product (math vs unpack per matmul_block call)."""
        key = (bm, bn)
        if "subblock" in self.cons.fixed:
            return [tuple(self.cons.fixed["subblock"])]
        if key not in self._sub:
            ct = self.ct
            ua, ub = ct.unpack_srca_cycles["Float16_b"], ct.unpack_srcb_cycles["Float16_b"]
            scored = []
            for h in (d for d in range(1, min(bm, self.cap) + 1) if bm % d == 0):
                for w in (d for d in range(1, min(bn, self.cap // h) + 1) if bn % d == 0):
                    in0, in1 = unpacked_per_call(h, w)
                    per = max(h * w * self.f + ct.mm_call_cycles, in0 * ub + in1 * ua) + ct.dst_sync_cycles
                    scored.append((per / (h * w), -h * w, (h, w)))
            scored.sort()
            self._sub[key] = [sc[2] for sc in scored[:2]]
        return self._sub[key]

    def k_blocks(self, bm: int, bn: int, acc: str) -> list[int]:
        """The in0_block_w (divisors of Kt, largest first) whose CBs fit L1 (perf.matmul.l1_bytes, with
        ours' output and epilogue CBs taken at the largest subblock DST holds)."""
        per_k = self.cons.cb_depth * (bm + bn) * self.tb
        if self.cons.program == "ours":
            # two subblocks of output and epilogue tiles; the partial-sum block whenever K has more than
            # one block (reload and l1_acc alike)
            room = self.budget - 2 * self.cap * (self.to + self.cons.epilogue_tensors * self.tb)
            partial = bm * bn * self.ti
            fits = [d for d in self.kdivs if d * per_k + (partial if self.Kt // d > 1 else 0) <= room]
        else:
            partial = bm * bn * (self.ti if (acc == "reload" or self.fp32_acc) else 0)
            room = self.budget - bm * bn * self.to - partial
            if self.cons.bias:
                room -= self.cons.cb_depth * bn * self.tb
            fits = [d for d in self.kdivs if d * per_k <= room]
        if "in0_block_w" in self.cons.fixed:
            w = self.cons.fixed["in0_block_w"]
            if w not in self.kdivs:
                self.skipped[f"in0_block_w={w} does not divide K = {self.Kt} tiles"] = ""
                return []
            return [w]
        if not fits:
            self.skipped["the input CBs of one K block leave no room in L1"] = ""
        return fits

    def quick(self, variant, acc, cols, rows, bm, bn, ibw, h, w) -> float:
        """Closed-form cycles of the busiest core (core (0, 0): most rounds, sender of A and B)."""
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
        unpack = calls * (in0 * ct.unpack_srcb_cycles["Float16_b"] + in1 * ct.unpack_srca_cycles["Float16_b"])
        if acc == "reload" and kb > 1:
            reload = bm * bn * (kb - 1)
            inits = 2 * subs * (kb - 1) * ct.init_cycles
            math += reload * ct.copy_math_cycles + inits
            unpack += reload * ct.unpack_srca_cycles["Float16_b"] + inits
        compute = max(math, unpack) * rounds
        a, b = bm * ibw * self.tb, ibw * bn * self.tb
        rt, rd = ct.noc_round_trip_cycles, ct.dram_read_bytes_per_cycle
        if variant == "multicast":
            mc, hs = ct.mcast_bytes_per_cycle, ct.mcast_handshake_cycles
            r1 = kb * (a / rd + rt + ((a / mc + hs) if min(cols, nbn) > 1 else 0.0))
            r0 = kb * (b / rd + rt + ((b / mc + hs) if min(rows, nbm) > 1 else 0.0))
            reads = (Mt * rounds_n + Nt * rounds_m) * Kt * self.tb
        else:
            r1 = kb * ((a + b) / rd + rt)
            r0 = 0.0
            reads = (Mt * nbn + Nt * nbm) * Kt * self.tb
        writes = bm * bn * self.to / ct.dram_write_bytes_per_cycle + rt
        dm = max(r1, r0 + writes) * rounds
        card = (reads + Mt * Nt * self.to) / (ct.dram_bandwidth_gbs / ct.clock_ghz)
        cycles = ct.kernel_start_cycles + max(compute, dm, card) + dm / (rounds * kb) + writes
        return card > self.cons.max_dram_load * compute, cycles


def _legal_pairs(space: _Space, variant, acc, grid, bm, bn, ibws, sbs) -> list:
    """(in0_block_w, subblock) pairs of the two largest K blocks with a legal subblock: larger K blocks
    amortize more, smaller ones only matter when the larger are illegal (so the rest are never checked).
    When none is legal, one rejected candidate and its reason go into space.skipped."""
    legal = space.cons.legal
    pairs, widths, example = [], 0, ""
    for ibw in sorted(ibws, reverse=True):
        ok = []
        for sb in sbs:
            why = legal(variant, acc, grid, bm, bn, ibw, sb) if legal is not None else None
            if why:
                example = (f"e.g. {variant} on {grid[0]}x{grid[1]} cores, block {bm}x{bn}, K block {ibw}, "
                           f"subblock {sb[0]}x{sb[1]}: {why}")
            else:
                ok.append((ibw, sb))
        pairs += ok
        widths += bool(ok)
        if widths == 2:
            break
    if not pairs:
        space.skipped.setdefault("no K block and subblock pass the checks", example)
    return pairs


def _shortlist(space: _Space, M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons: Constraints):
    """{variant: [MatmulParams]}: per variant and partial-sum strategy the schedules with the best
    closed-form estimate (fewest cycles among those within the validated DRAM load first)."""
    gx, gy = cons.max_grid or space.hw.grid
    best: dict = {}
    count = 0
    fixed = cons.fixed
    base = MatmulParams(M=M, N=N, K=K, grid=(1, 1), per_core_M=1, per_core_N=1, in0_block_w=1, dtype=dtype,
                        out_dtype=out_dtype, fp32_acc=fp32_acc, fidelity=fidelity, model=model,
                        dst_full_sync=cons.dst_full_sync, cb_depth=cons.cb_depth, bias=cons.bias,
                        program=cons.program, epilogue_tensors=cons.epilogue_tensors,
                        epilogue_unary=tuple(cons.epilogue_unary))
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
                            if variant == "subblocked" and sbs[0] == (1, 1) and "subblock" not in fixed:
                                space.skipped["subblocked needs a per-core block of more than one tile"] = ""
                                continue
                            pairs = _legal_pairs(space, variant, acc, (cols, rows), bm, bn, ibws, sbs)
                            if not pairs:
                                continue
                            q = space.quick(variant, acc, cols, rows, bm, bn, pairs[0][0], *pairs[0][1])
                            count += 1
                            best.setdefault((variant, acc), []).append(
                                (q, (cols, rows, bm, bn, tuple(pairs))))
    out: dict = {}
    for (variant, acc), scored in best.items():
        scored.sort(key=lambda t: t[0])
        params = out.setdefault(variant, [])
        # the closed form misranks programs dominated by fill and latency, which are small: there are few
        # candidates then, and the full model takes them all
        take = len(scored) if len(scored) <= 4 * cons.shortlist else cons.shortlist
        for _, (cols, rows, bm, bn, pairs) in scored[:take]:
            for ibw, sb in pairs:
                params.append(replace(base, grid=(cols, rows), per_core_M=bm, per_core_N=bn, in0_block_w=ibw,
                                      subblock=sb, variant=variant, accumulate=acc))
    return out, count


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
                  model: str = "wormhole_b0", constraints: Constraints | None = None) -> Choice:
    t0 = time.perf_counter()
    cons = constraints or Constraints()
    dtype, out_dtype = _dtypes(dtypes)
    for v in cons.variants:
        if v not in VARIANTS or v == "naive":
            raise TTCompileError(f"choose_matmul: variant {v!r} cannot be chosen; use blocked, subblocked or "
                                 f"multicast")
    check_params(MatmulParams(M=M, N=N, K=K, grid=(1, 1), per_core_M=1, per_core_N=1, in0_block_w=1,
                              variant="blocked", dtype=dtype, out_dtype=out_dtype, fp32_acc=fp32_acc,
                              fidelity=fidelity, model=model, bias=cons.bias, program=cons.program))
    if MATMUL_CBS > HARDWARE[model].max_cbs:
        raise TTCompileError(f"choose_matmul: {MATMUL_CBS} CBs exceed the {model} limit")
    space = _Space(M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons)
    shortlist, considered = _shortlist(space, M, N, K, dtype, out_dtype, fp32_acc, fidelity, model, cons)
    per_variant = {}
    for variant, params in shortlist.items():
        evaluated = []
        for p in params:
            if l1_bytes(p) > space.budget:
                raise TTInternalError(f"choose_matmul: {p.describe()} was shortlisted but does not fit L1")
            evaluated.append((p, _full(p)))
        if evaluated:
            per_variant[variant] = _pick(evaluated, cons)
    if not per_variant:
        why = "; ".join(f"{k} ({v})" if v else k for k, v in space.skipped.items()) or \
            "no grid and per-core block cover the output"
        raise TTCompileError(f"choose_matmul: no {'/'.join(cons.variants)} schedule of {M}x{K}x{N} "
                             f"({space.budget} B of L1 per core): {why}")
    p, e = _pick(list(per_variant.values()), cons)
    return Choice(best=p, estimate=e, why=_why(p, e, per_variant), per_variant=per_variant,
                  considered=considered, seconds=time.perf_counter() - t0)


def best_matmul_config(M: int, N: int, K: int, dtypes="bfloat16", fp32_acc: bool = False,
                       fidelity: str = "HiFi4", model: str = "wormhole_b0",
                       constraints: Constraints | None = None):
    """(MatmulParams, Estimate, why) of the schedule with the best modeled throughput."""
    c = choose_matmul(M, N, K, dtypes, fp32_acc, fidelity, model, constraints)
    return c.best, c.estimate, c.why

