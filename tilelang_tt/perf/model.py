"""Performance model of a device program on its chip: exact per-core work (perf/work.py) -> time.

Per core, in cycles of the chip's clock (parameters: perf/costs.py, one table per chip):

* Compute: the unpacker (TRISC0), math (TRISC1) and packer (TRISC2) run concurrently, coupled through
  double-banked source registers and half-sync DST, so the compute time is the busiest of the three:
    math   = tile products x 16 x fidelity phases + calls x per-call overhead + copy / eltwise / SFPU
             tiles + DST rounds + inits
    unpack = in1 tiles x SrcA cost + in0 tiles x SrcB cost (per data format) + reused-operand tiles x
             their extra (each waits for a free unpack context) + copy / eltwise operands + inits
    pack   = packed tiles x pack cost (+ L1-accumulation extra) + DST rounds
* Data movement, per processor (RISCV_0 / RISCV_1), in program order: DRAM bytes / per-core DRAM
  bandwidth (or the page-issue rate if slower), multicast bytes / multicast bandwidth, one NOC round trip
  per barrier, one handshake per data multicast, one signal per semaphore increment. Writes run at the
  per-core rate or at the card's DRAM bandwidth shared by every writing core, whichever is lower
  (output blocks of all cores leave at the same time).
* A core's steady time over S steps: (S - 1) steps at max(compute, busiest DM processor) per step plus
  the last step's compute, when its input CBs hold two steps (step_overlap 2); compute + DM when they
  hold one. With out_overlap 0 (output CB = partial-sum buffer), each block boundary waits for the
  block's write beyond the first subblock of the next block.
* The program: the slowest core (multicast couples the grid into lock-step; independent cores finish at
  their own pace, and the program ends with the last), but no faster than the card's DRAM bandwidth for
  all cores' DRAM traffic; plus pipeline fill (one step of the slowest DM processor before the first
  compute step), drain (the last output block written after the last compute step) and kernel start.
  `device_seconds` is that; `seconds` adds the host dispatch of a cached program; `math_seconds` stops
  at the last compute step (no drain): the math thread's duration, which is what tt-metal's profiler
  reports as the device kernel duration.

The bound is the resource behind the bounding core's steady time; when that is the math thread, it is
named by the engine that spends most of the thread's cycles (matrix engine, FPU element-wise, FPU copy,
SFPU), so a program that never multiplies matrices never reports the matrix engine. `rates` gives each
used resource's achieved rate over the device time in its own unit (TFLOP/s, GB/s, tiles/s).

`utilization` = useful FLOPs / device_seconds / the fidelity's peak on the card's grid (or on the cores
used, when a program uses more than the default grid); `math_utilization` is the same over
math_seconds, tt-metal's "device based utilization" (the quantity the validation compares).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..target import HARDWARE
from .costs import REDUCE_MATH_FACTOR, SFPU_ROUTINE_CYCLES, CostTable, costs
from .formats import pack_cycles, unpack_cycles
from .work import CoreWork, ProgramWork


@dataclass
class Estimate:
    model: str
    cores: int
    flops: float
    dram_bytes: float
    seconds: float            # device_seconds + host dispatch of the cached program
    device_seconds: float     # first kernel start to last output byte written
    math_seconds: float       # duration of the math thread (TRISC1): tt-metal's "device kernel duration"
    utilization: float        # useful FLOPs / device_seconds / peak of the fidelity
    math_utilization: float   # the same over math_seconds: tt-metal's "device based utilization"
    bound: str
    breakdown: dict = field(default_factory=dict)   # resource -> seconds on the bounding core
    label: str = ""
    rates: dict = field(default_factory=dict)       # resource -> (achieved rate, unit), program-wide

    @property
    def uses_matrix_engine(self) -> bool:
        return "matrix engine" in self.rates

    @property
    def bound_rate(self) -> str:
        """The bounding resource's achieved rate in its own unit ("" for fixed costs)."""
        if self.bound not in self.rates:
            return ""
        value, unit = self.rates[self.bound]
        return f"{value:.3g} {unit}"

    @property
    def tflops(self) -> float:
        return self.flops / self.seconds / 1e12 if self.seconds else 0.0

    @property
    def device_tflops(self) -> float:
        return self.flops / self.device_seconds / 1e12 if self.device_seconds else 0.0

    def __str__(self) -> str:
        parts = ", ".join(f"{k} {v * 1e6:.1f}" for k, v in sorted(self.breakdown.items(), key=lambda kv: -kv[1])
                          if v > 0)
        head = f"{self.label}: " if self.label else ""
        work = (f"{self.flops / 1e9:.2f} GFLOP, " if self.uses_matrix_engine else "")
        speed = (f", {self.tflops:.1f} TFLOPS, {self.utilization * 100:.1f}% of peak"
                 if self.uses_matrix_engine else "")
        rate = f" at {self.bound_rate}" if self.bound_rate else ""
        return (f"{head}{self.model}, {self.cores} cores, {work}"
                f"{self.dram_bytes / 1e6:.1f} MB DRAM -> {self.seconds * 1e6:.1f} us "
                f"({self.device_seconds * 1e6:.1f} us on device){speed}; bound by {self.bound}{rate} "
                f"(us: {parts})")


@dataclass
class _CoreTime:
    math: float
    engines: dict       # math cycles by the engine that spends them (matrix engine, FPU, SFPU, ...)
    unpack: float
    pack: float
    dm: dict            # processor -> cycles
    parts: dict         # resource -> cycles, for naming the bound
    steps: int
    overlap: int
    stall: float        # output-write stalls between blocks (out_overlap 0)
    drain: float

    @property
    def compute(self) -> float:
        return max(self.math, self.unpack, self.pack)

    @property
    def dm_max(self) -> float:
        return max(self.dm.values(), default=0.0)

    @property
    def steady(self) -> float:
        """Cycles after the fill: S steps where step s's compute overlaps step s+1's data movement, so
        S-1 steps at the slower of the two and the last step's compute alone."""
        if self.overlap < 2 or not self.steps:
            return self.compute + self.dm_max + self.stall
        s = self.steps
        return max(self.compute, self.dm_max) * (s - 1) / s + self.compute / s + self.stall

    @property
    def fill(self) -> float:
        return self.dm_max / self.steps if self.steps and self.overlap >= 2 else 0.0


def sfpu_cycles(w, ct: CostTable) -> float:
    """SFPU cycles of a core's compute work: each routine at its own cost (SFPU_ROUTINE_CYCLES), tiles not
    broken down by routine at the table's sfpu_tile_cycles."""
    priced = sum(n * SFPU_ROUTINE_CYCLES.get(op, ct.sfpu_tile_cycles) for op, n in w.sfpu_op_tiles.items())
    return priced + (w.sfpu_tiles - sum(w.sfpu_op_tiles.values())) * ct.sfpu_tile_cycles


def _core_time(c: CoreWork, pw: ProgramWork, ct: CostTable, write_bpc: float) -> _CoreTime:
    """Cycles of one core; `write_bpc`: the per-core DRAM write rate while every writer writes at once."""
    w = c.compute
    fin0, fin1 = (pw.input_formats + pw.input_formats)[:2]
    fout = pw.output_format
    finter = pw.intermediate_format or fout
    phases = ct.fidelity_phases[pw.math_fidelity]
    in1_tiles = w.matmul_unpacked_tiles - w.matmul_unpacked_in0_tiles
    engines = {"matrix engine": w.matmul_tiles * ct.mm_phase_cycles * phases + w.matmul_calls * ct.mm_call_cycles,
               "FPU element-wise": w.eltwise_tiles * ct.eltwise_math_cycles * phases,
               "FPU broadcast": w.bcast_tiles * ct.eltwise_math_cycles * phases,
               "FPU reduce": w.reduce_tiles * ct.eltwise_math_cycles * phases * REDUCE_MATH_FACTOR,
               "FPU copy": w.copy_tiles * ct.copy_math_cycles,
               "SFPU": sfpu_cycles(w, ct),
               "math overhead": w.dst_acquires * ct.dst_sync_cycles + w.inits * ct.init_cycles}
    math = sum(engines.values())
    fpu_pairs = w.eltwise_tiles + w.bcast_tiles + w.reduce_tiles    # two source tiles unpacked per call
    srca, srcb = ct.unpack_srca_cycles, ct.unpack_srcb_cycles
    # per operand format: a block-float operand costs its datum bytes (perf/formats.py)
    unpack = (in1_tiles * unpack_cycles(srca, fin1, "SrcA unpack")
              + w.matmul_unpacked_in0_tiles * unpack_cycles(srcb, fin0, "SrcB unpack")
              + w.matmul_reused_in0_tiles * unpack_cycles(ct.unpack_reuse_cycles, fin0, "reused in0 unpack")
              + (w.matmul_reused_tiles - w.matmul_reused_in0_tiles)
              * unpack_cycles(ct.unpack_reuse_cycles, fin1, "reused in1 unpack")
              + (w.copy_tiles * unpack_cycles(srca, finter, "SrcA unpack") if w.copy_tiles else 0.0)
              + (fpu_pairs * (unpack_cycles(srca, fin0, "SrcA unpack")
                              + unpack_cycles(srcb, fin1, "SrcB unpack")) if fpu_pairs else 0.0)
              + w.inits * ct.init_cycles)
    # Partials (all but the last K block) pack in the intermediate format; count every pack at its cost
    # when partial sums exist, which errs high by the last block's difference.
    pack_fmt = finter if (w.copy_tiles or w.pack_l1_acc_tiles) else fout
    pack = (w.pack_tiles * pack_cycles(ct.pack_tile_cycles, pack_fmt)
            + w.pack_l1_acc_tiles * ct.pack_l1_acc_extra_cycles + w.dst_acquires * ct.dst_sync_cycles)
    dm, parts, write_block = {}, {}, 0.0
    for proc, d in c.dm.items():
        # a processor issues page requests while earlier pages stream: the slower of the two counts; its
        # transfers run in program order (read a block, barrier, multicast it, ...): they add up
        reads = max(d.dram_read_bytes / ct.dram_read_bytes_per_cycle, d.dram_read_pages * ct.page_issue_cycles)
        writes = (max(d.dram_write_bytes / write_bpc, d.dram_write_pages * ct.page_issue_cycles)
                  if d.dram_write_bytes else 0.0)
        mcast = d.mcast_bytes / ct.mcast_bytes_per_cycle + d.l1_bytes / ct.l1_copy_bytes_per_cycle
        latency = d.barriers * ct.noc_round_trip_cycles
        handshake = d.mcast_writes * ct.mcast_handshake_cycles + d.sem_signals * ct.sem_signal_cycles
        stores = d.l1_stores * ct.l1_store_cycles
        # one processor does its transfers in program order: read a block, wait, multicast it, ...
        dm[proc] = latency + handshake + reads + writes + mcast + stores
        for k, v in (("DRAM", reads + writes), ("multicast", mcast + handshake), ("NOC latency", latency),
                     ("L1 stores", stores)):
            parts[k] = max(parts.get(k, 0.0), v)
        if d.dram_write_bytes and c.blocks:
            write_block = max(write_block, writes / c.blocks + ct.noc_round_trip_cycles)
    compute = max(math, unpack, pack)
    stall = 0.0
    if not c.out_overlap and c.blocks > 1 and write_block:
        # the next block's first subblock pack waits for this block's write
        first_pack = compute / w.dst_acquires if w.dst_acquires else 0.0
        stall = (c.blocks - 1) * max(0.0, write_block - first_pack)
    return _CoreTime(math, engines, unpack, pack, dm, parts, c.steps, c.step_overlap, stall, write_block)


def estimate_groups(pw: ProgramWork, groups, ct: CostTable | None = None) -> Estimate:
    """Model a program given as [(number of cores, CoreWork)] (cores with identical work grouped);
    `pw` supplies everything but the cores. `estimate` is this with one group per core."""
    ct = ct or costs(pw.model)
    hw = HARDWARE[pw.model]
    hz = ct.clock_ghz * 1e9
    if not groups:
        raise ValueError(f"program {pw.label or ''} has no cores")
    writers = sum(n for n, c in groups if any(d.dram_write_bytes for d in c.dm.values()))
    card_bpc = ct.dram_bandwidth_gbs / ct.clock_ghz          # bytes per cycle, whole card
    write_bpc = min(ct.dram_write_bytes_per_cycle, card_bpc / max(1, writers))
    times = [(n, c, _core_time(c, pw, ct, write_bpc)) for n, c in groups]
    ncores = sum(n for n, _, _ in times)
    dram_bytes = float(sum(n * c.dram_bytes() for n, c, _ in times))
    card_dram = dram_bytes / (ct.dram_bandwidth_gbs * 1e9) * hz
    slow_n, slow_c, slow = max(times, key=lambda t: t[2].steady)
    fill = max(t.fill for _, _, t in times)
    drain = max(t.drain for _, _, t in times)
    steady = max(slow.steady, card_dram)
    math_cycles = ct.kernel_start_cycles + fill + steady
    device_s = (math_cycles + drain) / hz
    seconds = device_s + ct.dispatch_seconds
    # bound: the resource behind the steady time, unless fixed costs dominate
    # the math thread is named by the engine that spends most of it (a kernel without matmul never
    # reports the matrix engine)
    math_name = max(slow.engines, key=slow.engines.get) if slow.math else "matrix engine"
    breakdown_cycles = {"math thread": slow.math, **{k: v for k, v in slow.engines.items() if v},
                        "unpack": slow.unpack, "pack": slow.pack,
                        "DRAM (card)": card_dram, "output stall": slow.stall,
                        "fill/drain": fill + drain + ct.kernel_start_cycles}
    breakdown_cycles.update(slow.parts)
    if card_dram > slow.steady:
        bound = "DRAM (card)"
    elif slow.stall > max(slow.compute, slow.dm_max):
        bound = "output stall"
    elif slow.dm_max > slow.compute:
        bound = max(slow.parts, key=slow.parts.get)
    else:
        bound = max((math_name, slow.math), ("unpack", slow.unpack), ("pack", slow.pack),
                    key=lambda kv: kv[1])[0]
    if fill + drain + ct.kernel_start_cycles > steady:
        bound = "fill/drain"
    breakdown = {k: v / hz for k, v in breakdown_cycles.items()}
    breakdown["dispatch"] = ct.dispatch_seconds
    if ct.dispatch_seconds > device_s:
        bound = "dispatch"
    if pw.useful_flops is not None:
        flops = float(pw.useful_flops)
    else:
        tot = pw.total_compute()
        flops = 2.0 * 32 ** 3 * tot.matmul_tiles + 32 * 32 * (tot.eltwise_tiles + tot.bcast_tiles + tot.reduce_tiles
                                                                 + tot.sfpu_tiles)
    peak_cores = max(hw.num_cores, ncores)
    peak = hw.flops_per_cycle[pw.math_fidelity] * hz * peak_cores
    return Estimate(model=pw.model, cores=ncores, flops=flops, dram_bytes=dram_bytes, seconds=seconds,
                    device_seconds=device_s, math_seconds=math_cycles / hz,
                    utilization=flops / device_s / peak, math_utilization=flops / (math_cycles / hz) / peak,
                    bound=bound, breakdown=breakdown, label=pw.label,
                    rates=_rates(groups, flops, dram_bytes, device_s))


def _rates(groups, flops: float, dram_bytes: float, seconds: float) -> dict:
    """Achieved rate of every resource the program uses, over its device time, each in its own unit:
    TFLOP/s for the matrix engine, GB/s for DRAM and the NOC, tiles/s for the other engines."""
    def total(get):
        return sum(n * get(c) for n, c in groups)
    tiles = {"FPU element-wise": total(lambda c: c.compute.eltwise_tiles),
             "FPU broadcast": total(lambda c: c.compute.bcast_tiles),
             "FPU reduce": total(lambda c: c.compute.reduce_tiles),
             "FPU copy": total(lambda c: c.compute.copy_tiles),
             "SFPU": total(lambda c: c.compute.sfpu_tiles),
             "unpack": total(lambda c: c.compute.matmul_unpacked_tiles + c.compute.copy_tiles
                             + 2 * (c.compute.eltwise_tiles + c.compute.bcast_tiles + c.compute.reduce_tiles)),
             "pack": total(lambda c: c.compute.pack_tiles)}
    mcast = total(lambda c: sum(d.mcast_bytes for d in c.dm.values()))
    for op in sorted({op for _, c in groups for op in c.compute.sfpu_op_tiles}):   # each SFPU routine
        tiles[f"SFPU {op}"] = total(lambda c: c.compute.sfpu_op_tiles.get(op, 0))
    rates = {k: (n / seconds, "tiles/s") for k, n in tiles.items() if n}
    if total(lambda c: c.compute.matmul_tiles):
        rates["matrix engine"] = (flops / seconds / 1e12, "TFLOP/s")
    if dram_bytes:
        rates["DRAM"] = rates["DRAM (card)"] = (dram_bytes / seconds / 1e9, "GB/s")
    if mcast:
        rates["multicast"] = (mcast / seconds / 1e9, "GB/s")
    if dram_bytes or mcast:
        rates["NOC latency"] = ((dram_bytes + mcast) / seconds / 1e9, "GB/s")
    return {k: v for k, v in rates.items() if seconds}


def estimate(program, ct: CostTable | None = None) -> Estimate:
    """Estimate of a `ProgramWork`, its `to_dict()`, a plan dict carrying one under "work", a
    DeviceProgram, or a TT-level IRModule (read into its DeviceProgram)."""
    if isinstance(program, ProgramWork):
        pw = program
    elif isinstance(program, dict):
        pw = ProgramWork.from_dict(program["work"] if "work" in program else program)
    else:
        from ..device import DeviceProgram
        from .program import program_work
        if not isinstance(program, DeviceProgram):
            from ..codegen import device_program
            program = device_program(program)
        pw = program_work(program)
    return estimate_groups(pw, [(1, c) for c in pw.cores], ct)
