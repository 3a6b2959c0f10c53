"""Cost parameters of the performance model: one table per chip model.

Every number says where it comes from:
  [D.x]    shared/reference/metalium-api.md section D (tt-metal tech reports / card specs);
  [DM]     tenstorrent/tt-metal tests/tt_metal/tt_metal/data_movement/documentation/ideal_performance.md
           (directed per-core data-movement tests, bytes/cycle; "All" = 64 Wormhole / 110 Blackhole cores);
  [LLK]    the tt-llk sources shipped in the ttnn 0.81.1 wheel (llk_unpack_AB_matmul.h, llk_math_matmul.h);
  [ISA]    tenstorrent/tt-isa-documentation WormholeB0 UNPACR_Regular.md "Performance";
  [WP]     silicon measurements of one p150 card in the wolfpine 2.2 wheel, framework/perf/datasets/
           (tensixbench-blackhole*.csv phase B: matmul_tiles per call 34.7 / 52.2 / 85.8 cycles at LoFi /
           HiFi2 / HiFi4 = 17.0 per fidelity phase + 17.9 per call, least squares; the repeat run gives
           16.9 + 18.2); WP_MEASURED below, checked against the files by tests/unit/perf/test_calibration.py;
  [CAL:r]  calibrated against the tt-metal GEMM_FLOPS measurement rows r (perf/published.py), one value per
           chip for every row; the rows used for calibration are listed in CALIBRATION_ROWS, every other row
           is validation only (docs/perf-model.md);
  [ASSUMED] no published measurement: a stated assumption that no validated row depends on.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CostTable:
    model: str
    clock_ghz: float
    # --- matrix engine (math thread, TRISC1) -------------------------------------------------------------
    mm_phase_cycles: int          # cycles of one 32x32x32 tile product per fidelity phase
    fidelity_phases: dict         # LoFi 1, HiFi2 2, HiFi3 3, HiFi4 4
    mm_call_cycles: float         # math-thread overhead per matmul_tiles / matmul_block call
    # --- unpacker (TRISC0): cycles per tile moved from L1 into the source registers, per data format -----
    unpack_srca_cycles: dict      # in1 operand (and copy_tile / eltwise operands) -> SrcA
    unpack_srcb_cycles: dict      # in0 operand -> SrcB
    unpack_reuse_cycles: dict     # extra per tile of the reused matmul operand (unpacked outside the MOP)
    # --- packer (TRISC2) --------------------------------------------------------------------------------
    pack_tile_cycles: dict        # per tile packed from DST to L1, per data format
    pack_l1_acc_extra_cycles: float   # extra per tile packed with L1 accumulation (read-modify-write)
    copy_math_cycles: float       # math-thread cycles of copy_tile (datacopy SrcA -> DST) per tile
    eltwise_math_cycles: float    # FPU add/sub/mul per tile at LoFi (8x16 per cycle: 8 cycles)
    sfpu_tile_cycles: float       # SFPU unary op per tile
    dst_sync_cycles: float        # acquire/commit/wait/release round, per thread
    init_cycles: float            # one op re-init (unpacker + math + packer reconfiguration)
    kernel_start_cycles: float    # launch to first useful instruction of a kernel (firmware, hw startup)
    # --- data movement (bytes per cycle per core, latencies in cycles) ------------------------------------
    dram_read_bytes_per_cycle: float
    dram_write_bytes_per_cycle: float
    mcast_bytes_per_cycle: float
    l1_copy_bytes_per_cycle: float
    noc_round_trip_cycles: float  # exposed by every barrier (DRAM read / write round trip)
    mcast_handshake_cycles: float  # per data multicast: semaphore wait + flag multicast (+ flush)
    sem_signal_cycles: float      # a receiver's semaphore increment to the sender
    page_issue_cycles: float      # RISC-V cycles to issue one page request (address generation)
    l1_store_cycles: float        # RISC-V cycles per word a data-movement kernel stores itself (loop included)
    # --- card ---------------------------------------------------------------------------------------------
    dram_bandwidth_gbs: float     # achievable card DRAM bandwidth (all cores)
    dispatch_seconds: float       # host -> device launch of a cached program (fast dispatch)


_PHASES = {"LoFi": 1, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}           # [D.4] 16/32/48/64 cycles per tile

# [ISA] UNPACR "Performance": two cycles computing the input address, then L1 fetched at x4 speed (64 B
# per cycle; the LLK's unpack configuration sets Throttle_mode 2 for both unpackers, cunpack_common.h).
UNPACR_ADDRESS_CYCLES = 2
UNPACK_X4_BYTES_PER_CYCLE = 64
_BF16_TILE_UNPACK = UNPACR_ADDRESS_CYCLES + 32 * 32 * 2 / UNPACK_X4_BYTES_PER_CYCLE      # 34 cycles

# [WP] one p150 card (wolfpine 2.2 wheel, framework/perf/datasets/, 2026-08 sessions): cycles per
# matmul_tiles call, least-squares slope over 64..256 calls, mean of the unpack and math threads, of
# the primary run (tensixbench-blackhole.csv) and of its repeat (tensixbench-blackhole-2026-08-09.csv);
# aggregate DRAM read bandwidth with 120 readers over 8 banks, 4 KiB reads (dramratebench fanchan, 3
# repeats). tests/unit/perf/test_calibration.py recomputes them from the files when the wheel is present.
WP_MEASURED = {
    "matmul_tiles_cycles": {"tensixbench-blackhole.csv": {"LoFi": 34.69, "HiFi2": 52.24, "HiFi4": 85.83},
                            "tensixbench-blackhole-2026-08-09.csv": {"LoFi": 34.97, "HiFi2": 52.27,
                                                                     "HiFi4": 85.82}},
    "dram_read_gbs_120_readers": (306.7, 315.9, 322.8),
}


def matmul_tiles_fit(per_fidelity: dict) -> tuple[float, float]:
    """(cycles per fidelity phase, cycles per call): least squares of cycles per matmul_tiles call over
    the fidelity phases."""
    xs = [_PHASES[f] for f in per_fidelity]
    ys = list(per_fidelity.values())
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return slope, my - slope * mx

# Rows the [CAL] parameters were fitted to (least squares on the relative error of the device-based
# utilization, parameters bounded to physical ranges, see docs/perf-model.md); every other published
# row, including all of reference D.5 and the whole p150 11x10 table, is validation only.
CALIBRATION_ROWS = {
    "wormhole_b0": (("n150", 512, 512, 512, "HiFi2"), ("n150", 512, 1024, 1024, None),
                    ("n150", 1024, 1024, 2048, None), ("n150", 2048, 3072, 3072, None),
                    ("n150", 3072, 4096, 4096, None), ("n150", 8192, 8192, 8192, None)),
    "blackhole": (("p150", 640, 832, 832, "HiFi2"), ("p150", 640, 1664, 1664, None),
                  ("p150", 1280, 1664, 3328, None), ("p150", 2560, 3328, 4992, None),
                  ("p150", 3840, 4992, 6656, None), ("p150", 10240, 13312, 13312, None)),
}   # (card, M, K, N, fidelity or None for both HiFi2 and HiFi4)

WORMHOLE_B0 = CostTable(
    model="wormhole_b0", clock_ghz=1.0,                              # [D.1]
    mm_phase_cycles=16, fidelity_phases=_PHASES,                     # [D.4]
    mm_call_cycles=38.0,                                             # [CAL]
    # [ISA] bf16: an UNPACR's 2-cycle address phase + 2048 B at x4 (64 B/cycle, the LLK's Throttle_mode 2),
    # the same for both unpackers; Float32 [ASSUMED] twice the bytes, twice the cycles
    unpack_srca_cycles={"Float16_b": _BF16_TILE_UNPACK, "Float32": 2 * _BF16_TILE_UNPACK},
    unpack_srcb_cycles={"Float16_b": _BF16_TILE_UNPACK, "Float32": 2 * _BF16_TILE_UNPACK},
    # [CAL] bf16 ((1,w) vs (4,2) subblock rows); an exposed load of the tile: per format like the unpack
    unpack_reuse_cycles={"Float16_b": 74.0, "Float32": 148.0},
    pack_tile_cycles={"Float16_b": 40.0, "Float32": 80.0},           # [ASSUMED] 64 B/cycle, never binding in the rows
    pack_l1_acc_extra_cycles=32.0,                                   # [ASSUMED] read of the accumulated tile
    copy_math_cycles=16.0,                                           # [ASSUMED] datacopy, 4 faces x 4 rows of 8
    eltwise_math_cycles=8.0,                                         # [D.4] 8x16 per cycle: 1024 / 128
    sfpu_tile_cycles=256.0,                                          # [ASSUMED] no published SFPU rate
    dst_sync_cycles=11.0,                                            # [CAL]
    init_cycles=150.0,                                               # [ASSUMED] unpack+math+pack reconfiguration
    kernel_start_cycles=1240.0,                                      # [CAL]
    dram_read_bytes_per_cycle=23.4,                                  # [CAL] (bounds 15..32; [DM] reports 22)
    dram_write_bytes_per_cycle=21.0,                                 # [DM]
    mcast_bytes_per_cycle=31.5,                                      # [CAL] (bounds 15..32; [DM] linked 22)
    l1_copy_bytes_per_cycle=29.0,                                    # [DM] one to one
    noc_round_trip_cycles=200.0,                                     # [CAL] (at its lower bound 200)
    mcast_handshake_cycles=50.0,                                     # [CAL] (at its lower bound 50)
    sem_signal_cycles=50.0,                                          # [ASSUMED]
    page_issue_cycles=20.0,                                          # [ASSUMED] never binding for tile pages
    # an in-order RISC-V store in a loop (store, address add, compare-and-branch); a Tx.select tile the
    # mask crosses also evaluates the predicate twice per word, which this does not price
    l1_store_cycles=4.0,                                             # [ASSUMED]
    dram_bandwidth_gbs=267.0,                                        # [D.2] Wormhole u-benchmark, 92% of 288
    dispatch_seconds=3.5e-6,                                         # [D.5] 512^3 trace row: host - device time
)

BLACKHOLE = CostTable(
    model="blackhole", clock_ghz=1.35,                               # [D.1]
    mm_phase_cycles=16, fidelity_phases=_PHASES,                     # [D.4]
    mm_call_cycles=18.0,                                             # [WP] matmul_tiles intercept
    # [CAL] bf16, the same for both unpackers (as the ISA has them); the rows fit any (s, reuse) on a line
    # from (20, 47) to (30, 7): the end nearest [WP]'s bound (a SrcA + SrcB pair within 34.9 cycles).
    # Float32 [ASSUMED] x2
    unpack_srca_cycles={"Float16_b": 30.0, "Float32": 60.0},
    unpack_srcb_cycles={"Float16_b": 30.0, "Float32": 60.0},
    unpack_reuse_cycles={"Float16_b": 7.0, "Float32": 14.0},         # [CAL] bf16; per format as above
    pack_tile_cycles={"Float16_b": 40.0, "Float32": 80.0},           # [ASSUMED]
    pack_l1_acc_extra_cycles=32.0,                                   # [ASSUMED]
    copy_math_cycles=16.0,                                           # [ASSUMED]
    eltwise_math_cycles=8.0,                                         # [D.4]
    sfpu_tile_cycles=256.0,                                          # [ASSUMED]
    dst_sync_cycles=56.0,                                            # [CAL]
    init_cycles=150.0,                                               # [ASSUMED]
    kernel_start_cycles=3180.0,                                      # [CAL]
    dram_read_bytes_per_cycle=42.0,                                  # [CAL] (bounds 24..64; [DM] reports 33)
    dram_write_bytes_per_cycle=34.0,                                 # [DM]
    mcast_bytes_per_cycle=60.7,                                      # [CAL] (bounds 24..64; [DM] linked 41)
    l1_copy_bytes_per_cycle=60.0,                                    # [DM] one to one
    noc_round_trip_cycles=458.0,                                     # [CAL]
    mcast_handshake_cycles=126.0,                                    # [CAL]
    sem_signal_cycles=50.0,                                          # [ASSUMED]
    page_issue_cycles=20.0,                                          # [ASSUMED]
    l1_store_cycles=4.0,                                             # [ASSUMED]
    dram_bandwidth_gbs=344.0,                                        # [D.2] arbitrary cores, 67% of 512
    dispatch_seconds=3.5e-6,                                         # [D.5] (Wormhole row; assumed the same)
)

COSTS = {"wormhole_b0": WORMHOLE_B0, "blackhole": BLACKHOLE}

# SFPU cycles per 32x32 tile (32 SFPU vector ops of 32 lanes) of each routine a kernel can run, bf16 DST, both
# chips (the published per-op figures of the two agree within a few percent); a routine not listed costs the
# table's sfpu_tile_cycles. Sources:
#   [SFPU:48925] tenstorrent/tt-metal PR #48925, tt-llk perf suite MATH_ISOLATE cycles/tile, Wormhole, main;
#   [SFPU:43569] tenstorrent/tt-metal issue #43569 (the accurate bf16 exp, ~1150 cycles/tile);
#   [SFPU:44393] tenstorrent/tt-metal issue #44393 (log: 45 cycles per 32 elements in bf16, x 32 per tile);
#   [SFPU:57292] tenstorrent/tt-metal PR #57292 (abs, one SFPU instruction per element: 146 cycles/tile on
#                main, Blackhole), the cost of every one-instruction routine here: [ASSUMED] by analogy;
#   [SFPU:55714] tenstorrent/tt-metal PR #55714 (static counts: silu issues 46 instructions per 32 datums on
#                Wormhole, bf16 DST; with [SFPU:48925]'s 1432 cycles/tile that is ~1 cycle per instruction per
#                vector op), the rate a routine priced by its instruction count gets here.
SFPU_ROUTINE_CYCLES = {
    "exp": 1150.0,                 # [SFPU:43569]
    "exp2": 920.0,                 # [SFPU:48925]
    "silu": 1432.0,                # [SFPU:48925]
    "log": 1440.0,                 # [SFPU:44393]
    # [ASSUMED] ~35 instructions per 32 datums (counted in the 0.81.1 _calculate_sqrt_body_<false, true>: seed,
    # cubic correction, Newton step, the zero / inf / negative guards, bf16 conversion) x 32 at [SFPU:55714]'s rate
    "rsqrt": 1100.0,
    "relu": 146.0,                 # [SFPU:57292] [ASSUMED] one instruction per element, like abs
    "binop_with_scalar": 146.0,    # [SFPU:57292] [ASSUMED] one multiply-add per element
    "fill": 146.0,                 # [SFPU:57292] [ASSUMED]
    "binary_max": 292.0,           # [ASSUMED] two tiles loaded per element: twice a one-instruction routine
    "binary_min": 292.0,           # [ASSUMED]
    # ckernel_sfpu_where.h (0.81.1 tt-llk): "4 cycles per input row of 32 values" (3 in place), 32 rows
    "where": 128.0,
}
# FPU reduce: the unpacker's SrcA / SrcB pair as an element-wise op, the math one GAPOOL / GMPOOL pass per
# face plus, for a row reduce, the transposes of the LLK (llk_math_reduce.h): [ASSUMED] twice an ELW op.
REDUCE_MATH_FACTOR = 2.0


def costs(model: str) -> CostTable:
    try:
        return COSTS[model]
    except KeyError:
        raise KeyError(f"no cost table for model {model!r}; known: {', '.join(COSTS)}") from None
