"""C = A @ B <op> bias with a (1, N) bias row in every matmul schedule (docs/schedules.md, "Epilogue"):
every schedule x chip x partial-sum strategy x accumulation format on a ragged shape against numpy
within sample_bounds.matmul_bias_row, sub and mul, auto picking a fast schedule where it pays, and the
structure of the reads: each core reads each bias tile it needs once per block."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import numerics, sample_bounds, samples
from tilelang_tt.schedule.matmul import CB_EPILOGUE, CB_STAGE

BF16 = ml_dtypes.bfloat16
CHIPS = ["tenstorrent/wormhole_b0", "tenstorrent/blackhole"]
# M = 100, N = 200 are ragged (4 x 7 tiles, the last block column holds 3 of 4 tiles); K = 100 -> 4 K
# blocks of one tile, so l1_acc has blocks to accumulate
SCHEDULES = {
    "blocked": dict(grid=(2, 1), per_core_m=2, per_core_n=2, in0_block_w=1, subblock_h=1, subblock_w=1),
    "subblocked": dict(grid=(2, 1), per_core_m=2, per_core_n=4, in0_block_w=1, subblock_h=1, subblock_w=2),
    "multicast": dict(grid=(2, 2), per_core_m=2, per_core_n=4, in0_block_w=1, subblock_h=2, subblock_w=2),
}


def _run(M, N, K, target, op="add", accum="float32", seed=0, blocks=(32, 64, 32), **options):
    kernel = tilelang_tt.compile(samples.matmul_bias_row(M, N, K, *blocks, accum_dtype=accum, op=op),
                                 target=target, out_idx=3, **options)
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(-1, 1, (M, K)).astype(BF16), rng.uniform(-1, 1, (K, N)).astype(BF16)
    bias = rng.uniform(-1, 1, (1, N)).astype(BF16)
    c = np.asarray(kernel(a, b, bias))
    assert c.shape == (M, N)
    chk = numerics.check_bounded(c, sample_bounds.matmul_bias_row(a, b, bias, "bfloat16", accum == "float32", op))
    assert chk.ok, f"{M}x{N}x{K} {op} {kernel.program.schedule_description}: {chk}"
    return kernel


def _cases():
    """Every schedule x partials with fp32 accumulation on Wormhole, reload on Blackhole, bf16
    accumulation with reload on Wormhole in `make test`; the other combinations in the slow tier."""
    for schedule in SCHEDULES:
        for target in CHIPS:
            for partials in ("reload", "l1_acc"):
                for accum in ("float32", "bfloat16"):
                    fast = (target == CHIPS[0] and (accum == "float32" or partials == "reload")) or \
                           (partials == "reload" and accum == "float32")
                    yield pytest.param(schedule, target, partials, accum, marks=[] if fast else [pytest.mark.slow],
                                       id=f"{schedule}-{target.split('/')[1]}-{partials}-{accum}")


@pytest.mark.parametrize("schedule,target,partials,accum", list(_cases()))
def test_bias_row_every_schedule(schedule, target, partials, accum):
    k = _run(100, 200, 100, target, accum=accum, schedule=schedule, partials=partials, **SCHEDULES[schedule])
    assert k.program.schedule_description.startswith(schedule) and partials in k.program.schedule_description


@pytest.mark.parametrize("partials", ["reload", "l1_acc"])
@pytest.mark.parametrize("target", CHIPS)
def test_bias_row_padded_block_edges(target, partials):
    # 150 x 150 in 32-wide kernel blocks: 5 x 5 tiles, so 2 x 2 per-core blocks overhang M and N; the
    # reader skips the bias tiles past N, the compute applies the row to the whole block
    _run(150, 150, 130, target, blocks=(32, 32, 32), schedule="multicast", partials=partials,
         **dict(SCHEDULES["multicast"], subblock_h=1, subblock_w=2, per_core_n=2))


@pytest.mark.parametrize("op", ["sub", "mul"])
def test_bias_row_sub_and_mul(op):
    _run(96, 256, 64, CHIPS[0], op=op, schedule="multicast", **SCHEDULES["multicast"])


def test_one_k_block_and_naive_agree_in_shape():
    # one K block (no partials), one tile of everything, and the naive schedule's spill path
    _run(33, 65, 31, CHIPS[0], schedule="subblocked")
    _run(33, 65, 31, CHIPS[1], schedule="naive")


def test_auto_picks_a_fast_schedule_where_it_pays():
    k = _run(512, 512, 256, CHIPS[0])
    assert k.program.schedule_description.split(":")[0] in ("blocked", "subblocked", "multicast")


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_each_core_reads_each_bias_tile_once_per_block(schedule):
    """The bias row travels once per output block: per_core_n tiles (the valid ones at the ragged right
    edge), not once per M tile or subblock. Counted from the generated kernels (device program tallies),
    against the block geometry: Mt = 6, Nt = 5, 2x2 cores."""
    from tilelang_tt.codegen import device_program
    from tilelang_tt.passes import lower_to_tt

    over = dict(SCHEDULES[schedule], grid=(2, 2))
    pm, pn = over["per_core_m"], over["per_core_n"]
    prog = device_program(lower_to_tt(samples.matmul_bias_row(192, 160, 64, 32, 32, 32), schedule=schedule,
                                      **over))
    mt, nt, (cols, rows) = 6, 5, over["grid"]
    rounds_y = -(-(-(-mt // pm)) // rows)
    rounds_x = -(-(-(-nt // pn)) // cols)
    for (x, y) in prog.cores:
        reads = sum(t.get(("dram_read", "Bias"), 0) for t in prog.core_tally((x, y)).values())
        per_block = [max(0, min(pn, nt - (rx * cols + x) * pn)) for rx in range(rounds_x)]
        assert reads == rounds_y * sum(per_block), ((x, y), reads, per_block)
    # one bias CB of two blocks of per_core_n tiles (the next block's row arrives during this one)
    cb = next(c for c in prog.cbs if c.index == CB_EPILOGUE)
    assert (cb.num_pages, cb.block_pages) == (2 * pn, pn)
    assert any(c.index == CB_STAGE for c in prog.cbs)
