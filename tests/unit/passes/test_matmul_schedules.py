"""Matmul recognition, the matmul schedules (schedule/matmul.py) and their lowering (lower/matmul.py):
which kernels run where, exact per-core DRAM / multicast / compute counts, the compute kernel's
structure, overrides and their errors. Numerics on the emulator are in tests/e2e/test_matmul_schedule_numerics.py."""
import pytest
from tvm import tirx

from pass_kernels import make
from tilelang_tt import intrinsics as I
from tilelang_tt import samples
from tilelang_tt.analysis.matmul import recognize
from tilelang_tt.codegen import device_program, generate
from tilelang_tt.errors import TTCompileError, TTResourceError
from tilelang_tt.frontend import read_program
from tilelang_tt.passes import lower_to_tt
from tilelang_tt.options import CompileOptions

FULL = dict(grid=(4, 2), per_core_m=2, per_core_n=2, in0_block_w=2, subblock_h=2, subblock_w=2)


def program(func, **options):
    return device_program(lower_to_tt(func, **options))


def calls(stmt, name):
    out = []

    def visit(s):
        if isinstance(s, tirx.SeqStmt):
            for x in s.seq:
                visit(x)
        elif isinstance(s, (tirx.For,)):
            visit(s.body)
        elif isinstance(s, tirx.IfThenElse):
            visit(s.then_case)
        elif isinstance(s, tirx.Evaluate):
            intr = I.intrinsic_of(s.value)
            if intr is not None and intr.name == name:
                out.append(s.value)
    visit(stmt)
    return out


# ---------------------------------------------------------------------------------------------------
# recognition

def test_samples_are_recognized_with_their_epilogue():
    spec, why = recognize(read_program(samples.matmul(256, 192, 128, 64, 64, 32)))
    assert why == "" and (spec.a, spec.b, spec.c, spec.m, spec.n, spec.k) == ("A", "B", "C", 256, 192, 128)
    assert spec.fp32_acc and spec.epilogue == () and spec.user_block == (64, 64, 32)
    spec, _ = recognize(read_program(samples.matmul_bias_relu(128, 128, 64)))
    assert [(e.kind, e.op, e.tensor) for e in spec.epilogue] == [("binary", "add", "D"), ("unary", "relu", None)]


def test_a_transposed_b_is_recognized_with_its_epilogue():
    from tilelang_tt.analysis.matmul import MatmulSpec
    spec, why = recognize(read_program(samples.matmul_bias_row(128, 256, 192, 32, 64, 32, transpose_b=True)))
    assert why == "" and spec.transpose_b and (spec.m, spec.n, spec.k) == (128, 256, 192)
    assert spec.user_block == (32, 64, 32) and spec.row_tensors == ("Bias",)
    assert MatmulSpec.from_dict(spec.to_dict()) == spec
    plain, _ = recognize(read_program(samples.matmul_bias_row(128, 256, 192, 32, 64, 32)))
    assert not plain.transpose_b and "transpose_b" not in plain.to_dict()
    # attention's Q @ K^T is one of several gemms: not a plain matmul, so it keeps the naive schedule
    spec, why = recognize(read_program(samples.attention(128, 64)))
    assert spec is None and why


@pytest.mark.parametrize("func,reason", [
    (samples.eltwise("add", 64, 128), "there is no K loop and not exactly one gemm"),
    (samples.unary_chain(64, 128), "there is no K loop and not exactly one gemm"),
])
def test_non_matmuls_are_not_recognized(func, reason):
    spec, why = recognize(read_program(func))
    assert spec is None and why == reason


def test_a_nonzero_fill_is_not_a_matmul():
    from pass_kernels import matmul
    spec, why = recognize(read_program(matmul(64, 64, 64, fill="T.float32(1.5)")))
    assert spec is None and why == "the accumulator is filled with a non-zero value"


def test_auto_schedule_of_a_non_matmul_is_naive_and_says_why():
    prog = program(samples.eltwise("add", 64, 128))
    assert prog.schedule["variant"] == "naive"
    assert prog.schedule["reason"] == "not a matmul: there is no K loop and not exactly one gemm"


def test_matmul_only_schedule_on_a_non_matmul_is_an_error():
    with pytest.raises(TTCompileError, match="schedule='multicast' applies to matmul kernels only.*no K loop"):
        lower_to_tt(samples.eltwise("add", 64, 128), schedule="multicast")


# ---------------------------------------------------------------------------------------------------
# kernels and placement

def test_multicast_kernels_and_core_ranges():
    prog = program(samples.matmul(256, 256, 128), schedule="multicast", **FULL)
    names = {k.name: (k.processor, k.noc, [r.to_list() for r in k.cores]) for k in prog.kernels}
    assert names == {
        "compute": ("", "", [[0, 0, 3, 1]]),
        "in0_sender": ("RISCV_1", "RISCV_1_default", [[0, 0, 0, 1]]),
        "in0_receiver": ("RISCV_1", "RISCV_1_default", [[1, 0, 3, 1]]),
        "in1_sender_writer": ("RISCV_0", "RISCV_0_default", [[0, 0, 3, 0]]),
        "in1_receiver_writer": ("RISCV_0", "RISCV_0_default", [[0, 1, 3, 1]]),
    }
    assert [s.name for s in prog.semaphores] == ["in0_sender", "in0_recv", "in1_sender", "in1_recv"]
    # NOC_1 rectangles run max -> min, NOC_0 min -> max; receivers know their sender's NOC coordinates
    s = prog.kernel_named("in0_sender")
    row = dict(zip(s.runtime_arg_names, s.runtime_args[(0, 1)]))
    assert (row["mcast_start_x"], row["mcast_end_x"]) == ("noc_x:3,1", "noc_x:1,1")
    assert (row["sem:sender"], row["sem:recv"]) == ("sem:in0_sender", "sem:in0_recv")
    w = prog.kernel_named("in1_sender_writer")
    row = dict(zip(w.runtime_arg_names, w.runtime_args[(2, 0)]))
    assert (row["mcast_start_y"], row["mcast_end_y"]) == ("noc_y:2,1", "noc_y:2,1")
    r = prog.kernel_named("in0_receiver")
    row = dict(zip(r.runtime_arg_names, r.runtime_args[(3, 1)]))
    assert (row["sender_x"], row["sender_y"]) == ("noc_x:0,1", "noc_y:0,1")
    assert sorted(generate(lower_to_tt(samples.matmul(256, 256, 128), schedule="multicast", **FULL))) == [
        "CMakeLists.txt", "compute.cpp", "in0_receiver.cpp", "in0_sender.cpp", "in1_receiver_writer.cpp",
        "in1_sender_writer.cpp", "main.cpp", "plan.json"]


@pytest.mark.parametrize("variant", ["blocked", "subblocked"])
def test_per_core_dram_variants_run_three_kernels_everywhere(variant):
    over = dict(FULL, subblock_h=1, subblock_w=1) if variant == "blocked" else FULL
    prog = program(samples.matmul(256, 256, 128), schedule=variant, **over)
    assert [k.name for k in prog.kernels] == ["compute", "in0_reader", "in1_reader_writer"]
    assert prog.semaphores == ()


def test_exact_counts_multicast():
    # 256 x 256 x 128: 8 x 8 x 4 tiles on 4 x 2 cores, 2 x 2 blocks per core and round, K blocks of 2
    prog = program(samples.matmul(256, 256, 128), schedule="multicast", **FULL)
    rx, ry = 8 // (2 * 4), 8 // (2 * 2)  # rounds: 8 tiles / (2-tile blocks x 4 columns | 2 rows)
    rounds = rx * ry
    nk = 4 // 2                          # K blocks
    send = prog.counts[("in0_sender", (0, 1))]
    assert send[("dram_read", "A")] == rounds * nk * 2 * 2          # 2 x 2 tiles per A block
    assert send[("mcast_bytes",)] == rounds * nk * 4 * 2048
    assert send[("mcast_dests",)] == rounds * nk * 3
    assert prog.counts[("in0_receiver", (2, 1))].get(("dram_read", "A"), 0) == 0
    w = prog.counts[("in1_sender_writer", (1, 0))]
    assert w[("dram_read", "B")] == rounds * nk * 2 * 2
    assert w[("mcast_dests",)] == rounds * nk * 1
    assert w[("dram_write", "C")] == rounds * 4
    c = prog.counts[("compute", (3, 1))]
    assert c[("matmul_tiles",)] == rounds * nk * 2 * 2 * 2          # block 2x2, K block 2
    assert c.calls("matmul_block") == rounds * nk * 2               # one call per inner K step
    assert c.calls("copy_tile") == rounds * (nk - 1) * 4            # partial reload on later K blocks
    # every core's C tiles are written once over the grid
    writes = sum(t.get(("dram_write", "C"), 0) for (k, _), t in prog.counts.items())
    assert writes == 8 * 8


def test_edge_blocks_move_only_valid_tiles():
    # 288 x 224 (9 x 7 tiles) on 2 x 2 cores with 3 x 2 blocks: padded along both axes
    over = dict(grid=(2, 2), per_core_m=3, per_core_n=2, in0_block_w=2, subblock_h=1, subblock_w=2)
    prog = program(samples.matmul(288, 224, 64, 32, 32, 32), schedule="multicast", **over)
    writes = sum(t.get(("dram_write", "C"), 0) for (k, _), t in prog.counts.items())
    assert writes == 9 * 7
    a_reads = sum(t.get(("dram_read", "A"), 0) for t in prog.counts.values())
    rounds_x = 2                                          # ceil(ceil(7 / 2) / 2)
    assert a_reads == 9 * 2 * rounds_x                    # every valid A tile once per column round


def test_compute_kernel_structure_with_reload_and_epilogue():
    prog = program(samples.matmul_bias_relu(128, 128, 256), schedule="multicast", partials="reload",
                   grid=(2, 2), per_core_m=2, per_core_n=2, in0_block_w=2, subblock_h=2, subblock_w=2)
    c = prog.funcs["compute"].body
    startup = calls(c, "compute_kernel_hw_startup")[0]
    assert [int(x) for x in startup.args] == [0, 1, 16, 1]
    blocks = calls(c, "matmul_block")
    assert [int(x) for x in blocks[0].args[5:]] == [2, 2, 2, 0]    # ct = subblock_w, rt = subblock_h, kt, transpose
    assert len(calls(c, "copy_tile")) == 2                           # middle and last K blocks reload
    assert [str(x.args[0].value) for x in calls(c, "binary_dest_reuse_tiles")] == ["add"]
    assert [str(x.args[0].value) for x in calls(c, "unary_tile")] == ["relu"]
    packs = calls(c, "pack_tile")
    assert sorted({int(p.args[1]) for p in packs}) == [16, 24]      # partials and the output
    assert prog.compute.unpack_to_dest_fp32 == (24,)                 # fp32 partials stay fp32 on reload
    assert [cb.name for cb in prog.cbs] == ["in0", "in1", "epilogue_D", "out", "partials"]
    assert next(cb for cb in prog.cbs if cb.name == "partials").dtype == "float32"


def test_l1_accumulation_packs_in_place_and_reads_back_once():
    prog = program(samples.matmul(128, 128, 256), schedule="multicast", partials="l1_acc",
                   grid=(2, 2), per_core_m=2, per_core_n=2, in0_block_w=2, subblock_h=2, subblock_w=2)
    c = prog.funcs["compute"].body
    packs = calls(c, "pack_tile_to")                                 # K blocks 0 and 1..nk-2 into partials
    assert [(int(p.args[1]), int(p.args[3])) for p in packs] == [(24, 0), (24, 1)]
    assert [int(p.args[1]) for p in calls(c, "pack_tile")] == [16]   # only the last K block packs the output
    assert len(calls(c, "copy_tile")) == 1                           # the last K block reads the sums back
    assert [int(x.args[1]) for x in calls(c, "cb_reserve_back") if int(x.args[0]) == 24] == [4]
    partials = next(cb for cb in prog.cbs if cb.name == "partials")
    assert partials.num_pages == 4                                   # one per-core block, not double-buffered
    assert prog.compute.unpack_to_dest_fp32 == (24,)


def test_requested_l1_accumulation_picks_k_blocks_that_allow_it():
    # the two largest K blocks (8 and 4 of 8 tiles) leave one or two K blocks: l1_acc needs a smaller one
    prog = program(samples.matmul(256, 256, 256), schedule="multicast", grid=(2, 2), partials="l1_acc")
    p = prog.schedule["params"]
    assert p["accumulate"] == "l1_acc" and 8 // p["in0_block_w"] > 2


def test_single_k_block_has_no_partials():
    prog = program(samples.matmul(128, 128, 64), schedule="subblocked", grid=(2, 2), per_core_m=2,
                   per_core_n=2, in0_block_w=2, subblock_h=2, subblock_w=2)
    assert "partials" not in [cb.name for cb in prog.cbs]
    assert prog.compute.unpack_to_dest_fp32 == ()


def test_single_row_and_single_column_grids_drop_the_missing_multicast():
    row = program(samples.matmul(64, 512, 64), schedule="multicast", grid=(8, 1))
    assert sorted(k.name for k in row.kernels) == ["compute", "in0_receiver", "in0_sender", "in1_sender_writer"]
    assert [s.name for s in row.semaphores] == ["in0_sender", "in0_recv"]
    col = program(samples.matmul(512, 64, 64), schedule="multicast", grid=(1, 8))
    assert sorted(k.name for k in col.kernels) == ["compute", "in0_sender", "in1_receiver_writer",
                                                  "in1_sender_writer"]
    one = program(samples.matmul(64, 64, 64), schedule="multicast", grid=(1, 1))
    assert sorted(k.name for k in one.kernels) == ["compute", "in0_sender", "in1_sender_writer"]
    assert one.semaphores == ()


# ---------------------------------------------------------------------------------------------------
# choice and overrides

def test_auto_picks_multicast_on_the_whole_chip_and_says_why():
    prog = program(samples.matmul(2048, 2048, 2048))
    assert prog.schedule["variant"] == "multicast"
    assert prog.schedule["params"]["grid"] == [8, 8]
    assert "multicast" in prog.schedule["reason"]


def test_dst_capacity_bounds_the_subblock():
    prog = program(samples.matmul(1024, 1024, 1024), schedule="subblocked")
    p = prog.schedule["params"]
    assert p["subblock_h"] * p["subblock_w"] <= 4                   # fp32 accumulation, half-sync
    prog = program(samples.matmul(1024, 1024, 1024, accum_dtype="bfloat16"), schedule="subblocked")
    p = prog.schedule["params"]
    assert p["subblock_h"] * p["subblock_w"] <= 8                   # bf16 accumulation, half-sync
    prog = program(samples.matmul(1024, 1024, 1024, accum_dtype="bfloat16"), schedule="subblocked",
                   grid=(4, 4), per_core_m=8, per_core_n=8, in0_block_w=2, subblock_h=2, subblock_w=4)
    assert prog.schedule["params"]["subblock_h"] * prog.schedule["params"]["subblock_w"] == 8


@pytest.mark.parametrize("over,message", [
    (dict(FULL, subblock_h=3), "subblock 3x2 does not divide the per-core block 2x2"),
    (dict(FULL, in0_block_w=3), "in0_block_w=3 does not divide K = 4 tiles"),
    (dict(FULL, grid=(9, 1)), "grid 9x1 exceeds the 8x8 compute grid"),
    (dict(FULL, per_core_m=8, per_core_n=8, subblock_h=4, subblock_w=2),
     "subblock 4x2 exceeds the DST capacity of 4 tiles"),
])
def test_illegal_overrides_name_the_limit(over, message):
    with pytest.raises(TTResourceError, match=message):
        lower_to_tt(samples.matmul(256, 256, 128), schedule="multicast", **over)


def test_partial_overrides_are_completed_by_the_chooser():
    prog = program(samples.matmul(512, 512, 512), schedule="multicast", in0_block_w=4)
    assert prog.schedule["params"]["in0_block_w"] == 4
    with pytest.raises(TTCompileError, match=r"(?s)no multicast matmul schedule fits .*in0_block_w=5 does not "
                                             r"divide K = 16 tiles.*fix: change or drop in0_block_w=5 \(without it"):
        lower_to_tt(samples.matmul(512, 512, 512), schedule="multicast", in0_block_w=5)
    # the partial-sum strategy is part of the request; the message names the limit and each request whose
    # removal leaves a legal schedule
    with pytest.raises(TTCompileError, match=r"(?s)overrides \{'in0_block_w': 8, 'partials': 'l1_acc'\}.*l1_acc needs "
                                             r"more than two K blocks.*fix: change or drop in0_block_w=8 .*"
                                             r"or partials='l1_acc'"):
        lower_to_tt(samples.matmul(256, 256, 256), schedule="multicast", in0_block_w=8, partials="l1_acc")
    # at 256^3 the shortlist's 8x8 grid leaves one-tile blocks, but a smaller grid gives subblocks to split
    # (issue 18: this was rejected with "subblocked needs a per-core block of more than one tile")
    prog = program(samples.matmul(256, 256, 256), schedule="subblocked")
    p = prog.schedule["params"]
    assert p["variant"] == "subblocked" and p["subblock_h"] * p["subblock_w"] > 1


def test_naive_schedule_keeps_the_users_blocks():
    prog = program(samples.matmul(256, 256, 128), schedule="naive")
    assert [k.name for k in prog.kernels] == ["reader", "compute", "writer"]
    assert prog.schedule["grid"] == [4, 4]


def test_kernels_whose_shape_is_not_a_plain_matmul_keep_the_naive_schedule():
    # two K loops: recognized as not a matmul, lowered as written
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        for k in range(2):
            T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
            T.tile.exp(C_l, A_s)
        for k in range(2):
            T.tile.copy(A_s, A[32:64, bx * 64:bx * 64 + 64])
            T.tile.add(C_l, C_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''', params='A: T.Buffer((64, 128), "bfloat16"), C: T.Buffer((32, 128), "bfloat16")')
    prog = program(f)
    assert prog.schedule["variant"] == "naive" and prog.schedule["reason"].startswith("not a matmul")


@pytest.mark.parametrize("over", [FULL, dict(FULL, in0_block_w=4), dict(FULL, subblock_w=1)])
@pytest.mark.parametrize("accum", ["float32", "bfloat16"])
@pytest.mark.parametrize("sample", ["matmul_bias_relu", "matmul_bias_row"])
def test_cb_budget_arithmetic_equals_the_plan(over, sample, accum):
    from tilelang_tt.perf.matmul import l1_bytes
    from tilelang_tt.schedule.matmul import MatmulParams, _cb_budget, perf_params, plan_cbs
    f = (samples.matmul_bias_relu(256, 256, 128) if sample == "matmul_bias_relu" else
         samples.matmul_bias_row(256, 256, 128, accum_dtype=accum))
    spec, _ = recognize(read_program(f))
    p = MatmulParams("multicast", over["grid"], over["per_core_m"], over["per_core_n"], over["in0_block_w"],
                     over["subblock_h"], over["subblock_w"])
    cbs = plan_cbs(spec, p, 2)
    assert _cb_budget(spec, p, 2) == (len(cbs), sum(cb.total_bytes for cb in cbs))
    # and the performance model's count of the same CBs
    assert l1_bytes(perf_params(spec, p, CompileOptions())) == sum(cb.total_bytes for cb in cbs)


def test_a_single_k_block_is_still_a_matmul():
    # K == bk: the K loop has one iteration and A's region starts at k * bk with k = 0
    prog = program(samples.matmul(224, 96, 64, 32, 96, 64), schedule="blocked")
    assert prog.schedule["variant"] == "blocked"


def test_an_epilogue_tensor_read_twice_gets_one_cb_and_one_accessor():
    from tilelang_tt.fuzz.kernels import FAMILIES
    params = dict(M=64, N=64, K=128, bm=32, bn=32, bk=64, dtype="bfloat16", accum="float32", out="bfloat16",
                  epilogue=["bias", "relu", "bias"])
    func = FAMILIES["matmul"].build(params, "twice")
    spec, _ = recognize(read_program(func))
    assert [e.tensor for e in spec.epilogue] == ["D", None, "D"] and spec.epilogue_tensors == ("D",)
    prog = program(func, schedule="multicast", in0_block_w=2)      # two K blocks: a partials CB too
    assert [c.name for c in prog.cbs] == ["in0", "in1", "epilogue_D", "out", "partials"]
    assert all(k.accessors.count("D") <= 1 for k in prog.kernels)


@pytest.mark.parametrize("cap", [1, 2, 7])
def test_a_core_cap_below_a_grid_row_still_gets_a_matmul_schedule(cap):
    prog = program(samples.matmul(512, 704, 192), max_cores=cap)
    assert prog.schedule["kind"] == "matmul" and len(prog.cores) <= cap
