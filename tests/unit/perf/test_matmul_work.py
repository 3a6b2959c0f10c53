"""matmul_work: exact per-core counts. tt-metal's program (program="tt-metal", what the published
measurements ran) checked by hand on a small case with edges and rounds and by conservation on larger
ones; our program checked core for core against the counts of the kernels the compiler generates."""
import pytest

from tilelang_tt import samples
from tilelang_tt.errors import TTCompileError, TTResourceError
from tilelang_tt.passes import lower_to_tt
from tilelang_tt.codegen import device_program
from tilelang_tt.perf.program import program_work
from tilelang_tt.perf.matmul import MatmulParams, l1_bytes, matmul_work

T = 2048   # bytes of a bf16 tile


def _small(**kw):
    # Mt=5, Nt=3, Kt=4 on a 2x2 grid with 2x2 blocks: block rows 2,2,1 (two rounds), block columns 2,1
    base = dict(M=160, N=96, K=128, grid=(2, 2), per_core_M=2, per_core_N=2, in0_block_w=2, subblock=(1, 2),
                variant="multicast", program="tt-metal")
    base.update(kw)
    return MatmulParams(**base)


def _by_core(pw):
    return {c.core: c for c in pw.cores}


def test_multicast_counts_by_hand():
    cores = _by_core(matmul_work(_small()))
    assert set(cores) == {(0, 0), (1, 0), (0, 1), (1, 1)}
    c00 = cores[(0, 0)]
    # two padded 2x2 blocks, 2 K blocks each, subblock 1x2: 2 subblocks x 2 calls per K block
    assert (c00.steps, c00.blocks) == (4, 2)
    cw = c00.compute
    assert (cw.matmul_tiles, cw.matmul_calls, cw.matmul_unpacked_tiles, cw.matmul_unpacked_in0_tiles) == (32, 16, 48, 16)
    assert (cw.pack_tiles, cw.dst_acquires, cw.copy_tiles, cw.inits, cw.pack_l1_acc_tiles) == (16, 8, 8, 9, 0)
    a = c00.dm["RISCV_1"]     # A sender of row 0: blocks of 2 and 1 valid rows, each to 1 receiver
    assert (a.dram_read_pages, a.dram_read_bytes, a.barriers) == (12, 12 * T, 4)
    assert (a.mcast_writes, a.mcast_bytes, a.mcast_dests, a.sem_waits, a.sem_signals) == (4, 12 * T, 4, 4, 4)
    b = c00.dm["RISCV_0"]     # B sender of column 0 (no receiver in round 1) + writer of 4 + 2 tiles
    assert (b.dram_read_pages, b.barriers, b.mcast_writes, b.mcast_bytes, b.mcast_dests) == (16, 6, 2, 8 * T, 2)
    assert (b.dram_write_pages, b.dram_write_bytes, b.sem_waits) == (6, 6 * T, 2)
    c10 = cores[(1, 0)]       # A receiver, B sender of the 1-tile-wide column
    assert c10.dm["RISCV_1"] == type(a)(sem_waits=4, sem_signals=4)
    assert (c10.dm["RISCV_0"].dram_read_pages, c10.dm["RISCV_0"].mcast_bytes, c10.dm["RISCV_0"].dram_write_pages) == (8, 4 * T, 3)
    c11 = cores[(1, 1)]       # one block, receiver of both
    assert c11.blocks == 1 and c11.dm["RISCV_1"].dram_read_pages == 0 and c11.dm["RISCV_0"].dram_write_pages == 2
    assert sum(c.dm["RISCV_0"].dram_write_pages for c in cores.values()) == 5 * 3


@pytest.mark.parametrize("variant", ["blocked", "subblocked", "multicast"])
@pytest.mark.parametrize("shape,grid,block", [((2048, 2048, 2048), (8, 8), (8, 8, 8)),
                                              ((1000 // 32 * 32, 352, 640), (3, 4), (3, 2, 4))])
def test_conservation(variant, shape, grid, block):
    M, N, K = shape
    bm, bn, ibw = block
    sb = (1, 1) if variant == "blocked" else (1, bn)
    pw = matmul_work(MatmulParams(M=M, N=N, K=K, grid=grid, per_core_M=bm, per_core_N=bn, in0_block_w=ibw,
                                  subblock=sb, variant=variant, program="tt-metal"))
    Mt, Nt, Kt = M // 32, N // 32, K // 32
    nbm, nbn = -(-Mt // bm), -(-Nt // bn)
    tot, dm = pw.total_compute(), pw.total_dm()
    assert tot.matmul_tiles == nbm * nbn * bm * bn * Kt                  # padded blocks computed in full
    assert dm.dram_write_pages == Mt * Nt                                 # only valid tiles are written
    if variant == "multicast":
        # A is read once per round of block columns, B once per round of block rows, then multicast
        rounds_n, rounds_m = -(-nbn // grid[0]), -(-nbm // grid[1])
        assert dm.dram_read_pages == Mt * Kt * rounds_n + Kt * Nt * rounds_m
        assert dm.mcast_bytes == dm.dram_read_bytes - sum(      # a lone row/column of a round sends nothing
            c.dm["RISCV_1"].dram_read_bytes for c in pw.cores if min(grid[0], nbn) == 1) - sum(
            c.dm["RISCV_0"].dram_read_bytes for c in pw.cores if min(grid[1], nbm) == 1)
        assert dm.sem_waits == dm.sem_signals
    else:
        # every core reads its own A and B blocks: A once per block column, B once per block row
        assert dm.dram_read_pages == Mt * Kt * nbn + Kt * Nt * nbm
        assert dm.mcast_writes == 0
    assert pw.useful_flops == 2.0 * M * N * K


def test_l1_sharded_in0_and_l1_accumulation_move_the_right_work():
    p = _small(M=256, N=256, K=256, grid=(4, 4), in0_block_w=2, accumulate="l1_acc", in0_source="l1_sharded",
               out_dest="l1_sharded")
    pw = matmul_work(p)
    dm, tot = pw.total_dm(), pw.total_compute()
    # no A from DRAM, no output to DRAM; every K block of A is multicast once per core row by its owner
    assert dm.dram_write_pages == 0
    assert dm.dram_read_pages == 8 * 8                  # B only, once (one round of block rows)
    assert dm.mcast_writes == 4 * 4 + 4 * 4             # per K block: one A multicast per row, one B per column
    assert dm.l1_bytes == 4 * 4 * 2 * 2 * T             # each A block also copied into its owner's own CB
    assert tot.copy_tiles == 0 and tot.pack_l1_acc_tiles == 16 * 4 * 3
    assert all(c.out_overlap == 0 for c in pw.cores)


def test_naive_counts_equal_the_counts_of_the_generated_ir():
    for (M, N, K, bm, bn, bk), target in [((192, 320, 192, 64, 64, 32), "tenstorrent"),
                                          ((1024, 1024, 1024, 64, 64, 32), "tenstorrent"),
                                          ((352, 320, 64, 32, 32, 32), "tenstorrent/blackhole")]:
        counted = program_work(device_program(lower_to_tt(samples.matmul(M, N, K, bm, bn, bk), target,
                                                          schedule="naive")))
        grid = (11, 10) if "blackhole" in target else (8, 8)
        model = "blackhole" if "blackhole" in target else "wormhole_b0"
        ours = matmul_work(MatmulParams(M=M, N=N, K=K, grid=grid, per_core_M=bm // 32, per_core_N=bn // 32,
                                        in0_block_w=bk // 32, variant="naive", fp32_acc=True, model=model))
        assert [c.to_dict() for c in counted.cores] == [c.to_dict() for c in ours.cores]


def test_l1_bytes_of_each_schedule():
    p = _small(M=2048, N=2048, K=2048, grid=(8, 8), per_core_M=8, per_core_N=8, in0_block_w=8, subblock=(2, 4))
    # in0 and in1 blocks double-buffered, the output block, and the bf16 intermediate block (reload)
    assert l1_bytes(p) == 2 * (64 + 64) * T + 64 * T + 64 * T
    from dataclasses import replace
    assert l1_bytes(replace(p, fp32_acc=True, subblock=(2, 2))) == 2 * 128 * T + 64 * T + 64 * 4096
    assert l1_bytes(replace(p, accumulate="l1_acc")) == 2 * 128 * T + 64 * T
    # ours (schedule/matmul.py plan_cbs): two subblocks of output, the partial-sum block in bf16
    assert l1_bytes(replace(p, program="ours")) == 2 * 128 * T + 2 * 8 * T + 64 * T


def test_bad_schedules_are_typed_errors():
    with pytest.raises(TTCompileError, match="in0_block_w = 3 tiles must divide Kt = 4"):
        matmul_work(_small(in0_block_w=3))
    with pytest.raises(TTResourceError, match="subblock 2x4 = 8 tiles exceeds the DST capacity of 4"):
        matmul_work(_small(M=256, N=256, per_core_M=4, per_core_N=4, subblock=(2, 4), fp32_acc=True))
    with pytest.raises(TTResourceError, match="grid 9x8 does not fit the wormhole_b0 compute grid of at most 8x8"):
        matmul_work(_small(grid=(9, 8)))
    with pytest.raises(TTCompileError, match="M = 100 must be a positive multiple of 32"):
        matmul_work(_small(M=100))
    with pytest.raises(TTCompileError, match="subblocked"):
        matmul_work(_small(variant="blocked"))


def test_bias_epilogue_counts_and_l1():
    from dataclasses import replace
    p = MatmulParams(M=640, N=1024, K=512, grid=(4, 4), per_core_M=5, per_core_N=4, in0_block_w=8,
                     subblock=(1, 4), variant="multicast", program="tt-metal")
    plain, biased = matmul_work(p), matmul_work(replace(p, bias=True))
    assert l1_bytes(replace(p, bias=True)) - l1_bytes(p) == 2 * 4 * T
    d0, d1 = plain.total_dm(), biased.total_dm()
    # Nt = 32 bias tiles, read once per round of block rows (Mt 20 / (4 rows x 5) = 1 round) and
    # multicast down each column to the 3 other rows
    assert d1.dram_read_pages - d0.dram_read_pages == 32
    assert d1.mcast_dests - d0.mcast_dests == 8 * 3            # 8 blocks on the top row, each to 3 rows
    c0, c1 = plain.total_compute(), biased.total_compute()
    assert c1.eltwise_tiles == 20 * 32 and c1.inits - c0.inits == 2 * (20 * 32 // 4)
    with pytest.raises(TTCompileError, match="naive schedule's epilogue"):
        matmul_work(replace(p, variant="naive", bias=True, per_core_M=4, subblock=(1, 1)))
    with pytest.raises(TTCompileError, match="exist only in the tt-metal program"):
        matmul_work(replace(p, bias=True, program="ours"))
    with pytest.raises(TTCompileError, match="at most one"):
        matmul_work(replace(p, epilogue_rows=1, epilogue_tensors=1, program="ours"))


def _flat(d, pre=""):
    out = {}
    for k, v in d.items():
        out.update(_flat(v, pre + k + ".")) if isinstance(v, dict) else out.__setitem__(pre + k, v)
    return out


# (M, N, K, variant, grid, per_core m x n, in0_block_w, subblock, partials, fp32 accumulation, epilogue)
GENERATED = [
    (256, 256, 256, "multicast", (4, 4), (2, 2), 2, (2, 2), "reload", True, False),
    (288, 224, 96, "multicast", (2, 2), (3, 2), 1, (1, 2), "reload", True, False),     # padded edges
    (256, 192, 128, "blocked", (2, 4), (2, 3), 4, (1, 1), "reload", True, False),
    (256, 256, 256, "subblocked", (4, 4), (2, 2), 2, (2, 2), "reload", True, False),
    (256, 256, 512, "multicast", (2, 2), (4, 4), 2, (2, 2), "l1_acc", True, False),
    (256, 256, 512, "multicast", (2, 2), (4, 4), 4, (2, 4), "l1_acc", False, False),
    (192, 160, 128, "multicast", (2, 3), (2, 3), 2, (1, 3), "reload", True, True),     # bias + relu
    (192, 160, 256, "multicast", (2, 3), (2, 3), 2, (1, 3), "l1_acc", True, True),
    (192, 160, 64, "multicast", (2, 3), (2, 3), 2, (1, 3), "reload", True, True),      # one K block
    (64, 512, 128, "multicast", (8, 1), (1, 2), 2, (1, 2), "reload", True, False),     # one row
    (512, 64, 128, "multicast", (1, 8), (2, 1), 2, (2, 1), "reload", True, False),     # one column
]


# the epilogue "row": C = A @ B + bias with a (1, N) bias row (a broadcast through the stage CB)
GENERATED += [
    (192, 160, 128, "multicast", (2, 3), (2, 3), 2, (1, 3), "reload", True, "row"),     # padded edges
    (192, 160, 256, "multicast", (2, 3), (2, 3), 1, (1, 3), "l1_acc", True, "row"),
    (192, 160, 64, "blocked", (2, 2), (2, 2), 2, (1, 1), "reload", False, "row"),       # one K block, rounds
    (192, 160, 64, "blocked", (2, 2), (2, 2), 2, (1, 1), "reload", True, "row"),
    (128, 256, 96, "subblocked", (2, 1), (2, 4), 1, (1, 2), "reload", False, "row"),
    (128, 256, 96, "subblocked", (2, 1), (2, 4), 1, (1, 2), "reload", True, "row"),
    (128, 256, 96, "multicast", (2, 2), (2, 4), 1, (2, 2), "l1_acc", False, "row"),
    (128, 256, 128, "multicast", (1, 2), (1, 4), 4, (1, 4), "reload", True, "row"),
]


@pytest.mark.parametrize("M,N,K,variant,grid,block,w,sub,acc,fp32,epilogue", GENERATED)
def test_matmul_work_equals_the_counts_of_the_generated_program(M, N, K, variant, grid, block, w, sub, acc, fp32,
                                                               epilogue):
    """The chooser's closed form (matmul_work) and the compiler's program agree exactly, core by core."""
    _work_equals_counts(M, N, K, variant, grid, block, w, sub, acc, fp32, epilogue)


@pytest.mark.parametrize("case", [GENERATED[1], GENERATED[2], GENERATED[3], GENERATED[6], GENERATED[11]],
                         ids=["multicast-edges", "blocked", "subblocked", "bias-relu", "row"])
def test_transposed_b_counts_the_same_work(case):
    """B stored (N, K): the same DRAM pages, CB blocks and tile products (the unpacker transposes for free),
    so the closed form of the plain matmul is the program's count."""
    _work_equals_counts(*case, transpose_b=True)


def _work_equals_counts(M, N, K, variant, grid, block, w, sub, acc, fp32, epilogue, transpose_b=False):
    accum = "float32" if fp32 else "bfloat16"
    tb = dict(transpose_b=transpose_b)
    f = (samples.matmul_bias_row(M, N, K, 32, 32, 32, accum_dtype=accum, **tb) if epilogue == "row" else
         samples.matmul_bias_relu(M, N, K, 32, 32, 32, **tb) if epilogue else
         samples.matmul(M, N, K, 32, 32, 32, accum_dtype=accum, **tb))
    mod = lower_to_tt(f, schedule=variant, grid=grid, per_core_m=block[0], per_core_n=block[1], in0_block_w=w,
                      subblock_h=sub[0], subblock_w=sub[1], partials=acc)
    counted = program_work(device_program(mod))
    block_ep = bool(epilogue) and epilogue != "row"
    ours = matmul_work(MatmulParams(M=M, N=N, K=K, grid=grid, per_core_M=block[0], per_core_N=block[1],
                                    in0_block_w=w, subblock=sub, variant=variant, fp32_acc=fp32, accumulate=acc,
                                    epilogue_tensors=1 if block_ep else 0, epilogue_rows=int(epilogue == "row"),
                                    epilogue_unary=("relu",) if block_ep else ()))
    got = {tuple(c.core): _flat(c.to_dict()) for c in counted.cores}
    want = {tuple(c.core): _flat(c.to_dict()) for c in ours.cores}
    assert got == want


FORMAT = {"bfp8_b": "Bfp8_b", "bfp4_b": "Bfp4_b"}


@pytest.mark.parametrize("storage,variant,acc", [({"B": "bfp8_b"}, "multicast", "l1_acc"),
                                                 ({"A": "bfp4_b", "B": "bfp8_b"}, "subblocked", "reload")])
def test_block_float_work_equals_the_counts_of_the_generated_program(storage, variant, acc):
    """Block-float operands (options.storage) reach the model as per-operand formats: the chooser's closed
    form and the compiled program agree core by core, bytes included."""
    M, N, K, grid, block, w, sub = 256, 256, 512, (2, 2), (4, 4), 2, (2, 2)
    f = samples.matmul(M, N, K, 32, 32, 32, accum_dtype="float32")
    mod = lower_to_tt(f, schedule=variant, grid=grid, per_core_m=block[0], per_core_n=block[1], in0_block_w=w,
                      subblock_h=sub[0], subblock_w=sub[1], partials=acc, storage=storage)
    counted = program_work(device_program(mod))
    ours = matmul_work(MatmulParams(M=M, N=N, K=K, grid=grid, per_core_M=block[0], per_core_N=block[1],
                                    in0_block_w=w, subblock=sub, variant=variant, fp32_acc=True, accumulate=acc,
                                    in0_format=FORMAT.get(storage.get("A")),
                                    in1_format=FORMAT.get(storage.get("B"))))
    got = {tuple(c.core): _flat(c.to_dict()) for c in counted.cores}
    want = {tuple(c.core): _flat(c.to_dict()) for c in ours.cores}
    assert got == want


def test_the_chooser_prices_block_float_operands():
    """schedule/matmul.py hands options.storage to the model: bfp8 weights halve B's DRAM bytes in the
    estimate of the compiled kernel, and the pick may use the freed L1."""
    import re

    import tilelang_tt
    f = samples.matmul(2048, 2048, 2048)
    plain = tilelang_tt.compile(f, out_idx=2, math_fidelity="LoFi").estimate()
    kernel = tilelang_tt.compile(f, out_idx=2, math_fidelity="LoFi", storage={"B": "bfp8_b"})
    bfp = kernel.estimate()
    assert bfp.seconds < plain.seconds
    # the chooser modeled the program that was compiled: its formats and its utilization
    reason = kernel.program.schedule_reason
    assert "Float16_b/Bfp8_b/Float16_b" in reason
    assert float(re.search(r"([0-9.]+)% of LoFi peak", reason).group(1)) == pytest.approx(bfp.utilization * 100,
                                                                                         abs=0.06)
