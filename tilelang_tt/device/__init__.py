"""The device program: kernels on core-range sets with their argument tables, CBs, semaphores, tensors
(program.py), and exact per-core counts of what every kernel does (counts.py)."""
from .program import SCHEMA, DeviceProgram, KernelSpec  # noqa: F401
