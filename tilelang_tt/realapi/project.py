"""From a generated program (its sources and plan.json) to the kernels its host program creates.

Generic over the plan's kernel table (plan/1's dict by role or plan/2's list), so every kernel the code generator emits is
covered without naming roles: an entry with a compute config (`math_fidelity`, directly or under
`compute`) is a compute kernel, any other a data-movement kernel on its `processor` / `noc`. Compile-time args are what the host program appends:
for each tensor accessor the released `TensorAccessorArgs::append_to` of an interleaved DRAM buffer
(ArgConfig::IsDram, aligned page size), then the entry's own `compile_args` if it has any.
"""
from __future__ import annotations

import json

from ..target import HARDWARE
from .jit import CB, NOC, KernelSpec

IS_DRAM = 2     # tensor_accessor::ArgConfig::IsDram (hostdevcommon/tensor_accessor/arg_config.hpp)


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def kernel_specs(sources: dict[str, str], plan: dict | str | None = None, model: str | None = None,
                 program: str | None = None) -> list[KernelSpec]:
    """One KernelSpec per kernel of the plan; `model` overrides the plan's chip."""
    if plan is None:
        plan = sources["plan.json"]
    if isinstance(plan, str):
        plan = json.loads(plan)
    model = model or plan["model"]
    hw = HARDWARE[model]
    program = program or plan["kernel"]
    cbs = tuple(CB(int(c["index"]), str(c["data_format"]), int(c["page_bytes"])) for c in plan["cbs"])
    pages = {t["name"]: int(t["page_bytes"]) for t in plan["tensors"]}
    specs = []
    # plan/1: {"reader": {...}, ...}; plan/2 (issue 10's DeviceProgram): a list of kernels, each with its
    # own "name", and the compute config under "compute".
    entries = plan["kernels"].values() if isinstance(plan["kernels"], dict) else plan["kernels"]
    for k in entries:
        cfg = k.get("compute") or k
        ct = []
        for acc in k.get("accessors", []):
            ct += [IS_DRAM, _align(pages[acc], hw.dram_read_alignment)]
        ct += [int(x) for x in k.get("compile_args", [])]
        common = dict(name=f"{program}/{model}/{k['source']}", source=sources[k["source"]], model=model,
                      compile_args=tuple(ct), cbs=cbs,
                      defines=tuple(sorted((str(a), str(b)) for a, b in k.get("defines", {}).items())))
        if "math_fidelity" in cfg:
            specs.append(KernelSpec(kind="compute", math_fidelity=cfg["math_fidelity"],
                                    fp32_dest_acc_en=bool(cfg["fp32_dest_acc_en"]),
                                    dst_full_sync_en=bool(cfg["dst_full_sync_en"]),
                                    math_approx_mode=bool(cfg["math_approx_mode"]), **common))
        else:
            specs.append(KernelSpec(kind="dm", processor=k["processor"], noc=NOC[k["noc"]], **common))
    return specs
