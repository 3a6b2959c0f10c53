"""plan.json (schema `tilelang_tt.plan/1`): the one contract between device code and host code.

Built from the attributes the passes put on the three role functions (docs/contracts.md section 2);
documented in docs/plan-schema.md. The host program and the launcher read only this.
"""
from __future__ import annotations

import json

import tvm
from tvm import tirx

from ..errors import TTCompileError, TTResourceError
from ..target import HARDWARE
from ..target import MATH_FIDELITIES as FIDELITIES
from .profiles import DEFAULT_PROFILE, get_profile

SCHEMA = "tilelang_tt.plan/1"
ROLES = ("reader", "compute", "writer")
# Attributes every role function carries; they must agree between the three.
SHARED_ATTRS = ("tt.kernel", "tt_grid", "tt_core_grid", "tiles_per_core", "tt_block_start",
                "tt_cb_plan", "tt_tensors", "tt_compute_config", "tt_model")
CB_KEYS = ("index", "name", "dtype", "data_format", "page_bytes", "num_pages", "block_pages", "role")
TENSOR_KEYS = ("name", "param_index", "shape", "dtype", "data_format", "page_bytes", "num_pages",
               "access")
COMPUTE_KEYS = ("math_fidelity", "fp32_dest_acc_en", "dst_full_sync_en", "math_approx_mode")
# Data-movement kernel placement (metalium-api.md C.1): reader on NCRISC, writer on BRISC.
DM_PLACEMENT = {"reader": ("RISCV_1", "RISCV_1_default"), "writer": ("RISCV_0", "RISCV_0_default")}


def to_py(value):
    """ffi containers and IR immediates -> plain Python (dict/list/int/float/bool/str)."""
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
        return {str(k): to_py(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or hasattr(value, "__len__"):
        return [to_py(v) for v in value]
    raise TTCompileError(f"plan attribute value {value!r} ({type(value).__name__}) is not plain data")


def role_functions(tt_mod) -> dict[str, tuple[str, tirx.PrimFunc]]:
    """{role: (function name, PrimFunc)} for the three role functions of a TT-level IRModule."""
    found: dict[str, tuple[str, tirx.PrimFunc]] = {}
    for gvar, func in tt_mod.functions.items():
        if not isinstance(func, tirx.PrimFunc):
            continue
        attrs = func.attrs or {}
        role = str(attrs["tt.kernel_role"]) if "tt.kernel_role" in attrs else None
        if role is None:
            continue
        if role not in ROLES:
            raise TTCompileError(f"function {gvar.name_hint} has tt.kernel_role {role!r}; "
                                 f"expected one of {', '.join(ROLES)}")
        if role in found:
            raise TTCompileError(f"two {role} kernels in one module: {found[role][0]} and {gvar.name_hint}")
        found[role] = (gvar.name_hint, func)
    missing = [r for r in ROLES if r not in found]
    if missing:
        raise TTCompileError(f"the TT-level module lacks the {', '.join(missing)} kernel(s); codegen "
                             f"needs functions with tt.kernel_role reader, compute and writer")
    return found


def _attrs(func) -> dict:
    return {str(k): to_py(v) for k, v in (func.attrs or {}).items()}


def shared_attrs(funcs, role_attrs: dict | None = None) -> dict:
    role_attrs = role_attrs or {role: _attrs(funcs[role][1]) for role in ROLES}
    out: dict = {}
    for key in SHARED_ATTRS:
        seen = {}
        for role in ("compute", "reader", "writer"):
            attrs = role_attrs[role]
            if key in attrs:
                seen[role] = attrs[key]
        if not seen:
            raise TTCompileError(f"plan attribute {key!r} is missing on every role function")
        values = list(seen.values())
        if any(v != values[0] for v in values[1:]):
            raise TTCompileError(f"plan attribute {key!r} differs between role functions: {seen}")
        out[key] = values[0]
    return out


def _require(mapping: dict, keys, what: str) -> None:
    missing = [k for k in keys if k not in mapping]
    if missing:
        raise TTCompileError(f"{what} lacks {', '.join(missing)}: {mapping}")


def build_plan(tt_mod, api_profile=DEFAULT_PROFILE) -> dict:
    profile = get_profile(api_profile)
    funcs = role_functions(tt_mod)
    role_attrs = {role: _attrs(funcs[role][1]) for role in ROLES}   # converted once, read below
    a = shared_attrs(funcs, role_attrs)
    kernel = str(a["tt.kernel"])
    model = str(a["tt_model"])
    if model not in HARDWARE:
        raise TTCompileError(f"kernel `{kernel}`: unknown tt_model {model!r}; known: {', '.join(HARDWARE)}")
    hw = HARDWARE[model]

    grid = [int(x) for x in a["tt_grid"]]
    cols, rows = (int(x) for x in a["tt_core_grid"])
    if cols < 1 or rows < 1 or cols > hw.grid[0] or rows > hw.grid[1]:
        raise TTResourceError(f"kernel `{kernel}`: core grid {cols}x{rows} does not fit the "
                              f"{model} compute grid {hw.grid[0]}x{hw.grid[1]}")
    counts = [int(x) for x in a["tiles_per_core"]]
    starts = [int(x) for x in a["tt_block_start"]]
    if len(counts) != len(starts):
        raise TTCompileError(f"kernel `{kernel}`: tiles_per_core has {len(counts)} entries but "
                             f"tt_block_start has {len(starts)}")
    if not counts or len(counts) > cols * rows:
        raise TTCompileError(f"kernel `{kernel}`: {len(counts)} cores in the work split, but the core "
                             f"grid {cols}x{rows} holds {cols * rows}")
    covered = sorted(b for s, n in zip(starts, counts) for b in range(s, s + n))
    if covered != list(range(grid[0] * grid[1])):
        raise TTCompileError(f"kernel `{kernel}`: the per-core block ranges do not cover blocks "
                             f"0..{grid[0] * grid[1] - 1} exactly once")
    cores = [{"core": [i % cols, i // cols], "block_start": s, "block_count": n}
             for i, (s, n) in enumerate(zip(starts, counts))]

    tensors = []
    for t in a["tt_tensors"]:
        _require(t, TENSOR_KEYS, f"kernel `{kernel}`: tt_tensors entry")
        if t["access"] not in ("read", "write", "readwrite"):
            raise TTCompileError(f"kernel `{kernel}`: tensor {t['name']!r} has access {t['access']!r}")
        tensors.append({k: t[k] for k in TENSOR_KEYS})
    tensors.sort(key=lambda t: int(t["param_index"]))
    names = [t["name"] for t in tensors]
    if len(set(names)) != len(names):
        raise TTCompileError(f"kernel `{kernel}`: duplicate tensor names {names}")
    if [int(t["param_index"]) for t in tensors] != list(range(len(tensors))):
        raise TTCompileError(f"kernel `{kernel}`: tensor param_index values must be 0..{len(tensors) - 1}")

    cbs = []
    for cb in a["tt_cb_plan"]:
        _require(cb, CB_KEYS, f"kernel `{kernel}`: tt_cb_plan entry")
        if cb["role"] not in ("input", "output", "intermediate"):
            raise TTCompileError(f"kernel `{kernel}`: CB {cb['name']!r} has role {cb['role']!r}")
        if not 0 <= int(cb["index"]) < hw.max_cbs:
            raise TTResourceError(f"kernel `{kernel}`: CB index {cb['index']} is outside 0..{hw.max_cbs - 1} "
                                  f"on {model}")
        cbs.append({k: cb[k] for k in CB_KEYS})
    cbs.sort(key=lambda cb: int(cb["index"]))
    if len({cb["index"] for cb in cbs}) != len(cbs):
        raise TTCompileError(f"kernel `{kernel}`: two CBs share an index in {cbs}")
    l1 = sum(int(cb["page_bytes"]) * int(cb["num_pages"]) for cb in cbs)
    if l1 > hw.l1_bytes:
        raise TTResourceError(f"kernel `{kernel}`: CBs need {l1} bytes of L1 per core; {model} has "
                              f"{hw.l1_bytes}. Use smaller blocks or fewer buffered pages.")

    cc = a["tt_compute_config"]
    _require(cc, COMPUTE_KEYS, f"kernel `{kernel}`: tt_compute_config")
    if cc["math_fidelity"] not in FIDELITIES:
        raise TTCompileError(f"kernel `{kernel}`: math_fidelity {cc['math_fidelity']!r} is not one of "
                             f"{', '.join(FIDELITIES)}")

    kernels = {}
    for role in ROLES:
        attrs = role_attrs[role]
        accessors = [str(x) for x in attrs.get("tt.accessors", [])]
        runtime_args = [str(x) for x in attrs.get("tt.runtime_args", [])]
        for acc in accessors:
            if acc not in names:
                raise TTCompileError(f"kernel `{kernel}`: {role} accessor {acc!r} is not a tensor ({names})")
        for arg in runtime_args:
            if arg in ("block_start", "block_count"):
                continue
            if not (arg.startswith("addr:") and arg[5:] in names):
                raise TTCompileError(f"kernel `{kernel}`: {role} runtime arg {arg!r} is neither "
                                     f"block_start, block_count nor addr:<tensor>")
        if role == "compute" and accessors:
            raise TTCompileError(f"kernel `{kernel}`: the compute kernel cannot have tensor accessors")
        entry = {"source": f"{role}.cpp"}
        if role in DM_PLACEMENT:
            entry["processor"], entry["noc"] = DM_PLACEMENT[role]
        entry["accessors"] = accessors
        entry["runtime_args"] = runtime_args
        if role == "compute":
            entry["math_fidelity"] = str(cc["math_fidelity"])
            for k in COMPUTE_KEYS[1:]:
                entry[k] = bool(cc[k])
        kernels[role] = entry

    return {
        "schema": SCHEMA,
        "kernel": kernel,
        "model": model,
        "api_profile": profile.name,
        "tt_grid": grid,
        "core_grid": [cols, rows],
        "cores": cores,
        "tensors": tensors,
        "cbs": cbs,
        "kernels": kernels,
        "l1_bytes_used": l1,
    }


def dumps(plan: dict) -> str:
    """plan.json text: one line per top-level field, per core / tensor / CB / kernel entry."""
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
            elif isinstance(value, dict) and indent == "  ":
                out.append(head + "{")
                out.extend(entries(list(value.items()), indent + "  "))
                out.append(f"{indent}}}{comma}")
            else:
                out.append(head + json.dumps(value) + comma)
        return out

    return "\n".join(["{", *entries(list(plan.items()), "  "), "}"]) + "\n"
