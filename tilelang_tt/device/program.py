"""DeviceProgram: the program a Tenstorrent device runs, as plain data.

Tensors (DRAM, interleaved, one tile per page), circular buffers and semaphores on core-range sets, and
N kernels, each on its own core-range set with its processor (BRISC = RISCV_0 / NCRISC = RISCV_1 for
data movement, the three TRISCs for compute), compile-time args (tensor accessors) and a per-core
runtime argument table. It is built once from the TT-level IRModule (`from_tt_module`) and is the one
source of plan.json (`to_plan`, schema SCHEMA), the host program (codegen/host.py), the launcher and
the performance model. `from_plan` reads plan.json back (without the kernel bodies).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

from tvm import tirx

from ..errors import TTCompileError, TTInternalError, TTResourceError
from ..specs import CBSpec, ComputeConfig, CoreRange, SemaphoreSpec, TensorSpec, cores_of
from ..target import HARDWARE, hardware
from .counts import KernelCounter, Tally

SCHEMA = "tilelang_tt.plan/2"
_RECENT: dict = {}   # from_tt_module's cache; its programs hold their kernels, so body hashes stay unique
PROCESSORS = ("RISCV_0", "RISCV_1")
NOCS = ("RISCV_0_default", "RISCV_1_default")


def _py(value):
    """ffi containers and IR immediates -> plain Python (dict / list / int / float / bool / str)."""
    import tvm

    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, tirx.IntImm):
        return bool(value.value) if str(value.ty) == "bool" else int(value.value)
    if isinstance(value, tirx.FloatImm):
        return float(value.value)
    if isinstance(value, tvm.ir.StringImm):
        return str(value.value)
    if hasattr(value, "items"):
        return {str(k): _py(v) for k, v in value.items()}
    if hasattr(value, "__len__"):
        return [_py(v) for v in value]
    raise TTInternalError(f"plan attribute value {value!r} ({type(value).__name__}) is not plain data")


@dataclass
class KernelSpec:
    """One kernel of the program: `source` is `<name>.cpp` beside the host program."""
    name: str
    kind: str                         # dataflow | compute
    processor: str                    # RISCV_0 / RISCV_1 (dataflow), "" (compute)
    noc: str
    cores: tuple                      # CoreRange tuple
    accessors: list
    runtime_arg_names: list
    runtime_args: dict                # (x, y) -> [int | symbolic str]
    compute: ComputeConfig | None = None

    @property
    def source(self) -> str:
        return f"{self.name}.cpp"

    def to_dict(self) -> dict:
        d = {"name": self.name, "source": self.source, "kind": self.kind, "processor": self.processor,
             "noc": self.noc, "cores": [r.to_list() for r in self.cores], "accessors": list(self.accessors),
             "runtime_arg_names": list(self.runtime_arg_names),
             "runtime_args": [[x, y, *v] for (x, y), v in sorted(self.runtime_args.items(),
                                                                 key=lambda kv: (kv[0][1], kv[0][0]))]}
        if self.compute is not None:
            d["compute"] = self.compute.to_dict()
        return d

    @classmethod
    def from_dict(cls, d) -> "KernelSpec":
        return cls(str(d["name"]), str(d["kind"]), str(d.get("processor", "")), str(d.get("noc", "")),
                   tuple(CoreRange.from_list(r) for r in d["cores"]), [str(a) for a in d["accessors"]],
                   [str(a) for a in d["runtime_arg_names"]],
                   {(int(r[0]), int(r[1])): list(r[2:]) for r in d["runtime_args"]},
                   ComputeConfig.from_dict(d["compute"]) if "compute" in d else None)


@dataclass
class DeviceProgram:
    kernel: str                       # the frontend kernel's name
    model: str
    api_profile: str
    schedule: dict                    # the schedule's dict (variant, parameters, reason)
    tensors: tuple                    # TensorSpec, in parameter order
    cbs: tuple                        # CBSpec
    semaphores: tuple                 # SemaphoreSpec
    kernels: tuple                    # KernelSpec
    funcs: dict = field(default_factory=dict, repr=False)   # kernel name -> TT-level PrimFunc
    _counts: dict | None = field(default=None, repr=False)

    # --------------------------------------------------------------------------------- queries
    @property
    def hw(self):
        return HARDWARE[self.model]

    @cached_property
    def cores(self) -> list[tuple[int, int]]:
        """Every core any kernel runs on, row-major."""
        return sorted({c for k in self.kernels for c in cores_of(k.cores)}, key=lambda c: (c[1], c[0]))

    @property
    def core_grid(self) -> tuple[int, int]:
        cs = self.cores
        return (max(x for x, _ in cs) + 1, max(y for _, y in cs) + 1)

    def cb_cores(self, cb: CBSpec) -> set:
        return set(cores_of(cb.cores)) if cb.cores else set(self.cores)

    def l1_bytes(self, core) -> int:
        return sum(cb.total_bytes for cb in self.cbs if core in self.cb_cores(cb))

    @property
    def schedule_description(self) -> str:
        """What the chosen schedule runs where, in one line, for any schedule kind."""
        from ..schedule import describe
        return describe(self.schedule)

    @property
    def schedule_reason(self) -> str:
        """Why the compiler chose this schedule (the chooser's or the override's words)."""
        return str(self.schedule.get("reason", ""))

    @property
    def l1_bytes_used(self) -> int:
        return max(self.l1_bytes(c) for c in self.cores)

    @property
    def compute(self) -> ComputeConfig:
        return next(k.compute for k in self.kernels if k.kind == "compute")

    def kernel_named(self, name: str) -> KernelSpec:
        for k in self.kernels:
            if k.name == name:
                return k
        raise KeyError(name)

    # ----------------------------------------------------------------------------- (de)serialize
    def to_plan(self) -> dict:
        return {"schema": SCHEMA, "kernel": self.kernel, "model": self.model, "api_profile": self.api_profile,
                "schedule": {k: v for k, v in self.schedule.items() if k not in ("cbs", "tensors", "compute")},
                "core_grid": list(self.core_grid),
                "tensors": [t.to_dict() for t in self.tensors], "cbs": [c.to_dict() for c in self.cbs],
                "semaphores": [s.to_dict() for s in self.semaphores],
                "kernels": [k.to_dict() for k in self.kernels], "l1_bytes_used": self.l1_bytes_used}

    @classmethod
    def from_plan(cls, plan: dict) -> "DeviceProgram":
        if plan.get("schema") != SCHEMA:
            raise TTCompileError(f"plan.json has schema {plan.get('schema')!r}; this tilelang_tt reads {SCHEMA}")
        return cls(str(plan["kernel"]), str(plan["model"]), str(plan["api_profile"]), dict(plan["schedule"]),
                   tuple(TensorSpec.from_dict(t) for t in plan["tensors"]),
                   tuple(CBSpec.from_dict(c) for c in plan["cbs"]),
                   tuple(SemaphoreSpec.from_dict(s) for s in plan["semaphores"]),
                   tuple(KernelSpec.from_dict(k) for k in plan["kernels"]))

    def dumps(self) -> str:
        return dumps(self.to_plan())

    # ------------------------------------------------------------------------------------ build
    @classmethod
    def from_tt_module(cls, tt_mod, api_profile: str, check_balance: bool = True) -> "DeviceProgram":
        """Read the kernels of a TT-level IRModule (lower/assemble.py attributes) and check the program
        (structure, resources, exact per-core counts, and unless told otherwise the CB balance).

        The kernels reach codegen unchanged from the lowering that verified them, so programs are
        remembered by their kernels' bodies (a small cache): the exact counts are taken once."""
        def ident(f):
            a = f.attrs or {}
            return (hash(f.body),) + tuple(hash(a[k]) if k in a else 0 for k in ("tt.program", "tt.kernel_spec"))
        key = (api_profile, tuple(sorted((gv.name_hint, ident(f)) for gv, f in tt_mod.functions.items()
                                         if isinstance(f, tirx.PrimFunc))))
        prog = _RECENT.get(key)
        if prog is None:
            prog = cls._read(tt_mod, api_profile)
            _RECENT[key] = prog
            while len(_RECENT) > 8:
                _RECENT.pop(next(iter(_RECENT)))
        if check_balance:
            prog.check_cb_balance()
        return prog

    @classmethod
    def _read(cls, tt_mod, api_profile: str) -> "DeviceProgram":
        funcs, specs, program = {}, [], None
        kernel = None
        for gv, func in sorted(tt_mod.functions.items(), key=lambda kv: kv[0].name_hint):
            if not isinstance(func, tirx.PrimFunc) or func.attrs is None or "tt.kernel_spec" not in func.attrs:
                continue
            a = func.attrs
            this = _py(a["tt.program"])
            if program is None:
                program, kernel = this, str(a["tt.kernel"])
            elif this != program or str(a["tt.kernel"]) != kernel:
                raise TTInternalError(f"kernels of one TT module disagree on tt.program / tt.kernel "
                                      f"({gv.name_hint})")
            spec = _py(a["tt.kernel_spec"])
            name = str(a["tt.kernel_role"])
            if name in funcs:
                raise TTInternalError(f"two kernels named {name!r} in one program")
            funcs[name] = func
            specs.append((name, spec))
        if program is None:
            raise TTCompileError("the TT-level module holds no kernel with tt.kernel_spec; lower it with "
                                 "tilelang_tt.passes.lower_to_tt first")
        sched = program["schedule"]
        compute = ComputeConfig.from_dict(sched["compute"])
        order = {"reader": 0, "compute": 1, "writer": 2}
        kernels = []
        for name, spec in sorted(specs, key=lambda s: (order.get(s[0], 3), s[0])):
            kernels.append(KernelSpec(
                name, spec["kind"], spec["processor"], spec["noc"],
                tuple(CoreRange.from_list(r) for r in spec["cores"]), spec["accessors"],
                spec["runtime_arg_names"], {(int(r[0]), int(r[1])): list(r[2:]) for r in spec["runtime_args"]},
                compute if spec["kind"] == "compute" else None))
        prog = cls(kernel, program["model"], api_profile, sched,
                   tuple(TensorSpec.from_dict(t) for t in sched["tensors"]),
                   tuple(CBSpec.from_dict(c) for c in sched["cbs"]),
                   tuple(SemaphoreSpec.from_dict(s) for s in program["semaphores"]),
                   tuple(kernels), funcs)
        prog.check()
        return prog

    # ------------------------------------------------------------------------------------ checks
    def check(self) -> None:
        """Structural and resource checks of the program against its chip."""
        hw = hardware(self.model)
        where = f"kernel '{self.kernel}'"
        cols, rows = hw.grid
        tensors = {t.name for t in self.tensors}
        sems = {s.name for s in self.semaphores}
        placed: dict = {}
        for k in self.kernels:
            if k.kind not in ("dataflow", "compute"):
                raise TTInternalError(f"{where}: kernel {k.name} has kind {k.kind!r}")
            if k.kind == "dataflow" and (k.processor not in PROCESSORS or k.noc not in NOCS):
                raise TTInternalError(f"{where}: dataflow kernel {k.name} on {k.processor!r} / {k.noc!r}")
            slot = k.processor if k.kind == "dataflow" else "TRISC"
            cores = cores_of(k.cores)
            if set(cores) != set(k.runtime_args):
                raise TTInternalError(f"{where}: kernel {k.name} has runtime args for "
                                      f"{sorted(set(k.runtime_args) ^ set(cores))[:4]} outside/inside its cores")
            for c in cores:
                if not (0 <= c[0] < cols and 0 <= c[1] < rows):
                    raise TTResourceError(f"{where}: kernel {k.name} is placed on core {c}, outside the "
                                          f"{cols}x{rows} compute grid of {self.model}")
                other = placed.setdefault((c, slot), k.name)
                if other != k.name:
                    raise TTInternalError(f"{where}: kernels {other} and {k.name} both run on {slot} of core {c}")
                vals = k.runtime_args[c]
                if len(vals) != len(k.runtime_arg_names):
                    raise TTInternalError(f"{where}: kernel {k.name} core {c} has {len(vals)} runtime args, "
                                          f"names list {len(k.runtime_arg_names)}")
                if len(vals) > hw.max_runtime_args:
                    raise TTResourceError(f"{where}: kernel {k.name} takes {len(vals)} runtime args on core "
                                          f"{c}; the limit is {hw.max_runtime_args}")
                for v in vals:
                    if isinstance(v, str):
                        _check_symbol(where, k.name, v, tensors, sems, hw)
            for acc in k.accessors:
                if acc not in tensors:
                    raise TTInternalError(f"{where}: kernel {k.name} accessor {acc!r} is not a tensor")
        indices: dict = {}
        for cb in self.cbs:
            if not 0 <= cb.index < hw.max_cbs:
                raise TTResourceError(f"{where}: CB index {cb.index} is outside 0..{hw.max_cbs - 1} on {self.model}")
            for c in self.cb_cores(cb):
                if indices.setdefault((c, cb.index), cb.name) != cb.name:
                    raise TTInternalError(f"{where}: two CBs share index {cb.index} on core {c}")
        for c in self.cores:
            if self.l1_bytes(c) > hw.l1_bytes:
                raise TTResourceError(f"{where}: CBs need {self.l1_bytes(c)} bytes of L1 on core {c}; "
                                      f"{self.model} has {hw.l1_bytes}. Use smaller blocks or fewer buffered pages.")
            n_sem = sum(1 for s in self.semaphores if c in cores_of(s.cores))
            if n_sem > hw.max_semaphores:
                raise TTResourceError(f"{where}: {n_sem} semaphores on core {c}; the limit is {hw.max_semaphores}")

    @property
    def counts(self) -> dict:
        """(kernel name, core) -> Tally: exact per-core counts of every kernel (device/counts.py)."""
        if self._counts is None:
            self._counts = self._count()
        return self._counts

    def _count(self) -> dict:
        page_bytes = {t.name: t.page_bytes for t in self.tensors}
        counts = {}
        for k in self.kernels:
            counter = KernelCounter(self.funcs[k.name].body, page_bytes, f"kernel '{self.kernel}' {k.name}")
            for core, vals in k.runtime_args.items():
                counts[(k.name, core)] = counter.count(list(vals))
        return counts

    def core_tally(self, core) -> dict[str, Tally]:
        return {name: t for (name, c), t in self.counts.items() if c == core}

    def check_cb_balance(self) -> None:
        """On every core, the pages each CB's producers push must equal what its consumers wait for and
        pop, every reserve must be pushed, and no single request may exceed the CB."""
        for c in self.cores:
            tallies = self.core_tally(c)
            for cb in self.cbs:
                if c not in self.cb_cores(cb):
                    continue
                tot = {kind: sum(t.get(("cb", cb.index, kind), 0) for t in tallies.values())
                       for kind in ("reserve", "push", "wait", "pop")}
                where = f"kernel '{self.kernel}': CB c_{cb.index} ({cb.name}, {cb.role}) on core {c}"
                if tot["reserve"] != tot["push"]:
                    raise TTCompileError(f"{where}: {tot['reserve']} pages are reserved but {tot['push']} pushed")
                if tot["wait"] != tot["pop"]:
                    raise TTCompileError(f"{where}: consumers wait for {tot['wait']} pages but pop {tot['pop']}")
                if tot["wait"] > tot["push"]:
                    raise TTCompileError(f"{where} is waited on for {tot['wait']} pages but only {tot['push']} "
                                         f"are pushed: the consumer would block forever")
                if tot["wait"] < tot["push"]:
                    raise TTCompileError(f"{where}: {tot['push']} pages are pushed but consumers take only "
                                         f"{tot['wait']}: the CB would fill up and stall")
                request = max((t.get(("max", "cb_request", cb.index), 0) for t in tallies.values()), default=0)
                if request > cb.num_pages:
                    raise TTResourceError(f"{where}: a single request of {request} pages exceeds its "
                                          f"{cb.num_pages} pages")


def _check_symbol(where, kernel, v, tensors, sems, hw):
    kind, _, rest = v.partition(":")
    ok = ((kind == "addr" and rest in tensors) or (kind == "sem" and rest in sems)
          or (kind in ("noc_x", "noc_y") and _core_arg(rest, hw)))
    if not ok:
        raise TTInternalError(f"{where}: kernel {kernel} has an unknown symbolic runtime arg {v!r}")


def _core_arg(text, hw) -> bool:
    try:
        x, y = (int(p) for p in text.split(","))
    except ValueError:
        return False
    return 0 <= x < hw.grid[0] and 0 <= y < hw.grid[1]


def parse_core_arg(value: str) -> tuple[str, int, int]:
    """("noc_x" | "noc_y", x, y) of a NOC-coordinate runtime arg."""
    kind, _, rest = value.partition(":")
    x, y = (int(p) for p in rest.split(","))
    return kind, x, y


def dumps(plan: dict) -> str:
    """plan.json text: one line per top-level field, per tensor / CB / semaphore / kernel entry."""
    def entries(pairs, indent):
        out = []
        for i, (key, value) in enumerate(pairs):
            comma = "," if i < len(pairs) - 1 else ""
            head = f"{indent}{json.dumps(key)}: "
            if isinstance(value, list) and value and all(isinstance(e, dict) for e in value):
                out.append(head + "[")
                out.extend(f"{indent}  {json.dumps(e)}" + ("," if j < len(value) - 1 else "")
                           for j, e in enumerate(value))
                out.append(f"{indent}]{comma}")
            else:
                out.append(head + json.dumps(value) + comma)
        return out

    return "\n".join(["{", *entries(list(plan.items()), "  "), "}"]) + "\n"
