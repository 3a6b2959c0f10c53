"""The generated programs the real-header tier checks: every golden of the default profile and every
sample kernel factory of tilelang_tt.samples in the variants that change the generated code, for both
chips. Kernels come from the programs' plan.json (realapi.project), so new kernel roles are covered
without naming them here."""
from __future__ import annotations

import functools
from pathlib import Path

from tilelang_tt import samples
from tilelang_tt.codegen import DEFAULT_PROFILE

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "codegen"
CHIPS = ("wormhole_b0", "blackhole")

# name -> sample factory call, or (call, compile options); one entry per distinct shape of generated code
SAMPLES = {
    "matmul_bf16_fp32acc": lambda: samples.matmul(128, 128, 128),
    "matmul_bf16_bf16acc": lambda: samples.matmul(128, 128, 64, accum_dtype="bfloat16"),
    "matmul_fp32": lambda: samples.matmul(64, 64, 64, 32, 32, 32, dtype="float32"),
    "eltwise_add": lambda: samples.eltwise("add", 64, 128),
    "eltwise_sub": lambda: samples.eltwise("sub", 64, 128),
    "eltwise_mul": lambda: samples.eltwise("mul", 64, 128),
    "unary_exp_sqrt_recip": lambda: samples.unary_chain(64, 128),
    "unary_silu_relu_exp": lambda: samples.unary_chain(64, 128, ops=("silu", "relu", "exp")),
    "matmul_bias_relu": lambda: samples.matmul_bias_relu(128, 128, 128),
    # kernels beyond matmul (docs/ops.md): reduce (every PoolType / ReduceDim, the scaler fill), broadcasts
    # (rows / cols / scalar via the samples), scalar operands, results in L1, spills, both data formats
    "softmax_bf16": lambda: samples.softmax(64, 128),
    "softmax_fp32": lambda: samples.softmax(64, 128, dtype="float32"),
    "layernorm_bf16": lambda: samples.layernorm(64, 128),
    "rmsnorm_fp32": lambda: samples.rmsnorm(64, 128, dtype="float32"),
    "matmul_bias_row": (lambda: samples.matmul_bias_row(64, 128, 64), dict(schedule="naive")),
    "reduce_sum_rows": lambda: samples.reduce("sum", "row", 64, 128),
    "reduce_max_cols": lambda: samples.reduce("max", "col", 64, 128),
    "reduce_max_all_fp32": lambda: samples.reduce("max", "all", 64, 128, dtype="float32"),
    "softmax_long_rows": lambda: samples.softmax(64, 1024),       # DST-sized chunks
    "attention_bf16": lambda: samples.attention(128, 64),        # gemm -> L1 -> softmax -> gemm
    # online softmax: compute regions inside a serial loop, state carried in CBs across its iterations
    "flash_attention_bf16": lambda: samples.flash_attention(256, 64),
    "flash_attention_causal_fp32": lambda: samples.flash_attention(128, 64, dtype="float32", causal=True),
    "eltwise_breadth": lambda: samples.eltwise_breadth(64, 64),   # scalar ops, fdiv, max / min, exp2, spills
    "fma_bf16": lambda: samples.fma(64, 64),                      # mul_tiles + add dest reuse, scalar forms
    "fma_fp32": lambda: samples.fma(64, 64, dtype="float32"),
    "cast_bf16": lambda: samples.cast(64, 64),                    # format hand-offs: pack / SrcA reconfigs
    "cast_fp32": lambda: samples.cast(64, 64, dtype="float32"),
    "reduce_min_rows": lambda: samples.reduce("min", "row", 64, 128),     # -max(-x): negation CB, MAX, negate
    "reduce_min_all_fp32": lambda: samples.reduce("min", "all", 64, 128, dtype="float32"),
    "unary_exp_log2_exp2": lambda: samples.unary_chain(64, 128, ops=("exp", "log2", "exp2")),  # log_tile + scalar mul
    "unary_exp_rsqrt_log": lambda: samples.unary_chain(64, 128, ops=("exp", "rsqrt", "log")),  # TTx: rsqrt.h, log_tile
    "unary_exp_rsqrt_log_fp32": lambda: samples.unary_chain(64, 128, ops=("exp", "rsqrt", "log"), dtype="float32"),
    "reduce_min_rows_ragged": lambda: samples.reduce("min", "row", 40, 37),      # the reader's +inf mask, half words
    "reduce_min_cols_ragged_fp32": lambda: samples.reduce("min", "col", 45, 64, dtype="float32"),
    # Tx.select masks (analysis/masks.py): the reader's predicate loops and 32-bit mask stores, where_tile
    # with both DataFormat template arguments, a chunked select region
    "masked_band_bf16": lambda: samples.masked(64, 80, "band"),
    "masked_causal_fp32": lambda: samples.masked(32, 512, "causal", fill=-3.5, dtype="float32"),
    "attention_causal": lambda: samples.attention(128, 64, causal=True),
    # reductions over ragged axes (analysis/padding.py): partial scaler tiles, the reader's -inf mask
    # (bf16 half-word stores at an odd boundary, fp32 words)
    "softmax_ragged_bf16": lambda: samples.softmax(40, 50),
    "layernorm_ragged_fp32": lambda: samples.layernorm(33, 100, dtype="float32"),
    "rmsnorm_ragged_bf16": lambda: samples.rmsnorm(7, 20),
    "reduce_max_cols_ragged_fp32": lambda: samples.reduce("max", "col", 45, 64, dtype="float32"),
    "reduce_sum_cols_ragged": lambda: samples.reduce("sum", "col", 45, 64),
    # the matmul schedules (docs/schedules.md): every kernel role, matmul_block, semaphores, multicast,
    # both partial-sum strategies, the fused epilogue
    "matmul_naive": (lambda: samples.matmul(128, 128, 128), dict(schedule="naive")),
    "matmul_blocked": (lambda: samples.matmul(256, 256, 256), dict(schedule="blocked", grid=(2, 2))),
    "matmul_subblocked_reload": (lambda: samples.matmul(256, 256, 256),
                                 dict(schedule="subblocked", grid=(2, 2), partials="reload")),
    "matmul_multicast_l1acc": (lambda: samples.matmul(256, 256, 256),
                               dict(schedule="multicast", grid=(2, 2), partials="l1_acc")),
    "matmul_multicast_row": (lambda: samples.matmul(64, 512, 64), dict(schedule="multicast", grid=(8, 1))),
    "matmul_bias_relu_multicast": (lambda: samples.matmul_bias_relu(256, 256, 256),
                                   dict(schedule="multicast", grid=(2, 2), partials="l1_acc")),
    "matmul_bias_relu_multicast_reload": (lambda: samples.matmul_bias_relu(256, 256, 256),
                                          dict(schedule="multicast", grid=(2, 2), partials="reload")),
    # a (1, N) bias row: read once per block, packed to the stage CB, add_tiles_bcast_rows back into DST
    "matmul_bias_row_multicast": (lambda: samples.matmul_bias_row(256, 256, 256),
                                  dict(schedule="multicast", grid=(2, 2), per_core_m=4, per_core_n=4,
                                       subblock_h=2, subblock_w=2, partials="l1_acc")),
    "matmul_bias_row_blocked_bf16acc": (lambda: samples.matmul_bias_row(192, 160, 128, accum_dtype="bfloat16",
                                                                        op="sub"),
                                        dict(schedule="blocked", grid=(2, 2))),
    # residual epilogues: C read before it is overwritten, B read as matmul input and epilogue operand
    # (one accessor each)
    "matmul_residual_multicast": (lambda: samples.matmul_residual(256, 256, 256, ("add", "relu"), "C"),
                                  dict(schedule="multicast", grid=(2, 2), partials="l1_acc")),
    "matmul_residual_b_blocked": (lambda: samples.matmul_residual(256, 128, 256, ("mul",), "B"),
                                  dict(schedule="blocked", grid=(2, 2))),
    # block-float storage (option storage): Bfp8_b / Bfp4_b input CBs, their unpack formats in the JIT's
    # descriptor headers, the reconfig calls around them, 1088 / 576-byte pages
    "matmul_bfp8_b_multicast": (lambda: samples.matmul(256, 256, 256),
                                dict(schedule="multicast", grid=(2, 2), partials="reload", storage={"B": "bfp8_b"})),
    "matmul_bfp4_b_ab_naive": (lambda: samples.matmul(128, 128, 128),
                               dict(schedule="naive", storage={"A": "bfp4_b", "B": "bfp4_b"})),
    "matmul_bias_relu_bfp8_b_subblocked": (lambda: samples.matmul_bias_relu(256, 256, 256),
                                           dict(schedule="subblocked", grid=(2, 2), partials="l1_acc",
                                                storage={"B": "bfp8_b", "D": "bfp8_b"})),
    # transpose_B (B stored (N, K)): the B reader's (n, k) tile ids, matmul_block_init / matmul_block with the
    # release's transpose flag (multicast, ragged), matmul_init's flag and a bias row (blocked)
    "matmul_tb_multicast_ragged": (lambda: samples.matmul(200, 232, 130, 32, 32, 32, transpose_b=True),
                                   dict(schedule="multicast", grid=(2, 2), subblock_h=2, subblock_w=2)),
    "matmul_tb_bias_row_blocked": (lambda: samples.matmul_bias_row(128, 128, 128, transpose_b=True),
                                   dict(schedule="blocked", grid=(2, 2))),
}


def golden_programs() -> dict[str, dict[str, str]]:
    out = {}
    for case in sorted(p.name for p in GOLDEN.iterdir() if (p / DEFAULT_PROFILE).is_dir()):
        out[f"golden/{case}"] = {p.name: p.read_text() for p in (GOLDEN / case / DEFAULT_PROFILE).iterdir()}
    return out


# What `make test` checks on the second chip and for host programs on a cold machine (every sample's kernels
# on Wormhole, these on Blackhole, these hosts): one sample per construct family; the slow tier (`-m slow`)
# checks the rest. A sample added to SAMPLES is checked on Wormhole at once (unless it is in WORMHOLE_SLOW); add
# it here when it brings a construct no listed sample has.
REPRESENTATIVE = ("matmul_bf16_fp32acc", "eltwise_add", "unary_silu_relu_exp", "softmax_bf16", "layernorm_bf16",
                  "reduce_max_all_fp32", "attention_bf16", "eltwise_breadth", "fma_bf16", "cast_fp32",
                  "reduce_min_rows", "unary_exp_log2_exp2", "unary_exp_rsqrt_log", "masked_band_bf16",
                  "softmax_ragged_bf16", "reduce_sum_cols_ragged",
                  "matmul_multicast_l1acc", "matmul_bias_relu_multicast_reload", "matmul_residual_multicast",
                  "matmul_bfp8_b_multicast", "matmul_bias_row_multicast", "matmul_tb_multicast_ragged")
# (chip, samples) per tier of the sample checks: the default tier's, then the slow tier's remainder
# Samples whose API calls and kernel shapes a default-tier sample already compiles on Wormhole too (the fp32 twin
# of a bf16 sample, a second schedule of the same flag): checked on Wormhole in the slow tier only.
WORMHOLE_SLOW = ("flash_attention_bf16", "unary_exp_rsqrt_log_fp32", "reduce_min_cols_ragged_fp32",
                 "masked_causal_fp32", "matmul_tb_bias_row_blocked")
SAMPLE_TIERS = (("wormhole_b0", tuple(n for n in SAMPLES if n not in WORMHOLE_SLOW)), ("blackhole", REPRESENTATIVE))
SLOW_SAMPLE_TIERS = (("wormhole_b0", WORMHOLE_SLOW),
                     ("blackhole", tuple(n for n in SAMPLES if n not in REPRESENTATIVE)))


@functools.lru_cache(maxsize=None)
def sample_program(name: str, chip: str) -> dict[str, str]:
    import tilelang_tt
    entry = SAMPLES[name]
    factory, options = entry if isinstance(entry, tuple) else (entry, {})
    kernel = tilelang_tt.compile(factory(), target=f"tenstorrent/{chip}", **options)
    return dict(kernel.sources)
