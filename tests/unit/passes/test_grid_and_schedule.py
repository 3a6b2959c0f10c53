"""tt.AnnotateGrid and tt.ChooseSchedule (the naive schedule's core map): exact attribute values."""
import pytest
import tvm
from tvm.target import Target

from pass_kernels import make, matmul, unary
from tilelang_tt.device.program import _py
from tilelang_tt.errors import TTCompileError, TTTargetError
from tilelang_tt.options import CompileOptions
from tilelang_tt.passes import AnnotateGrid, ChooseSchedule, annotate_grid, choose_schedule
from tilelang_tt.schedule.naive import blocked_2d, contiguous


def _ints(a):
    return [int(x) for x in a]


def _sched(f):
    return _py(f.attrs["tt_schedule"])


def test_annotate_grid_2d():
    f = AnnotateGrid()(tvm.IRModule({"mm": matmul(192, 320, 64)}))["mm"]   # 5 x 3 blocks of 64x64
    assert _ints(f.attrs["tt_grid"]) == [5, 3]
    tvm.ir.assert_structural_equal(f.body, matmul(192, 320, 64).body)   # body untouched


def test_annotate_grid_1d_x_and_1d_y():
    fx = make('''
        bx = T.launch_thread("blockIdx.x", 4)
        A_s = T.alloc_buffer((64, 32), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((64, 32), "float32", scope="local")
        T.tile.copy(A_s, A[0:64, bx * 32:bx * 32 + 32])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:64, bx * 32:bx * 32 + 32], C_l)
    ''')
    assert _ints(annotate_grid(fx).attrs["tt_grid"]) == [4, 1]
    fy = make('''
        by = T.launch_thread("blockIdx.y", 2)
        A_s = T.alloc_buffer((32, 128), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 128), "float32", scope="local")
        T.tile.copy(A_s, A[by * 32:by * 32 + 32, 0:128])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[by * 32:by * 32 + 32, 0:128], C_l)
    ''')
    assert _ints(annotate_grid(fy).attrs["tt_grid"]) == [1, 2]


def test_annotate_grid_without_binding_raises():
    f = make('''
        A_s = T.alloc_buffer((64, 128), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((64, 128), "float32", scope="local")
        T.tile.copy(A_s, A[0:64, 0:128])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:64, 0:128], C_l)
    ''', name="nogrid")
    with pytest.raises(TTCompileError, match="kernel 'nogrid': no grid binding"):
        annotate_grid(f)


@pytest.mark.parametrize("blocks,grid,max_cores,core_grid,counts", [
    (1, (8, 8), None, [1, 1], [1]),
    (15, (8, 8), None, [8, 2], [1] * 15),
    (64, (8, 8), None, [8, 8], [1] * 64),
    (100, (8, 8), None, [8, 8], [2] * 36 + [1] * 28),
    (256, (8, 8), None, [8, 8], [4] * 64),
    (130, (11, 10), None, [11, 10], [2] * 20 + [1] * 90),
    (10, (8, 8), 4, [4, 1], [3, 3, 2, 2]),
])
def test_contiguous_split(blocks, grid, max_cores, core_grid, counts):
    cg, got, starts = contiguous(blocks, grid, max_cores)
    assert cg == core_grid
    assert got == counts
    assert starts == [sum(counts[:i]) for i in range(len(counts))]
    assert sum(got) == blocks
    assert max(got) - min(got) <= 1


def _assigned(func, target=None, **kw):
    """The naive schedule of `func` (matmul kernels would otherwise get a matmul schedule)."""
    return choose_schedule(annotate_grid(func), target, CompileOptions(schedule="naive", **kw))


def test_choose_schedule_writes_all_attrs_8x8_grid_on_wormhole():
    f = _assigned(matmul(512, 512, 32))   # 8 x 8 blocks
    s = _sched(f)
    assert str(f.attrs["tt_model"]) == "wormhole_b0"
    assert s["kind"] == "naive" and s["core_grid"] == [8, 8]
    assert _ints(f.attrs["tiles_per_core"]) == s["tiles_per_core"] == [1] * 64
    assert s["block_start"] == list(range(64))
    assert s["reason"] == "requested: schedule='naive'"


def test_grid_larger_than_device_loops_and_uneven_split_front_loads():
    f = _assigned(unary("exp", shape=(32, 32), grid=(10, 10)))   # 100 blocks on 64 cores
    assert _ints(f.attrs["tiles_per_core"]) == [2] * 36 + [1] * 28
    starts = _sched(f)["block_start"]
    assert starts[:3] == [0, 2, 4] and starts[36] == 72 and starts[-1] == 99


@pytest.mark.parametrize("target", ["tenstorrent/blackhole", Target("tenstorrent/blackhole"), "blackhole"])
def test_blackhole_target(target):
    f = _assigned(unary("exp", shape=(32, 32), grid=(12, 10)), target=target)   # 120 blocks, 110 cores
    assert str(f.attrs["tt_model"]) == "blackhole"
    assert _sched(f)["core_grid"] == [11, 10]
    assert _ints(f.attrs["tiles_per_core"]) == [2] * 10 + [1] * 100


def test_bound_function_target_is_used():
    f = matmul(64, 64, 32).with_attr("target", Target("tenstorrent/blackhole"))
    assert str(_assigned(f).attrs["tt_model"]) == "blackhole"


def test_max_cores_option_and_pass_form():
    mod = tvm.IRModule({"mm": matmul(256, 256, 32)})   # 16 blocks
    mod = ChooseSchedule(options=CompileOptions(schedule="naive", max_cores=3))(AnnotateGrid()(mod))
    f = mod["mm"]
    assert _ints(f.attrs["tiles_per_core"]) == [6, 5, 5]
    assert _sched(f)["block_start"] == [0, 6, 11]
    assert _sched(f)["core_grid"] == [3, 1]


def test_choose_schedule_errors():
    with pytest.raises(TTTargetError, match="option core_policy='diagonal' is not supported"):
        _assigned(matmul(64, 64, 32), core_policy="diagonal")
    with pytest.raises(TTTargetError, match="unknown Tenstorrent target"):
        _assigned(matmul(64, 64, 32), target="tenstorrent/grayskull")
    with pytest.raises(TTTargetError, match="not a Tenstorrent target"):
        _assigned(matmul(64, 64, 32), target=Target("llvm"))
    with pytest.raises(TTTargetError, match="max_cores='4' must be a positive integer"):
        _assigned(matmul(64, 64, 32), max_cores="4")
    with pytest.raises(TTTargetError, match="cb_depth=1.5 must be a positive integer"):
        _assigned(matmul(64, 64, 32), cb_depth=1.5)


@pytest.mark.parametrize("grid,device,max_cores,core_grid,per", [
    ((16, 16), (8, 8), None, [8, 8], 4),
    ((5, 3), (8, 8), None, [5, 3], 1),
    ((10, 16), (8, 8), None, [5, 8], 4),
    ((12, 10), (11, 10), None, [6, 10], 2),
    ((16, 16), (8, 8), 16, [4, 4], 16),
    ((11, 1), (8, 8), None, [1, 1], 11),       # a prime wider than the device: one column
])
def test_blocked_2d_split(grid, device, max_cores, core_grid, per):
    cg, counts, starts = blocked_2d(grid, device, max_cores)
    assert cg == core_grid
    assert counts == [per] * (cg[0] * cg[1])
    assert starts == [i * per for i in range(len(counts))]


def test_choose_schedule_2d_blocked_attrs():
    f = _assigned(matmul(1024, 1024, 32), core_policy="2d_blocked")   # 16 x 16 blocks
    assert _sched(f)["policy"] == "2d_blocked"
    assert _sched(f)["core_grid"] == [8, 8]
    assert _ints(f.attrs["tiles_per_core"]) == [4] * 64
    assert _sched(_assigned(matmul(64, 64, 32)))["policy"] == "contiguous"


def _program(mod):
    from tilelang_tt.codegen import device_program
    return device_program(mod)


def test_options_from_function_attrs_and_keywords():
    from tilelang_tt.passes import lower_to_tt
    f = matmul(256, 256, 32).with_attrs({"tt.core_policy": "2d_blocked", "tt.max_cores": 4, "tt.schedule": "naive",
                                         "tt.cb_depth": 3, "tt.math_fidelity": "HiFi2"})
    prog = _program(lower_to_tt(f))
    assert prog.schedule["policy"] == "2d_blocked"
    assert prog.core_grid == (2, 2) and prog.schedule["tiles_per_core"] == [4] * 4
    assert prog.cbs[0].num_pages == 6
    assert prog.compute.math_fidelity == "HiFi2"
    prog = _program(lower_to_tt(f, core_policy="contiguous", max_cores=2))
    assert prog.schedule["policy"] == "contiguous" and prog.schedule["tiles_per_core"] == [8, 8]


def test_pass_names():
    from tilelang_tt.passes import LowerToDevice, VerifyInput, tt_passes
    names = [p().info.name for p in (VerifyInput, AnnotateGrid, ChooseSchedule, LowerToDevice)]
    assert names == ["tt.VerifyInput", "tt.AnnotateGrid", "tt.ChooseSchedule", "tt.LowerToDevice"]
    assert tt_passes().info.name == "tt.Lower"
