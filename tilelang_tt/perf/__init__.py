"""Performance model of device programs (docs/perf-model.md).

work.py     the exact per-core work of a program (what the model consumes; travels in plan.json)
matmul.py   that work, computed analytically for the matmul schedules
program.py  that work, read from a DeviceProgram's exact per-core counts (device/counts.py)
costs.py    one cost table per chip, every number with its source
model.py    work -> time, bound, utilization (Estimate)
published.py, hwcheck.py   validation data and the hardware-table check against a release
choose.py   the matmul schedule with the best modeled throughput
exact.py    its exact search of the constrained space (when the shortlist finds nothing)
"""
from .choose import Constraints, best_matmul_config, choose_matmul  # noqa: F401
from .matmul import MatmulParams, l1_bytes, matmul_work  # noqa: F401
from .model import Estimate, estimate, estimate_groups  # noqa: F401
from .work import ComputeWork, CoreWork, DMWork, ProgramWork  # noqa: F401
