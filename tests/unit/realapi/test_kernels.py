"""Every generated kernel compiles against the released TT-Metalium 0.81.1 headers, the way its JIT
build compiles it, on every processor it runs on; and the check fails on a wrong call.

See docs/realapi.md for what is checked and what is not.
"""
import pytest

from corpus import CHIPS, SAMPLE_TIERS, SLOW_SAMPLE_TIERS, golden_programs, sample_program
from tilelang_tt.realapi.project import kernel_specs


def _check(checker, specs, record):
    results = checker.check_all(specs)
    record(results)
    bad = [r for r in results if not r.ok]
    assert not bad, "\n\n".join(f"{r.line()}\n{r.output}" for r in bad)
    return results


@pytest.mark.parametrize("chip", CHIPS)
def test_golden_kernels_compile_against_the_release(real_checker, record_results, chip):
    specs = [s for src in golden_programs().values() for s in kernel_specs(src, model=chip)]
    results = _check(real_checker, specs, record_results)
    # every kernel of every golden program, on its processors: 2 data movement + 3 TRISCs each
    assert len(results) == 5 * len(golden_programs())
    assert {r.processor for r in results} == {"BRISC", "NCRISC", "TRISC0 (unpack)", "TRISC1 (math)",
                                              "TRISC2 (pack)"}


# One test per sample and chip, so that pytest's workers share the tier (a cold compile takes seconds each)
@pytest.mark.parametrize("chip,name", [(chip, n) for chip, names in SAMPLE_TIERS for n in names]
                         + [pytest.param(chip, n, marks=pytest.mark.slow)
                            for chip, names in SLOW_SAMPLE_TIERS for n in names])
def test_sample_kernels_compile_against_the_release(real_checker, record_results, chip, name):
    specs = kernel_specs(sample_program(name, chip), program=name)
    assert {s.model for s in specs} == {chip}
    _check(real_checker, specs, record_results)


def _mutated(program: str, file: str, old: str, new: str):
    src = dict(golden_programs()[program])
    assert old in src[file], (program, file, old)
    src[file] = src[file].replace(old, new, 1)
    return [s for s in kernel_specs(src) if s.name.endswith("/" + file)]


# (program, file, what is wrong, old text, new text)
NEGATIVE = [
    ("golden/matmul", "reader.cpp", "wrong name", "noc_async_read_barrier();", "noc_async_read_barier();"),
    ("golden/matmul", "reader.cpp", "wrong argument count", "noc_async_read_barrier();",
     "noc_async_read_barrier(0, 1);"),
    ("golden/matmul", "reader.cpp", "wrong argument type", "cb_reserve_back(cb_A_s, 2);",
     'cb_reserve_back("cb_A_s", 2);'),
    ("golden/matmul", "compute.cpp", "wrong name", "matmul_tiles(", "matmul_tile("),
    ("golden/matmul", "compute.cpp", "wrong argument count", "matmul_init(cb_A_s, cb_B_s);",
     "matmul_init(cb_A_s, cb_B_s, 0, 0, 0);"),
    ("golden/matmul", "compute.cpp", "wrong argument type", "tile_regs_acquire();", "tile_regs_acquire(nullptr);"),
    ("golden/eltwise_add", "compute.cpp", "wrong argument type", "add_tiles(cb_A_s, cb_B_s, t, t, t);",
     'add_tiles(cb_A_s, "cb_B_s", t, t, t);'),
    ("golden/matmul_bias_relu", "compute.cpp", "E4 name the release removed", "add_reuse_dest_init<", "binary_dest_reuse_tiles_init<"),
]


@pytest.mark.parametrize("program,file,what,old,new", NEGATIVE, ids=[f"{n[1]}-{n[2]}" for n in NEGATIVE])
def test_a_wrong_call_fails_the_check(real_checker, program, file, what, old, new):
    specs = _mutated(program, file, old, new)
    results = real_checker.check_all(specs)
    assert results and all(not r.ok for r in results), (
        f"{what} in {file} passed the check on " + ", ".join(r.processor for r in results if r.ok))
    assert all("error" in r.output for r in results)
