"""The tt.* passes: frontend tile kernel -> TT-level TIR of a device program.

Order (each pass in its own module, pre- and post-conditions in its docstring):
  tt.AnnotateLayouts -> tt.VerifyInput -> tt.LowerMinReduce -> tt.AnnotateGrid -> tt.ChooseSchedule -> tt.LowerToDevice
The passes are thin: verification lives in analysis/, schedules in schedule/, lowering rules in lower/.
`lower_to_tt(func, target, **options)` runs them all on one kernel and returns the IRModule of
docs/contracts.md section 1.
"""
from __future__ import annotations

import tvm
from tvm import tirx

from ..analysis.verify import VerifyInput, verify_kernel
from ..frontend.program import kernel_name
from ..options import CompileOptions
from .annotate_grid import AnnotateGrid, annotate_grid
from .annotate_layouts import AnnotateLayouts, annotate_layouts
from .choose_schedule import ChooseSchedule, choose_schedule
from .lower_min_reduce import LowerMinReduce, lower_min_reduce
from .lower_to_device import LowerToDevice, lower_kernel

__all__ = ["AnnotateLayouts", "annotate_layouts", "VerifyInput", "LowerMinReduce", "lower_min_reduce", "AnnotateGrid", "ChooseSchedule", "LowerToDevice", "lower_to_tt", "tt_passes",
           "verify_kernel", "annotate_grid", "choose_schedule", "lower_kernel"]


def tt_passes(target=None, options: CompileOptions | None = None) -> tvm.transform.Pass:
    """The tt.* passes as one Sequential, in order."""
    return tvm.transform.Sequential([
        AnnotateLayouts(),
        VerifyInput(),
        LowerMinReduce(),
        AnnotateGrid(),
        ChooseSchedule(target, options),
        LowerToDevice(),
    ], name="tt.Lower")


def lower_to_tt(func: tirx.PrimFunc, target=None, options: CompileOptions | None = None,
                **option_values) -> tvm.IRModule:
    """Lower one frontend kernel K to the IRModule of its device program's kernels.

    target: a tvm Target, a tag or model string ("tenstorrent", "tenstorrent/blackhole"), or None for
    the function's bound target / wormhole_b0. Options: a CompileOptions, or keyword values
    (`core_policy=`, `max_cores=`, `cb_depth=`, `math_fidelity=`, `schedule=`, ...) over the function's
    `tt.*` attributes (options.py).
    """
    from ..target import model_of

    if options is None:
        options = CompileOptions.from_func(func, target if not isinstance(target, str) else None,
                                           **option_values)
    elif option_values:
        options = options.with_(**option_values)
    model_of(target)  # reject a non-Tenstorrent target early with TTTargetError
    name = kernel_name(func)
    func = func.with_attr("global_symbol", name)
    # Drop a bound target: the kernels carry plain plan attrs; the pipeline re-binds the target.
    if "target" in func.attrs:
        target = func.attrs["target"] if target is None else target
        func = func.without_attr("target")
    return tt_passes(target, options)(tvm.IRModule({name: func}))
