"""Every failure surfaces as a typed exception whose report names core, kernel and the offending state."""
import time

import numpy as np
import pytest

from tilelang_tt.errors import (EmulatorCrash, EmulatorDeadlock, EmulatorFormatError, EmulatorTimeout,
                                EmulatorViolation, KernelBuildError, TTRuntimeError)

from emu_testlib import BF16, rand_bf16

M, N = 32, 64


def _run(runner, **env):
    a, b = rand_bf16((M, N), 1), rand_bf16((M, N), 2)
    base = dict(EW_M=M, EW_N=N, EW_OP="add")
    base.update(env)
    return runner.run("eltwise", [a, b], BF16, (M, N), env=base)


def test_deadlock_across_threads_and_cores(runner):
    m, n = 64, 128  # 8 tiles over 8 cores spread over the scheduler threads
    a, b = rand_bf16((m, n), 1), rand_bf16((m, n), 2)
    with pytest.raises(EmulatorDeadlock) as ei:
        runner.run("eltwise", [a, b], BF16, (m, n), env=dict(EW_M=m, EW_N=n, EW_OP="add", EW_CORES=8,
                                                               EW_BUG="deadlock"))
    blocked = ei.value.report["details"]["blocked"]
    stuck = {tuple(b["core"]) for b in blocked if b["kernel"] == "compute" and b["cb_state"]["cb"] == 2}
    assert stuck == {(x, 0) for x in range(8)}


def test_deadlock_names_core_kernel_and_cb(runner):
    t0 = time.perf_counter()
    with pytest.raises(EmulatorDeadlock) as ei:
        _run(runner, EW_BUG="deadlock")
    assert time.perf_counter() - t0 < 10
    rep = ei.value.report
    assert rep["kind"] == "deadlock"
    blocked = rep["details"]["blocked"]
    comp = [b for b in blocked if b["kernel"] == "compute"][0]
    assert comp["core"] == [0, 0] and comp["call"] == "cb_wait_front" and comp["requested"] == 1
    assert comp["cb_state"]["cb"] == 2 and comp["cb_state"]["available"] == 0 and comp["cb_state"]["capacity"] == 2
    assert comp["line"] > 0
    # the reader pushed both tiles into its 2-page CBs and finished
    assert {"core": [0, 0], "kernel": "reader"} in rep["details"]["finished"]
    assert "c_2" in str(ei.value) and "compute" in str(ei.value)


def test_l1_overflow_has_byte_table(runner):
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_CB_PAGES=300)  # 3 input CBs x 300 x 2 KiB > 1464 KiB
    rep = ei.value.report
    assert rep["kind"] == "l1_overflow" and rep["core"] == [0, 0]
    cbs = rep["details"]["cbs"]
    assert [c["bytes"] for c in cbs][:3] == [300 * 2048] * 3
    assert rep["details"]["l1_usable_bytes"] == 1464 * 1024
    assert "c_0" in rep["message"]


def test_dst_overflow(runner):
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_BUG="dst_overflow", EW_FP32_ACC=1)
    rep = ei.value.report
    assert rep["kind"] == "dst_violation" and rep["kernel"] == "compute"
    assert rep["details"]["capacity"] == 4 and rep["details"]["dst_index"] == 4


def test_out_of_bounds_noc_read(runner):
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_BUG="oob_read")
    rep = ei.value.report
    assert rep["kind"] == "noc_violation" and rep["kernel"] == "reader" and rep["core"] == [0, 0]
    assert "page id 120 is out of range" in rep["message"]  # 10 * 2 tiles + 100
    assert rep["details"]["page_id"] == 120 and rep["details"]["line"] > 0


def test_push_without_reserve(runner):
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_BUG="push_no_reserve")
    rep = ei.value.report
    assert rep["kind"] == "cb_violation" and rep["kernel"] == "reader"
    assert "without a matching cb_reserve_back" in rep["message"]
    assert rep["details"]["cb_state"]["cb"] == 0


def test_pop_without_wait(runner):
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_BUG="pop_no_wait")
    assert ei.value.report["kind"] == "cb_violation"
    assert "without a matching cb_wait_front" in ei.value.report["message"]


def test_segfault_in_kernel_is_a_crash(runner):
    with pytest.raises(EmulatorCrash) as ei:
        _run(runner, EW_BUG="segv")
    assert "reader" in str(ei.value)


def test_compile_error_carries_compiler_output(runner):
    with pytest.raises(KernelBuildError) as ei:
        _run(runner, EW_BUG="syntax")
    assert "error" in ei.value.report["details"]["compiler_output"]
    assert ei.value.report["kernel"] == "reader"


def test_host_api_error_exits_1(runner):
    with pytest.raises(TTRuntimeError) as ei:
        _run(runner, EW_CB_PAGES=0)  # CircularBufferConfig(0, ...).set_page_size throws in the host program
    assert "tt_program: CircularBufferConfig::set_page_size" in str(ei.value)


def test_watchdog_names_a_kernel_that_never_calls_the_api(runner):
    a, b = rand_bf16((M, N), 1), rand_bf16((M, N), 2)
    with pytest.raises(EmulatorDeadlock) as ei:
        runner.run("eltwise", [a, b], BF16, (M, N), timeout=60,
                   env=dict(EW_M=M, EW_N=N, EW_OP="add", EW_BUG="spin", TT_EMU_HANG_SECONDS=1))
    rep = ei.value.report
    assert rep["kind"] == "hang" and rep["kernel"] == "reader" and rep["core"] == [0, 0]
    assert rep["details"]["last_call"] == "cb_reserve_back"


def test_timeout_kills_a_spinning_kernel(runner):
    a, b = rand_bf16((M, N), 1), rand_bf16((M, N), 2)
    t0 = time.perf_counter()
    with pytest.raises(EmulatorTimeout):
        runner.run("eltwise", [a, b], BF16, (M, N), env=dict(EW_M=M, EW_N=N, EW_OP="add", EW_BUG="spin",
                                                                 TT_EMU_HANG_SECONDS=0), timeout=3.0)
    assert time.perf_counter() - t0 < 30


def test_pack_before_tile_regs_wait(runner):
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_BUG="pack_before_wait")
    rep = ei.value.report
    assert rep["kind"] == "dst_violation" and rep["kernel"] == "compute"
    assert "pack_tile while DST is committed" in rep["message"]


def test_op_without_its_init(runner):
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_BUG="no_init")
    assert ei.value.report["kind"] == "api_misuse"
    assert "call add_init first" in ei.value.report["message"]   # the M081 name of the binary init


def test_cb_wrap_rule(runner):
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_BUG="wrap", EW_CB_PAGES=3)
    rep = ei.value.report
    assert rep["kind"] == "cb_violation" and "wrap rule" in rep["message"]
    assert rep["details"]["cb_state"]["cb"] == 1


def test_missing_kernel_compiler(runner, monkeypatch, tmp_path):
    # the host program is built with the real compiler; a never-built kernel variant then needs the
    # (missing) kernel compiler the driver hands to the child as TT_EMU_CXX
    from emu_testlib import sources
    from tilelang_tt.runtime import emulator
    for k, v in dict(EW_M=M, EW_N=N, EW_OP="add", EW_BUG="needs_compiler").items():
        monkeypatch.setenv(k, str(v))
    prog = emulator.build_program(sources("eltwise"))
    a, b = rand_bf16((M, N), 1), rand_bf16((M, N), 2)
    a.tofile(tmp_path / "a")
    b.tofile(tmp_path / "b")
    monkeypatch.setattr(emulator, "compiler", lambda: "/nonexistent/c++")
    with pytest.raises(KernelBuildError) as ei:
        emulator.run_program(prog, [str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "c")])
    assert "cannot run the kernel compiler '/nonexistent/c++'" in str(ei.value)


# The emulator accepts a NOC transfer only inside memory the program allocated: a CB or semaphore of
# the addressed core's L1, or a live DRAM buffer; everything else is a noc_violation naming the call.
@pytest.mark.parametrize("bug,expect", [
    ("l1_outside_cb", "is not inside one circular buffer or semaphore"),
    ("dram_unallocated", "is not inside any allocated buffer"),
    ("dram_past_end", "is past the end of the buffer"),
    ("bad_coords", "name no DRAM bank or worker core"),
    ("remote_l1", "is outside L1"),
])
def test_noc_addresses_outside_allocated_buffers(runner, bug, expect):
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_BUG=bug)
    rep = ei.value.report
    assert rep["kind"] == "noc_violation" and rep["kernel"] == "reader", rep
    assert expect in rep["message"], rep["message"]
    assert rep["details"]["line"] > 0


def test_pack_reconfig_old_new_reprograms_only_when_the_formats_differ(runner):
    """The (old, new) forms compare the two CBs' formats, not the packer's state (the LLK's
    should_reconfigure_cbs): with old = c_0 (bf16) the packer moves to c_16's Float32; with a wrong
    old = c_16 nothing changes and the Float32 pack is a format error."""
    a = rand_bf16((M, N), 1)
    out = runner.run("eltwise", [a, a], np.float32, (M, N),
                     env=dict(EW_M=M, EW_N=N, EW_OP="copy", EW_OUT_FP32=1, EW_BUG="pack_reconfig_old_new"))
    np.testing.assert_array_equal(out, a.astype(np.float32))
    with pytest.raises(EmulatorFormatError) as ei:
        _run(runner, EW_OP="copy", EW_OUT_FP32=1, EW_BUG="pack_reconfig_wrong_old")
    det = ei.value.report["details"]
    assert (det["unit"], det["cb"], det["cb_format"], det["configured_format"]) == ("the packer", 16, "Float32",
                                                                                    "Float16_b")
    assert det["configured_by"] == "compute_kernel_hw_startup" and ei.value.report["kernel"] == "compute"


def test_op_init_before_reduce_uninit(runner):
    """reduce_init leaves a mask in the packer that only reduce_uninit clears: the next op's init without it
    is an error (on a device every later pack would keep only the reduce's row / column)."""
    with pytest.raises(EmulatorViolation) as ei:
        _run(runner, EW_OP="reduce_sum_row", EW_BUG="no_reduce_uninit")
    assert ei.value.report["kind"] == "api_misuse"
    assert "reduce_uninit" in ei.value.report["message"]
