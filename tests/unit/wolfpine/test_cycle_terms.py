"""Our matmul terms against wolfpine's cycle model (docs/perf-model.md section 8), `make test-sim`.

benchmarks/wolfpine_terms.py runs one core of the per-core block at issue (8x8 tiles, in0_block_w 8,
HiFi2) with each subblock under TT_SIM_COST_MODEL=1 and reads wolfpine's counters. What must hold:
the MVMUL count is 16 per tile product per fidelity phase (ours), the UNPACR count is our
`matmul_unpacked_tiles`, and the mirror-image subblocks 2x4 and 4x2 cost the same on wolfpine, as
they do in our model since the unpack terms are per operand role.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "wolfpine_terms.py"
INIT_MATRIX_OPS = 16       # the matmul init's non-MVMUL matrix-unit data ops (11 measured)


@pytest.mark.sim
@pytest.mark.needs_sim
def test_mvmul_unpacr_counts_and_mirror_subblocks_match_wolfpine(wolfpine_env):
    out = subprocess.run([sys.executable, str(SCRIPT), "--subblocks", "2x4", "4x2"], check=True,
                         capture_output=True, text=True, timeout=1800).stdout
    runs = {r["subblock"]: r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{"))}
    assert set(runs) == {"2x4", "4x2"}
    for r in runs.values():
        ours, wp = r["model"], r["wolfpine"]
        assert 0 <= wp["mvmul"] - ours["mvmul"] <= INIT_MATRIX_OPS
        assert wp["unpacr"] == ours["unpacked_tiles"]
        assert wp["cores_with_matrix_work"] == 1
    a, b = runs["2x4"]["wolfpine"], runs["4x2"]["wolfpine"]
    assert a["matmul_window_cycles"] == pytest.approx(b["matmul_window_cycles"], rel=0.02)
    assert a["math_waits_on_unpacker"] == pytest.approx(b["math_waits_on_unpacker"], rel=0.02)
    assert runs["2x4"]["model"]["unpack_cycles"] == runs["4x2"]["model"]["unpack_cycles"]
