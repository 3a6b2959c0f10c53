"""The naive schedule's CB plan, tensors and compute config (schedule/naive.py); L1 / CB-count overflow."""
import pytest

from pass_kernels import make, matmul, unary
from tilelang_tt import samples
from tilelang_tt.errors import TTResourceError, TTTargetError
from tilelang_tt.frontend import read_program
from tilelang_tt.options import CompileOptions
from tilelang_tt.schedule.naive import naive_schedule
from tilelang_tt.target import hardware


def plan_cbs(func, **options):
    """The naive schedule of `func` as its dict: cbs, tensors, compute, core map."""
    opts = CompileOptions(schedule="naive", **options)
    return naive_schedule(read_program(func), hardware("wormhole_b0"), opts).to_dict()


def cb(index, name, dtype, block, role, depth=2):
    fmt, page = {"bfloat16": ("Float16_b", 2048), "float32": ("Float32", 4096)}[dtype]
    return {"index": index, "name": name, "dtype": dtype, "data_format": fmt, "page_bytes": page,
            "num_pages": block * depth, "block_pages": block, "role": role, "cores": []}


def test_matmul_bias_relu_plan():
    f = plan_cbs(samples.matmul_bias_relu(128, 256, 64))
    assert f["cbs"] == [
        cb(0, "A_s", "bfloat16", 2, "input"), cb(1, "B_s", "bfloat16", 2, "input"),
        cb(2, "D_s", "bfloat16", 4, "input"), cb(16, "C_l", "bfloat16", 4, "output")]
    assert f["tensors"] == [
        {"name": "A", "param_index": 0, "shape": [128, 64], "dtype": "bfloat16", "data_format": "Float16_b",
         "page_bytes": 2048, "num_pages": 8, "access": "read"},
        {"name": "B", "param_index": 1, "shape": [64, 256], "dtype": "bfloat16", "data_format": "Float16_b",
         "page_bytes": 2048, "num_pages": 16, "access": "read"},
        {"name": "D", "param_index": 2, "shape": [128, 256], "dtype": "bfloat16", "data_format": "Float16_b",
         "page_bytes": 2048, "num_pages": 32, "access": "read"},
        {"name": "C", "param_index": 3, "shape": [128, 256], "dtype": "bfloat16", "data_format": "Float16_b",
         "page_bytes": 2048, "num_pages": 32, "access": "write"}]
    assert f["compute"] == {"math_fidelity": "HiFi4", "fp32_dest_acc_en": True,
                            "dst_full_sync_en": False, "math_approx_mode": False, "unpack_to_dest_fp32": []}


def test_bf16_accumulator_and_options():
    f = plan_cbs(unary("exp", shape=(64, 64)), cb_depth=3, math_fidelity="LoFi")
    assert f["cbs"] == [cb(0, "A_s", "bfloat16", 4, "input", depth=3),
                        cb(16, "C_l", "bfloat16", 4, "output", depth=3)]
    cfg = f["compute"]
    assert cfg["fp32_dest_acc_en"] is False and cfg["math_fidelity"] == "LoFi"


def test_float32_tensors_use_4096_byte_pages():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "float32", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.sqrt(C_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''', params='A: T.Buffer((32, 128), "float32"), C: T.Buffer((32, 128), "float32")')
    f = plan_cbs(f)
    assert f["cbs"] == [cb(0, "A_s", "float32", 2, "input"), cb(16, "C_l", "float32", 2, "output")]
    assert f["tensors"][0]["page_bytes"] == 4096


def test_readwrite_tensor_and_two_outputs_of_one_local():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.exp(C_l, A_s)
        T.tile.copy(A[0:32, bx * 64:bx * 64 + 64], C_l)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''', params='A: T.Buffer((32, 128), "bfloat16"), C: T.Buffer((32, 128), "float32")')
    f = plan_cbs(f)
    plan = f["cbs"]
    assert [(e["index"], e["name"], e["dtype"], e["role"]) for e in plan] == [
        (0, "A_s", "bfloat16", "input"), (16, "C_l_A", "bfloat16", "output"),
        (17, "C_l_C", "float32", "output")]
    assert [t["access"] for t in f["tensors"]] == ["readwrite", "write"]


def test_intermediate_cb_for_shared_buffer_not_loaded_from_dram():
    # PlanCBs alone (VerifyInput would reject the kernel): an unloaded shared buffer is an intermediate
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        T_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''')
    plan = plan_cbs(f)["cbs"]
    assert (plan[-1]["index"], plan[-1]["name"], plan[-1]["role"]) == (24, "T_s", "intermediate")


def test_l1_overflow_reports_per_cb_table():
    # 1024x1024 fp32 input block = 1024 tiles of 4096 B, double buffered: 8 MiB > 1.43 MiB of L1
    f = make('''
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((1024, 1024), "float32", scope="shared")
        C_l = T.alloc_buffer((1024, 1024), "float32", scope="local")
        T.tile.copy(A_s, A[0:1024, 0:1024])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:1024, 0:1024], C_l)
    ''', params='A: T.Buffer((1024, 1024), "float32"), C: T.Buffer((1024, 1024), "float32")', name="big")
    with pytest.raises(TTResourceError) as e:
        plan_cbs(f)
    msg = str(e.value)
    assert "kernel 'big'" in msg
    assert f"need {2 * 2048 * 4096} B of L1" in msg and f"{1464 * 1024} B" in msg
    assert "c_0   A_s" in msg and "2048 x  4096 B =  8388608 B" in msg
    assert "c_16  C_l" in msg
    assert "smaller blocks" in msg


def test_l1_fits_with_depth_one_but_not_two():
    f = unary("exp", shape=(256, 256))   # 64 tiles x 2048 B = 128 KiB per buffer
    plan_cbs(f, cb_depth=2)
    with pytest.raises(TTResourceError, match="need 1572864 B of L1"):
        plan_cbs(f, cb_depth=6)


def test_too_many_input_cbs():
    lines = ['bx = T.launch_thread("blockIdx.x", 1)',
             'C_l = T.alloc_buffer((32, 32), "float32", scope="local")']
    lines += [f'S{i} = T.alloc_buffer((32, 32), "bfloat16", scope="shared")' for i in range(17)]
    lines += [f"T.tile.copy(S{i}, A[0:32, 0:32])" for i in range(17)]
    lines += [f"T.tile.add(C_l, C_l, S{i})" for i in range(17)]
    lines += ["T.tile.copy(C[0:32, 0:32], C_l)"]
    f = make("\n".join(lines), params='A: T.Buffer((32, 32), "bfloat16"), C: T.Buffer((32, 32), "bfloat16")')
    with pytest.raises(TTResourceError, match=r"17 input CBs \(c_0..c_15\) exceed the limit of 16"):
        plan_cbs(f)


def test_bad_options():
    with pytest.raises(TTTargetError, match="option cb_depth=0 must be a positive integer"):
        plan_cbs(matmul(64, 64, 32), cb_depth=0)
    with pytest.raises(TTTargetError, match="option math_fidelity='HiFi9' is not supported; choose one of: LoFi"):
        plan_cbs(matmul(64, 64, 32), math_fidelity="HiFi9")
