"""The tt.* lowering passes: frontend tile kernel -> TT-level reader / compute / writer TIR.

Order (each pass in its own module, pre- and post-conditions in its docstring):
  tt.VerifyInput -> tt.AnnotateGrid -> tt.AssignCores -> tt.PlanCBs -> tt.SplitKernels
`lower_to_tt(func, target)` runs them all on one kernel and returns the IRModule of docs/contracts.md
section 1.
"""
from __future__ import annotations

import tvm
from tvm import tirx

from ._common import kernel_name
from .annotate_grid import AnnotateGrid, annotate_grid
from .assign_cores import AssignCores, assign_cores
from .plan_cbs import PlanCBs, plan_cbs
from .split_kernels import SplitKernels, check_cb_balance, split_kernel
from .verify_input import VerifyInput, verify_kernel

__all__ = ["VerifyInput", "AnnotateGrid", "AssignCores", "PlanCBs", "SplitKernels", "lower_to_tt",
           "tt_passes", "verify_kernel", "annotate_grid", "assign_cores", "plan_cbs", "split_kernel",
           "check_cb_balance"]


def tt_passes(target=None, policy: str = "contiguous", max_cores: int | None = None, cb_depth: int = 2,
              math_fidelity: str = "HiFi4") -> tvm.transform.Pass:
    """The tt.* passes as one Sequential, in order."""
    return tvm.transform.Sequential([
        VerifyInput(),
        AnnotateGrid(),
        AssignCores(target, policy=policy, max_cores=max_cores),
        PlanCBs(target, depth=cb_depth, math_fidelity=math_fidelity),
        SplitKernels(),
    ], name="tt.Lower")


# Options a kernel can also carry as function attributes (T.func_attr({"tt.core_policy": ...})), so
# they reach the passes through tvm.build / tilelang_tt.compile too. Explicit keyword arguments win.
OPTION_ATTRS = {"policy": ("tt.core_policy", str, "contiguous"), "max_cores": ("tt.max_cores", int, None),
                "cb_depth": ("tt.cb_depth", int, 2), "math_fidelity": ("tt.math_fidelity", str, "HiFi4")}


def lower_to_tt(func: tirx.PrimFunc, target=None, *, policy: str | None = None,
                max_cores: int | None = None, cb_depth: int | None = None,
                math_fidelity: str | None = None) -> tvm.IRModule:
    """Lower one frontend kernel K to an IRModule with K_reader, K_compute, K_writer.

    target: a tvm Target, a tag or model string ("tenstorrent", "tenstorrent/blackhole"), or None for
    the function's bound target / wormhole_b0. Options (keyword, else the function attrs of
    OPTION_ATTRS, else the default): core assignment `policy` ("contiguous" | "2d_blocked"),
    `max_cores` (cap on cores used), `cb_depth` (CB buffering depth, 2), `math_fidelity` ("HiFi4").
    """
    from ..target import model_of

    opts = {"policy": policy, "max_cores": max_cores, "cb_depth": cb_depth, "math_fidelity": math_fidelity}
    for key, (attr, conv, default) in OPTION_ATTRS.items():
        if opts[key] is None:
            has = func.attrs is not None and attr in func.attrs
            opts[key] = conv(func.attrs[attr]) if has else default
    policy, max_cores, cb_depth, math_fidelity = (opts[k] for k in OPTION_ATTRS)

    model_of(target)  # reject a non-Tenstorrent target early with TTTargetError
    name = kernel_name(func)
    func = func.with_attr("global_symbol", name)
    # Drop a bound target: the role functions carry plain plan attrs; the pipeline re-binds the target.
    if "target" in func.attrs:
        target = func.attrs["target"] if target is None else target
        func = func.without_attr("target")
    mod = tvm.IRModule({name: func})
    return tt_passes(target, policy, max_cores, cb_depth, math_fidelity)(mod)
