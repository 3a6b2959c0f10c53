"""Assemble lowered kernels into the TT-level IRModule: one PrimFunc per kernel of the device program.

Each PrimFunc `K_<kernel>` has no parameters and carries
  * `tt.kernel` (the frontend kernel K) and `tt.kernel_role` (this kernel's name in the program);
  * `tt.kernel_spec`: {kind (dataflow | compute), processor, noc, cores ([[x0, y0, x1, y1], ...]),
    accessors (tensors in compile-time-arg chain order), runtime_arg_names, runtime_args ([[x, y,
    value, ...], ...]: one row per core; a value is an int or a symbolic string "addr:<tensor>",
    "sem:<semaphore>", "noc_x:<x>,<y>" / "noc_y:<x>,<y>" (NOC coordinates of a logical core))};
  * `tt.program`: the program-wide facts, identical on every kernel: {model, schedule (the typed
    schedule's dict: tensors, CBs, compute config, core map or matmul parameters), semaphores}.
device/program.py reads these back into a DeviceProgram, the one source of plan.json, the host program,
the launcher and the performance model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tvm import tirx

from ..specs import SemaphoreSpec
from .common import fresh_vars

# Data-movement processors and their default NOCs (metalium-api.md C.1: reader on NCRISC, writer on BRISC).
DEFAULT_NOC = {"RISCV_0": "RISCV_0_default", "RISCV_1": "RISCV_1_default"}


@dataclass
class KernelBuild:
    name: str
    kind: str                       # dataflow | compute
    processor: str | None           # RISCV_0 / RISCV_1 for dataflow kernels
    cores: tuple                    # CoreRange tuple
    body: object                    # TT-level TIR statement
    runtime_arg_names: list
    runtime_args: dict              # (x, y) -> [int | symbolic str]
    accessors: list = field(default_factory=list)
    noc: str | None = None

    def spec(self) -> dict:
        return {"kind": self.kind, "processor": self.processor or "",
                "noc": self.noc or DEFAULT_NOC.get(self.processor or "", ""),
                "cores": [r.to_list() for r in self.cores], "accessors": list(self.accessors),
                "runtime_arg_names": list(self.runtime_arg_names),
                "runtime_args": [[x, y, *vals] for (x, y), vals in sorted(self.runtime_args.items(),
                                                                          key=lambda kv: (kv[0][1], kv[0][0]))]}


def assemble(kernel: str, model: str, schedule, kernels: list, semaphores: list[SemaphoreSpec] = ()) -> dict:
    """{"K_<name>": PrimFunc} for the lowered kernels of one schedule."""
    program = {"model": model, "schedule": schedule.to_dict(),
               "semaphores": [s.to_dict() for s in semaphores]}
    out = {}
    for k in kernels:
        fname = f"{kernel}_{k.name}"
        attrs = {"global_symbol": fname, "tt.kernel": kernel, "tt.kernel_role": k.name,
                 "tt.kernel_spec": k.spec(), "tt.program": program,
                 # kept beside the spec: the printers and the goldens read them directly
                 "tt.runtime_args": list(k.runtime_arg_names), "tt.accessors": list(k.accessors)}
        out[fname] = tirx.PrimFunc([], fresh_vars(k.body)).with_attrs(attrs)
    return out
