"""Code generator: the TT-level IRModule of a device program -> TT-Metalium sources.

`generate(tt_mod, api_profile="M081")` returns one `<kernel>.cpp` per kernel of the device program (printed
from its TT-level TIR by the role printers; reader.cpp, compute.cpp, writer.cpp for the naive schedule),
main.cpp and CMakeLists.txt (host program printed from the DeviceProgram) and plan.json. See
docs/contracts.md and docs/plan-schema.md.
"""
from __future__ import annotations

from ..device.program import DeviceProgram, dumps
from ..perf.program import program_work
from .host import generate_cmake, generate_main
from .kernels import ComputePrinter, DataflowPrinter
from .profiles import DEFAULT_PROFILE, PROFILES, ApiProfile, get_profile  # noqa: F401

HOST_FILES = ("main.cpp", "CMakeLists.txt", "plan.json")


def generate_kernel(program: DeviceProgram, name: str, api_profile=DEFAULT_PROFILE, func=None) -> str:
    """C++ source of one kernel of the program (`func` prints another body in that kernel's place)."""
    profile = get_profile(api_profile)
    k = program.kernel_named(name)
    func = program.funcs[name] if func is None else func
    cb_plan = [cb.to_dict() for cb in program.cbs]
    if k.kind == "compute":
        dst_tiles = program.hw.dst_capacity(k.compute.fp32_dest_acc_en, k.compute.dst_full_sync_en)
        printer = ComputePrinter(func, profile, cb_plan, program.kernel, k.accessors, dst_tiles=dst_tiles)
    else:
        printer = DataflowPrinter(func, profile, cb_plan, program.kernel, k.accessors, role=name)
    return printer.print()


def device_program(tt_mod, api_profile: str = DEFAULT_PROFILE, check_balance: bool = True) -> DeviceProgram:
    return DeviceProgram.from_tt_module(tt_mod, get_profile(api_profile).name, check_balance)


def generate(tt_mod, api_profile: str = DEFAULT_PROFILE) -> dict[str, str]:
    program = device_program(tt_mod, api_profile, check_balance=False)
    # the printers check each kernel's protocol first: their messages are the more specific ones
    out = {k.source: generate_kernel(program, k.name, api_profile) for k in program.kernels}
    program.check_cb_balance()
    out["main.cpp"] = generate_main(program)
    out["CMakeLists.txt"] = generate_cmake(program)
    plan = program.to_plan()
    plan["work"] = program_work(program).to_dict()    # what the performance model reads
    out["plan.json"] = dumps(plan)
    return out
