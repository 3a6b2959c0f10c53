"""The work container: JSON round trip, strictness, and the unpack counts of matmul_block."""
import json

import pytest

from tilelang_tt.perf.matmul import unpacked_per_call
from tilelang_tt.perf.work import ComputeWork, CoreWork, DMWork, ProgramWork


def _program():
    core = CoreWork(core=(3, 1), compute=ComputeWork(matmul_tiles=64, matmul_calls=8, matmul_unpacked_tiles=72,
                                                     matmul_unpacked_in0_tiles=8, pack_tiles=8, dst_acquires=1),
                    steps=4, step_overlap=2, blocks=1, out_overlap=0)
    core.dm_of("RISCV_1").dram_read_bytes = 4096
    core.dm_of("RISCV_0").mcast_dests = 7
    return ProgramWork(model="wormhole_b0", math_fidelity="HiFi2", fp32_dest_acc_en=True,
                       input_formats=["Float16_b", "Float16_b"], output_format="Float16_b",
                       intermediate_format="Float32", cores=[core], kernels=5, useful_flops=1.0e6, label="x")


def test_round_trip_through_json_is_exact():
    pw = _program()
    back = ProgramWork.from_dict(json.loads(json.dumps(pw.to_dict())))
    assert back == pw
    assert back.cores[0].core == (3, 1) and back.cores[0].dm["RISCV_0"].mcast_dests == 7


def test_unknown_fields_and_processors_are_rejected():
    d = _program().to_dict()
    d["cores"][0]["compute"]["matmul_flops"] = 1
    with pytest.raises(ValueError, match="unknown fields.*matmul_flops"):
        ProgramWork.from_dict(d)
    with pytest.raises(ValueError, match="unknown data-movement processor"):
        CoreWork(core=(0, 0)).dm_of("BRISC")


def test_totals_and_scaling():
    pw = _program()
    pw.cores.append(CoreWork.from_dict(pw.cores[0].to_dict()))
    assert pw.total_compute().matmul_tiles == 128
    assert pw.total_dm().dram_read_bytes == 8192
    assert pw.cores[0].compute.scaled(3).matmul_calls == 24
    assert DMWork(barriers=2).add(DMWork(barriers=3)).barriers == 5


@pytest.mark.parametrize("h,w,in0,in1", [
    (1, 1, 1, 1),      # matmul_tiles: one of each
    (1, 8, 1, 8),      # one in0 tile reused across 8 in1 tiles
    (2, 4, 2, 4),      # rows in a pair of SrcB banks: each in1 tile serves both
    (4, 2, 4, 2),      # in1 reused (h > w): 2 in1 tiles, in0 streamed once per pair of in1 tiles
    (8, 1, 8, 1),
    (4, 4, 4, 8),      # full-sync DST: 4 in0, in1 once per pair of rows
    (3, 5, 3, 10),
])
def test_matmul_block_unpack_counts_follow_the_llk(h, w, in0, in1):
    assert unpacked_per_call(h, w) == (in0, in1)
