"""The emulator's C++ holds its own copy of the hardware numbers it enforces (runtime.cpp `Model`,
emu.hpp limits); they must equal target.py's table, the one the compiler plans with."""
import re
from pathlib import Path

import pytest

from tilelang_tt.target import HARDWARE

SRC = Path(__file__).resolve().parents[3] / "tilelang_tt" / "emulator" / "src"


def _cpp_int(expr: str, names=None) -> int:
    # "1ull << 30", "1464u * 1024", "L1_BASE + L1_MAX_USABLE"
    return int(eval(re.sub(r"(\d+)(?:ull|u|ll)\b", r"\1", expr), {}, dict(names or {})))


def _models() -> dict:
    text = (SRC / "runtime.cpp").read_text()
    out = {}
    for m in re.finditer(r'return Model\{"(\w+)",([^}]*)\}', text):
        out[m.group(1)] = [_cpp_int(v) for v in m.group(2).split(",")]
    return out


@pytest.mark.parametrize("model", sorted(HARDWARE))
def test_emulator_model_equals_target_table(model):
    hw = HARDWARE[model]
    gx, gy, banks, bank_bytes, align, max_cbs, burst, l1 = _models()[model]
    assert (gx, gy) == hw.grid
    assert (banks, bank_bytes, align, max_cbs, burst, l1) == (
        hw.dram_banks, hw.dram_bank_bytes, hw.dram_read_alignment, hw.max_cbs, hw.noc_max_burst_bytes, hw.l1_bytes)


def test_emulator_limits_equal_target_table():
    consts = {}
    for m in re.finditer(r"constexpr \w+ (\w+) = ([^;]+);", (SRC / "emu.hpp").read_text()):
        consts[m.group(1)] = _cpp_int(m.group(2), consts)
    assert consts["MAX_SEMS"] == max(hw.max_semaphores for hw in HARDWARE.values())
    assert len({hw.max_semaphores for hw in HARDWARE.values()}) == 1     # one limit for every model
    assert consts["MAX_CBS"] == max(hw.max_cbs for hw in HARDWARE.values())
    assert consts["L1_MAX_USABLE"] == max(hw.l1_bytes for hw in HARDWARE.values())
    assert consts["DST_TILES"] == max(max(hw.dst_tiles.values()) for hw in HARDWARE.values())
