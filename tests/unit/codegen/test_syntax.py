"""Every generated source compiles (g++ -std=c++20 -fsyntax-only) against the stub SDK of its era,
and an era's sources do not compile against the other era's API (the check can fail)."""
import pytest

from codegen_cases import CASES, PROFILE_NAMES, gxx, sources, syntax_check

pytestmark = pytest.mark.skipif(gxx() is None, reason="no C++ compiler")


@pytest.mark.parametrize("profile", PROFILE_NAMES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_sources_compile_against_stub_sdk(case, profile, tmp_path):
    failures = []
    for name, text in sources(case, profile).items():
        if not name.endswith(".cpp"):
            continue
        path = tmp_path / name
        path.write_text(text)
        res = syntax_check(path, profile, extra=["-Werror=deprecated-declarations"])
        if res.returncode != 0:
            failures.append(f"{name}:\n{res.stderr}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("case", ["matmul", "unary_chain"])
def test_wrong_era_fails_to_compile(case, tmp_path):
    for profile, other in (("E4", "E3"), ("E3", "E4")):
        path = tmp_path / f"{profile}_compute.cpp"
        path.write_text(sources(case, profile)["compute.cpp"])
        res = syntax_check(path, other, extra=["-Werror=deprecated-declarations"])
        assert res.returncode != 0, f"{case} {profile} compute.cpp compiled against era {other}"


@pytest.mark.parametrize("case", ["eltwise_add", "matmul_bias_relu"])
def test_m081_and_e4_binary_forms_do_not_mix(case, tmp_path):
    """0.81.1 renamed the binary inits and dest-reuse calls with no aliases: each era's compute kernel
    fails against the other's headers (emulator SDK, eras 5 and 4)."""
    import subprocess
    from codegen_cases import EMU_INCLUDE
    for profile, other_era in (("M081", 4), ("E4", 5)):
        path = tmp_path / f"{profile}_compute.cpp"
        path.write_text(sources(case, profile)["compute.cpp"])
        res = subprocess.run([gxx(), "-std=c++20", "-fsyntax-only", "-x", "c++", f"-I{EMU_INCLUDE}",
                              f"-DTT_EMU_API_ERA={other_era}", str(path)], capture_output=True, text=True)
        assert res.returncode != 0, f"{case} {profile} compute.cpp compiled against emulator era {other_era}"
