"""`tilelang_tt.compile(func, target=...)`: a callable kernel over numpy / ml_dtypes / torch arrays."""
from __future__ import annotations

import json
from pathlib import Path

import ml_dtypes
import numpy as np
import tvm
from tvm import tirx

from .errors import TTArgumentError, TTCompileError, TTError
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


def _to_numpy(arr, name, dtype):
    if type(arr).__module__.startswith("torch"):
        import torch  # only when the caller already uses torch
        t = arr.detach().cpu().contiguous()
        arr = t.view(torch.int16).numpy().view(ml_dtypes.bfloat16) if t.dtype == torch.bfloat16 else t.numpy()
    if isinstance(arr, tvm.runtime.Tensor):
        return arr
    arr = np.asarray(arr)
    if arr.dtype != NUMPY_DTYPE[dtype]:
        raise TTArgumentError(
            f"argument {name} has dtype {arr.dtype}, the kernel expects {dtype}; convert it with "
            f"arr.astype({'ml_dtypes.bfloat16' if dtype == 'bfloat16' else 'np.float32'})")
    return np.ascontiguousarray(arr)


class Kernel:
    """A compiled Tenstorrent kernel: call it with arrays, inspect `.sources` / `.plan`, `.export()`."""

    def __init__(self, func, target, module, out_idx):
        self.name = kernel_name(func)
        self.target = target
        self.module = module
        self.params = _param_specs(func)
        n = len(self.params)
        out_idx = [] if out_idx is None else ([out_idx] if isinstance(out_idx, int) else list(out_idx))
        self.out_idx = sorted({i % n for i in out_idx}) if n else []
        for i in out_idx:
            if not -n <= i < n:
                raise TTArgumentError(f"kernel '{self.name}': out_idx {i} is out of range for {n} parameters")
        self._fn = module[self.name]
        self._sources: dict[str, str] | None = None
        # Parameters the program writes: only these are copied back into caller arrays.
        self._written = {int(t["param_index"]) for t in self.plan["tensors"]
                         if t["access"] in ("write", "readwrite")}

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

    def __call__(self, *args):
        inputs = [i for i in range(len(self.params)) if i not in self.out_idx]
        if len(args) not in (len(self.params), len(inputs)):
            raise TTArgumentError(
                f"kernel '{self.name}' takes {len(inputs)} inputs"
                + (f" (outputs {self.out_idx} are allocated for you)" if self.out_idx else "")
                + f" or all {len(self.params)} tensors; got {len(args)}")
        full = len(args) == len(self.params)
        tensors, it = [], iter(args)
        for i, (name, shape, dtype) in enumerate(self.params):
            if not full and i in self.out_idx:
                tensors.append(tvm.runtime.tensor(np.zeros(shape, NUMPY_DTYPE[dtype])))
                continue
            arr = _to_numpy(next(it), name, dtype)
            if tuple(arr.shape) != shape:
                raise TTArgumentError(
                    f"kernel '{self.name}': argument {name} has shape {tuple(arr.shape)}, expected {shape}")
            if isinstance(arr, tvm.runtime.Tensor) and str(arr.dtype) != dtype:
                raise TTArgumentError(f"kernel '{self.name}': argument {name} is {arr.dtype}, expected {dtype}")
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
                if isinstance(args[i], np.ndarray):
                    args[i][...] = tensors[i].numpy()
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
    the matmul overrides grid, per_core_m, per_core_n, in0_block_w, subblock_h, subblock_w. They are
    validated here and travel to the passes as function attributes.
    """
    from tvm.target import Target

    from .options import CompileOptions

    if not isinstance(func, tirx.PrimFunc):
        raise TTCompileError(f"tilelang_tt.compile takes a T.prim_func, got {type(func).__name__}")
    model_of(target)  # TTTargetError for an unknown tag or model, before TVM sees it
    if isinstance(target, str):
        target = Target(target if target in TAGS else tag_config(model_of(target)))
    opts = CompileOptions.from_func(func, target, api_profile=api_profile, **options)
    func = func.with_attrs(opts.to_attrs()) if opts.to_attrs() else func
    if func.attrs is None or "global_symbol" not in func.attrs:
        func = func.with_attr("global_symbol", "main")
    module = tvm.tirx.build(tvm.IRModule.from_expr(func), target=target)
    return Kernel(func, target, module, out_idx)
