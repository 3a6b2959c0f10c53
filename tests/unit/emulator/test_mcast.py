import numpy as np
import pytest

from tilelang_tt.errors import EmulatorDeadlock

from emu_testlib import BF16, rand_bf16


def test_semaphores_and_multicast(runner):
    a = rand_bf16((32, 32), 1)
    c = runner.run("mcast", [a], BF16, (4 * 1024,), env=dict(MC_RECEIVERS=3))
    for i in range(4):  # sender and each receiver wrote the multicast tile
        np.testing.assert_array_equal(c[i * 1024:(i + 1) * 1024], a.reshape(-1))


def test_semaphore_deadlock_reports_value(runner):
    a = rand_bf16((32, 32), 1)
    # the sender waits for num_dests=4 receivers but only 3 exist
    with pytest.raises(EmulatorDeadlock) as ei:
        runner.run("mcast", [a], BF16, (4 * 1024,), env=dict(MC_RECEIVERS=3, MC_BAD_DESTS=1))
    blocked = ei.value.report["details"]["blocked"]
    sender = [b for b in blocked if b["kernel"] == "sender"]
    assert sender and sender[0]["core"] == [0, 0] and sender[0]["call"] == "noc_semaphore_wait"
    assert sender[0]["semaphore_value"] == 3 and sender[0]["expected"] == 4
