"""The pinned TT-Metalium release the generated code is checked against, and its local copy.

The newest TT-Metalium on PyPI ships inside the `ttnn` wheel (cp310 only). It carries tt-metal's whole
kernel-side tree (`tt_metal/hw`, `tt-llk`, `hostdevcommon`, firmware wrappers, soc descriptors, linker
scripts) and `build/lib/libtt_metal.so`, but not the host headers and not the SFPI compiler. We use its
files as data only: the wheel is never installed or imported.

The extracted tree is cached outside the repository, keyed by version:
`$TILELANG_TT_REALAPI_DIR` or `<user cache>/tilelang_tt/realapi/ttnn-<version>/`. Concurrent processes
serialise on a lock file; the tree is published with an atomic rename, so a half-extracted tree is never
seen.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import RealApiUnavailable


@dataclass(frozen=True)
class Release:
    """One released TT-Metalium, as shipped in a ttnn wheel on PyPI."""
    version: str              # ttnn / TT-Metalium version
    wheel: str                # exact file name on PyPI
    sha256: str               # of the wheel, so a replaced upload is noticed
    python_version: str       # the only CPython the wheel is built for (pip download --python-version)
    date: str                 # upload date, for the docs
    profile: str              # the tilelang_tt API profile that targets it


# The release the default API profile targets (codegen/profiles.py "M081").
TTNN_0_81_1 = Release(
    version="0.81.1",
    wheel="ttnn-0.81.1-cp310-cp310-manylinux_2_34_x86_64.whl",
    sha256="ed49aa1ee3f39a87cbee21f35c9133544879ebf537b1788f6f033681ab504503",
    python_version="3.10",
    date="2026-10-23",
    profile="M081",
)
PINNED = TTNN_0_81_1

# Wheel members we keep (prefix match under "ttnn/"): the kernel-side tree and the host library.
# Left out: pre-compiled firmware, ttnn's own Python and C++ sources.
_KEEP = ("tt_metal/hw/", "tt_metal/tt-llk/", "tt_metal/hostdevcommon/", "tt_metal/api/",
         "tt_metal/soc_descriptors/", "tt_metal/core_descriptors/", "tt_metal/sfpi-version",
         "runtime/hw/", "build/lib/libtt_metal.so")
# The shared libraries libtt_metal.so needs to be loaded (dlopen) rather than only read: its own
# build/lib neighbours and the auditwheel-vendored ttnn.libs/. They go flat into HOST_LIB_DIR, so the
# block-float tests can call the release's host conversion as their oracle (tests/unit/blockfloat/).
_HOST_LIBS = {"ttnn/build/lib/libtt_metal.so", "ttnn/build/lib/libtt_stl.so", "ttnn/build/lib/libtracy.so.0.14.1",
              "ttnn/build/lib/libtt-umd.so.0"}
_VENDORED_LIBS = "ttnn.libs/"
HOST_LIB_DIR = "host-lib"


def user_cache(override_env: str, name: str) -> Path:
    """`$<override_env>`, else `$XDG_CACHE_HOME/tilelang_tt/<name>`, else `~/.cache/tilelang_tt/<name>`:
    where the downloaded release and the wolfpine environment live, outside the repository."""
    d = os.environ.get(override_env)
    if d:
        return Path(d)
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "tilelang_tt" / name


def cache_root() -> Path:
    return user_cache("TILELANG_TT_REALAPI_DIR", "realapi")


def tree_dir(release: Release = PINNED) -> Path:
    """Root of the extracted release: holds tt_metal/, runtime/ and build/lib/libtt_metal.so."""
    return cache_root() / f"ttnn-{release.version}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(release: Release, into: Path) -> Path:
    """`pip download` the pinned wheel (the registry's ordinary client; no dependencies, binary only)."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--python-version", release.python_version, "--disable-pip-version-check", "--quiet",
           "-d", str(into), f"ttnn=={release.version}"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wheel = into / release.wheel
    if proc.returncode != 0 or not wheel.exists():
        raise RealApiUnavailable(
            f"could not download the TT-Metalium release wheel ttnn=={release.version} from PyPI "
            f"({' '.join(cmd)}):\n{proc.stdout.strip()[-2000:]}\nThe real-header check needs it once; it is "
            f"cached in {tree_dir(release)}. Put the wheel there by hand as {release.wheel} with network "
            f"access elsewhere, or set TILELANG_TT_REALAPI=skip to skip the check locally.")
    return wheel


def _extract(wheel: Path, dest: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            name = info.filename
            if not name.startswith("ttnn/") or info.is_dir():
                continue
            rel = name[len("ttnn/"):]
            if not rel.startswith(_KEEP):
                continue
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)


def _extract_host_libs(wheel: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            if info.is_dir() or not (info.filename in _HOST_LIBS or info.filename.startswith(_VENDORED_LIBS)):
                continue
            with z.open(info) as src, open(dest / Path(info.filename).name, "wb") as dst:
                shutil.copyfileobj(src, dst)


def ensure_host_libs(release: Release = PINNED) -> Path:
    """A directory holding libtt_metal.so and every shared library it needs from the wheel, so that it
    can be loaded with ctypes. Older trees (extracted before these were kept) get them added: the
    wheel is downloaded again if it is not cached next to the tree."""
    tree = ensure_tree(release)
    final = tree / HOST_LIB_DIR
    if (final / ".complete").exists():
        return final
    with open(tree.parent / f".ttnn-{release.version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (final / ".complete").exists():
            return final
        tmp = Path(tempfile.mkdtemp(prefix="host-lib.tmp.", dir=tree))
        try:
            local = tree.parent / release.wheel
            wheel = local if local.exists() else _download(release, tmp)
            if _sha256(wheel) != release.sha256:
                raise RealApiUnavailable(f"{wheel} is not the pinned ttnn {release.version} wheel (sha256 differs)")
            libs = tmp / "libs"
            _extract_host_libs(wheel, libs)
            (libs / ".complete").write_text(f"ttnn {release.version} {release.sha256}\n")
            if final.exists():
                shutil.rmtree(final)
            os.rename(libs, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def ensure_tree(release: Release = PINNED) -> Path:
    """The extracted release tree, downloading and extracting the wheel on first use."""
    final = tree_dir(release)
    if (final / ".complete").exists():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with open(final.parent / f".ttnn-{release.version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)          # one downloader at a time; others wait, then reuse
        if (final / ".complete").exists():
            return final
        tmp = Path(tempfile.mkdtemp(prefix=f"ttnn-{release.version}.tmp.", dir=final.parent))
        try:
            local = final.parent / release.wheel       # a wheel placed by hand is used as is
            wheel = local if local.exists() else _download(release, tmp)
            digest = _sha256(wheel)
            if digest != release.sha256:
                raise RealApiUnavailable(
                    f"{wheel} has sha256 {digest}, expected {release.sha256} for ttnn {release.version}: "
                    f"the file is damaged or not the pinned release; delete it and retry")
            tree = tmp / "tree"
            _extract(wheel, tree)
            _extract_host_libs(wheel, tree / HOST_LIB_DIR)
            (tree / HOST_LIB_DIR / ".complete").write_text(f"ttnn {release.version} {release.sha256}\n")
            (tree / ".complete").write_text(f"ttnn {release.version} {release.sha256}\n")
            if final.exists():                          # a stale, incomplete tree from a killed run
                shutil.rmtree(final)
            os.rename(tree, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final
