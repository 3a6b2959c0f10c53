"""Processes compiling and running the same and different kernels at once share one cache directory:
every process gets its own kernel's correct numbers (no stale or half-written entry), and the cache holds
only complete entries afterwards. Real processes, released together from a barrier file."""
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from tilelang_tt.runtime import emulator

CHILD = r'''
import json, os, sys, time
import ml_dtypes, numpy as np
import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.numerics import check, matmul_bound

op, go, out, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if op == "matmul":
    f = samples.matmul(128, 128, 96, 64, 32, 32)
else:   # same kernel name for different ops: only the content may tell them apart
    f = samples.eltwise(op, 64, 128, 32, 64)
kernel = tilelang_tt.compile(f.with_attr("global_symbol", "same_name"), out_idx=2)
while not os.path.exists(go):
    time.sleep(0.005)
rng = np.random.default_rng(seed)
shape = ((128, 96), (96, 128)) if op == "matmul" else ((64, 128), (64, 128))
a, b = (rng.uniform(-1, 1, s).astype(ml_dtypes.bfloat16) for s in shape)
c = kernel(a, b).astype(np.float32)
if op == "matmul":
    exact, bound = matmul_bound(a, b)
    ok = check(c, exact, bound)[0]
else:
    fn = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[op]
    ref = fn(a.astype(np.float32), b.astype(np.float32)).astype(ml_dtypes.bfloat16).astype(np.float32)
    ok = bool(np.array_equal(c, ref))
json.dump({"op": op, "ok": bool(ok)}, open(out, "w"))
'''


def _spawn(tmp_path, ops, cache, extra_env=None):
    go = tmp_path / "go"
    env = dict(os.environ, TILELANG_TT_CACHE_DIR=str(cache), **(extra_env or {}))
    procs = []
    for i, op in enumerate(ops):
        out = tmp_path / f"out{i}.json"
        procs.append((subprocess.Popen([sys.executable, "-c", CHILD, op, str(go), str(out), str(i)], env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), out))
    time.sleep(3.0)          # let every child import and lower its kernel, then release them together
    go.write_text("go")
    results = []
    for p, out in procs:
        log, _ = p.communicate(timeout=600)
        assert p.returncode == 0, log[-3000:]
        results.append(json.loads(out.read_text()))
    return results


def _leftovers(cache):
    return [str(p) for p in (cache / "emu").rglob("*") if ".tmp" in p.name]


def test_processes_share_a_cache_without_stale_or_partial_entries(tmp_path):
    cache = tmp_path / "cache"
    # the session's runtime library and precompiled header, seeded so the children skip those builds (the
    # slow test below races them on a cold cache)
    runtime = emulator.runtime_dir()
    shutil.copytree(runtime, cache / "emu" / "runtime" / runtime.name)
    pch = emulator._host_pch(emulator.compiler(), 4)
    if pch is not None:
        shutil.copytree(pch, cache / "emu" / "pch" / pch.name)
    ops = ["add", "add", "sub", "matmul"]
    results = _spawn(tmp_path, ops, cache)
    assert [r["op"] for r in results] == ops and all(r["ok"] for r in results), results
    assert not _leftovers(cache), _leftovers(cache)
    programs = [p for p in (cache / "emu" / "programs").iterdir()]
    assert len(programs) == 3 and all((p / "tt_program").exists() for p in programs)
    # a second round on the warm cache: same numbers, nothing rebuilt
    before = sorted(p.name for p in (cache / "emu").rglob("*"))
    (tmp_path / "go").unlink()
    results = _spawn(tmp_path, ops, cache)
    assert all(r["ok"] for r in results), results
    assert sorted(p.name for p in (cache / "emu").rglob("*")) == before


@pytest.mark.slow
def test_processes_build_the_runtime_concurrently_on_a_cold_cache(tmp_path):
    cache = tmp_path / "cold"
    results = _spawn(tmp_path, ["add", "sub", "matmul"], cache)
    assert all(r["ok"] for r in results), results
    assert not _leftovers(cache)
    assert len(list((cache / "emu" / "runtime").iterdir())) == 1
    assert len(list((cache / "emu" / "pch").iterdir())) == 1
