"""Block-float storage plumbing (option storage, docs/schedules.md "Block-float storage"): the declared
format reaches the tensor records, the CB plan (data format, 1088 / 576-byte pages), plan.json, the host
program (DataFormat, DRAM page sizes, packed input files), the data movers' L1 strides and the per-core
DRAM byte counts; every bad declaration is a typed error naming the kernel."""
import json

import pytest
import tvm

from pass_kernels import make
from tilelang_tt import samples
from tilelang_tt.codegen import device_program, generate
from tilelang_tt.errors import TTCompileError, TTTargetError
from tilelang_tt.frontend import read_program
from tilelang_tt.options import CompileOptions
from tilelang_tt.passes import lower_to_tt
from tilelang_tt.specs import CBSpec, TensorSpec

PAGE = {"Bfp8_b": 1088, "Bfp4_b": 576, "Float16_b": 2048}
# Fully specified: the chooser prices block-float operands (a bfp B may get a deeper K block), and the
# byte accounting below compares the same schedule across storage formats.
_BLOCK = dict(grid=(2, 2), per_core_m=2, per_core_n=2, in0_block_w=2)
SCHEDULES = [("naive", {}), ("blocked", dict(_BLOCK)),
             ("subblocked", dict(_BLOCK, subblock_h=1, subblock_w=2, partials="reload")),
             ("multicast", dict(_BLOCK, subblock_h=1, subblock_w=2, partials="l1_acc"))]


def _lower(func=None, **options):
    return lower_to_tt(func or samples.matmul(128, 128, 256), **options)


@pytest.mark.parametrize("schedule,over", SCHEDULES, ids=[s for s, _ in SCHEDULES])
@pytest.mark.parametrize("storage", [{"B": "bfp8_b"}, {"A": "bfp4_b", "B": "bfp8_b"}])
def test_storage_reaches_tensors_cbs_plan_and_host(schedule, over, storage):
    mod = _lower(schedule=schedule, storage=storage, **over)
    prog = device_program(mod)
    fmt = {"A": "Float16_b", "B": "Float16_b", "C": "Float16_b"}
    fmt.update({k: {"bfp8_b": "Bfp8_b", "bfp4_b": "Bfp4_b"}[v] for k, v in storage.items()})
    tensors = {t.name: t for t in prog.tensors}
    for name, f in fmt.items():
        assert (tensors[name].data_format, tensors[name].page_bytes) == (f, PAGE[f])
        assert tensors[name].dtype == "bfloat16"           # the logical dtype is unchanged
    # the input CB of each operand: its tensor's format and page size (naive: named after the shared buffer)
    cbs = {cb.index: cb for cb in prog.cbs}
    for idx, name in ((0, "A"), (1, "B")):
        assert (cbs[idx].data_format, cbs[idx].page_bytes) == (fmt[name], PAGE[fmt[name]])
        assert cbs[idx].total_bytes == cbs[idx].num_pages * PAGE[fmt[name]]
    assert all(cb.data_format in ("Float16_b", "Float32") for cb in prog.cbs if cb.index >= 16)

    src = generate(mod)
    plan = json.loads(src["plan.json"])
    for t in plan["tensors"]:
        assert (t["data_format"], t["page_bytes"]) == (fmt[t["name"]], PAGE[fmt[t["name"]]])
    plan_cbs = {c["index"]: c for c in plan["cbs"]}
    assert (plan_cbs[1]["data_format"], plan_cbs[1]["page_bytes"]) == (fmt["B"], PAGE[fmt["B"]])
    main = src["main.cpp"]
    assert f"tt::DataFormat::{fmt['B']}}}" in main and f".set_page_size(tt::CBIndex::c_1, {PAGE[fmt['B']]});" in main
    b = tensors["B"]
    assert f"make_dram_buffer(mesh_device.get(), {PAGE[fmt['B']]}, {b.num_pages});" in main
    # a block-float input's file holds its packed pages: read as words, written without tilizing
    assert f"read_tensor<uint32_t>(argv[3], {b.num_pages * PAGE[fmt['B']] // 4});" in main
    assert "tilize_nfaces(read_tensor<bfloat16>(argv[3]" not in main


@pytest.mark.parametrize("schedule,over", SCHEDULES, ids=[s for s, _ in SCHEDULES])
def test_dram_read_bytes_follow_the_page_format(schedule, over):
    # every page a core reads is a tile of A or of B, at its format's size: A alone in Bfp4_b saves
    # 2048 - 576 bytes per A read, B alone the same per B read, the two together account for every read,
    # and A in Bfp8_b with B in Bfp4_b reads exactly A_reads * 1088 + B_reads * 576 bytes
    def read(storage):
        plan = json.loads(generate(_lower(schedule=schedule, storage=storage, **over))["plan.json"])
        dm = [d for core in plan["work"]["cores"] for d in core["dm"].values()]
        return sum(d["dram_read_pages"] for d in dm), sum(d["dram_read_bytes"] for d in dm)
    pages, bf16_bytes = read({})
    assert bf16_bytes == pages * 2048
    saved = 2048 - PAGE["Bfp4_b"]
    a_pages, a_bytes = read({"A": "bfp4_b"})
    b_pages, b_bytes = read({"B": "bfp4_b"})
    assert a_pages == b_pages == pages
    a_reads, rem_a = divmod(bf16_bytes - a_bytes, saved)
    b_reads, rem_b = divmod(bf16_bytes - b_bytes, saved)
    assert rem_a == rem_b == 0 and a_reads > 0 and b_reads > 0 and a_reads + b_reads == pages
    _, both = read({"A": "bfp8_b", "B": "bfp4_b"})
    assert both == a_reads * PAGE["Bfp8_b"] + b_reads * PAGE["Bfp4_b"]


def test_data_movers_step_l1_by_the_block_float_page():
    # the reader's L1 offsets of B's tiles step by 1088 bytes, A's by 2048 (naive and matmul readers)
    for schedule, over in (SCHEDULES[0], SCHEDULES[3]):
        src = generate(_lower(schedule=schedule, storage={"B": "bfp8_b"}, **over))
        text = "\n".join(v for k, v in src.items() if k.endswith(".cpp") and k != "main.cpp")
        assert "1088" in text and "2048" in text, schedule


def test_options_from_attrs_match_keywords():
    # tvm.build's route: the option as a function attribute (what tilelang_tt.compile writes)
    func = samples.matmul(128, 128, 256)
    attrs = CompileOptions(storage={"B": "bfloat8_b"}).to_attrs()
    assert attrs == {"tt.storage": {"B": "bfp8_b"}}
    via_attr = generate(lower_to_tt(func.with_attrs(attrs)))["plan.json"]
    via_kw = generate(lower_to_tt(func, storage={"B": "bfp8_b"}))["plan.json"]
    assert json.loads(via_attr)["tensors"] == json.loads(via_kw)["tensors"]
    assert CompileOptions.from_func(func.with_attrs(attrs)).storage == (("B", "Bfp8_b"),)


def test_specs_round_trip_the_storage_format():
    t = TensorSpec("B", 1, (64, 64), "bfloat16", "read", (), "Bfp4_b")
    assert TensorSpec.from_dict(t.to_dict()) == t and t.to_dict()["page_bytes"] == 576
    c = CBSpec(1, "in1", "bfloat16", 4, 2, "input", storage="Bfp8_b")
    assert CBSpec.from_dict(c.to_dict()) == c and c.total_bytes == 4 * 1088
    plain = TensorSpec("A", 0, (64, 64), "bfloat16", "read")
    assert TensorSpec.from_dict(plain.to_dict()).storage == "" and plain.page_bytes == 2048


@pytest.mark.parametrize("over", [dict(grid=(2, 2), per_core_m=2, per_core_n=2, in0_block_w=4, subblock_h=2,
                                       subblock_w=2)])
def test_cb_budget_with_block_float_equals_the_plan(over):
    from tilelang_tt.analysis.matmul import recognize
    from tilelang_tt.schedule.matmul import MatmulParams, _cb_budget, plan_cbs
    spec, _ = recognize(read_program(samples.matmul_bias_relu(256, 256, 256)))
    p = MatmulParams("multicast", over["grid"], over["per_core_m"], over["per_core_n"], over["in0_block_w"],
                     over["subblock_h"], over["subblock_w"])
    storage = {"A": "Bfp4_b", "B": "Bfp8_b", "D": "Bfp8_b"}
    tensors = {n: TensorSpec(n, 0, (256, 256), "bfloat16", "read", (), f) for n, f in storage.items()}
    cbs = plan_cbs(spec, p, 2, tensors)
    assert _cb_budget(spec, p, 2, storage) == (len(cbs), sum(cb.total_bytes for cb in cbs))
    assert {cb.name: cb.data_format for cb in cbs if cb.role == "input"} == \
        {"in0": "Bfp4_b", "in1": "Bfp8_b", "epilogue_D": "Bfp8_b"}


# ------------------------------------------------------------------------------------------ errors

def test_unknown_format_is_a_target_error():
    with pytest.raises(TTTargetError, match=r"kernel 'matmul'.*'B' is declared 'bfp16'.*bfp8_b, bfp4_b"):
        _lower(storage={"B": "bfp16"})
    with pytest.raises(TTTargetError, match=r"must map parameter names"):
        _lower(storage="bfp8_b")


def test_a_name_that_is_not_a_parameter():
    with pytest.raises(TTTargetError, match=r"(?s)kernel 'matmul'.*no buffer parameter 'W'.*parameters: A, B, C.*fix: name a parameter"):
        _lower(storage={"W": "bfp8_b"})


def test_a_non_bf16_parameter():
    with pytest.raises(TTCompileError, match=r"(?s)kernel 'matmul'.*'B' as bfp8_b, but B is float32.*fix: give B the dtype \"bfloat16\""):
        _lower(samples.matmul(64, 64, 64, 32, 32, 32, dtype="float32"), storage={"B": "bfp8_b"})


@pytest.mark.parametrize("schedule", ["naive", "auto"])
def test_a_block_float_output_is_refused(schedule):
    with pytest.raises(TTCompileError, match=r"kernel 'matmul'.*the kernel writes C; block-float storage is "
                                             r"supported for inputs only"):
        _lower(schedule=schedule, storage={"C": "bfp8_b"})


def test_one_shared_buffer_loaded_from_two_formats():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        S = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        L = T.alloc_buffer((32, 64), "bfloat16", scope="local")
        T.tile.copy(S, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.exp(L, S)
        T.tile.copy(S, B[0:32, bx * 64:bx * 64 + 64])
        T.tile.add(L, L, S)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], L)
    ''', 'A: T.Buffer((32, 128), "bfloat16"), B: T.Buffer((32, 128), "bfloat16"), '
         'C: T.Buffer((32, 128), "bfloat16")')
    lower_to_tt(f)                                       # fine without block-float storage
    lower_to_tt(f, storage={"A": "bfp8_b", "B": "bfp8_b"})   # and with one format for both
    with pytest.raises(TTCompileError, match=r"shared buffer S is loaded from tensors stored in different "
                                             r"formats \(A: its dtype, B: bfp8_b\)"):
        lower_to_tt(f, storage={"B": "bfp8_b"})


def test_tvm_build_takes_the_option_as_an_attribute():
    func = samples.matmul(64, 64, 64).with_attr("tt.storage", {"B": "bfp4_b"})
    mod = tvm.build(func, target="tenstorrent")
    from tilelang_tt import sources
    plan = json.loads(sources(mod)["plan.json"])
    assert {t["name"]: t["page_bytes"] for t in plan["tensors"]} == {"A": 2048, "B": 576, "C": 2048}


def test_the_interpreter_reads_the_quantised_values():
    # the numpy interpreter of TT-level TIR (a second execution besides the emulator) computes with what a
    # Bfp4_b B holds, not with the bf16 values passed in
    import ml_dtypes
    import numpy as np

    from tilelang_tt import blockfloat
    from tilelang_tt.numerics import check, matmul_bound
    from tilelang_tt.ttir import interp
    rng = np.random.default_rng(2)
    a = rng.standard_normal((64, 64)).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal((64, 64)).astype(ml_dtypes.bfloat16)
    mod = lower_to_tt(samples.matmul(64, 64, 64, 32, 32, 32), schedule="naive", storage={"B": "bfp4_b"})
    c = interp.run(mod, {"A": a.astype(np.float32), "B": b.astype(np.float32), "C": np.zeros((64, 64), np.float32)})[0]["C"]
    bq = blockfloat.quantize(b, "bfp4_b").astype(ml_dtypes.bfloat16)
    assert check(c, *matmul_bound(a, bq, "bfloat16"))[0]
    assert not check(c, *matmul_bound(a, b, "bfloat16"))[0]
