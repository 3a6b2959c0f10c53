"""Exact per-core work of the matmul schedules, computed analytically (no IR needed).

`matmul_work(MatmulParams(...)) -> ProgramWork` gives, for every core, the counts the generated program
executes (conventions in perf/work.py). The compiler's lowering of the same schedule must produce the
same counts from its TT-level IR; tests assert it. The schedules (variants):

* ``naive`` (today's lowering): the output is cut into user blocks of per_core_M x per_core_N tiles;
  blocks are split contiguously over min(blocks, cores) cores (`schedule.naive.contiguous`), core
  i at (i % cols, i // cols). Per block and per K step of in0_block_w tiles the reader (RISCV_1) reads
  the A block and barriers, then the B block and barriers; the compute acquires DST once per block (DST
  holds the whole block), calls `matmul_tiles` once per tile product, packs the block once; the writer
  (RISCV_0) writes the block with one barrier.
* ``blocked`` / ``subblocked``: output blocks of per_core_M x per_core_N tiles, block (bi, bj) on core
  (x, y) = (bj % cols, bi % rows), a core walking its blocks in rounds (bi = y + rows*ri, bj = x +
  cols*rj, row-major over (ri, rj)). Per K block (in0_block_w tiles, which must divide Kt) the reader
  (RISCV_1) reads the valid tiles of its A block (vm x in0_block_w) and B block (in0_block_w x vn) with
  one barrier. The compute walks output subblocks of h x w tiles (1 x 1 for ``blocked``) in row-major
  order; per subblock and K block: one DST acquire, in0_block_w matmul calls (``matmul_block(ct_dim=w,
  rt_dim=h, kt_dim=in0_block_w)``; for h = w = 1 this is `matmul_tiles`), h*w packs. Partial sums:
  with ``accumulate="reload"`` every K block but the first reloads the subblock with h*w `copy_tile`
  (plus a `copy_init` and a matmul re-init: 2 inits), and every K block but the last packs to the
  intermediate CB; with ``accumulate="l1_acc"`` (packer L1 accumulation) nothing is reloaded and every
  K block but the first packs with L1 accumulation (`pack_l1_acc_tiles`). The writer (RISCV_0) writes the
  valid vm x vn tiles of each block with one barrier. Edge blocks are padded: compute does the full
  block, readers and writer move only valid tiles.
* ``multicast``: ``subblocked`` + 2D multicast reuse. In each round only the cores that have a block
  take part (a top-left rectangle of rows_active x cols_active cores). Per K block the core at column 0
  of each active row reads the valid A block from DRAM on RISCV_1 (one barrier) and multicasts it to the
  other cols_active - 1 cores of its row: mcast_bytes += valid A block bytes, mcast_writes += 1,
  mcast_dests += cols_active - 1, plus one `noc_semaphore_wait` (receivers ready) and one semaphore
  multicast (data valid). Each receiver counts one `noc_semaphore_wait` and one `noc_semaphore_inc`.
  B goes the same way down the columns from row 0, on RISCV_0, which also runs the writer. A single
  active column (row) needs no multicast of A (B) and counts no semaphores for it.
  ``in0_source="l1_sharded"`` (tt-metal's block-sharded in0, for validation against its measurements):
  no DRAM reads of A; the K block kb is multicast by the core of the row that holds that K range,
  x = (kb * in0_block_w) // (Kt / cols), which also copies it into its own CB (l1_bytes).
  ``out_dest="l1_sharded"``: the output stays in L1, nothing is written to DRAM.

``bias=True`` (a fused C += bias[N] epilogue, blocked / subblocked / multicast): per block the bias row
of vn tiles is read once (by the reader, or by the B sender of the column and multicast down it like B,
with one handshake); the compute adds it on the last K block before the final pack: per_core_M x
per_core_N broadcast adds into DST (`eltwise_tiles`) and 2 inits per subblock (the add's init and the
matmul re-init); L1 holds cb_depth bias rows of per_core_N tiles.
That is tt-metal's program (``program="tt-metal"``). Ours (lower/matmul.py) with ``epilogue_rows=1``:
every core's B-side kernel reads the valid vn bias tiles of each block itself (one barrier; no
multicast), into a CB of two blocks of per_core_N tiles; on the last K block each subblock is packed to
the stage CB (pack_tiles, one more DST acquire) and comes back through one broadcast per tile
(`bcast_tiles`); the matmul re-inits per subblock as after any FPU epilogue, and the packer / SrcA
switch to the stage's format and back where it differs from the output's / in1's (the reconfigs
analysis/compute_state places; `bcast_init` is not among the counted inits, as in perf.program).

`steps` = K blocks summed over the core's blocks (K steps for ``naive``); `step_overlap` = cb_depth;
`blocks` = output blocks of the core; `out_overlap` = 0 for tt-metal's program with ``accumulate="l1_acc"``
and more than one K block (its output CB doubles as the partial-sum buffer), else 1 (ours packs the
partial sums to their own CB and reads them back once, for the last K block).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from ..errors import TTCompileError, TTResourceError
from ..target import DATA_FORMAT, HARDWARE, MATH_FIDELITIES, TILE_BYTES, TILE_COLS, TILE_ROWS
from .formats import check_format
from .work import ComputeWork, CoreWork, DMWork, ProgramWork

VARIANTS = ("naive", "blocked", "subblocked", "multicast")
ACCUMULATE = ("reload", "l1_acc")
SOURCES = ("dram", "l1_sharded")
PROGRAMS = ("ours", "tt-metal")


@dataclass(frozen=True)
class MatmulParams:
    """A matmul C[M, N] = A[M, K] @ B[K, N] and the schedule that computes it (sizes in tiles)."""
    M: int
    N: int
    K: int
    grid: tuple[int, int]                # (cols, rows) of cores
    per_core_M: int
    per_core_N: int
    in0_block_w: int
    subblock: tuple[int, int] = (1, 1)    # (h, w) output subblock in tiles
    variant: str = "multicast"
    dtype: str = "bfloat16"               # A and B
    out_dtype: str | None = None          # C (None: same as dtype)
    fp32_acc: bool = False                # fp32_dest_acc_en: DST and partials in fp32
    fidelity: str = "HiFi4"
    model: str = "wormhole_b0"
    accumulate: str = "reload"
    in0_source: str = "dram"
    out_dest: str = "dram"
    dst_full_sync: bool = False
    cb_depth: int = 2
    bias: bool = False                    # C += bias[N] broadcast over rows (a fused epilogue; tt-metal's)
    # "ours": the program tilelang_tt generates (lower/matmul.py); "tt-metal": tt-metal's
    # matmul_multicore_reuse_mcast_2d program, what the published measurements ran (validation only)
    program: str = "ours"
    epilogue_tensors: int = 0             # ours: C-shaped tensors added/multiplied into DST (dest reuse)
    epilogue_rows: int = 0                # ours: (1, N) rows, each a broadcast pass through the stage CB
    epilogue_unary: tuple = ()            # ours: SFPU ops applied to DST, in order
    # storage format of each operand when it is not the dtype's (TT DataFormat names: "Float16_b",
    # "Bfp8_b", "Bfp4_b"; the logical dtype stays bfloat16): sets the bytes of every page, multicast and
    # CB of that operand and the unpacker's cycles per tile (perf/formats.py). None: the dtype's format.
    in0_format: str | None = None
    in1_format: str | None = None
    out_format: str | None = None

    @property
    def multicast(self) -> bool:
        return self.variant == "multicast"

    @property
    def formats(self) -> tuple[str, str, str]:
        """(in0, in1, output) data formats: the storage formats given, else the dtypes'."""
        return (self.in0_format or _fmt(self.dtype), self.in1_format or _fmt(self.dtype),
                self.out_format or _fmt(self.out_dtype or self.dtype))

    @property
    def tile_bytes(self) -> tuple[int, int, int]:
        """Bytes of one tile of in0, in1 and the output in DRAM, on the NOC and in L1."""
        return tuple(TILE_BYTES[f] for f in self.formats)

    @property
    def tiles(self) -> tuple[int, int, int]:
        return self.M // TILE_ROWS, self.N // TILE_COLS, self.K // TILE_COLS

    def describe(self) -> str:
        h, w = self.subblock
        extra = "".join(f" {k}={v}" for k, v in (("acc", self.accumulate), ("in0", self.in0_source),
                                                  ("out", self.out_dest))
                        if v not in ("reload", "dram"))
        extra += " +bias" if self.bias else ""
        if (self.in0_format, self.in1_format, self.out_format) != (None, None, None):
            extra += " " + "/".join(self.formats)
        return (f"{self.variant} {self.M}x{self.K}x{self.N} grid {self.grid[0]}x{self.grid[1]} block "
                f"{self.per_core_M}x{self.per_core_N} k{self.in0_block_w} sub {h}x{w}"
                f"{' fp32acc' if self.fp32_acc else ''} {self.fidelity}{extra}")


def _fmt(dtype: str) -> str:
    try:
        return DATA_FORMAT[dtype]
    except KeyError:
        raise TTCompileError(f"matmul dtype {dtype!r} is not supported; supported: {', '.join(DATA_FORMAT)}") \
            from None


def intermediate_format(p: MatmulParams) -> str:
    """Data format of packed partial sums: Float32 with fp32 accumulation, else the output's (ours:
    bfloat16)."""
    if p.program == "ours":
        return "Float32" if p.fp32_acc else "Float16_b"
    return tt_partials_format(p.fp32_acc, p.accumulate == "l1_acc", p.tiles[2] // p.in0_block_w, p.formats[2])


def tt_partials_format(fp32_acc: bool, l1_acc: bool, k_blocks: int, out_format: str) -> str:
    """tt-metal's matmul factories (interm0_data_format): packer L1 accumulation, enabled with more than
    two K blocks, accumulates in Float16_b whatever the output format; otherwise the partials spill in
    the output's format; Float32 with fp32 accumulation."""
    if fp32_acc:
        return "Float32"
    return "Float16_b" if l1_acc and k_blocks > 2 else out_format


def shares_output_cb(p: MatmulParams) -> bool:
    """tt-metal's program: the partial sums live in the output CB (same format, one L1 region); with
    another format they get their own CB (matmul factories: separate CBs when interm0_data_format !=
    output_data_format), so the writer drains a block while the next one accumulates."""
    return intermediate_format(p) == p.formats[2]


def check_params(p: MatmulParams) -> None:
    """TTCompileError / TTResourceError for a schedule the generator cannot build."""
    what = f"matmul {p.describe()}"
    if p.model not in HARDWARE:
        raise TTCompileError(f"{what}: unknown model {p.model!r}; known: {', '.join(HARDWARE)}")
    hw = HARDWARE[p.model]
    if p.variant not in VARIANTS:
        raise TTCompileError(f"{what}: unknown variant {p.variant!r}; known: {', '.join(VARIANTS)}")
    if p.accumulate not in ACCUMULATE or p.in0_source not in SOURCES or p.out_dest not in SOURCES:
        raise TTCompileError(f"{what}: accumulate must be one of {ACCUMULATE}, in0_source / out_dest one of "
                             f"{SOURCES}")
    if p.program not in PROGRAMS:
        raise TTCompileError(f"{what}: program must be one of {PROGRAMS}")
    if p.program == "ours" and (p.in0_source, p.out_dest, p.bias) != ("dram", "dram", False):
        raise TTCompileError(f"{what}: sharded tensors and the bias-row epilogue exist only in the tt-metal "
                             f"program (program='tt-metal'); ours models a row with epilogue_rows")
    if p.epilogue_rows and (p.epilogue_rows > 1 or p.epilogue_tensors or p.program != "ours"):
        raise TTCompileError(f"{what}: ours applies at most one (1, N) row, without C-shaped epilogue tensors "
                             f"(analysis/matmul.py); got {p.epilogue_rows} rows and {p.epilogue_tensors} tensors")
    if p.fidelity not in MATH_FIDELITIES:
        raise TTCompileError(f"{what}: unknown math fidelity {p.fidelity!r}; known: {', '.join(MATH_FIDELITIES)}")
    for name, f in zip(("in0", "in1", "output"), p.formats):
        try:
            check_format(f, f"{what}: {name}")
        except ValueError as e:
            raise TTCompileError(str(e)) from None
    for name, v in (("M", p.M), ("N", p.N), ("K", p.K)):
        if v <= 0 or v % 32:
            raise TTCompileError(f"{what}: {name} = {v} must be a positive multiple of 32 (one tile)")
    cols, rows = p.grid
    mx, my = hw.max_grid
    if not (1 <= cols <= mx and 1 <= rows <= my):
        raise TTResourceError(f"{what}: grid {cols}x{rows} does not fit the {p.model} compute grid of at most "
                              f"{mx}x{my} cores; use a smaller grid")
    Mt, Nt, Kt = p.tiles
    if min(p.per_core_M, p.per_core_N, p.in0_block_w) < 1:
        raise TTCompileError(f"{what}: block sizes must be >= 1 tile")
    if Kt % p.in0_block_w:
        raise TTCompileError(f"{what}: in0_block_w = {p.in0_block_w} tiles must divide Kt = {Kt}")
    h, w = p.subblock
    if p.bias and p.variant == "naive":
        raise TTCompileError(f"{what}: the naive schedule's epilogue is counted from its IR (perf.program), "
                             "not by matmul_work; use blocked, subblocked or multicast")
    if p.variant == "naive":
        if Mt % p.per_core_M or Nt % p.per_core_N:
            raise TTCompileError(f"{what}: the naive schedule needs blocks that divide Mt = {Mt}, Nt = {Nt}")
        h, w = p.per_core_M, p.per_core_N
    elif p.variant == "blocked" and (h, w) != (1, 1):
        raise TTCompileError(f"{what}: the blocked schedule has 1x1 subblocks; use variant 'subblocked'")
    if h < 1 or w < 1 or p.per_core_M % h or p.per_core_N % w:
        raise TTCompileError(f"{what}: subblock {h}x{w} must divide the block {p.per_core_M}x{p.per_core_N}")
    cap = hw.dst_capacity(p.fp32_acc, p.dst_full_sync)
    if h * w > cap:
        raise TTResourceError(f"{what}: subblock {h}x{w} = {h * w} tiles exceeds the DST capacity of {cap} tiles "
                              f"({'fp32' if p.fp32_acc else 'bf16'} accumulation, "
                              f"{'full' if p.dst_full_sync else 'half'} sync); use a smaller subblock")
    if p.in0_source == "l1_sharded":
        if not p.multicast or Kt % cols or (Kt // cols) % p.in0_block_w:
            raise TTCompileError(f"{what}: a block-sharded in0 needs the multicast schedule and in0_block_w "
                                 f"dividing the shard width Kt / cols = {Kt}/{cols}")
    if p.cb_depth not in (1, 2):
        raise TTCompileError(f"{what}: cb_depth must be 1 or 2, got {p.cb_depth}")


def l1_bytes(p: MatmulParams) -> int:
    """Per-core L1 of the schedule's CBs: in0 and in1 blocks x cb_depth, the output block, and the
    intermediate block (Float32 with fp32 accumulation) when partials leave DST (more than one K block;
    with L1 accumulation the output CB holds the partials, as in tt-metal). Naive: CBs of the plan
    (A and B blocks x depth, output block x depth)."""
    ta, tb, to = p.tile_bytes
    te = TILE_BYTES[_fmt(p.dtype)]           # epilogue / bias tensors keep the dtype's format
    a = p.per_core_M * p.in0_block_w * ta
    b = p.in0_block_w * p.per_core_N * tb
    out = p.per_core_M * p.per_core_N
    if p.variant == "naive":
        return p.cb_depth * (a + b + out * to)
    if p.program == "ours":       # schedule/matmul.py plan_cbs: two subblocks of output and epilogue tiles
        sub = p.subblock[0] * p.subblock[1]
        total = p.cb_depth * (a + b) + 2 * sub * to + ours_epilogue_l1(p, sub, p.per_core_N)
        if p.tiles[2] // p.in0_block_w > 1:
            total += out * TILE_BYTES[intermediate_format(p)]
        return total
    total = p.cb_depth * (a + b) + out * to
    if p.bias:                    # one row of bias tiles per block, buffered like the inputs
        total += p.cb_depth * p.per_core_N * te
    kb = p.tiles[2] // p.in0_block_w
    if kb > 1 and p.accumulate == "reload":
        total += out * TILE_BYTES[intermediate_format(p)]
    elif kb > 1 and not shares_output_cb(p):   # fp32 or Float16_b partials of a block-float output
        total += out * TILE_BYTES[intermediate_format(p)]
    return total


def ours_epilogue_l1(p: MatmulParams, sub: int, per_core_n: int) -> int:
    """L1 of ours' epilogue CBs (schedule/matmul.py plan_cbs): two subblocks per C-shaped tensor; per
    (1, N) row two blocks of its per_core_n tiles, and one subblock of the stage CB (partials' format)."""
    te = TILE_BYTES[_fmt(p.dtype)]
    rows = p.epilogue_rows * 2 * per_core_n * te + (sub * TILE_BYTES[intermediate_format(p)] if p.epilogue_rows else 0)
    return p.epilogue_tensors * 2 * sub * te + rows


@lru_cache(maxsize=None)
def unpacked_per_call(h: int, w: int) -> tuple[int, int]:
    """(in0 tiles, in1 tiles) the unpacker moves for one matmul_block(ct_dim=w, rt_dim=h) call: the LLK
    streams one operand and reuses the other, two reused tiles (SrcA/SrcB banks) at a time (work.py)."""
    if w >= h:                                  # reuse in0 (SrcB): h in0 tiles, w in1 tiles per row pair
        return h, w * (-(-h // 2))
    return h * (-(-w // 2)), w                  # reuse in1 (SrcA)


def reused_per_call(h: int, w: int) -> tuple[int, int]:
    """(in0 tiles, in1 tiles) of the reused operand (in0 when w >= h, else in1) per
    matmul_block(ct_dim=w, rt_dim=h) call: the LLK unpacks them one context at a time outside its MOP
    (llk_unpack_AB_matmul.h)."""
    return (h, 0) if w >= h else (0, w)


def _naive(p: MatmulParams) -> list[CoreWork]:
    from ..schedule.naive import contiguous

    Mt, Nt, Kt = p.tiles
    bm, bn, bk = p.per_core_M, p.per_core_N, p.in0_block_w
    ta, tb, to = p.tile_bytes
    core_grid, counts, _ = contiguous((Mt // bm) * (Nt // bn), p.grid)
    cols = core_grid[0]
    ks = Kt // bk
    cores = []
    for i, n in enumerate(counts):
        c = CoreWork(core=(i % cols, i // cols), steps=n * ks, step_overlap=p.cb_depth, blocks=n,
                     out_overlap=1)
        products = n * ks * bm * bn * bk
        c.compute = ComputeWork(matmul_tiles=products, matmul_calls=products,
                                matmul_unpacked_tiles=2 * products, matmul_unpacked_in0_tiles=products,
                                matmul_reused_tiles=products, matmul_reused_in0_tiles=products,
                                pack_tiles=n * bm * bn,
                                dst_acquires=n, inits=1)
        pages = n * ks * (bm * bk + bk * bn)
        c.dm["RISCV_1"] = DMWork(dram_read_bytes=n * ks * (bm * bk * ta + bk * bn * tb), dram_read_pages=pages,
                                 barriers=2 * n * ks)
        c.dm["RISCV_0"] = DMWork(dram_write_bytes=n * bm * bn * to, dram_write_pages=n * bm * bn, barriers=n)
        cores.append(c)
    return cores


def _block_compute(p: MatmulParams, kb: int) -> ComputeWork:
    """Compute work of one (padded) output block over its kb K blocks."""
    h, w = p.subblock
    out = p.per_core_M * p.per_core_N
    subs = out // (h * w)
    calls = subs * p.in0_block_w * kb
    in0, in1 = unpacked_per_call(h, w)
    c = ComputeWork(matmul_tiles=calls * h * w, matmul_calls=calls, matmul_unpacked_tiles=calls * (in0 + in1),
                    matmul_unpacked_in0_tiles=calls * in0, matmul_reused_tiles=calls * sum(reused_per_call(h, w)),
                    matmul_reused_in0_tiles=calls * reused_per_call(h, w)[0],
                    pack_tiles=out * kb, dst_acquires=subs * kb)
    if p.accumulate == "reload":
        c.copy_tiles = out * (kb - 1)
        c.inits = 2 * subs * (kb - 1)
    else:
        c.pack_l1_acc_tiles = out * (kb - 1)
    if p.bias:
        # on the last K block, before the final pack: one broadcast add per output tile into DST
        # (dest-reuse), an init for it and a matmul re-init per subblock
        c.eltwise_tiles += out
        c.inits += 2 * subs
    return c


def _edges(total: int, block: int, lanes: int):
    """Per lane (core row or column): the valid extent of each of its blocks, per round, and per round
    the number of lanes with a block. Blocks are dealt to lanes round-robin."""
    nblocks = -(-total // block)
    rounds = -(-nblocks // lanes)
    active = [min(lanes, nblocks - r * lanes) for r in range(rounds)]
    per_lane = []
    for lane in range(lanes):
        ext = []
        for r in range(rounds):
            b = lane + r * lanes
            ext.append(min(block, total - b * block) if b < nblocks else 0)
        per_lane.append(tuple(ext))
    return per_lane, active


def _read(dm: DMWork, times: int, pages: int, nbytes: int) -> None:
    """`times` reads of a block of `pages` pages (`nbytes`) from DRAM, one barrier each."""
    dm.dram_read_pages += times * pages
    dm.dram_read_bytes += times * nbytes
    dm.barriers += times


def _multicast(dm: DMWork, times: int, nbytes: int, dests: int, handshakes: int) -> None:
    """`times` multicasts of `nbytes` to `dests` other cores; `handshakes` semaphore wait + signal pairs
    (none when nobody receives)."""
    if dests:
        dm.mcast_writes += times
        dm.mcast_bytes += times * nbytes
        dm.mcast_dests += times * dests
        _receive(dm, handshakes)


def _receive(dm: DMWork, times: int) -> None:
    """`times` semaphore wait + signal pairs (a receiver's side of a multicast, or a sender's)."""
    dm.sem_waits += times
    dm.sem_signals += times


@lru_cache(maxsize=4096)
def _classes(p: MatmulParams):
    """Distinct core work of a blocked / subblocked / multicast schedule: [(cores, CoreWork)] where
    `cores` lists the (x, y) of every core with that work. Cores with no block are left out."""
    Mt, Nt, Kt = p.tiles
    cols, rows = p.grid
    ibw = p.in0_block_w
    kb = Kt // ibw
    ta, tb, to = p.tile_bytes
    te = TILE_BYTES[_fmt(p.dtype)]
    row_ext, rows_active = _edges(Mt, p.per_core_M, rows)     # per core row y: vm per round ri
    col_ext, cols_active = _edges(Nt, p.per_core_N, cols)     # per core column x: vn per round rj
    block_compute = _block_compute(p, kb)
    shard_w = Kt // cols if p.in0_source == "l1_sharded" else 0
    groups: dict[tuple, list] = {}
    for y in range(rows):
        for x in range(cols):
            key = (row_ext[y], col_ext[x], x == 0, y == 0,
                   tuple(range(x * shard_w // ibw, (x + 1) * shard_w // ibw)) if shard_w else ())
            groups.setdefault(key, []).append((x, y))
    result = []
    for (vms, vns, left, top, owned), members in groups.items():
        core = CoreWork(core=members[0], step_overlap=p.cb_depth)
        r1, r0 = DMWork(), DMWork()
        # A block work depends on (vm, receivers along the row), B on (vn, receivers down the column):
        # count each combination once and weigh it by how often it occurs in the core's rounds
        row_kinds = Counter((vm, rows_active[ri] - 1) for ri, vm in enumerate(vms) if vm)
        col_kinds = Counter((vn, cols_active[rj] - 1) for rj, vn in enumerate(vns) if vn)
        blocks = 0
        for (vm, d1), nr in row_kinds.items():
            for (vn, d0), nc in col_kinds.items():
                n = nr * nc
                blocks += n
                a_bytes, b_bytes = vm * ibw * ta, ibw * vn * tb
                if not p.multicast:
                    _read(r1, n * kb, (vm + vn) * ibw, a_bytes + b_bytes)
                else:
                    # A along the row (RISCV_1), B down the column (RISCV_0)
                    if p.in0_source == "l1_sharded":
                        mine = n * len(owned)             # K blocks this core sends from its shard
                        _multicast(r1, mine, a_bytes, d0, handshakes=n * kb)
                        r1.l1_bytes += mine * a_bytes
                    elif left:
                        _read(r1, n * kb, vm * ibw, a_bytes)
                        _multicast(r1, n * kb, a_bytes, d0, handshakes=n * kb)
                    else:
                        _receive(r1, n * kb)
                    if top:
                        _read(r0, n * kb, ibw * vn, b_bytes)
                        _multicast(r0, n * kb, b_bytes, d1, handshakes=n * kb)
                    else:
                        _receive(r0, n * kb)
                if p.bias:                # the bias row of the block travels like B, once per block
                    bias_bytes = vn * te
                    if not p.multicast:
                        _read(r1, n, vn, bias_bytes)
                    elif top:
                        _read(r0, n, vn, bias_bytes)
                        _multicast(r0, n, bias_bytes, d1, handshakes=n)
                    else:
                        _receive(r0, n)
                if p.out_dest == "dram":
                    r0.dram_write_pages += n * vm * vn
                    r0.dram_write_bytes += n * vm * vn * to
                    r0.barriers += n
        if not blocks:
            continue
        core.steps = blocks * kb
        core.blocks = blocks
        # with L1 accumulation the output CB holds the partials (tt-metal's layout): no write overlap
        core.out_overlap = 0 if (p.accumulate == "l1_acc" and kb > 1 and shares_output_cb(p)) else 1
        core.compute = block_compute.scaled(blocks).add(ComputeWork(inits=1))
        core.dm = {"RISCV_0": r0, "RISCV_1": r1}
        result.append((tuple(members), core))
    return result


def _sfpu_inits(ops: tuple) -> tuple[int, int]:
    """(inits once per core, inits per subblock of the last K block) of the SFPU epilogue ops: one op (or
    a repeated one) is configured once, in front of everything; a changing sequence re-inits at each
    change, also from the last op back to the first (analysis/compute_state.place_inits)."""
    if not ops:
        return 0, 0
    changes = sum(1 for i, op in enumerate(ops) if op != ops[i - 1])
    return (1, 0) if changes == 0 else (0, changes)


@lru_cache(maxsize=4096)
def _ours(p: MatmulParams):
    """[(cores, CoreWork)] of the program lower/matmul.py generates for a blocked / subblocked /
    multicast schedule, grouped by identical work. Every core walks rounds_m x rounds_n output blocks
    and computes all of them (padded blocks too); readers and the writer move only valid tiles."""
    Mt, Nt, Kt = p.tiles
    cols, rows = p.grid
    pm, pn, w = p.per_core_M, p.per_core_N, p.in0_block_w
    sh, sw = p.subblock
    sub, out, nk = sh * sw, pm * pn, Kt // w
    subs = out // sub
    E, U, R = p.epilogue_tensors, p.epilogue_unary, p.epilogue_rows
    ta, tb, to = p.tile_bytes
    te = TILE_BYTES[_fmt(p.dtype)]
    fa, fb, fo = p.formats
    rounds_m, rounds_n = -(-(-(-Mt // pm)) // rows), -(-(-(-Nt // pn)) // cols)
    rounds = rounds_m * rounds_n
    acc = p.accumulate if nk > 1 else "reload"
    # compute: identical on every core; per output block, then scaled by the rounds
    in0, in1 = unpacked_per_call(sh, sw)
    calls = subs * w * nk
    per_block = ComputeWork(matmul_tiles=out * Kt, matmul_calls=calls, matmul_unpacked_tiles=calls * (in0 + in1),
                            matmul_unpacked_in0_tiles=calls * in0,
                            matmul_reused_tiles=calls * sum(reused_per_call(sh, sw)),
                            matmul_reused_in0_tiles=calls * reused_per_call(sh, sw)[0],
                            pack_tiles=out * nk, dst_acquires=subs * nk,
                            eltwise_tiles=out * E, sfpu_tiles=out * len(U),
                            sfpu_op_tiles={op: out * U.count(op) for op in sorted(set(U))})
    # each (1, N) row: the subblock is packed to the stage CB and comes back through the broadcast
    per_block.bcast_tiles, per_block.pack_tiles = out * R, per_block.pack_tiles + out * R
    per_block.dst_acquires += subs * R
    once, per_sub = _sfpu_inits(tuple(U))
    # FPU / packer inits as analysis/compute_state places them: without an FPU epilogue the matmul init
    # is hoisted in front of everything; with one, every block re-inits (per subblock where it must)
    fpu = E + R                   # FPU epilogue ops (dest reuse, row broadcasts): the matmul re-inits after them
    if nk == 1:
        inits = (1 + E) * subs if fpu else 0
    elif acc == "l1_acc":
        per_block.copy_tiles, per_block.pack_l1_acc_tiles = out, out * (nk - 2)
        inits = 2 + ((1 + (2 + E) * subs) if fpu else 2 * subs)   # 2: packer L1 accumulation on and off
    else:
        per_block.copy_tiles = out * (nk - 1)
        inits = (1 + 2 * subs * (nk - 2) + (2 + E) * subs) if fpu else 2 * subs * (nk - 1)
    if R:
        # the stage CB (the partials' format) between the matmul and the broadcast: per subblock the
        # packer goes to it and back to the output, SrcA to it and back to in1; with partials the
        # block-start switch to them already covers one packer switch, and SrcA must leave the stage's
        # format at the block start and enter the partials' before the last K block (once each)
        fs = intermediate_format(p)
        if nk == 1:
            inits += 2 * subs * ((fs != fo) + (fs != fb))
        else:
            inits += (2 * subs - 1) * (fs != fo) + 2 * (fs != fb)
    # format reconfigs (analysis/compute_state places them): with partials in another format than the
    # output, the packer switches to the partials at each block and back for the last K block; with
    # partials in another format than in1, SrcA switches to them and back around every reload
    if nk > 1:
        part = intermediate_format(p)
        reloads = 1 if acc == "l1_acc" else nk - 1
        inits += 2 * (part != fo) + 2 * subs * reloads * (part != fb)
    per_block.inits = inits + per_sub * subs
    c = per_block.scaled(rounds)
    c.inits += once + (0 if fpu else 1)

    def valid(total, block, lane, lanes, r):
        b = lane + r * lanes
        return max(0, min(block, total - b * block))

    mc_a = p.multicast and cols > 1
    mc_b = p.multicast and rows > 1
    groups: dict = {}
    for y in range(rows):
        for x in range(cols):
            vms = tuple(valid(Mt, pm, y, rows, r) for r in range(rounds_m))
            vns = tuple(valid(Nt, pn, x, cols, r) for r in range(rounds_n))
            key = (vms, vns, x == 0 or not mc_a, y == 0 or not mc_b)
            groups.setdefault(key, []).append((x, y))
    result = []
    for (vms, vns, a_sender, b_sender), members in groups.items():
        r1, r0 = DMWork(), DMWork()
        valid_a, valid_b = sum(vms) * rounds_n, sum(vns) * rounds_m      # valid block rows / cols over rounds
        if a_sender:
            _read(r1, rounds * nk, 0, 0)
            r1.dram_read_pages += valid_a * Kt
            r1.dram_read_bytes += valid_a * Kt * ta
            if mc_a:
                _multicast(r1, rounds * nk, pm * w * ta, cols - 1, handshakes=rounds * nk)
        else:
            _receive(r1, rounds * nk)
            r1.barriers += 1                                             # the final atomic barrier
        if b_sender:
            _read(r0, rounds * nk, 0, 0)
            r0.dram_read_pages += valid_b * Kt
            r0.dram_read_bytes += valid_b * Kt * tb
            if mc_b:
                _multicast(r0, rounds * nk, w * pn * tb, rows - 1, handshakes=rounds * nk)
        else:
            _receive(r0, rounds * nk)
            r0.barriers += 1
        tiles = sum(vms) * sum(vns)                                      # valid output tiles of the core
        r0.dram_read_pages += E * tiles + R * sum(vns) * rounds_m        # a row: its valid tiles per block
        r0.dram_read_bytes += (E * tiles + R * sum(vns) * rounds_m) * te
        r0.barriers += (E + 1) * rounds * subs + R * rounds              # one per subblock and tensor, per row block
        r0.dram_write_pages += tiles
        r0.dram_write_bytes += tiles * to
        core = CoreWork(core=members[0], compute=replace(c), dm={"RISCV_0": r0, "RISCV_1": r1}, steps=rounds * nk,
                        step_overlap=min(2, p.cb_depth), blocks=rounds, out_overlap=1)
        result.append((tuple(members), core))
    return result


def kernel_count(p: MatmulParams) -> int:
    """Kernels of the program: reader + compute + writer, or for multicast the in0 sender / receiver,
    the in1(+writer) sender / receiver and the compute (a variant exists only if some core needs it)."""
    if not p.multicast:
        return 3
    cols = min(p.grid[0], -(-p.tiles[1] // p.per_core_N))
    rows = min(p.grid[1], -(-p.tiles[0] // p.per_core_M))
    return 1 + (2 if cols > 1 else 1) + (2 if rows > 1 else 1)


def matmul_work(p: MatmulParams) -> ProgramWork:
    """Exact per-core work of schedule `p` (module docstring); TTCompileError for a bad schedule."""
    check_params(p)
    if p.variant == "naive":
        cores = _naive(p)
    else:
        cores = []
        for members, cw in (_ours(p) if p.program == "ours" else _classes(p)):
            for xy in members:
                cores.append(CoreWork(core=xy, compute=replace(cw.compute),
                                      dm={k: replace(v) for k, v in cw.dm.items()},
                                      steps=cw.steps, step_overlap=cw.step_overlap, blocks=cw.blocks,
                                      out_overlap=cw.out_overlap))
        cores.sort(key=lambda c: (c.core[1], c.core[0]))
    return program_header(p, cores)


def program_header(p: MatmulParams, cores=None) -> ProgramWork:
    """The ProgramWork of schedule `p` with the given cores (none: to be modeled by core groups)."""
    fa, fb, fo = p.formats
    return ProgramWork(model=p.model, math_fidelity=p.fidelity, fp32_dest_acc_en=p.fp32_acc,
                       input_formats=[fa, fb], output_format=fo,
                       intermediate_format=intermediate_format(p), cores=list(cores or []),
                       kernels=kernel_count(p), useful_flops=2.0 * p.M * p.N * p.K, label=p.describe())


def core_groups(p: MatmulParams) -> list:
    """[(number of cores, CoreWork)] of schedule `p`, identical cores grouped (for estimate_groups)."""
    check_params(p)
    if p.variant == "naive":
        return [(1, c) for c in _naive(p)]
    return [(len(members), cw) for members, cw in (_ours(p) if p.program == "ours" else _classes(p))]
