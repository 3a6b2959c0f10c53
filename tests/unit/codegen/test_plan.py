"""plan.json (schema tilelang_tt.plan/1) built from the role functions' attributes."""
import json

import pytest
import tvm

import codegen_cases as K
from tilelang_tt import TTCompileError, TTResourceError, TTTargetError
from tilelang_tt.codegen import generate
from tilelang_tt.codegen.plan import SCHEMA, build_plan


def test_matmul_plan():
    plan = build_plan(K.Matmul, "M081")
    assert list(plan) == ["schema", "kernel", "model", "api_profile", "tt_grid", "core_grid", "cores", "tensors",
                          "cbs", "kernels", "l1_bytes_used"]
    assert plan["schema"] == SCHEMA == "tilelang_tt.plan/1"
    assert (plan["kernel"], plan["model"], plan["api_profile"]) == ("matmul", "wormhole_b0", "M081")
    assert plan["tt_grid"] == [16, 16] and plan["core_grid"] == [8, 8]
    assert len(plan["cores"]) == 64
    assert plan["cores"][9] == {"core": [1, 1], "block_start": 36, "block_count": 4}
    assert [t["name"] for t in plan["tensors"]] == ["A", "B", "C"]
    assert plan["tensors"][0] == {"name": "A", "param_index": 0, "shape": [1024, 1024], "dtype": "bfloat16",
                                  "data_format": "Float16_b", "page_bytes": 2048, "num_pages": 1024,
                                  "access": "read"}
    assert [c["index"] for c in plan["cbs"]] == [0, 1, 16]
    assert plan["l1_bytes_used"] == 4 * 2048 + 4 * 2048 + 8 * 2048
    k = plan["kernels"]
    assert k["reader"] == {"source": "reader.cpp", "processor": "RISCV_1", "noc": "RISCV_1_default",
                           "accessors": ["A", "B"], "runtime_args": ["block_start", "block_count", "addr:A", "addr:B"]}
    assert k["writer"]["processor"] == "RISCV_0" and k["writer"]["noc"] == "RISCV_0_default"
    assert k["compute"] == {"source": "compute.cpp", "accessors": [], "runtime_args": ["block_start", "block_count"],
                            "math_fidelity": "HiFi4", "fp32_dest_acc_en": True, "dst_full_sync_en": False,
                            "math_approx_mode": False}
    assert json.loads(generate(K.Matmul)["plan.json"]) == plan
    assert build_plan(K.Matmul, "E3")["api_profile"] == "E3"


def test_uneven_split_and_host_core_ranges():
    plan = build_plan(K.UnaryChain)
    assert [c["core"] for c in plan["cores"]] == [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1]]
    main = generate(K.UnaryChain)["main.cpp"]
    assert "CoreRange(CoreCoord{0, 0}, CoreCoord{2, 0})," in main
    assert "CoreRange(CoreCoord{0, 1}, CoreCoord{1, 1})," in main
    assert "{1, 1, 6, 2}," in main


def test_unknown_profile():
    with pytest.raises(TTTargetError, match="known profiles: M081, E4, E3"):
        build_plan(K.Matmul, "E2")


def _patched(mod, **changes):
    """`mod` with attribute overrides on every role function (None removes nothing)."""
    funcs = {}
    for gv, f in mod.functions.items():
        attrs = {str(k): v for k, v in f.attrs.items()}
        for key, value in changes.items():
            key = key.replace("__", ".")
            if callable(value):
                value = value(str(attrs["tt.kernel_role"]), attrs.get(key))
            if value is not None:
                attrs[key] = value
        funcs[tvm.ir.GlobalVar(gv.name_hint)] = f.with_attrs(attrs)
    return tvm.IRModule(funcs)


def test_attrs_must_agree_between_roles():
    mod = _patched(K.Matmul, tt_grid=lambda r, v: [8, 8] if r == "writer" else v)
    with pytest.raises(TTCompileError, match="'tt_grid' differs between role functions"):
        build_plan(mod)


def test_blocks_must_be_covered_exactly_once():
    mod = _patched(K.Matmul, tiles_per_core=[4] * 63 + [3])
    with pytest.raises(TTCompileError, match="do not cover blocks"):
        build_plan(mod)


def test_core_grid_must_fit_the_chip():
    mod = _patched(K.Matmul, tt_core_grid=[16, 4])
    with pytest.raises(TTResourceError, match="does not fit"):
        build_plan(mod)


def test_l1_overflow():
    cbs = [K.cb(0, "A_s", "bfloat16", 1000, 2, "input"), K.cb(1, "B_s", "bfloat16", 4, 2, "input"),
           K.cb(16, "C_l", "bfloat16", 8, 4, "output")]
    with pytest.raises(TTResourceError, match="bytes of L1"):
        build_plan(_patched(K.Matmul, tt_cb_plan=cbs))


def test_unknown_runtime_arg():
    mod = _patched(K.Matmul, tt__runtime_args=lambda r, v: ["block_start", "n_tiles"] if r == "compute" else v)
    with pytest.raises(TTCompileError, match="runtime arg 'n_tiles'"):
        build_plan(mod)


def test_missing_role():
    funcs = {gv: f for gv, f in K.Matmul.functions.items() if gv.name_hint != "matmul_writer"}
    with pytest.raises(TTCompileError, match="lacks the writer kernel"):
        build_plan(tvm.IRModule(funcs))
