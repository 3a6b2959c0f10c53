"""The `wolfpine` backend: a compiled program on tt-metal's own host runtime over a simulated Tensix.

Selected by TILELANG_TT_BACKEND=wolfpine or per call (`kernel(..., backend="wolfpine")`). What the
route is, what it checks and what it cannot run: docs/wolfpine.md and tilelang_tt/wolfpine/.

One child process per chip architecture (Wormhole, Blackhole) is started on first use and kept for the
life of this process: it opens the simulated device once (tt-metal JIT-builds the firmware on the first
open of a machine, about 8 s, and caches it on disk) and runs every later program on the open device.
A program that fails or runs past its time limit takes its child down with it; the next call starts a
fresh one.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

from ..errors import WolfpineRunError
from ..wolfpine import env as _env
from ..wolfpine import support, toolchain
from ..wolfpine.harness import ANSWER
from .metalium import DeviceRunResult     # the same result as a card run gives
from .module import write_sources

HARNESS = Path(__file__).resolve().parent.parent / "wolfpine" / "harness.py"
OPEN_TIMEOUT = 600.0     # a cold first open builds the firmware of five cores and starts the simulator


def available() -> bool:
    """A Python 3.10 for the child exists (the rest is installed on first use)."""
    return _env.find_python310() is not None


def _program_dir(art) -> Path:
    """The program's sources on disk, by content (the JIT keys its kernel cache on path and content)."""
    key = hashlib.sha256(json.dumps(art.sources, sort_keys=True).encode()).hexdigest()[:20]
    d = _env.cache_root() / "programs" / key
    if not (d / "plan.json").exists():
        write_sources(art.sources, d)
    return d


class _Child:
    """A harness process serving one simulated chip."""

    def __init__(self, arch: str, child_env: _env.ChildEnv, root: Path):
        self.arch = arch
        logs = _env.cache_root() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.tag = f"tilelang_tt-{os.getpid()}-{time.time_ns()}"
        self.log_path = logs / f"{arch}-{self.tag}.log"
        self.log = open(self.log_path, "w")
        environ = dict(os.environ)
        for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
            environ.pop(var, None)
        environ.update({
            "TT_METAL_RUNTIME_ROOT": str(root), "TT_METAL_HOME": str(root),
            "TT_METAL_SIMULATOR": str(child_env.simulator_dir(arch)), "TT_METAL_SLOW_DISPATCH_MODE": "1",
            "TT_METAL_CACHE": str(_env.cache_root() / "tt-metal-cache"),
            "WOLFPINE_PYTHON": child_env.python,
            # UMD starts the simulator server in its own session; the tag in its command line lets us
            # find exactly the servers this child caused to start (wolfpine's run.sh TT_SIM_RUN_TAG)
            "TT_SIM_RUN_TAG": self.tag,
        })
        # own session: the simulator server UMD starts is our grandchild and must go when we kill the child
        # cwd in the cache: tt-metal writes its inspector / watcher / fabric files under ./generated
        work = _env.cache_root() / "work"
        work.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([child_env.python, str(HARNESS)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, env=environ,
                                     cwd=str(work), start_new_session=True)
        self.answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith(ANSWER):
                self.answers.put(json.loads(line[len(ANSWER):]))
        self.answers.put(None)                 # the child is gone

    def tail(self, chars: int = 6000) -> str:
        self.log.flush()
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait(self, timeout: float):
        try:
            return self.answers.get(timeout=timeout)
        except queue.Empty:
            return "timeout"

    def request(self, req: dict, timeout: float):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        return self.wait(timeout)

    def _servers(self) -> list[int]:
        """Pids of the simulator servers started for this child (their command line carries our tag)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if self.tag.encode() in (entry / "cmdline").read_bytes():
                        pids.append(int(entry.name))
                except OSError:
                    pass
        return pids

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        for pid in self._servers():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.request({"op": "close"}, timeout=60)
            except (BrokenPipeError, OSError):
                pass
        self.kill()


_CHILDREN: dict[str, _Child] = {}
_LOCK = threading.Lock()


def _close_all():
    for child in list(_CHILDREN.values()):
        child.close()
    _CHILDREN.clear()


atexit.register(_close_all)


def _child(arch: str, kernel: str) -> _Child:
    child = _CHILDREN.get(arch)
    if child is not None and child.proc.poll() is None:
        return child
    child_env = _env.ensure()
    root = toolchain.runtime_root(child_env.python, child_env.ttnn_root, _env.cache_root())
    child = _Child(arch, child_env, root)
    ready = child.wait(OPEN_TIMEOUT)
    if not isinstance(ready, dict) or not ready.get("ok"):
        log = child.tail()
        child.kill()
        if ready == "timeout":
            why = f"it did not open within {OPEN_TIMEOUT:g} s"
        elif isinstance(ready, dict):
            why = ready.get("error", "no reason given")
        else:
            why = "the child process exited"
        raise WolfpineRunError(
            f"kernel '{kernel}': the simulated {arch} device could not be opened ({why}); log "
            f"{child.log_path}:\n{log}", log)
    _CHILDREN[arch] = child
    return child


def run(art, tensor_files, timeout: float) -> DeviceRunResult:
    """Run `art` on the simulated chip of its target; tensors in and out through `tensor_files`."""
    support.check(art.plan, art.sources, art.kernel)
    arch = support.ARCHES[art.model]
    program = _program_dir(art)
    with _LOCK:                      # one program at a time per process: the device is shared
        child = _child(arch, art.kernel)
        answer = child.request({"program_dir": str(program), "tensor_files": [str(f) for f in tensor_files]},
                               timeout)
        if isinstance(answer, dict) and answer.get("ok"):
            return DeviceRunResult(0, json.dumps(answer), "", float(answer.get("program_seconds", 0.0)))
        log = child.tail()
        _CHILDREN.pop(arch, None)
        child.kill()                 # whatever state the device is in, the next program gets a fresh one
    if answer == "timeout":
        raise WolfpineRunError(
            f"kernel '{art.kernel}' did not finish on the simulated {arch} device within {timeout:g} s (a hang: "
            f"a kernel waiting on a CB or semaphore nobody signals, or a program too large for the simulator; "
            f"TILELANG_TT_TIMEOUT raises the limit); log {child.log_path}:\n{log}", log)
    error = answer.get("error") if isinstance(answer, dict) else "the child process exited"
    raise WolfpineRunError(
        f"kernel '{art.kernel}' failed on the simulated {arch} device: {error}; log {child.log_path}:\n{log}", log)
