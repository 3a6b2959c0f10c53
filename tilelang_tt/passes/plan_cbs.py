"""tt.PlanCBs: plan the circular buffers in L1, the DRAM tensors and the compute configuration.

Pre-condition: a kernel accepted by tt.VerifyInput; attr `tt_model` if a target is not given (else the
function's bound target or the default model).
Post-condition: attrs
  * `tt_cb_plan`: one map {index, name, dtype, data_format, page_bytes, num_pages, block_pages, role} per CB:
      - role "input", index c_0..c_15: one per shared buffer loaded from a global buffer, in allocation
        order; name = the shared buffer's name, dtype = its dtype;
      - role "output", index c_16..c_23: one staging CB per Tx.copy(global, local), in program order;
        name = the local buffer's name (plus "_<global>" if that local is copied out twice), dtype = the
        global tensor's (pack converts the DST format);
      - role "intermediate", index c_24..: shared buffers written by compute (not loaded from global);
    page_bytes = one tile of the data format, block_pages = tiles of one block of the buffer,
    num_pages = block_pages * depth (buffering depth, 2 = double buffering by default);
  * `tt_tensors`: one map {name, param_index, shape, dtype, data_format, page_bytes, num_pages, access}
    per buffer parameter; pages are tiles (interleaved DRAM, one tile per page);
    access read / write / readwrite from the copies;
  * `tt_compute_config`: {math_fidelity (HiFi4 default), fp32_dest_acc_en (a local buffer is float32),
    dst_full_sync_en False, math_approx_mode False}.
The L1 total must fit hardware.l1_bytes and the CB count hardware.max_cbs (and each index range);
otherwise TTResourceError with a per-CB byte table.
"""
from __future__ import annotations

from tvm import tirx

from ..errors import TTResourceError, TTTargetError
from ..target import MATH_FIDELITIES as FIDELITIES
from ..target import data_format, tile_bytes
from . import _common as C
from .verify_input import classify

PASS_NAME = "tt.PlanCBs"
INPUT_BASE, OUTPUT_BASE, INTERMEDIATE_BASE = 0, 16, 24


def output_copies(km):
    """[(TileOp, cb name, local Var, global Var)] for every copy local->global, in program order."""
    outs = []
    for op, _ in km.walk_ops():
        if op.kind != "copy":
            continue
        dst, src = classify(op)[:2]
        if dst.kind == "global" and src.kind == "local":
            outs.append([op, str(src.buf.name), src.buf, dst.buf])
    names = [o[1] for o in outs]
    for o in outs:
        if names.count(o[1]) > 1:
            o[1] = f"{o[1]}_{o[3].name}"
    seen = set()
    for o in outs:
        if o[1] in seen:
            C.fail(km.name, f"local buffer {o[2].name} is copied to {o[3].name} more than once", o[0].stmt,
                   fix="copy each local buffer to each output once per block")
        seen.add(o[1])
    return [tuple(o) for o in outs]


def loaded_shared(km):
    names = set()
    for op, _ in km.walk_ops():
        if op.kind == "copy":
            dst, src = classify(op)[:2]
            if dst.kind == "shared" and src.kind == "global":
                names.add(str(dst.buf.name))
    return names


def _entry(index, name, dtype, block_pages, depth, role):
    return {"index": index, "name": name, "dtype": dtype, "data_format": data_format(dtype),
            "page_bytes": tile_bytes(dtype), "num_pages": block_pages * depth,
            "block_pages": block_pages, "role": role}


def cb_table(entries) -> str:
    rows = [f"    c_{e['index']:<3} {e['name']:<16} {e['role']:<12} {e['data_format']:<10} "
            f"{e['num_pages']:>4} x {e['page_bytes']:>5} B = {e['num_pages'] * e['page_bytes']:>8} B"
            for e in entries]
    return "\n".join(rows)


def plan(km, hw, depth: int = 2, math_fidelity: str = "HiFi4"):
    """(cb_plan, tensors, compute_config) of one kernel."""
    if depth < 1:
        raise TTTargetError(f"CB buffering depth must be >= 1, got {depth}")
    if math_fidelity not in FIDELITIES:
        raise TTTargetError(f"unknown math fidelity {math_fidelity!r}; supported: {', '.join(FIDELITIES)}")
    loaded = loaded_shared(km)
    inputs, inters = [], []
    for b in km.allocs:
        if C.scope_of(b) != "shared":
            continue
        (inputs if str(b.name) in loaded else inters).append(b)
    entries = []
    for i, b in enumerate(inputs):
        entries.append(_entry(INPUT_BASE + i, str(b.name), str(b.dtype), C.num_tiles(b), depth, "input"))
    outs = output_copies(km)
    for i, (_, name, local, glob) in enumerate(outs):
        entries.append(_entry(OUTPUT_BASE + i, name, str(glob.dtype), C.num_tiles(local), depth, "output"))
    for i, b in enumerate(inters):
        entries.append(_entry(INTERMEDIATE_BASE + i, str(b.name), str(b.dtype), C.num_tiles(b), depth,
                              "intermediate"))
    _check_resources(km, hw, entries, len(inputs), len(outs), len(inters))

    access = {}
    for op, _ in km.walk_ops():
        if op.kind == "copy":
            dst, src = classify(op)[:2]
            if src.kind == "global":
                access.setdefault(str(src.buf.name), set()).add("read")
            if dst.kind == "global":
                access.setdefault(str(dst.buf.name), set()).add("write")
    tensors = []
    for i, p in enumerate(km.func.params):
        if not C.is_buffer(p):
            continue
        acc = access.get(str(p.name), {"read"})
        rows, cols = C.static_shape(p)
        tensors.append({"name": str(p.name), "param_index": i, "shape": [rows, cols], "dtype": str(p.dtype),
                        "data_format": data_format(str(p.dtype)), "page_bytes": tile_bytes(str(p.dtype)),
                        "num_pages": C.num_tiles(p),
                        "access": "readwrite" if len(acc) == 2 else next(iter(acc))})
    fp32_acc = any(C.scope_of(b) == "local" and str(b.dtype) == "float32" for b in km.allocs)
    config = {"math_fidelity": math_fidelity, "fp32_dest_acc_en": fp32_acc, "dst_full_sync_en": False,
              "math_approx_mode": False}
    return entries, tensors, config


def _check_resources(km, hw, entries, n_in, n_out, n_inter):
    total = sum(e["page_bytes"] * e["num_pages"] for e in entries)
    limits = [(n_in, OUTPUT_BASE - INPUT_BASE, "input CBs (c_0..c_15)", "shared buffers loaded from DRAM"),
              (n_out, INTERMEDIATE_BASE - OUTPUT_BASE, "output CBs (c_16..c_23)", "copies to global"),
              (n_inter, hw.max_cbs - INTERMEDIATE_BASE, f"intermediate CBs (c_24..c_{hw.max_cbs - 1})",
               "shared buffers written by compute")]
    for n, cap, what, fix in limits:
        if n > cap:
            raise TTResourceError(
                f"kernel '{km.name}': {n} {what} exceed the limit of {cap} on {hw.model}\n"
                f"{cb_table(entries)}\n  fix: use fewer {fix}")
    if len(entries) > hw.max_cbs:
        raise TTResourceError(f"kernel '{km.name}': {len(entries)} CBs exceed {hw.max_cbs} on {hw.model}\n"
                              f"{cb_table(entries)}")
    if total > hw.l1_bytes:
        raise TTResourceError(
            f"kernel '{km.name}': circular buffers need {total} B of L1 but a {hw.model} core has "
            f"{hw.l1_bytes} B\n{cb_table(entries)}\n    total {total} B > L1 {hw.l1_bytes} B\n"
            f"  fix: use smaller blocks (fewer tiles per shared/local buffer) or a lower buffering depth")


def plan_cbs(func, target=None, depth: int = 2, math_fidelity: str = "HiFi4"):
    km = C.read_kernel(func, strict=True)
    if target is None and func.attrs is not None and "tt_model" in func.attrs:
        target = str(func.attrs["tt_model"])
    _, hw = C.model_and_hw(func, target)
    entries, tensors, config = plan(km, hw, depth, math_fidelity)
    return func.with_attrs({"tt_cb_plan": entries, "tt_tensors": tensors, "tt_compute_config": config})


def PlanCBs(target=None, depth: int = 2, math_fidelity: str = "HiFi4"):  # noqa: N802
    @tirx.transform.prim_func_pass(opt_level=0, name=PASS_NAME)
    def _pass(func, mod, ctx):
        return plan_cbs(func, target, depth, math_fidelity)
    return _pass
