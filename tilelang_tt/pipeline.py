"""TVM integration: the `tenstorrent` TIR pipeline, the target-gated default pipeline, the build hook.

`tvm.build / tvm.compile / tvm.tirx.build(..., target="tenstorrent")` pick the pipeline by name only
("default" -> "s_tir"), so we wrap the registered "s_tir" factory: modules whose functions are bound to
a Tenstorrent target take our route, everything else takes the original pipeline untouched. The TT route
lowers each kernel to its reader / compute / writer PrimFuncs (device functions for `target.build.ext_dev`)
and replaces the kernel by a host stub with the same typed buffer parameters whose body is
`call_packed("tilelang_tt.launch", <artifact id>, *params)`.
"""
from __future__ import annotations

import hashlib

import tvm
import tvm_ffi
from tvm import tirx
from tvm.target import Target
from tvm.tirx import compilation_pipeline as cp

from .errors import check_kernel_name
from .target import is_tenstorrent, model_of

LAUNCH_FUNC = "tilelang_tt.launch"
PIPELINE_NAME = "tenstorrent"

_ORIGINAL_S_TIR = None


def _func_target(func):
    return func.attrs.get("target", None) if func.attrs is not None else None


def _is_tt_func(func) -> bool:
    return isinstance(func, tirx.PrimFunc) and is_tenstorrent(_func_target(func))


def _has_tt_funcs(mod) -> bool:
    return any(_is_tt_func(f) for f in mod.functions.values())


def api_profile_of(func, target) -> str:
    """The TT-Metalium API profile for a kernel: func attr `tt.api_profile`, else target
    `libs=["api=E3"]`, else the default (M081, the released TT-Metalium 0.81.1; options.py)."""
    from .options import CompileOptions

    return CompileOptions.from_func(func, target).profile


def artifact_id(kernel: str, tt_mod, model: str, profile: str) -> str:
    """Content id of one compiled kernel: same TT-level IR, model and profile -> same id."""
    h = hashlib.sha256()
    for gv in sorted(tt_mod.functions, key=lambda g: g.name_hint):
        h.update(tt_mod[gv].script(show_meta=False).encode())
    h.update(f"{model}/{profile}".encode())
    return f"{kernel}-{h.hexdigest()[:16]}"


def _host_stub(func, kernel: str, art_id: str, host: Target):
    call = tirx.call_packed(LAUNCH_FUNC, art_id, *func.params)
    stub = tirx.PrimFunc(func.params, tirx.Evaluate(call), ret_type=func.ret_type, attrs=func.attrs)
    # MakePackedAPI does nothing unless the function's target has a host.
    return stub.with_attr("target", Target(host, host=host)).with_attr("global_symbol", kernel)


def lower_tt_kernels(mod):
    """Replace every Tenstorrent-bound PrimFunc by its device kernels (one PrimFunc each) plus a host stub."""
    from .passes import lower_to_tt

    out = {}
    stubs = {}
    for gv, func in mod.functions.items():
        if not _is_tt_func(func):
            out[gv] = func
            continue
        target = _func_target(func)
        kernel = check_kernel_name(gv.name_hint)
        model = model_of(target)
        profile = api_profile_of(func, target)
        func = func.with_attr("global_symbol", kernel) if "global_symbol" not in func.attrs else func
        tt_mod = lower_to_tt(func, target)
        art_id = artifact_id(kernel, tt_mod, model, profile)
        for role_gv, role_func in tt_mod.functions.items():
            role_func = role_func.with_attrs({
                "target": target,
                "global_symbol": role_gv.name_hint,
                "tt.artifact_id": art_id,
                "tt.api_profile": profile,
            })
            out[tvm.ir.GlobalVar(role_gv.name_hint)] = role_func
        host = target.host if target.host is not None else Target("llvm")
        stubs[gv] = _host_stub(func, kernel, art_id, host)
    if stubs:
        host_mod = tirx.transform.MakePackedAPI()(tvm.IRModule(stubs))
        # After MakePackedAPI and on host functions only: otherwise bf16 tensors reach the launcher
        # mislabelled as float32, or LLVM crashes on bf16 pointers.
        host_mod = tirx.transform.BF16StorageLegalize()(host_mod)
        for gv, func in host_mod.functions.items():
            out[gv] = func
    return tvm.IRModule(out, attrs=mod.attrs)


def _split(mod):
    tt = tvm.IRModule({gv: f for gv, f in mod.functions.items() if _is_tt_func(f)}, attrs=mod.attrs)
    rest = tvm.IRModule({gv: f for gv, f in mod.functions.items() if not _is_tt_func(f)},
                        attrs=mod.attrs)
    return tt, rest


def _finalize_tt_device():
    # The role functions stay TT-level TIR: target.build.ext_dev generates C++ from them.
    return tvm.transform.Sequential([], name="tt.FinalizeDevice")


def tt_pipeline(**kwargs):
    """The named `tenstorrent` pipeline: (pipeline, finalize_host_passes, finalize_device_passes)."""
    base = _ORIGINAL_S_TIR or cp.PIPELINE_MAP["s_tir"]
    _, fhost, _ = base(**kwargs)

    @tvm.transform.module_pass(opt_level=0, name="tt.LowerKernels")
    def pipeline(mod, ctx):
        return lower_tt_kernels(mod)

    return pipeline, fhost, _finalize_tt_device


def _s_tir_or_tt(**kwargs):
    """The default pipeline, with Tenstorrent-bound functions routed to the TT pipeline."""
    o_pipe, o_fhost, o_fdev = _ORIGINAL_S_TIR(**kwargs)

    @tvm.transform.module_pass(opt_level=0, name="tt.DispatchPipeline")
    def pipeline(mod, ctx):
        if not _has_tt_funcs(mod):
            return o_pipe(mod)
        tt_part, rest = _split(mod)
        lowered = lower_tt_kernels(tt_part)
        if len(rest.functions):
            lowered.update(o_pipe(rest))
        return lowered

    def fdev():
        @tvm.transform.module_pass(opt_level=0, name="tt.DispatchFinalizeDevice")
        def finalize(mod, ctx):
            return mod if _has_tt_funcs(mod) else o_fdev()(mod)
        return finalize

    return pipeline, o_fhost, fdev


def install() -> None:
    """Hook the pipelines and the ext_dev build function into TVM. Idempotent."""
    global _ORIGINAL_S_TIR
    if _ORIGINAL_S_TIR is None:
        current = cp.PIPELINE_MAP.get("s_tir")
        if current is None:
            import tvm.s_tir.pipeline  # noqa: F401  (registers "s_tir")
            current = cp.PIPELINE_MAP["s_tir"]
        if getattr(current, "__name__", "") != _s_tir_or_tt.__name__:
            _ORIGINAL_S_TIR = current
            cp.register_tir_pipeline("s_tir", _s_tir_or_tt)
    cp.register_tir_pipeline(PIPELINE_NAME, tt_pipeline)

    from .runtime.module import build_ext_dev
    tvm_ffi.register_global_func("target.build.ext_dev", build_ext_dev, override=True)
