"""Compiled artifacts: the `target.build.ext_dev` hook, the artifact registry, sources() and export().

The device module returned to TVM is a `const_loader` module holding every generated file as a uint8
tensor named `<artifact id>/<file>`, so the sources travel with the module that `tvm.build` /
`tvm.compile` return. (A Python Module subclass cannot be imported into a TVM module; a `source` module
breaks every call; a `c` module breaks tvm.compile. Found by trying each
in apache-tvm 0.27.)
The in-process registry maps artifact id -> Artifact for the launcher.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tvm
from tvm.target import Target

from ..errors import TTArgumentError, TTRuntimeError


@dataclass
class Artifact:
    art_id: str
    kernel: str
    api_profile: str
    sources: dict
    plan: dict = field(default_factory=dict)
    program_dir: Path | None = None   # the built emulator program, once a launch has built it

    @property
    def model(self) -> str:
        return self.plan.get("model", "wormhole_b0")


_ARTIFACTS: dict[str, Artifact] = {}
_LOCK = threading.Lock()


def register(art: Artifact) -> None:
    with _LOCK:
        _ARTIFACTS[art.art_id] = art


def lookup(art_id: str) -> Artifact:
    try:
        return _ARTIFACTS[art_id]
    except KeyError:
        raise TTRuntimeError(
            f"no compiled Tenstorrent kernel with id {art_id!r} in this process (a module built in another "
            f"process, or loaded from disk, has no launcher here); fix: build the kernel again in this process "
            f"with tvm.build(..., target='tenstorrent') or tilelang_tt.compile before calling it") from None


def _group_by_artifact(mod):
    groups: dict[str, dict] = {}
    for gv, func in mod.functions.items():
        art_id = str(func.attrs["tt.artifact_id"])
        # The codegen reads only TT-level TIR and plan attributes; the TVM target stays behind.
        groups.setdefault(art_id, {})[gv] = func.without_attr("target")
    return groups


def build_ext_dev(mod, target):
    """`target.build.ext_dev`: generate the C++ program of every kernel in the device module."""
    from ..codegen import DEFAULT_PROFILE, generate

    files = {}
    for art_id, funcs in _group_by_artifact(mod).items():
        tt_mod = tvm.IRModule(funcs)
        first = next(iter(funcs.values()))
        profile = str(first.attrs.get("tt.api_profile", DEFAULT_PROFILE))
        kernel = str(first.attrs["tt.kernel"])
        sources = generate(tt_mod, api_profile=profile)
        plan = json.loads(sources["plan.json"])
        register(Artifact(art_id, kernel, profile, dict(sources), plan))
        for name, text in sources.items():
            files[f"{art_id}/{name}"] = tvm.runtime.tensor(np.frombuffer(text.encode(), dtype=np.uint8))
    return _const_module(files)


def _const_module(files):
    module = tvm.get_global_func("ffi.Module.create.const_loader")(files, {})
    # const_loader's GetFunction requires at least one import to delegate to.
    empty = tvm.get_global_func("target.build.llvm")(tvm.IRModule({}), Target("llvm"))
    module.import_module(empty)
    return module


def _iter_modules(mod):
    seen = set()
    stack = [mod]
    while stack:
        m = stack.pop()
        if id(m) in seen:
            continue
        seen.add(id(m))
        yield m
        stack.extend(list(m.imports))


def _files_of(mod) -> dict[str, dict[str, str]]:
    """{artifact id: {file name: text}} for every Tenstorrent kernel inside a built module."""
    if hasattr(mod, "mod") and not hasattr(mod, "imports"):  # tvm.compile's Executable
        mod = mod.mod
    out: dict[str, dict[str, str]] = {}
    for m in _iter_modules(mod):
        if m.kind != "const_loader":
            continue
        for key, tensor in m["get_const_var_tensor"]().items():
            art_id, _, name = str(key).rpartition("/")   # file names hold no '/', kernel names may
            out.setdefault(art_id, {})[name] = bytes(tensor.numpy()).decode()
    return out


def _select(mod, kernel: str | None) -> tuple[str, dict[str, str]]:
    files = _files_of(mod)
    if not files:
        raise TTArgumentError("this module holds no Tenstorrent kernel; fix: build it with target='tenstorrent' "
                              "(tvm.build / tvm.compile / tilelang_tt.compile)")
    if kernel is None:
        if len(files) > 1:
            names = sorted(a.rsplit("-", 1)[0] for a in files)
            raise TTArgumentError(f"the module holds several kernels ({', '.join(names)}); fix: pass kernel=<name>")
        return next(iter(files.items()))
    for art_id, srcs in files.items():
        if art_id.rsplit("-", 1)[0] == kernel:
            return art_id, srcs
    names = sorted(a.rsplit("-", 1)[0] for a in files)
    raise TTArgumentError(f"no kernel named {kernel!r} in this module; it holds {', '.join(map(repr, names))}")


def sources(mod, kernel: str | None = None) -> dict[str, str]:
    """The generated files of a kernel: one .cpp per device kernel (reader.cpp, compute.cpp, writer.cpp
    for the naive schedule; plan.json's "kernels" name them), main.cpp, CMakeLists.txt and plan.json."""
    return dict(_select(mod, kernel)[1])


def export(mod, directory, kernel: str | None = None) -> Path:
    """Write a kernel's generated project to `directory` (a CMake project that builds against a
    TT-Metalium install or the bundled emulator SDK). Returns the directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in sources(mod, kernel).items():
        (directory / name).write_text(text)
    return directory


def write_sources(srcs: dict[str, str], directory) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in srcs.items():
        tmp = directory / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(text)
        tmp.replace(directory / name)
    return directory
