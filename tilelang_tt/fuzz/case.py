"""One fuzz case and what running it gave: compile it, call it on each input set, check every output
against its bounded reference (tilelang_tt.numerics), classify the outcome.

Outcomes: "ok" (every run within bound), "rejected" (a documented typed error at compile time whose
message names the kernel, and for compile errors says what to change), and the failures: "wrong" (a number outside its bound), "run_error" (a
kernel that compiled failed to run: the compiler made a program the emulator refused), "untyped" (an
exception outside tilelang_tt.errors), "bad_message" (a rejection that does not name the kernel or,
for a compile error, has no "fix:"), "accepted" (an invalid option compiled silently),
"crash", "hang" (past the time limit), "policy" (the plan disagrees with the numerics policy) and
"false_rejection" (a partial schedule request rejected, or completed against its own fields, although
the fully specified schedule it was taken from compiled).
"""
from __future__ import annotations

import json
import time
import traceback
from dataclasses import asdict, dataclass, field

import numpy as np

from .. import errors
from ..blockfloat import quantize
from ..numerics import check_bounded
from .inputs import draw
from .kernels import FAMILIES

FAILURES = ("wrong", "run_error", "untyped", "bad_message", "accepted", "crash", "hang", "policy",
            "false_rejection")
# The matmul schedule options a partial request may drop (docs/schedules.md "Overriding").
SCHEDULE_FIELDS = ("schedule", "partials", "grid", "per_core_m", "per_core_n", "in0_block_w", "subblock_h",
                   "subblock_w")
# Errors a kernel may be rejected with at compile time: the user's kernel or options are outside what
# the compiler lowers (docs/errors.md).
REJECTIONS = (errors.TTCompileError, errors.TTTargetError, errors.TTArgumentError)


@dataclass
class Case:
    family: str
    params: dict
    options: dict = field(default_factory=dict)   # target, api_profile, core_policy, max_cores, cb_depth
    name: str = "fuzz_kernel"
    inputs: list = field(default_factory=list)    # [{"scale": ..., "seed": ...}] one per run
    expect: str | None = None                     # "rejected": an invalid option that must not compile
    partial: list | None = None                   # schedule fields kept of a fully specified schedule in
                                                  # options: when that compiles, the request keeping only
                                                  # these must compile too (and keep them)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, d) -> "Case":
        return cls(**d)

    def build(self):
        return FAMILIES[self.family].build(self.params, self.name)


@dataclass
class Outcome:
    outcome: str
    category: str
    detail: str = ""
    seconds: dict = field(default_factory=dict)   # compile, first_call, calls
    checked: int = 0
    loose: int = 0
    max_ratio: float = 0.0

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES

    def describe(self) -> str:
        times = ", ".join(f"{k} {v:.2f} s" for k, v in self.seconds.items())
        return f"{self.outcome} [{self.category}] ({times})\n{self.detail}".rstrip()


def _compile(case: Case, options: dict | None = None):
    import tilelang_tt

    opts = dict(case.options if options is None else options)
    target = opts.pop("target", "tenstorrent")
    family = FAMILIES[case.family]
    out = family.output(case.params) if family.output else len(family.inputs(case.params))
    return tilelang_tt.compile(case.build(), target=target, out_idx=out, **opts)


def _partial(case: Case, kernel, seconds):
    """The kernel of the partial request when the full schedule compiled, or the failing Outcome."""
    opts = {k: v for k, v in case.options.items() if k not in SCHEDULE_FIELDS or k in case.partial}
    full = kernel.plan["schedule"]
    try:
        partial = _compile(case, opts)
    except REJECTIONS as err:
        return Outcome("false_rejection", f"{case.family}:false_rejection",
                       f"the request {opts} was rejected although the fully specified schedule "
                       f"{full.get('reason', '')!r} satisfies it:\n{err}", seconds)
    params = {**partial.plan["schedule"].get("params", {}), "schedule": partial.plan["schedule"]["variant"]}
    params["partials"] = params.get("accumulate")
    for k in case.partial:
        want = list(opts[k]) if k == "grid" else opts[k]
        if k in params and params[k] != want:
            return Outcome("false_rejection", f"{case.family}:false_rejection",
                           f"the request {opts} was completed to {params}, which changes {k}", seconds)
    return partial


def run_case(case, timeout: float = 60.0) -> Outcome:
    """Compile and run `case` (a Case or its dict); never raises for anything the kernel does."""
    if isinstance(case, dict):
        case = Case.from_dict(case)
    family = FAMILIES[case.family]
    seconds = {}
    t0 = time.perf_counter()
    try:
        kernel = _compile(case)
    except REJECTIONS as err:
        seconds["compile"] = time.perf_counter() - t0
        cat = f"{case.family}:rejected:{type(err).__name__}"
        if f"kernel '{case.name}'" not in str(err):
            return Outcome("bad_message", cat, f"the rejection does not name kernel '{case.name}':\n{err}", seconds)
        if isinstance(err, errors.TTCompileError) and "fix:" not in str(err):
            return Outcome("bad_message", cat, f"the rejection does not say what to change (no 'fix:'):\n{err}",
                           seconds)
        return Outcome("rejected", cat, str(err), seconds)
    except errors.TTError as err:
        return Outcome("untyped", f"{case.family}:compile:{type(err).__name__}",
                       f"{type(err).__name__} is not a compile-time error type:\n{err}", seconds)
    except Exception as err:  # noqa: BLE001  (the fuzzer classifies whatever escapes)
        return Outcome("untyped", f"{case.family}:compile:{type(err).__name__}", traceback.format_exc(), seconds)
    seconds["compile"] = time.perf_counter() - t0
    if case.partial is not None and case.expect != "rejected":
        kernel = _partial(case, kernel, seconds)
        if isinstance(kernel, Outcome):
            return kernel
    if case.expect == "rejected":
        return Outcome("accepted", f"{case.family}:accepted", f"options {case.options} were accepted silently; they "
                       "must be rejected with a TTTargetError naming the kernel and the option", seconds)
    fp32_dst = bool(kernel.program.compute.fp32_dest_acc_en)
    local = case.params.get("accum", case.params.get("local"))
    if fp32_dst != (local == "float32"):
        return Outcome("policy", f"{case.family}:policy", f"fp32_dest_acc_en={fp32_dst} with a {local} local buffer "
                       "(docs/numerics.md: DST accumulates in fp32 exactly when the local buffer is float32)", seconds)
    out_dtype = case.params["out"]
    storage = dict(case.options.get("storage") or {})
    total = Outcome("ok", f"{case.family}:ok", "", seconds)
    for i, spec in enumerate(case.inputs):
        arrays = {name: draw(shape, dtype, spec["scale"], int(spec["seed"]) * 7919 + j)
                  for j, (name, shape, dtype) in enumerate(family.inputs(case.params))}
        t1 = time.perf_counter()
        try:
            # copies: an output that is also an input (C = A @ B + C) is written back into its array,
            # and the reference needs the input
            result = kernel(*(a.copy() for a in arrays.values()))
        except errors.EmulatorTimeout as err:
            return Outcome("hang", f"{case.family}:hang", str(err), seconds)
        except errors.EmulatorCrash as err:
            return Outcome("crash", f"{case.family}:crash", str(err), seconds)
        except errors.TTError as err:
            return Outcome("run_error", f"{case.family}:run:{type(err).__name__}", str(err), seconds)
        except Exception:  # noqa: BLE001
            return Outcome("untyped", f"{case.family}:run:untyped", traceback.format_exc(), seconds)
        key = "first_call" if i == 0 else "calls"
        seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - t1
        if time.perf_counter() - t0 > timeout:
            return Outcome("hang", f"{case.family}:hang", f"the case ran past its time limit of {timeout:g} s", seconds)
        # block-float inputs (option storage): the device computes with the values the host stored
        held = {n: quantize(a, fmt).astype(a.dtype) if n in storage else a for n, a in arrays.items()
                for fmt in [storage.get(n)]}
        ref = family.reference(case.params, held, fp32_dst, kernel.program.compute.math_fidelity).stored(out_dtype)
        chk = check_bounded(np.asarray(result, dtype=np.float32), ref)
        total.checked += chk.checked
        total.loose += chk.loose
        total.max_ratio = max(total.max_ratio, chk.max_ratio)
        if not chk.ok:
            return Outcome("wrong", f"{case.family}:wrong", f"input set {i} ({spec['scale']}): "
                           + chk.describe(), seconds, total.checked, total.loose, chk.max_ratio)
    return total
