"""Model vs the published tt-metal measurements (perf/published.py), row by row.

`validate()` models every published BF16 row and the block-float rows of reference D.5 (BFLOAT8_B /
BFLOAT4_B operands and output) with the configuration tt-metal measured and returns one
`Row` per measurement: the modeled device-based utilization (perf.model `math_utilization`, the same
quantity the report gives), the relative error, and whether the row was used to calibrate the cost table
(perf.costs.CALIBRATION_ROWS) or only to validate it.
"""
from __future__ import annotations

from dataclasses import dataclass

from .costs import CALIBRATION_ROWS
from .matmul import MatmulParams, core_groups, program_header
from .model import estimate_groups
from .published import Measurement, measured_config, measurements

TOLERANCE = 0.15          # the model must be within 15% of every validated row
# Validated rows the model misses by more than TOLERANCE, with the reason (none today).
EXCEPTIONS: dict[str, str] = {}


@dataclass
class Row:
    measurement: Measurement
    params: MatmulParams
    modeled: float          # device-based utilization, percent
    bound: str

    @property
    def measured(self) -> float:
        return self.measurement.device_util

    @property
    def error(self) -> float:
        """(modeled - measured) / measured."""
        return (self.modeled - self.measured) / self.measured

    @property
    def calibration(self) -> bool:
        m = self.measurement
        # the cost table was fitted to BF16 rows only; a block-float row of a calibration shape validates
        return m.dtype == "BFLOAT16" and any(
            card == m.card and (M, K, N) == (m.M, m.K, m.N) and fid in (None, m.fidelity)
            for card, M, K, N, fid in CALIBRATION_ROWS[m.model])


def validate(headline_only: bool = False) -> list[Row]:
    rows = []
    for m in measurements(headline_only):
        p = measured_config(m)
        e = estimate_groups(program_header(p), core_groups(p))
        rows.append(Row(m, p, e.math_utilization * 100, e.bound))
    return rows
