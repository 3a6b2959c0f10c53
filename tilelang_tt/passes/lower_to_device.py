"""tt.LowerToDevice: replace each scheduled kernel K by the kernels of its device program.

Pre-condition (module pass): every PrimFunc to lower carries `tt_schedule` (tt.ChooseSchedule).
Post-condition: K is replaced by parameterless PrimFuncs `K_<kernel>` (K_reader, K_compute, K_writer for
the naive schedule; the matmul schedules have their own kernels) whose bodies call only T.tt.*
intrinsics, with the device-program attributes of lower/assemble.py. Functions without a schedule are
kept as they are.
"""
from __future__ import annotations

import tvm
from tvm import tirx

from ..codegen.profiles import DEFAULT_PROFILE
from ..device.program import DeviceProgram, _py
from ..frontend.program import read_program
from ..lower import lower
from ..schedule import from_dict
from ..target import hardware

PASS_NAME = "tt.LowerToDevice"


def lower_kernel(func, name: str | None = None) -> dict:
    """{"K_<kernel>": PrimFunc} for one scheduled kernel."""
    if name is not None and (func.attrs is None or "global_symbol" not in func.attrs):
        func = func.with_attr("global_symbol", name)
    program = read_program(func, strict=True)
    schedule = from_dict(_py(func.attrs["tt_schedule"]))
    funcs = lower(program, schedule, hardware(str(func.attrs["tt_model"])))
    # The verifier of the lowered program: structure, resources and CB page balance on every core.
    DeviceProgram.from_tt_module(tvm.IRModule(funcs), api_profile=DEFAULT_PROFILE)
    return funcs


def LowerToDevice():  # noqa: N802
    @tvm.transform.module_pass(opt_level=0, name=PASS_NAME)
    def _pass(mod, ctx):
        funcs = {}
        for gv, func in mod.functions.items():
            if isinstance(func, tirx.PrimFunc) and func.attrs is not None and "tt_schedule" in func.attrs:
                for fname, f in lower_kernel(func, gv.name_hint).items():
                    funcs[tvm.ir.GlobalVar(fname)] = f
            else:
                funcs[gv] = func
        return tvm.IRModule(funcs, attrs=mod.attrs)
    return _pass
