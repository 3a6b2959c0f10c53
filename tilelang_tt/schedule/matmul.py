"""Matmul schedules: how C = epilogue(A @ B) runs on a grid of cores, whatever blocks the user wrote.

Parameters (MatmulParams), all in 32x32 tiles:
  * grid (cols, rows): core (x, y) computes output blocks (by, bx) = (ry * rows + y, rx * cols + x) for
    rounds ry < rounds_y, rx < rounds_x: every core walks the same number of blocks, so every row and
    column of cores stays in step (multicast needs that). Blocks past the edge of C are padded: the
    readers and the writer move only valid tiles, the compute kernel computes the whole block.
  * per_core_m x per_core_n: the output block of one core and round;
  * in0_block_w: the K block; A blocks are per_core_m x in0_block_w, B blocks in0_block_w x per_core_n,
    double-buffered (cb_depth); partial sums cross K blocks as `accumulate` says (below);
  * subblock_h x subblock_w: the DST subblock (at most the DST capacity of the compute config), packed
    in subblock order;
  * accumulate: how partial sums cross K blocks: "reload" packs them to the intermediate CB and
    copies them back into DST on every later K block; "l1_acc" packs the first K block into the
    intermediate CB's reserved block and lets the packer add every later one to it in L1 (packer L1
    accumulation), copying the sums back into DST once, for the last K block (with its epilogue).
Variants: "blocked" (1x1 subblocks, every core reads its own A and B blocks from DRAM), "subblocked"
(h x w subblocks with matmul_block), "multicast" (subblocked, and the first core of each row reads the
A block and multicasts it along the row, the first core of each column does the same for B).

`matmul_schedule` fixes what the user overrode and chooses the rest: among the legal candidates (DST,
L1, CB count, core count), the one with the best modeled throughput (tilelang_tt.perf).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, fields

from ..analysis.matmul import MatmulSpec
from ..errors import TTCompileError, TTResourceError
from ..specs import CBSpec, ComputeConfig, TensorSpec
from ..target import TILE_BYTES, TILE_COLS, TILE_ROWS, tile_bytes
from .common import INPUT_BASE, INTERMEDIATE_BASE, OUTPUT_BASE, check_cb_resources, tensors_of

VARIANTS = ("blocked", "subblocked", "multicast")
ACCUMULATE = ("reload", "l1_acc")
CB_IN0, CB_IN1, CB_OUT, CB_PARTIAL = INPUT_BASE, INPUT_BASE + 1, OUTPUT_BASE, INTERMEDIATE_BASE
CB_EPILOGUE = INPUT_BASE + 2      # c_2.. : one per epilogue tensor
CB_STAGE = INTERMEDIATE_BASE + 1  # c_25: a subblock packed for a row broadcast (the release's bcast reads CBs)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True)
class MatmulParams:
    variant: str
    grid: tuple                  # (cols, rows) of cores
    per_core_m: int
    per_core_n: int
    in0_block_w: int
    subblock_h: int
    subblock_w: int
    accumulate: str = "reload"

    def to_dict(self) -> dict:
        return {f.name: (list(getattr(self, f.name)) if f.name == "grid" else getattr(self, f.name))
                for f in fields(self)}

    @classmethod
    def from_dict(cls, d) -> "MatmulParams":
        return cls(str(d["variant"]), tuple(int(x) for x in d["grid"]), int(d["per_core_m"]), int(d["per_core_n"]),
                   int(d["in0_block_w"]), int(d["subblock_h"]), int(d["subblock_w"]),
                   str(d.get("accumulate", "reload")))

    def describe(self) -> str:
        c, r = self.grid
        return (f"{self.variant}: {c}x{r} cores, {self.per_core_m}x{self.per_core_n}-tile blocks per core, "
                f"K block {self.in0_block_w}, {self.subblock_h}x{self.subblock_w} subblocks, "
                f"partials {self.accumulate}")


@dataclass(frozen=True)
class MatmulSchedule:
    spec: MatmulSpec
    params: MatmulParams
    cbs: tuple                   # CBSpec
    tensors: tuple               # TensorSpec
    compute: ComputeConfig
    reason: str = ""
    kind = "matmul"

    @property
    def variant(self) -> str:
        return self.params.variant

    def describe(self) -> str:
        return self.params.describe()

    # geometry, in tiles
    @property
    def mt(self) -> int:
        return self.spec.m // TILE_ROWS

    @property
    def nt(self) -> int:
        return self.spec.n // TILE_COLS

    @property
    def kt(self) -> int:
        return self.spec.k // TILE_COLS

    @property
    def num_k_blocks(self) -> int:
        return self.kt // self.params.in0_block_w

    @property
    def rounds(self) -> tuple[int, int]:
        """(rounds_x, rounds_y): output blocks each core walks along N and M."""
        cols, rows = self.params.grid
        return (ceil_div(ceil_div(self.nt, self.params.per_core_n), cols),
                ceil_div(ceil_div(self.mt, self.params.per_core_m), rows))

    @property
    def cores(self) -> list[tuple[int, int]]:
        cols, rows = self.params.grid
        return [(x, y) for y in range(rows) for x in range(cols)]

    @property
    def tiles_per_core(self) -> tuple:
        rx, ry = self.rounds
        return tuple([rx * ry] * len(self.cores))

    def to_dict(self) -> dict:
        return {"kind": self.kind, "variant": self.variant, "spec": self.spec.to_dict(),
                "params": self.params.to_dict(), "cbs": [c.to_dict() for c in self.cbs],
                "tensors": [t.to_dict() for t in self.tensors], "compute": self.compute.to_dict(),
                "tiles_per_core": list(self.tiles_per_core), "reason": self.reason}

    @classmethod
    def from_dict(cls, d) -> "MatmulSchedule":
        return cls(MatmulSpec.from_dict(d["spec"]), MatmulParams.from_dict(d["params"]),
                   tuple(CBSpec.from_dict(c) for c in d["cbs"]), tuple(TensorSpec.from_dict(t) for t in d["tensors"]),
                   ComputeConfig.from_dict(d["compute"]), str(d.get("reason", "")))


# ---------------------------------------------------------------------------------------------------
# CBs and legality

def compute_config(spec: MatmulSpec, options, p: MatmulParams | None = None) -> ComputeConfig:
    """fp32 partial sums (more than one K block) are reloaded with UnpackToDestFp32: through the source
    registers they would lose their low mantissa bits (19-bit SrcA) on every K block."""
    reload = p is not None and spec.k // TILE_COLS // p.in0_block_w > 1
    return ComputeConfig(math_fidelity=options.math_fidelity, fp32_dest_acc_en=spec.fp32_acc,
                         dst_full_sync_en=options.dst_mode == "full",
                         unpack_to_dest_fp32=(CB_PARTIAL,) if spec.fp32_acc and reload else ())


def plan_cbs(spec: MatmulSpec, p: MatmulParams, depth: int, tensors: dict | None = None) -> tuple[CBSpec, ...]:
    """in0 / in1 blocks (depth-buffered), one CB per epilogue tensor (two subblocks; a (1, N) row: its
    per_core_n tiles, read once per block), the output (two subblocks), the partial sums of the whole
    block when K has more than one block, and with a row the stage CB (one subblock in the partials'
    format) the subblock is packed to before the broadcast reads it back. tensors: name ->
    TensorSpec; an input CB takes its tensor's dtype and storage format (a Bfp8_b B gets a Bfp8_b in1 CB,
    whose tiles the unpacker turns into bf16)."""
    tensors = tensors or {}
    sub = p.subblock_h * p.subblock_w
    kt = spec.k // TILE_COLS
    fmt = lambda name: tensors[name].storage if name in tensors else ""  # noqa: E731
    cbs = [CBSpec(CB_IN0, "in0", spec.in_dtype, p.per_core_m * p.in0_block_w * depth,
                  p.per_core_m * p.in0_block_w, "input", storage=fmt(spec.a)),
           CBSpec(CB_IN1, "in1", spec.in_dtype, p.in0_block_w * p.per_core_n * depth,
                  p.in0_block_w * p.per_core_n, "input", storage=fmt(spec.b))]
    for i, name in enumerate(spec.epilogue_tensors):
        dtype = tensors[name].dtype if name in tensors else spec.in_dtype
        block = p.per_core_n if name in spec.row_tensors else sub     # a row: its tiles of the block
        cbs.append(CBSpec(CB_EPILOGUE + i, f"epilogue_{name}", dtype, 2 * block, block, "input", storage=fmt(name)))
    cbs.append(CBSpec(CB_OUT, "out", spec.out_dtype, 2 * sub, sub, "output"))
    if kt // p.in0_block_w > 1:
        acc = "float32" if spec.fp32_acc else "bfloat16"
        block = p.per_core_m * p.per_core_n
        # reload: subblocks pass through in order; l1_acc: the whole block stays reserved across K blocks
        cbs.append(CBSpec(CB_PARTIAL, "partials", acc, block, sub if p.accumulate == "reload" else block,
                          "intermediate"))
    if spec.row_tensors:
        cbs.append(CBSpec(CB_STAGE, "stage", "float32" if spec.fp32_acc else "bfloat16", sub, sub, "intermediate"))
    return tuple(cbs)


def legality(spec: MatmulSpec, p: MatmulParams, hw, options, dst_tiles: int) -> str | None:
    """Why `p` cannot run (None when it can)."""
    mt, nt, kt = spec.m // TILE_ROWS, spec.n // TILE_COLS, spec.k // TILE_COLS
    cols, rows = p.grid
    if p.variant not in VARIANTS:
        return f"unknown variant {p.variant!r}"
    if p.accumulate not in ACCUMULATE:
        return f"unknown partial-sum strategy {p.accumulate!r}"
    if p.accumulate == "l1_acc" and kt // p.in0_block_w <= 2:
        return "l1_acc needs more than two K blocks (with one or two there is nothing to accumulate in L1)"
    if cols > hw.grid[0] or rows > hw.grid[1]:
        return f"grid {cols}x{rows} exceeds the {hw.grid[0]}x{hw.grid[1]} compute grid of {hw.model}"
    if options.max_cores is not None and cols * rows > options.max_cores:
        return f"grid {cols}x{rows} uses more than max_cores={options.max_cores} cores"
    if kt % p.in0_block_w:
        return f"in0_block_w={p.in0_block_w} does not divide K = {kt} tiles"
    if p.per_core_m % p.subblock_h or p.per_core_n % p.subblock_w:
        return (f"subblock {p.subblock_h}x{p.subblock_w} does not divide the per-core block "
                f"{p.per_core_m}x{p.per_core_n}")
    if p.subblock_h * p.subblock_w > dst_tiles:
        return f"subblock {p.subblock_h}x{p.subblock_w} exceeds the DST capacity of {dst_tiles} tiles"
    if p.variant == "blocked" and p.subblock_h * p.subblock_w != 1:
        return "the blocked variant uses 1x1 subblocks"
    if ceil_div(mt, p.per_core_m) < rows or ceil_div(nt, p.per_core_n) < cols:
        return (f"grid {cols}x{rows} has cores without an output block ({ceil_div(nt, p.per_core_n)}x"
                f"{ceil_div(mt, p.per_core_m)} blocks of {p.per_core_m}x{p.per_core_n} tiles)")
    n_cbs, l1 = _cb_budget(spec, p, options.cb_depth, dict(options.storage))
    if n_cbs > hw.max_cbs:
        return f"{n_cbs} CBs exceed {hw.max_cbs}"
    if l1 > hw.l1_bytes:
        return f"CBs need {l1} B of L1, more than {hw.l1_bytes} B"
    return None


def _cb_budget(spec: MatmulSpec, p: MatmulParams, depth: int, storage: dict | None = None) -> tuple[int, int]:
    """(CB count, L1 bytes) of plan_cbs(spec, p, depth), by arithmetic: the chooser asks it thousands
    of times (a test keeps the two equal). storage: tensor name -> block-float DataFormat (options.storage)."""
    storage = storage or {}
    tb, to = tile_bytes(spec.in_dtype), tile_bytes(spec.out_dtype)
    page = lambda name: TILE_BYTES[storage[name]] if name in storage else tb  # noqa: E731
    sub, block = p.subblock_h * p.subblock_w, p.per_core_m * p.per_core_n
    n = 3 + len(spec.epilogue_tensors)
    l1 = depth * (p.per_core_m * page(spec.a) + p.per_core_n * page(spec.b)) * p.in0_block_w + 2 * sub * to
    # (epilogue tensors in A's dtype, as the chooser, unless declared block-float)
    l1 += sum(2 * sub * page(name) for name in spec.block_tensors)
    l1 += sum(2 * p.per_core_n * page(name) for name in spec.row_tensors)
    if spec.row_tensors:
        n += 1
        l1 += sub * tile_bytes("float32" if spec.fp32_acc else "bfloat16")
    if spec.k // TILE_COLS // p.in0_block_w > 1:
        n += 1
        l1 += block * tile_bytes("float32" if spec.fp32_acc else "bfloat16")
    return n, l1


# ---------------------------------------------------------------------------------------------------
# Choice (perf/choose.py searches; this module says what is legal and builds the schedule)

def perf_params(spec: MatmulSpec, p: MatmulParams, options):
    """The performance model's description (perf/matmul.py) of schedule `p` of this matmul."""
    from ..perf.matmul import MatmulParams as PerfParams
    in0_format, in1_format, _ = operand_formats(spec, options)
    return PerfParams(M=spec.m, N=spec.n, K=spec.k, grid=tuple(p.grid), per_core_M=p.per_core_m,
                      per_core_N=p.per_core_n, in0_block_w=p.in0_block_w, subblock=(p.subblock_h, p.subblock_w),
                      variant=p.variant, dtype=spec.in_dtype, out_dtype=spec.out_dtype, fp32_acc=spec.fp32_acc,
                      fidelity=options.math_fidelity, accumulate=p.accumulate,
                      dst_full_sync=options.dst_mode == "full", cb_depth=min(2, options.cb_depth),
                      epilogue_tensors=len(spec.block_tensors), epilogue_rows=len(spec.row_tensors),
                      epilogue_unary=tuple(e.op for e in spec.epilogue if e.kind == "unary"),
                      in0_format=in0_format, in1_format=in1_format)


def operand_formats(spec: MatmulSpec, options) -> tuple:
    """(in0, in1, output) storage formats for the model: block-float DataFormat names of A / B
    (options.storage), None for the dtypes' own (outputs are never block-float)."""
    storage = dict(options.storage)
    return storage.get(spec.a), storage.get(spec.b), None


def _from_perf(pp) -> MatmulParams:
    return MatmulParams(pp.variant, tuple(pp.grid), pp.per_core_M, pp.per_core_N, pp.in0_block_w, pp.subblock[0],
                        pp.subblock[1], pp.accumulate)


def matmul_schedule(program, spec: MatmulSpec, hw, options) -> MatmulSchedule:
    """The matmul schedule of `options.schedule` ("auto" picks the variant too): the fastest legal
    candidate under the performance model (perf/choose.py), honoring the user's overrides."""
    from dataclasses import replace

    from ..perf import Constraints, choose_matmul, estimate_groups
    from ..perf.matmul import core_groups, program_header

    tensors = tensors_of(program, options.storage)     # first: it checks the storage declarations
    compute = compute_config(spec, options)
    dst_tiles = hw.dst_capacity(compute.fp32_dest_acc_en, compute.dst_full_sync_en)
    variants = VARIANTS if options.schedule == "auto" else (options.schedule,)
    accs = ACCUMULATE if options.partials == "auto" else (options.partials,)
    fixed = options.matmul_overrides
    model_of = lambda p: replace(perf_params(spec, p, options), model=hw.model)  # noqa: E731
    if set(fixed) == {"grid", "per_core_m", "per_core_n", "in0_block_w", "subblock_h", "subblock_w"}:
        nk = spec.k // TILE_COLS // fixed["in0_block_w"]
        acc = options.partials if options.partials != "auto" else ("l1_acc" if nk > 2 else "reload")
        best = MatmulParams(variants[-1], **fixed, accumulate=acc)
        why = legality(spec, best, hw, options, dst_tiles)
        if why is not None:
            raise TTResourceError(f"kernel '{program.name}': the requested matmul schedule {best.describe()} "
                                  f"cannot run: {why}\n  fix: change the override or leave some parameters to "
                                  f"the compiler")
        pp = model_of(best)
        est = estimate_groups(program_header(pp), core_groups(pp))
        reason = f"{best.describe()}: requested; modeled {est.utilization * 100:.1f}% of peak, bound by {est.bound}"
    else:
        def constraints(fixed, variants, accs, max_cores):
            opts = replace(options, max_cores=max_cores)

            def legal(variant, acc, grid, pm, pn, w, sb) -> str | None:
                """Why the candidate cannot run (None: it can)."""
                p = MatmulParams(variant, grid, pm, pn, w, sb[0], sb[1], acc)
                if fixed.get("subblock_h", p.subblock_h) != p.subblock_h or \
                        fixed.get("subblock_w", p.subblock_w) != p.subblock_w:
                    return f"not the requested subblock {fixed.get('subblock_h', 'h')}x{fixed.get('subblock_w', 'w')}"
                return legality(spec, p, hw, opts, dst_tiles)
            return Constraints(variants=variants, accumulate=accs, dst_full_sync=options.dst_mode == "full",
                               cb_depth=min(2, options.cb_depth), max_grid=hw.grid, program="ours",
                               epilogue_tensors=len(spec.block_tensors),
                               epilogue_rows=len(spec.row_tensors),
                               epilogue_unary=tuple(e.op for e in spec.epilogue if e.kind == "unary"),
                               max_cores=max_cores, fixed=_perf_fixed(fixed), legal=legal)
        problem = (spec.m, spec.n, spec.k, (spec.in_dtype, spec.out_dtype), spec.fp32_acc, options.math_fidelity,
                   hw.model)
        formats = operand_formats(spec, options)
        try:
            choice = choose_matmul(*problem, constraints(fixed, variants, accs, options.max_cores), formats=formats)
        except TTCompileError as e:
            requested = {**fixed, **({"partials": options.partials} if options.partials != "auto" else {}),
                         **({"max_cores": options.max_cores} if options.max_cores is not None else {})}
            raise TTCompileError(
                f"kernel '{program.name}': no {'/'.join(variants)} matmul schedule fits {hw.model} with the "
                f"overrides {requested or 'none'} (M={spec.m}, N={spec.n}, K={spec.k}): "
                f"{getattr(e, 'reason', e)}\n  fix: "
                f"{_relax(options, fixed, variants, accs, problem, constraints, formats)}") from None
        best, reason = _from_perf(choice.best), choice.why
    cbs = plan_cbs(spec, best, options.cb_depth, {t.name: t for t in tensors})
    check_cb_resources(program.name, hw, list(cbs), fix="use a smaller per-core block or K block")
    return MatmulSchedule(spec, best, cbs, tensors, compute_config(spec, options, best), reason)


def _perf_fixed(fixed: dict) -> dict:
    """The user's overrides (options.matmul_overrides) in the chooser's terms (perf/choose.py)."""
    out = {k: fixed[o] for k, o in (("grid", "grid"), ("per_core_M", "per_core_m"), ("per_core_N", "per_core_n"),
                                     ("in0_block_w", "in0_block_w")) if o in fixed}
    if "subblock_h" in fixed and "subblock_w" in fixed:
        out["subblock"] = (fixed["subblock_h"], fixed["subblock_w"])
    else:
        out.update({k: fixed[k] for k in ("subblock_h", "subblock_w") if k in fixed})
    return out


def _relax(options, fixed, variants, accs, problem, constraints, formats) -> str:
    """The fix of a request no schedule satisfies: each single request whose removal leaves a legal
    schedule (with an example), found by the chooser's exact search; else relax them together."""
    from ..perf.choose import feasible

    drops = {f"{k}={fixed[k]}": (lambda k=k: ({n: v for n, v in fixed.items() if n != k}, variants, accs,
                                              options.max_cores)) for k in fixed}
    if options.partials != "auto":
        drops[f"partials={options.partials!r}"] = lambda: (fixed, variants, ACCUMULATE, options.max_cores)
    if options.schedule != "auto":
        drops[f"schedule={options.schedule!r}"] = lambda: (fixed, VARIANTS, accs, options.max_cores)
    if options.max_cores is not None:
        drops[f"max_cores={options.max_cores}"] = lambda: (fixed, variants, accs, None)
    found = []
    for name, cons_of in drops.items():
        p = feasible(*problem, constraints(*cons_of()), formats=formats)
        if p is not None:
            found.append(f"{name} (without it, e.g. {_from_perf(p).describe()} runs)")
    if found:
        return "change or drop " + "; or ".join(found)
    for (n1, c1), (n2, _) in itertools.combinations(drops.items(), 2):
        # both dropped: the second's constraints applied to the first's
        f1, v1, a1, m1 = c1()
        key2 = n2.split("=")[0]
        fixed2 = {k: v for k, v in f1.items() if k != key2}
        v2 = VARIANTS if key2 == "schedule" else v1
        a2 = ACCUMULATE if key2 == "partials" else a1
        m2 = None if key2 == "max_cores" else m1
        p = feasible(*problem, constraints(fixed2, v2, a2, m2), formats=formats)
        if p is not None:
            found.append(f"{n1} and {n2} (without both, e.g. {_from_perf(p).describe()} runs)")
    if found:
        return "no single request rules every schedule out; change or drop two together: " + "; or ".join(found)
    return ("relax the overrides (grid, per_core_m/n, in0_block_w, subblock_h/w, partials, schedule), max_cores "
            "or cb_depth")


__all__ = ["MatmulParams", "MatmulSchedule", "matmul_schedule", "legality", "plan_cbs", "VARIANTS"]
