"""C = A @ B^T with B stored (N, K) (`Tx.gemm(..., transpose_B=True)`, a linear layer's weight) in every
fast matmul schedule (docs/schedules.md, "Transposed B"): numbers against numpy on both chips, bf16 and
fp32 accumulation, a ragged shape, the bias-row and element-wise epilogues, the emulator against the
interpreter, the B reader's tile ids and CB placement, and `schedule="auto"` choosing for the transposed
kernel what it chooses for the plain one."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import numerics, sample_bounds, samples
from tilelang_tt.numerics import check, elementwise_bound, matmul_bound
from tilelang_tt.passes import lower_to_tt
from tilelang_tt.schedule.matmul import CB_IN1, CB_OUT

BF16 = ml_dtypes.bfloat16
CHIPS = ["tenstorrent/wormhole_b0", "tenstorrent/blackhole"]
# M = 100, N = 200, K = 170 are ragged (4 x 7 x 6 tiles): the last block column holds 3 of 4 tiles, the
# last K tile is padded; three K blocks of two tiles (so a B block holds several K tiles per column and
# partials cross K blocks)
SCHEDULES = {
    "blocked": dict(grid=(2, 1), per_core_m=2, per_core_n=2, in0_block_w=2, subblock_h=1, subblock_w=1),
    "subblocked": dict(grid=(2, 1), per_core_m=2, per_core_n=4, in0_block_w=2, subblock_h=1, subblock_w=2),
    "multicast": dict(grid=(2, 2), per_core_m=2, per_core_n=4, in0_block_w=2, subblock_h=2, subblock_w=2),
}


def _inputs(M, N, K, dtype="bfloat16", seed=0):
    npdt = BF16 if dtype == "bfloat16" else np.float32
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (M, K)).astype(npdt), rng.uniform(-1, 1, (N, K)).astype(npdt)


def _run(M, N, K, target, accum="float32", dtype="bfloat16", **options):
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32, dtype=dtype, accum_dtype=accum,
                                                transpose_b=True), target=target, out_idx=2, **options)
    a, b = _inputs(M, N, K, dtype)
    c = np.asarray(kernel(a, b), np.float32)
    assert c.shape == (M, N)
    exact, bound = matmul_bound(a, np.ascontiguousarray(b.T), dtype, fp32_acc=accum == "float32")
    ok, err, ratio = check(c, exact, bound)
    assert ok, f"{M}x{N}x{K} {kernel.program.schedule_description}: max error {err} ({ratio:.2f} x bound)"
    return kernel


def _cases():
    """Each schedule on Wormhole with fp32 accumulation in `make test`; Blackhole and bf16 accumulation
    in the slow tier."""
    for schedule in SCHEDULES:
        for target in CHIPS:
            for accum in ("float32", "bfloat16"):
                fast = target == CHIPS[0] and accum == "float32"
                yield pytest.param(schedule, target, accum, marks=[] if fast else [pytest.mark.slow],
                                   id=f"{schedule}-{target.split('/')[1]}-{accum}")


@pytest.mark.parametrize("schedule,target,accum", list(_cases()))
def test_transposed_b_every_schedule(schedule, target, accum):
    k = _run(100, 200, 170, target, accum=accum, schedule=schedule, **SCHEDULES[schedule])
    assert k.program.schedule_description.startswith(schedule)
    compute = k.sources["compute.cpp"]
    # the release's transpose flag sits in the init that configures the unpacker (and in matmul_block)
    assert ("matmul_init(cb_in0, cb_in1, 1)" in compute) == (schedule == "blocked")
    assert ("matmul_block_init(cb_in0, cb_in1, 1, " in compute) == (schedule != "blocked")


@pytest.mark.slow
@pytest.mark.parametrize("partials", ["reload", "l1_acc"])
def test_transposed_b_partials_and_fp32_inputs(partials):
    _run(96, 160, 192, CHIPS[0], dtype="float32", schedule="multicast", partials=partials,
         **dict(SCHEDULES["multicast"], per_core_n=2, subblock_w=2))


@pytest.mark.slow
@pytest.mark.parametrize("target", CHIPS)
@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_transposed_b_with_a_bias_row(schedule, target):
    M, N, K = 100, 200, 120
    kernel = tilelang_tt.compile(samples.matmul_bias_row(M, N, K, 32, 64, 32, transpose_b=True), target=target,
                                 out_idx=3, schedule=schedule, **dict(SCHEDULES[schedule], grid=(2, 2)))
    a, b = _inputs(M, N, K, seed=3)
    bias = np.random.default_rng(4).uniform(-1, 1, (1, N)).astype(BF16)
    c = np.asarray(kernel(a, b, bias))
    chk = numerics.check_bounded(c, sample_bounds.matmul_bias_row(a, np.ascontiguousarray(b.T), bias, "bfloat16",
                                                                  True, "add"))
    assert chk.ok, f"{kernel.program.schedule_description}: {chk}"


@pytest.mark.slow
def test_transposed_b_with_a_tensor_and_relu_epilogue():
    M, N, K = 192, 160, 128
    kernel = tilelang_tt.compile(samples.matmul_bias_relu(M, N, K, 32, 32, 32, transpose_b=True), out_idx=3,
                                 schedule="subblocked", grid=(2, 3), per_core_m=2, per_core_n=3, in0_block_w=2,
                                 subblock_h=1, subblock_w=3)
    a, b = _inputs(M, N, K, seed=5)
    d = np.random.default_rng(6).uniform(-1, 1, (M, N)).astype(BF16)
    c = np.asarray(kernel(a, b, d), np.float32)
    exact, bound = matmul_bound(a, np.ascontiguousarray(b.T), "bfloat16", fp32_acc=True)
    exact = np.maximum(exact + d.astype(np.float64), 0)
    ok, err, _ = check(c, exact, bound + elementwise_bound(exact, "bfloat16", roundings=1))
    assert ok, err


@pytest.mark.slow
def test_transposed_b_stored_as_bfp8_b():
    """A block-float B is packed on the host in its stored (N, K) layout (shared exponents along rows of
    the (n, k) tiles); the unpacker expands each tile to bf16, then transposes it."""
    from tilelang_tt import blockfloat
    M, N, K = 96, 128, 192
    kernel = tilelang_tt.compile(samples.matmul(M, N, K, 32, 32, 32, transpose_b=True), out_idx=2,
                                 schedule="multicast", grid=(2, 2), in0_block_w=2, storage={"B": "bfp8_b"})
    a, b = _inputs(M, N, K, seed=9)
    c = np.asarray(kernel(a, b), np.float32)
    bq = blockfloat.quantize(b, "bfp8_b").astype(BF16)
    exact, bound = matmul_bound(a, np.ascontiguousarray(bq.T), "bfloat16", fp32_acc=True)
    ok, err, ratio = check(c, exact, bound)
    assert ok, f"max error {err} ({ratio:.2f} x bound)"


@pytest.mark.slow
def test_emulator_multicast_and_interpreter_naive_agree_tile_by_tile():
    """The emulator runs the multicast program, the interpreter the naive one of the same kernel: two
    executions and two schedules, each within the bound, agreeing within the sum of their bounds."""
    from tilelang_tt.ttir import interp
    M, N, K = 100, 200, 170
    func = samples.matmul(M, N, K, 32, 32, 32, transpose_b=True)
    a, b = _inputs(M, N, K, seed=7)
    kernel = tilelang_tt.compile(func, out_idx=2, schedule="multicast", **SCHEDULES["multicast"])
    emu = np.asarray(kernel(a, b), np.float32)
    sim = interp.run(lower_to_tt(func, "tenstorrent", schedule="naive"),
                     {"A": a.astype(np.float32), "B": b.astype(np.float32), "C": np.zeros((M, N), np.float32)})[0]["C"]
    exact, bound = matmul_bound(a, np.ascontiguousarray(b.T), "bfloat16", fp32_acc=True)
    for who, got in (("emulator", emu), ("interpreter", sim)):
        ok, err, ratio = check(got, exact, bound)
        assert ok, f"{who}: max error {err} ({ratio:.2f} x bound)"
    assert np.all(np.abs(emu - sim) <= 2 * bound)


@pytest.mark.parametrize("schedule,reader", [("blocked", "in1_reader_writer"), ("multicast", "in1_sender_writer")])
def test_the_b_reader_reads_each_tile_by_its_n_k_id(schedule, reader):
    """B's reader alone, on the interpreter: every tile (n, k) of the stored (N, K) tensor holds the value
    1000 n + k, and each in1 block it pushes must hold, at CB page i * per_core_n + j (where the compute
    reads in1 tile (k i, n j)), tile (col0 + j, kb * in0_block_w + i), each once."""
    from tilelang_tt.codegen import device_program
    from tilelang_tt.ttir.interp import Sim
    M, N, K = 128, 256, 192                      # 4 x 8 x 6 tiles: no padded edge (every page is read)
    over = dict(SCHEDULES[schedule], grid=(2, 2), per_core_m=2, per_core_n=2, in0_block_w=2)
    func = samples.matmul(M, N, K, 32, 32, 32, transpose_b=True)
    mod = lower_to_tt(func, "tenstorrent", schedule=schedule, **over)
    prog = device_program(mod)
    b = np.kron(1000 * np.arange(N // 32)[:, None] + np.arange(K // 32)[None, :], np.ones((32, 32)))
    sim = Sim(mod, {"A": np.zeros((M, K)), "B": b, "C": np.zeros((M, N))})
    cols, rows = over["grid"]
    pm, pn, w = over["per_core_m"], over["per_core_n"], over["in0_block_w"]
    mt, nt, kt = M // 32, N // 32, K // 32
    rounds_x, rounds_y = nt // (pn * cols), mt // (pm * rows)
    cores = [xy for xy in prog.kernel_named(reader).runtime_args]
    assert sorted(cores) == sorted((x, y) for x in range(cols) for y in (range(rows) if schedule == "blocked" else [0]))
    for core, (x, y) in enumerate(cores):
        sim.core, sim.queues, sim.pending = core, {c: [] for c in sim.cb_plan}, {c: [] for c in sim.cb_plan}
        # the compute's output the writer half waits for (its values do not matter here)
        sim.queues[CB_OUT] = [np.zeros((32, 32), np.float32)] * (rounds_x * rounds_y * pm * pn)
        sim.trace.clear()
        sim.run_kernel(reader, (x, y))
        pages = sim.queues[CB_IN1]
        assert len(pages) == rounds_y * rounds_x * (kt // w) * w * pn
        block = 0
        for ry in range(rounds_y):
            for rx in range(rounds_x):
                col0 = (rx * cols + x) * pn
                for kb in range(kt // w):
                    for i in range(w):
                        for j in range(pn):
                            got = pages[block * w * pn + i * pn + j][0, 0]
                            assert got == 1000 * (col0 + j) + kb * w + i, (core, ry, rx, kb, i, j, got)
                    block += 1
        ids = [args[0] for (_, _, name, args) in sim.trace if name == "noc_async_read_page" and args[1] == "B"]
        expect = [(col0 + j) * kt + kb * w + i for _ in range(rounds_y) for rx in range(rounds_x)
                  for col0 in [(rx * cols + x) * pn] for kb in range(kt // w) for j in range(pn) for i in range(w)]
        assert ids == expect                     # by (n, k) id, one whole tile row of B's block at a time


@pytest.mark.parametrize("target", [CHIPS[0], pytest.param(CHIPS[1], marks=pytest.mark.slow)])
def test_auto_schedules_a_transposed_matmul_as_the_plain_one(target):
    """The unpacker's transpose is free in the model: the chooser sees the same work and picks the same
    schedule with the same modeled time, for a square, a skinny and a ragged shape."""
    for M, N, K in ((512, 512, 256), (64, 1024, 512), (300, 200, 130)):
        plain = tilelang_tt.compile(samples.matmul(M, N, K), target=target, out_idx=2)
        trans = tilelang_tt.compile(samples.matmul(M, N, K, transpose_b=True), target=target, out_idx=2)
        assert trans.program.schedule_description == plain.program.schedule_description, (M, N, K)
        assert trans.program.schedule_description.split(":")[0] in ("blocked", "subblocked", "multicast")
        assert trans.estimate().seconds == pytest.approx(plain.estimate().seconds, rel=1e-12)
