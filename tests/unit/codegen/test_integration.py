"""Codegen on the passes' output, and (opt-in) against the emulator SDK.

* Every TT-level module the passes' golden tests record (tests/golden/tt_tir/*.py) generates in every
  profile and compiles against the stub SDK: the two sides of docs/contracts.md section 1 agree (make test:
  the released M081 profile; E4 / E3 in the slow tier).
* The golden cases also compile against the emulator SDK (tilelang_tt/emulator/include), the real
  target of the generated code; the stub SDK stays for its declaration-only era gating.
"""
from pathlib import Path

import pytest
import tvm

import tilelang_tt  # noqa: F401
from codegen_cases import CASES, ERA, HERE, PROFILE_NAMES, gxx, sources, syntax_check
from tilelang_tt.codegen import generate

PASS_GOLDEN = sorted((HERE.parents[1] / "golden" / "tt_tir").glob("*.py"))
EMU_INCLUDE = Path(tilelang_tt.__file__).parent / "emulator" / "include"


@pytest.mark.skipif(not PASS_GOLDEN, reason="no recorded pass output")
@pytest.mark.parametrize("path,profile", [
    (p, prof) if prof == PROFILE_NAMES[0] else pytest.param(p, prof, marks=pytest.mark.slow)   # make test: M081
    for p in PASS_GOLDEN for prof in PROFILE_NAMES], ids=lambda x: x.stem if isinstance(x, Path) else x)
def test_pass_output_generates_and_compiles(path, profile, tmp_path):
    mod = tvm.script.from_source(path.read_text())
    out = generate(mod, profile)
    if gxx() is None:
        return
    for name, text in out.items():
        if name.endswith(".cpp"):
            f = tmp_path / f"{profile}_{name}"
            f.write_text(text)
            res = syntax_check(f, profile, extra=["-Werror=deprecated-declarations"])
            assert res.returncode == 0, f"{path.stem} {profile} {name}:\n{res.stderr}"


def _ct_args(n_accessors: int, era: int) -> str:
    # interleaved DRAM accessor: ArgsConfig IsDram (2) [+ aligned page size at HEAD]
    per = ["2", "2048"] if era >= 4 else ["2"]
    return ",".join(per * n_accessors)


@pytest.mark.skipif(not EMU_INCLUDE.is_dir() or gxx() is None, reason="no emulator SDK or compiler")
@pytest.mark.parametrize("profile", PROFILE_NAMES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_sources_compile_against_emulator_sdk(case, profile, tmp_path):
    import json
    import subprocess

    out = sources(case, profile)
    plan = json.loads(out["plan.json"])
    era = ERA[profile]
    failures = []
    for name, text in out.items():
        if not name.endswith(".cpp"):
            continue
        (tmp_path / name).write_text(text)
        defines = [f"-DTT_EMU_API_ERA={era}"]
        accessors = {k["source"]: k["accessors"] for k in plan["kernels"]}.get(name)
        if accessors:
            defines.append(f"-DKERNEL_COMPILE_TIME_ARGS={_ct_args(len(accessors), era)}")
        res = subprocess.run([gxx(), "-std=c++20", "-fsyntax-only", "-Wall", "-Werror", f"-I{EMU_INCLUDE}", *defines,
                              "-x", "c++", str(tmp_path / name)], capture_output=True, text=True, timeout=120)
        if res.returncode:
            failures.append(f"{name}:\n{res.stderr[-3000:]}")
    assert not failures, "\n".join(failures)
