"""Lowering: a TileProgram and its schedule -> the kernels of a device program as TT-level TIR.

Rules are registered per op kind (rules.py) and per schedule variant: naive.py (the user's blocks as
written) and matmul.py (blocked / subblocked / multicast matmul). assemble.py turns the lowered kernels
into PrimFuncs carrying the device-program attributes.
"""
from __future__ import annotations

from .assemble import KernelBuild, assemble


def lower(program, schedule, hw) -> dict:
    """{"K_<kernel>": PrimFunc} for one scheduled kernel."""
    if schedule.kind == "naive":
        from .naive import lower_naive
        kernels, sems = lower_naive(program, schedule, hw), ()
    else:
        from .matmul import lower_matmul
        kernels, sems = lower_matmul(program, schedule, hw)
    return assemble(program.name, hw.model, schedule, kernels, sems)


__all__ = ["lower", "assemble", "KernelBuild"]
