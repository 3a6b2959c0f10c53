"""The Python 3.10 child environment of the wolfpine route: ttnn 0.81.1 + wolfpine 2.2, pinned by hash.

The `ttnn` wheel (tt-metal's host runtime, firmware sources, LLKs, and UMD with its simulator backend) is
built for CPython 3.10 only, and this package runs on whatever Python the user has. So the route runs in
a child process with its own virtualenv, created once per machine by this file from an interpreter found
on the machine, and installed with pip's ordinary client in `--require-hashes` mode: every distribution
(the two we want and every dependency they declare) is pinned by version and sha256 below, so a
replaced upload or an unexpected resolution fails the install instead of running something else.

The virtualenv lives outside the repository: `$TILELANG_TT_WOLFPINE_DIR` or
`<user cache>/tilelang_tt/wolfpine/venv-<key>` (`$XDG_CACHE_HOME` honoured). Concurrent processes
serialise on a lock; `.complete` is written last, so an interrupted install is redone.
"""
from __future__ import annotations

import fcntl
import functools
import glob
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import WolfpineUnavailable

PYTHON_VERSION = (3, 10)

# (distribution, version, sha256 of its cp310 manylinux x86_64 / pure-Python wheel). ttnn and wolfpine,
# then what their metadata requires, resolved once by pip for CPython 3.10 on x86_64 Linux.
PINS = (
    ("ttnn", "0.81.1", "ed49aa1ee3f39a87cbee21f35c9133544879ebf537b1788f6f033681ab504503"),
    ("wolfpine", "2.2", "1f25b17122bc7b1d7af611d9b5067d82e075515252c9a4f4c7de4895a0cc93e8"),
    ("cffi", "2.1.1", "194cffa889098ced9976c3fc6340305e43f6303657d298da55366907c05c22d6"),
    ("click", "8.5.1", "8bb5376d2006950386f8c6427613334a2acadc5f559cb80e638d00b4df957e37"),
    ("contourpy", "1.3.2", "ad687a04bc802cbe8b9c399c07162a3c35e227e2daccf1668eb1f278cb698631"),
    ("cycler", "0.12.1", "85cef7cff222d8644161529808465972e51340599459b8ac3ccbac5a854e0d30"),
    ("flatbuffers", "25.12.19", "7634f50c427838bb021c2d66a3d1168e9d199b0607e6329399f04846d42e20b4"),
    ("fonttools", "4.65.0", "fb53892b570f7f1f0055e75fc4de32673e32f749c4c8a606b63d5c436650e634"),
    ("graphviz", "0.21", "54f33de9f4f911d7e84e4191749cac8cc5653f815b06738c54db9a15ab8b1e42"),
    ("kiwisolver", "1.5.1", "e05c2f7925f1d88778e53cb44f14e0223204a3bdd09a41664750363acfb1f2ef"),
    ("loguru", "0.7.3", "31a33c10c8e1e10422bfd431aeb5d351c7cf7fa671e3c4df004162264b28220c"),
    ("matplotlib", "3.10.9", "1aa972116abb4c9d201bf245620b433726cb6856f3bef6a78f776a00f5c92d37"),
    ("ml_dtypes", "0.5.4", "388d399a2152dd79a3f0456a952284a99ee5c93d3e2f8dfe25977511e0515270"),
    ("networkx", "3.4.2", "df5d4365b724cf81b8c6a7312509d0c22386097011ad1abe274afd5e9d3bbc5f"),
    ("numpy", "1.26.4", "ffa75af20b44f8dba823498024771d5ac50620e6915abac414251bd971b4529f"),
    ("packaging", "26.4", "81383611a09c1bc0b08b76e0fd5829d7c6824c65b27a6aee339da133f4233ea2"),
    ("pandas", "2.3.3", "dd7478f1463441ae4ca7308a70e90b33470fa593429f9d4c578dd00d1fa78838"),
    ("pillow", "12.3.0", "f0606c8bf2cdefea14a43530f7657cbbb7ecf1c4222512492ef4a4434a9501ec"),
    ("pyarrow", "25.0.1", "a4d6d5e9a3d1879a97c08ded0c797579b7965eafd0f0c26c30b45ccc06db939b"),
    ("pycparser", "3.11", "51d5a8ba2be0bbe440b99d2112604c95bbbc3c2748a64260186c541e1729cd80"),
    ("pyelftools", "0.33", "f215ad5f47d3f1373a21496a6c9e0707c622840d0622f23ff7ce08678b020036"),
    ("pynng", "0.9.0", "21a9d0b08d652549ac96f659211ce0d1a10a83d9537763f7163c0029a4b6e7b5"),
    ("pyparsing", "3.3.3", "ece8c00a69cf01b45d0b1dedabb469c90d8caf996d4fda40f147627a122849a4"),
    ("python-dateutil", "3.0.0", "3c79630202e4152c6add678446984236efe4f57e84d8e892aab0637bab82e9fd"),
    ("pytz", "2026.6", "7fed3fee8fd6bd4a2b7b75a8d56021d0624127bf69bd5691f115db929ac570b3"),
    ("pyyaml", "6.0.4", "88a089e6424a8a256321270620d5a4328ad5227fb2061b07d33f596894336914"),
    ("seaborn", "0.13.2", "636f8336facf092165e27924f223d3c62ca560b1f2bb5dff7ab7fad265361987"),
    ("six", "1.17.0", "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"),
    ("sniffio", "1.3.1", "2f6da418d1f1e0fddd844478f41680e794e6051915791a034ff65e5f100525a2"),
    ("tzdata", "2026.6", "0a10eec6e13ef16b627fabed9a5f2ba61a62b1c67f327305f4e7e412a70b4aec"),
)

HOW_TO_GET_PYTHON = (
    "the wolfpine backend runs tt-metal's host runtime from the ttnn 0.81.1 wheel, which is built for "
    "CPython 3.10 only, and no python3.10 was found (looked at $TILELANG_TT_PYTHON310, python3.10 on PATH, "
    "~/.pyenv/versions/3.10.*, /usr/bin, /usr/local/bin); fix: install one (`pyenv install 3.10`, "
    "`uv python install 3.10`, or your distribution's python3.10 with its venv module) and, if it is not on "
    "PATH, point TILELANG_TT_PYTHON310 at it; or run on the emulator (TILELANG_TT_BACKEND=emulator)")


@dataclass(frozen=True)
class ChildEnv:
    python: str          # the virtualenv's interpreter
    site_packages: Path
    root: Path           # the virtualenv

    @property
    def ttnn_root(self) -> Path:
        return self.site_packages / "ttnn"

    def simulator_dir(self, arch: str) -> Path:
        """wolfpine's TT_METAL_SIMULATOR directory for "wormhole" / "blackhole" (framework.sim)."""
        return self.site_packages / "framework" / "sim" / arch


def cache_root() -> Path:
    from ..realapi.release import user_cache
    return user_cache("TILELANG_TT_WOLFPINE_DIR", "wolfpine")


def _probe(candidate: str) -> str | None:
    """The real executable of a Python 3.10 that can make virtualenvs, or None."""
    try:
        proc = subprocess.run(
            [candidate, "-c", "import sys, venv, ensurepip; print(sys.version_info[:2] == (3, 10)); "
                              "print(sys.executable)"],
            capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = proc.stdout.split()
    if proc.returncode != 0 or len(lines) < 2 or lines[0] != "True":
        return None
    return lines[1]


@functools.lru_cache(maxsize=None)
def find_python310() -> str | None:
    """A Python 3.10 interpreter on this machine, or None."""
    home = os.path.expanduser("~")
    candidates = [os.environ.get("TILELANG_TT_PYTHON310"), shutil.which("python3.10")]
    pyenv = os.environ.get("PYENV_ROOT") or os.path.join(home, ".pyenv")
    candidates += sorted(glob.glob(os.path.join(pyenv, "versions", "3.10.*", "bin", "python3.10")), reverse=True)
    candidates += ["/usr/bin/python3.10", "/usr/local/bin/python3.10"]
    for c in candidates:
        if c and os.path.exists(c):
            exe = _probe(c)
            if exe:
                return exe
    return None


def requirements_text() -> str:
    return "".join(f"{name}=={version} --hash=sha256:{sha}\n" for name, version, sha in PINS)


def _key(python: str) -> str:
    return hashlib.sha256((python + "\n" + requirements_text()).encode()).hexdigest()[:16]


def _wheel_dirs() -> list[str]:
    """Local directories that may already hold a pinned wheel (the real-header tier's ttnn download)."""
    from ..realapi import release
    d = release.cache_root()
    return [str(d)] if d.is_dir() else []


def _install(python: str, dest: Path) -> None:
    def run(cmd, what):
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise WolfpineUnavailable(
                f"setting up the wolfpine environment in {dest}: {what} failed ({' '.join(cmd)}):\n"
                f"{proc.stdout.strip()[-3000:]}\nfix: check that PyPI is reachable (pip's ordinary client), "
                f"or run on the emulator (TILELANG_TT_BACKEND=emulator)")

    run([python, "-m", "venv", str(dest)], "creating the virtualenv")
    req = dest / "requirements.txt"
    req.write_text(requirements_text())
    cmd = [str(dest / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--require-hashes", "--no-deps", "--only-binary=:all:", "-r", str(req)]
    for d in _wheel_dirs():
        cmd += ["--find-links", d]
    run(cmd, "installing ttnn and wolfpine (pinned by sha256)")


def ensure() -> ChildEnv:
    """The child environment, created and installed on first use."""
    python = find_python310()
    if python is None:
        raise WolfpineUnavailable(HOW_TO_GET_PYTHON)
    root = cache_root()
    final = root / f"venv-{_key(python)}"
    if not (final / ".complete").exists():
        root.mkdir(parents=True, exist_ok=True)
        with open(root / ".venv.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)        # one installer at a time; the others wait, then reuse
            if not (final / ".complete").exists():
                if final.exists():
                    shutil.rmtree(final)            # an interrupted install
                try:
                    _install(python, final)
                except BaseException:
                    shutil.rmtree(final, ignore_errors=True)
                    raise
                (final / ".complete").write_text(requirements_text())
    site = next(iter(sorted((final / "lib").glob("python3.10/site-packages"))), None)
    if site is None:
        raise WolfpineUnavailable(f"the wolfpine environment {final} has no site-packages; delete it and retry")
    return ChildEnv(str(final / "bin" / "python"), site, final)
