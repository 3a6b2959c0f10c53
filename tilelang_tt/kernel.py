"""`tilelang_tt.compile(func, target=...)`: a callable kernel over numpy / ml_dtypes / torch arrays."""
from __future__ import annotations

import json
from pathlib import Path

import ml_dtypes
import numpy as np
import tvm
from tvm import tirx

from .errors import TTArgumentError, TTCompileError, TTError, check_kernel_name
from .frontend.program import kernel_name
from .runtime import launcher
from .runtime.module import export as _export
from .runtime.module import sources as _sources
from .target import NUMPY_DTYPE, TAGS, model_of, tag_config


def _param_specs(func):
    specs = []
    for p in func.params:
        shape = getattr(p, "shape", None)
        if shape is None:
            raise TTCompileError(
                f"kernel parameter {p.name} is not a buffer; Tenstorrent kernels take T.Buffer params only")
        specs.append((str(p.name), tuple(int(s) for s in shape), str(p.dtype)))
    return specs


def _is_torch(arr) -> bool:
    return type(arr).__module__.startswith("torch")


def _to_numpy(arr, kernel, name, dtype):
    """A numpy array (or the tvm Tensor itself) of the parameter's dtype; non-contiguous arrays are copied."""
    if _is_torch(arr):
        import torch  # only when the caller already uses torch
        t = arr.detach().cpu().contiguous()
        arr = t.view(torch.int16).numpy().view(ml_dtypes.bfloat16) if t.dtype == torch.bfloat16 else t.numpy()
    if isinstance(arr, tvm.runtime.Tensor):
        if str(arr.dtype) != dtype:
            raise TTArgumentError(f"kernel '{kernel}': argument {name} is a {arr.dtype} tensor, the kernel expects "
                                  f"{dtype}; fix: pass a {dtype} tensor")
        return arr
    arr = np.asarray(arr)
    if arr.dtype != NUMPY_DTYPE[dtype]:
        conv = "ml_dtypes.bfloat16" if dtype == "bfloat16" else "np.float32"
        why = " (float64 is not a Tenstorrent data format)" if arr.dtype == np.float64 else ""
        raise TTArgumentError(
            f"kernel '{kernel}': argument {name} has dtype {arr.dtype}, the kernel expects {dtype}{why}; "
            f"fix: convert it with arr.astype({conv})")
    return np.ascontiguousarray(arr)


def _check_writable(kernel, name, arr) -> None:
    """An output passed in is written in place after the run: it must be an array that can take it."""
    if isinstance(arr, tvm.runtime.Tensor):
        return
    if _is_torch(arr):
        return
    if not isinstance(arr, np.ndarray):
        raise TTArgumentError(
            f"kernel '{kernel}': output {name} is a {type(arr).__name__}, which cannot be written in place; fix: "
            f"pass a numpy array, a torch tensor or a tvm tensor, or leave the output out and let the kernel "
            f"allocate it (out_idx)")
    if not arr.flags.writeable:
        raise TTArgumentError(
            f"kernel '{kernel}': output {name} is a read-only numpy array (flags.writeable is False) and the kernel "
            f"writes its result into it; fix: pass a writable array (np.empty_like(...)), or leave the output out "
            f"and let the kernel allocate it (out_idx)")


def _write_back(dst, result) -> None:
    if isinstance(dst, np.ndarray):
        dst[...] = result
    elif _is_torch(dst):
        import torch
        src = torch.from_numpy(np.ascontiguousarray(result).view(np.int16) if result.dtype == ml_dtypes.bfloat16
                               else np.ascontiguousarray(result))
        dst.copy_(src.view(torch.bfloat16) if result.dtype == ml_dtypes.bfloat16 else src)


def _out_indices(kernel, params, out_idx, access) -> list[int]:
    """out_idx as sorted non-negative ints; each must name a parameter the kernel writes."""
    n = len(params)
    if out_idx is None:
        return []
    items = [out_idx] if isinstance(out_idx, (int, np.integer)) and not isinstance(out_idx, bool) else out_idx
    try:
        items = list(items)
    except TypeError:
        items = [items]
    written = sorted(i for i, a in access.items() if a in ("write", "readwrite"))
    out = set()
    for i in items:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise TTArgumentError(f"kernel '{kernel}': out_idx {i!r} is not a parameter index; fix: pass an int or a "
                                  f"list of ints, e.g. out_idx={written[-1] if written else n - 1}")
        if not -n <= i < n:
            raise TTArgumentError(f"kernel '{kernel}': out_idx {i} is out of range for {n} parameters; fix: use "
                                  f"indices of the outputs {written}")
        j = int(i) % n
        if access.get(j) == "read":
            raise TTArgumentError(
                f"kernel '{kernel}': out_idx {i} names parameter {params[j][0]}, which the kernel only reads (an "
                f"input); a kernel allocates and returns only the tensors it writes; fix: use indices of the outputs "
                f"{written}")
        out.add(j)
    return sorted(out)


class Kernel:
    """A compiled Tenstorrent kernel: call it with arrays, inspect `.sources` / `.plan`, `.export()`."""

    def __init__(self, func, target, module, out_idx):
        self.name = kernel_name(func)
        self.target = target
        self.module = module
        self.params = _param_specs(func)
        self._fn = module[self.name]
        self._sources: dict[str, str] | None = None
        access = {int(t["param_index"]): t["access"] for t in self.plan["tensors"]}
        self.out_idx = _out_indices(self.name, self.params, out_idx, access)
        # Parameters the program writes: only these are copied back into caller arrays.
        self._written = {i for i, a in access.items() if a in ("write", "readwrite")}

    @property
    def sources(self) -> dict[str, str]:
        if self._sources is None:   # the module is immutable: decode its files once
            self._sources = _sources(self.module, self.name)
        return dict(self._sources)

    @property
    def plan(self) -> dict:
        """plan.json as a dict (schema device/program.py SCHEMA)."""
        return json.loads(self.sources["plan.json"])

    @property
    def program(self):
        """The DeviceProgram of plan.json: kernels, cores, CBs, semaphores, tensors, schedule."""
        from .device import DeviceProgram
        return DeviceProgram.from_plan(self.plan)

    def export(self, directory) -> Path:
        return _export(self.module, directory, self.name)

    def estimate(self):
        """Modeled performance of this kernel's program on its target (tilelang_tt.perf): the work of
        every core, counted from the generated kernels (plan.json "work"), turned into time by the chip's
        cost table."""
        from .perf import estimate
        return estimate(self.plan)

    def __call__(self, *args, backend: str | None = None):
        """Run the kernel. backend: "emulator", "metalium", "wolfpine" or "auto" for this call only
        (default: TILELANG_TT_BACKEND, else auto)."""
        with launcher.using_backend(backend):
            return self._call(*args)

    def _call(self, *args):
        inputs = [i for i in range(len(self.params)) if i not in self.out_idx]
        if len(args) not in (len(self.params), len(inputs)):
            names = ", ".join(self.params[i][0] for i in inputs)
            raise TTArgumentError(
                f"kernel '{self.name}' takes {len(inputs)} inputs ({names})"
                + (f" (outputs {self.out_idx} are allocated for you)" if self.out_idx else "")
                + f" or all {len(self.params)} tensors; got {len(args)} arguments")
        full = len(args) == len(self.params)
        if full:
            for i in self._written:
                _check_writable(self.name, self.params[i][0], args[i])
        tensors, it = [], iter(args)
        for i, (name, shape, dtype) in enumerate(self.params):
            if not full and i in self.out_idx:
                tensors.append(tvm.runtime.tensor(np.zeros(shape, NUMPY_DTYPE[dtype])))
                continue
            arr = _to_numpy(next(it), self.name, name, dtype)
            if tuple(arr.shape) != shape:
                raise TTArgumentError(
                    f"kernel '{self.name}': argument {name} has shape {tuple(arr.shape)}, expected {shape}; fix: "
                    f"pass a {shape} array (the kernel is compiled for these shapes)")
            tensors.append(arr if isinstance(arr, tvm.runtime.Tensor) else tvm.runtime.tensor(arr))
        try:
            self._fn(*tensors)
        except TTError:
            err = launcher.last_error()
            if err is not None:
                raise err from None  # the original object, with its .report
            raise
        if full:
            for i in self._written:
                if not isinstance(args[i], tvm.runtime.Tensor):   # a tvm tensor was written in place
                    _write_back(args[i], tensors[i].numpy())
        outs = [tensors[i].numpy() for i in self.out_idx]
        if not outs:
            return None
        return outs[0] if len(outs) == 1 else tuple(outs)


def compile(func, target="tenstorrent", out_idx=None, api_profile=None, **options) -> Kernel:  # noqa: A001
    """Compile a TIR tile kernel for a Tenstorrent target.

    target: "tenstorrent" (Wormhole n150), "tenstorrent/wormhole_b0", "tenstorrent/blackhole" or a
    tvm Target. out_idx: parameter indices the kernel allocates and returns (TileLang style).
    api_profile: the TT-Metalium API era of the generated code (codegen/profiles.py): "M081" (the released
    TT-Metalium 0.81.1, default), "E4" or "E3" (older eras).
    Other keyword options are CompileOptions fields (options.py): core_policy, max_cores, cb_depth,
    math_fidelity, dst_mode, schedule ("auto" | "naive" | "blocked" | "subblocked" | "multicast") and
    the matmul overrides grid, per_core_m, per_core_n, in0_block_w, subblock_h, subblock_w, partials, and
    storage (block-float storage of bf16 inputs, e.g. storage={"B": "bfp8_b"}). They are validated here
    and travel to the passes as function attributes.
    """
    from tvm.target import Target

    from .options import CompileOptions

    if not isinstance(func, tirx.PrimFunc):
        raise TTCompileError(f"tilelang_tt.compile takes a T.prim_func, got {type(func).__name__}")
    model_of(target)  # TTTargetError for an unknown tag or model, before TVM sees it
    if isinstance(target, str):
        target = Target(target if target in TAGS else tag_config(model_of(target)))
    check_kernel_name(kernel_name(func))
    opts = CompileOptions.from_func(func, target, api_profile=api_profile, **options)
    func = func.with_attrs(opts.to_attrs()) if opts.to_attrs() else func
    if func.attrs is None or "global_symbol" not in func.attrs:
        func = func.with_attr("global_symbol", "main")
    module = tvm.tirx.build(tvm.IRModule.from_expr(func), target=target)
    return Kernel(func, target, module, out_idx)

