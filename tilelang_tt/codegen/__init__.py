"""Code generator: TT-level TIR (three role functions + plan attributes) -> TT-Metalium sources.

`generate(tt_mod, api_profile="M081")` returns reader.cpp, compute.cpp, writer.cpp (kernels printed from
the IR by the role printers), main.cpp and CMakeLists.txt (host program printed from the plan) and
plan.json. See docs/contracts.md sections 1-4 and 6, docs/plan-schema.md.
"""
from __future__ import annotations

from ..target import HARDWARE
from . import plan as _plan
from .host import generate_cmake, generate_main
from .kernels import ComputePrinter, DataflowPrinter
from .profiles import DEFAULT_PROFILE, PROFILES, ApiProfile, get_profile  # noqa: F401

SOURCES = ("reader.cpp", "compute.cpp", "writer.cpp", "main.cpp", "CMakeLists.txt", "plan.json")


def generate_kernel(role: str, func, plan: dict, api_profile=DEFAULT_PROFILE) -> str:
    """C++ source of one role function."""
    profile = get_profile(api_profile)
    accessors = plan["kernels"][role]["accessors"]
    if role == "compute":
        k = plan["kernels"]["compute"]
        dst_tiles = HARDWARE[plan["model"]].dst_capacity(k["fp32_dest_acc_en"], k["dst_full_sync_en"])
        printer = ComputePrinter(func, profile, plan["cbs"], plan["kernel"], accessors, dst_tiles=dst_tiles)
    else:
        printer = DataflowPrinter(func, profile, plan["cbs"], plan["kernel"], accessors, role=role)
    return printer.print()


def generate(tt_mod, api_profile: str = DEFAULT_PROFILE) -> dict[str, str]:
    profile = get_profile(api_profile)
    plan = _plan.build_plan(tt_mod, profile)
    funcs = _plan.role_functions(tt_mod)
    out = {f"{role}.cpp": generate_kernel(role, funcs[role][1], plan, profile)
           for role in _plan.ROLES}
    out["main.cpp"] = generate_main(plan)
    out["CMakeLists.txt"] = generate_cmake(plan)
    out["plan.json"] = _plan.dumps(plan)
    return {name: out[name] for name in SOURCES}


def build_plan(tt_mod, api_profile: str = DEFAULT_PROFILE) -> dict:
    return _plan.build_plan(tt_mod, api_profile)
