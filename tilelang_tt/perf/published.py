"""tt-metal's published GEMM measurements and the configurations it measured (model validation data).

Source: tenstorrent/tt-metal tech_reports/GEMM_FLOPS/GEMM_FLOPS.md @06bd3735 ("Manually Tuned
Configurations" tables; reference/metalium-api.md D.5 quotes the headline rows). The numbers are the
"Device based utilization" column: ideal cycles / TRISC1 (math thread) kernel duration from the device
profiler, i.e. device time without host dispatch, on the full grid the row names.

The configuration of each row comes from the benchmark the report runs,
tests/ttnn/unit_tests/benchmarks/test_benchmark.py::test_matmul_2d_host_perf (the version whose
`matmul_shapes_bfloat16` table lists exactly the report's shapes, including the (416, 320, 320) "P150
square"): a table of per-1x1-grid shapes (m, k, n, in0_sharded, out_sharded, in0_block_w_div,
num_out_blocks_h, num_out_blocks_w) scaled by the grid (m by rows, k and n by columns), run with
MatmulMultiCoreReuseMultiCastProgramConfig(in0_block_w = k / cols / 32 / in0_block_w_div,
per_core_M = m / rows / 32, per_core_N = n / cols / 32, out_block = per_core / num_out_blocks,
subblock = first of (4,2),(2,4),(8,1),(1,8),(7,1),(1,7),(3,2),(2,3),(6,1),(1,6),(5,1),(1,5),(2,2),(4,1),
(1,4),(3,1),(1,3),(2,1),(1,2),(1,1) that divides the out block, with h = 1 when the output is
sharded) and WormholeComputeKernelConfig(fp32_dest_acc_en=False, packer_l1_acc=True). in1 is always in
DRAM; in0 and the output are block-sharded in L1 when the row says so.

The block-float rows (reference D.5: BFLOAT8_B / BFLOAT4_B) ran the same benchmark with the dtype's own
shape table (`matmul_shapes_bfloat8_b` / `matmul_shapes_bfloat4_b`) and the dtype on in0, in1 and the
output (`ttnn.from_torch(..., dtype=dtype)` for both inputs, `ttnn.matmul(..., dtype=dtype)`), the same
compute config; so every operand, the output included, is Bfp8_b / Bfp4_b, while the L1-accumulated
partials are Float16_b in their own CB (perf/matmul.py `tt_partials_format`).

Mapping to our schedule: tt-metal's per-core region of per_core_M x per_core_N tiles cut into out blocks
is, in work per core, our multicast schedule with blocks of out_block_h x out_block_w tiles dealt to the
grid in rounds (each core gets the same number of blocks of the same size, every block with the full K
loop), with packer L1 accumulation (`accumulate="l1_acc"`) and tt-metal's storage (`in0_source`,
`out_dest`).
"""
from __future__ import annotations

from dataclasses import dataclass

from .matmul import MatmulParams

SUBBLOCK_ORDER = ((4, 2), (2, 4), (8, 1), (1, 8), (7, 1), (1, 7), (3, 2), (2, 3), (6, 1), (1, 6), (5, 1),
                  (1, 5), (2, 2), (4, 1), (1, 4), (3, 1), (1, 3), (2, 1), (1, 2), (1, 1))

# test_benchmark.py matmul_shapes_bfloat16: per 1x1 grid (m, k, n, in0_sharded, out_sharded,
# in0_block_w_div, num_out_blocks_h, num_out_blocks_w).
SHAPES_BF16 = (
    (64, 64, 64, True, True, 1, 1, 1),
    (64, 128, 128, True, True, 1, 1, 1),
    (64, 128, 256, True, True, 1, 1, 1),
    (128, 128, 128, True, True, 1, 1, 1),
    (128, 128, 256, True, True, 1, 1, 1),
    (128, 256, 256, True, True, 1, 1, 1),
    (256, 256, 256, True, True, 1, 1, 1),
    (256, 256, 384, True, True, 1, 1, 1),
    (256, 384, 384, True, True, 2, 1, 1),
    (384, 384, 384, True, True, 4, 1, 1),
    (384, 384, 512, False, False, 2, 1, 1),
    (384, 512, 512, False, False, 2, 1, 1),
    (416, 320, 320, False, False, 1, 1, 1),
    (512, 512, 512, False, False, 1, 2, 2),
    (1024, 1024, 1024, False, False, 2, 4, 4),
    (2048, 2048, 2048, False, False, 4, 8, 8),
)

# The same benchmark's block-float tables (the version with the P150 square, which holds every D.5 shape;
# the n150's 16384^3 rows ran (2048, 2048, 2048, False, False, 4, 8, 8) / (..., 4, 4, 4) of its 8x8-scaled
# predecessor, the same rows per 1x1 grid).
SHAPES_BFP8 = (
    (256, 256, 256, True, True, 1, 1, 1),
    (384, 384, 512, True, True, 2, 1, 1),
    (1024, 1024, 1024, False, False, 2, 4, 4),
    (2048, 2048, 2048, False, False, 4, 8, 8),
)
SHAPES_BFP4 = (
    (384, 384, 512, True, True, 1, 1, 1),
    (512, 512, 512, True, True, 2, 1, 1),
    (1024, 1024, 1024, False, False, 2, 2, 2),
    (2048, 2048, 2048, False, False, 4, 4, 4),
)
_SHAPES = {"BFLOAT16": SHAPES_BF16, "BFLOAT8_B": SHAPES_BFP8, "BFLOAT4_B": SHAPES_BFP4}
# tt-metal DataType -> TT-Metalium DataFormat of the tensors it creates
DATA_FORMAT = {"BFLOAT16": "Float16_b", "BFLOAT8_B": "Bfp8_b", "BFLOAT4_B": "Bfp4_b"}


@dataclass(frozen=True)
class Measurement:
    card: str              # "n150" / "p150" (13x10 grid) / "p150 11x10"
    model: str             # chip model of target.py
    grid: tuple[int, int]  # (cols, rows) the benchmark ran on
    M: int
    K: int
    N: int
    dtype: str             # tt-metal DataType name: BFLOAT16, BFLOAT8_B, BFLOAT4_B
    fidelity: str
    storage: str           # "L1 sharded" (in0 and output) or "DRAM"
    device_util: float     # percent, vs the row's grid
    headline: bool         # quoted in reference/metalium-api.md D.5

    @property
    def name(self) -> str:
        return f"{self.card} {self.M}x{self.K}x{self.N} {self.dtype} {self.fidelity}"


# (M, K, N) -> (HiFi2, HiFi4) device utilization %, BF16, manually tuned, from GEMM_FLOPS.md.
_N150_BF16 = {
    (512, 512, 512): (22.62, 44.07), (512, 1024, 1024): (32.77, 64.02), (512, 1024, 2048): (34.45, 66.08),
    (1024, 1024, 1024): (49.69, 79.19), (1024, 1024, 2048): (55.15, 82.43),
    (1024, 2048, 2048): (57.70, 85.07), (2048, 2048, 2048): (64.88, 89.65),
    (2048, 2048, 3072): (64.52, 90.21), (2048, 3072, 3072): (65.50, 92.04),
    (3072, 3072, 3072): (64.56, 92.41), (3072, 3072, 4096): (74.19, 91.69),
    (3072, 4096, 4096): (75.09, 92.18), (3328, 2560, 2560): (63.14, 89.41),
    (4096, 4096, 4096): (59.50, 83.21), (8192, 8192, 8192): (66.47, 88.69),
    (16384, 16384, 16384): (71.34, 91.45),
}
_P150_BF16 = {
    (640, 832, 832): (20.59, 41.34), (640, 1664, 1664): (44.56, 76.58), (640, 1664, 3328): (54.64, 81.82),
    (1280, 1664, 1664): (73.03, 85.19), (1280, 1664, 3328): (78.10, 88.02),
    (1280, 3328, 3328): (82.50, 90.53), (2560, 3328, 3328): (87.05, 93.17),
    (2560, 3328, 4992): (87.71, 93.49), (2560, 4992, 4992): (88.81, 94.08),
    (3840, 4992, 4992): (88.42, 93.83), (3840, 4992, 6656): (89.60, 94.53),
    (3840, 6656, 6656): (90.24, 94.88), (4160, 4160, 4160): (88.30, 93.82),
    (5120, 6656, 6656): (80.37, 90.36), (10240, 13312, 13312): (85.15, 92.98),
    (20480, 26624, 26624): (88.66, 94.44),
}
# The same benchmark on a p150 limited to 11x10 cores (the grid of current firmware, our default).
_P150_11x10_BF16 = {
    (640, 704, 704): (20.25, 40.32), (640, 1408, 1408): (43.93, 75.82), (640, 1408, 2816): (55.22, 81.28),
    (1280, 1408, 1408): (72.29, 84.70), (1280, 1408, 2816): (77.39, 87.58),
    (1280, 2816, 2816): (82.01, 90.26), (2560, 2816, 2816): (86.69, 92.96),
    (2560, 2816, 4224): (87.30, 93.27), (2560, 4224, 4224): (88.61, 93.97),
    (3840, 4224, 4224): (88.24, 93.74), (3840, 4224, 5632): (89.47, 94.46),
    (3840, 5632, 5632): (90.05, 94.78), (4160, 3520, 3520): (87.60, 93.44),
    (5120, 5632, 5632): (80.52, 90.38), (10240, 11264, 11264): (85.14, 92.94),
    (20480, 22528, 22528): (88.62, 94.40),
}
# Rows quoted in reference/metalium-api.md D.5 (the validation set).
_HEADLINE = {
    ("n150", 2048, 2048, 2048, "HiFi4"), ("n150", 3072, 3072, 3072, "HiFi4"),
    ("n150", 16384, 16384, 16384, "HiFi4"), ("n150", 2048, 2048, 2048, "HiFi2"),
    ("n150", 16384, 16384, 16384, "HiFi2"), ("n150", 1024, 1024, 1024, "HiFi4"),
    ("n150", 512, 512, 512, "HiFi4"),
    ("p150", 2560, 4992, 4992, "HiFi4"), ("p150", 3840, 6656, 6656, "HiFi4"),
    ("p150", 20480, 26624, 26624, "HiFi4"), ("p150", 2560, 4992, 4992, "HiFi2"),
}
# The D.5 rows in block-float formats (card, M, K, N, dtype, fidelity, device utilization %): all of the
# report's block-float rows that D.5 quotes, validated like the BF16 rows (perf/validation.py).
BLOCK_FLOAT_D5 = (
    ("n150", 2048, 2048, 2048, "BFLOAT8_B", "HiFi2", 84.56),
    ("n150", 3072, 3072, 4096, "BFLOAT8_B", "HiFi2", 89.18),
    ("n150", 16384, 16384, 16384, "BFLOAT8_B", "HiFi2", 86.65),
    ("n150", 16384, 16384, 16384, "BFLOAT8_B", "LoFi", 69.49),
    ("n150", 3072, 3072, 4096, "BFLOAT4_B", "LoFi", 85.47),
    ("n150", 16384, 16384, 16384, "BFLOAT4_B", "LoFi", 84.75),
    ("p150", 3840, 4992, 6656, "BFLOAT8_B", "HiFi2", 90.75),
    ("p150", 10240, 13312, 13312, "BFLOAT8_B", "HiFi2", 89.06),
    ("p150", 3840, 4992, 6656, "BFLOAT8_B", "LoFi", 87.51),
    ("p150", 10240, 13312, 13312, "BFLOAT4_B", "LoFi", 89.29),
    ("p150", 5120, 6656, 6656, "BFLOAT4_B", "LoFi", 89.47),
)

_CARDS = {"n150": ("wormhole_b0", (8, 8), _N150_BF16), "p150": ("blackhole", (13, 10), _P150_BF16),
          "p150 11x10": ("blackhole", (11, 10), _P150_11x10_BF16)}


def _shape_config(card: str, M: int, K: int, N: int, dtype: str = "BFLOAT16"):
    _, (cols, rows), _ = _CARDS[card]
    for s in _SHAPES[dtype]:
        if (s[0] * rows, s[1] * cols, s[2] * cols) == (M, K, N):
            return s
    raise KeyError(f"{card} {M}x{K}x{N} is not a shape of the benchmark's {dtype} table")


def measurements(headline_only: bool = False, block_float: bool = True) -> list[Measurement]:
    """The published BF16 rows (both fidelities, both cards) in table order, then the block-float rows
    of D.5 (all headline rows) unless `block_float` is False."""
    rows = []
    for card, (model, grid, table) in _CARDS.items():
        for (M, K, N), utils in table.items():
            storage = "L1 sharded" if _shape_config(card, M, K, N)[3] else "DRAM"
            for fid, util in zip(("HiFi2", "HiFi4"), utils):
                head = (card, M, K, N, fid) in _HEADLINE
                if head or not headline_only:
                    rows.append(Measurement(card, model, grid, M, K, N, "BFLOAT16", fid, storage, util, head))
    if block_float:
        for card, M, K, N, dtype, fid, util in BLOCK_FLOAT_D5:
            model, grid, _ = _CARDS[card]
            storage = "L1 sharded" if _shape_config(card, M, K, N, dtype)[3] else "DRAM"
            rows.append(Measurement(card, model, grid, M, K, N, dtype, fid, storage, util, True))
    return rows


def first_subblock(h_tiles: int, w_tiles: int, out_sharded: bool, fp32_acc: bool = False) -> tuple[int, int]:
    """tt-metal's benchmark subblock choice (get_subblock_sizes)."""
    for h, w in SUBBLOCK_ORDER:
        if fp32_acc and h * w > 4:
            continue
        if out_sharded and (w_tiles % w or h != 1):
            continue
        if h_tiles % h == 0 and w_tiles % w == 0:
            return h, w
    return 1, 1


def measured_config(m: Measurement, **overrides) -> MatmulParams:
    """Our matmul schedule with the configuration tt-metal measured for row `m` (module docstring)."""
    _, sk, _, in0_sharded, out_sharded, div, nbh, nbw = _shape_config(m.card, m.M, m.K, m.N, m.dtype)
    fmt = DATA_FORMAT[m.dtype]
    cols, rows = m.grid
    per_core_m, per_core_n = m.M // rows // 32, m.N // cols // 32
    in0_block_w = m.K // cols // 32 // div
    bh, bw = per_core_m // nbh, per_core_n // nbw
    p = MatmulParams(M=m.M, N=m.N, K=m.K, grid=m.grid, per_core_M=bh, per_core_N=bw, in0_block_w=in0_block_w,
                     subblock=first_subblock(bh, bw, out_sharded), variant="multicast", dtype="bfloat16",
                     fp32_acc=False, fidelity=m.fidelity, model=m.model, accumulate="l1_acc", program="tt-metal",
                     in0_source="l1_sharded" if in0_sharded else "dram",
                     out_dest="l1_sharded" if out_sharded else "dram",
                     **({} if fmt == "Float16_b" else {"in0_format": fmt, "in1_format": fmt, "out_format": fmt}))
    if overrides:
        from dataclasses import replace
        p = replace(p, **overrides)
    return p
