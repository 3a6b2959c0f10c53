"""The DeviceProgram read from the kernels' attributes, plan.json (schema tilelang_tt.plan/2) printed from
it, and every check the program makes against its chip."""
import copy
import json

import pytest
import tvm

import codegen_cases as K
from tilelang_tt import TTCompileError, TTResourceError, TTTargetError
from tilelang_tt.codegen import device_program, generate
from tilelang_tt.device import SCHEMA, DeviceProgram
from tilelang_tt.errors import TTInternalError


def test_matmul_plan():
    plan = device_program(K.Matmul, "M081").to_plan()
    assert list(plan) == ["schema", "kernel", "model", "api_profile", "schedule", "core_grid", "tensors", "cbs",
                          "semaphores", "kernels", "l1_bytes_used"]
    assert plan["schema"] == SCHEMA == "tilelang_tt.plan/2"
    assert (plan["kernel"], plan["model"], plan["api_profile"]) == ("matmul", "wormhole_b0", "M081")
    assert plan["schedule"]["variant"] == "naive" and plan["schedule"]["grid"] == [16, 16]
    assert plan["core_grid"] == [8, 8]
    assert [t["name"] for t in plan["tensors"]] == ["A", "B", "C"]
    assert plan["tensors"][0] == {"name": "A", "param_index": 0, "shape": [1024, 1024], "dtype": "bfloat16",
                                  "data_format": "Float16_b", "page_bytes": 2048, "num_pages": 1024,
                                  "access": "read"}
    assert [c["index"] for c in plan["cbs"]] == [0, 1, 16]
    assert plan["l1_bytes_used"] == 4 * 2048 + 4 * 2048 + 8 * 2048
    assert plan["semaphores"] == []
    reader, compute, writer = plan["kernels"]
    assert reader["name"] == "reader" and reader["source"] == "reader.cpp"
    assert (reader["kind"], reader["processor"], reader["noc"]) == ("dataflow", "RISCV_1", "RISCV_1_default")
    assert reader["cores"] == [[0, 0, 7, 7]] and reader["accessors"] == ["A", "B"]
    assert reader["runtime_arg_names"] == ["block_start", "block_count", "addr:A", "addr:B"]
    assert reader["runtime_args"][9] == [1, 1, 36, 4, "addr:A", "addr:B"]
    assert (writer["processor"], writer["noc"]) == ("RISCV_0", "RISCV_0_default")
    assert compute["kind"] == "compute" and compute["accessors"] == []
    assert compute["compute"] == {"math_fidelity": "HiFi4", "fp32_dest_acc_en": True, "dst_full_sync_en": False,
                                  "math_approx_mode": False, "unpack_to_dest_fp32": []}
    printed = json.loads(generate(K.Matmul)["plan.json"])
    # plan.json adds what the performance model reads: the work of every core, counted from the kernels
    assert printed.pop("work")["cores"] and printed == plan
    assert device_program(K.Matmul, "E3").to_plan()["api_profile"] == "E3"


def test_plan_round_trip():
    prog = device_program(K.MatmulBiasRelu)
    back = DeviceProgram.from_plan(json.loads(prog.dumps()))
    assert back.to_plan() == prog.to_plan()
    with pytest.raises(TTCompileError, match="schema"):
        DeviceProgram.from_plan({**prog.to_plan(), "schema": "tilelang_tt.plan/1"})


def test_uneven_split_and_host_core_ranges():
    prog = device_program(K.UnaryChain)
    assert prog.cores == [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1)]
    main = generate(K.UnaryChain)["main.cpp"]
    assert "CoreRange(CoreCoord{0, 0}, CoreCoord{2, 0})," in main
    assert "CoreRange(CoreCoord{0, 1}, CoreCoord{1, 1})," in main
    assert "{1, 1, 6, 2}," in main


def test_exact_counts_per_core():
    prog = device_program(K.Matmul)
    # 4 output blocks per core, each 32 K steps of 2 A tiles and 2 B tiles, 2x2x1 tile products per step
    t = prog.counts[("reader", (3, 5))]
    assert t[("dram_read", "A")] == t[("dram_read", "B")] == 4 * 32 * 2
    assert t[("dram_read_bytes",)] == 4 * 32 * 4 * 2048
    c = prog.counts[("compute", (3, 5))]
    assert c[("matmul_tiles",)] == 4 * 32 * 4
    assert c[("cb", 0, "wait")] == c[("cb", 0, "pop")] == 4 * 32 * 2
    w = prog.counts[("writer", (0, 0))]
    assert w[("dram_write", "C")] == 4 * 4


def test_unknown_profile():
    with pytest.raises(TTTargetError, match="known profiles: M081, E4, E3"):
        device_program(K.Matmul, "E2")


def _patched(mod, program=None, spec=None):
    """`mod` with the program attr rewritten by program(dict) and kernel specs by spec(role, dict)."""
    funcs = {}
    for gv, f in mod.functions.items():
        attrs = {str(k): v for k, v in f.attrs.items()}
        role = str(attrs["tt.kernel_role"])
        if program is not None:
            p = copy.deepcopy(_plain(attrs["tt.program"]))
            program(p)
            attrs["tt.program"] = p
        if spec is not None:
            sp = copy.deepcopy(_plain(attrs["tt.kernel_spec"]))
            spec(role, sp)
            attrs["tt.kernel_spec"] = sp
        funcs[tvm.ir.GlobalVar(gv.name_hint)] = f.with_attrs(attrs)
    return tvm.IRModule(funcs)


def _plain(v):
    from tilelang_tt.device.program import _py
    return _py(v)


def test_kernels_must_agree_on_the_program():
    funcs = {}
    for gv, f in K.Matmul.functions.items():
        if gv.name_hint.endswith("writer"):
            p = _plain(f.attrs["tt.program"])
            p["model"] = "blackhole"
            f = f.with_attr("tt.program", p)
        funcs[gv] = f
    with pytest.raises(TTInternalError, match="disagree"):
        device_program(tvm.IRModule(funcs))


def test_kernel_outside_the_chip():
    def move(role, sp):
        sp["cores"] = [[0, 0, 15, 3]]
        sp["runtime_args"] = [[x, y] + sp["runtime_args"][0][2:] for y in range(4) for x in range(16)]
    with pytest.raises(TTResourceError, match="outside the 8x8 compute grid"):
        device_program(_patched(K.Matmul, spec=move))


def test_l1_overflow():
    def big(p):
        p["schedule"]["cbs"][0]["num_pages"] = 1000
    with pytest.raises(TTResourceError, match="bytes of L1"):
        device_program(_patched(K.Matmul, program=big))


def test_runtime_arg_limit_and_unknown_symbol():
    def many(role, sp):
        if role == "compute":
            sp["runtime_arg_names"] = sp["runtime_arg_names"] + ["x"] * 400
            sp["runtime_args"] = [r + [0] * 400 for r in sp["runtime_args"]]
    with pytest.raises(TTResourceError, match="runtime args on core .* the limit is 341"):
        device_program(_patched(K.Matmul, spec=many))

    def bogus(role, sp):
        if role == "writer":
            sp["runtime_args"] = [r[:-1] + ["addr:Z"] for r in sp["runtime_args"]]
    with pytest.raises(TTInternalError, match="unknown symbolic runtime arg 'addr:Z'"):
        device_program(_patched(K.Matmul, spec=bogus))


def test_two_kernels_on_one_processor():
    def clash(role, sp):
        if role == "writer":
            sp["processor"], sp["noc"] = "RISCV_1", "RISCV_1_default"
    with pytest.raises(TTInternalError, match="both run on RISCV_1"):
        device_program(_patched(K.Matmul, spec=clash))


def test_no_kernels():
    with pytest.raises(TTCompileError, match="holds no kernel"):
        device_program(tvm.IRModule({}))
