"""Generated sources match the reviewed golden files (TILELANG_TT_UPDATE_GOLDEN=1 regenerates them)."""
import os

import pytest

from codegen_cases import CASES, GOLDEN_DIR, PROFILE_NAMES, sources
from codegen_cases import KERNEL_SOURCES
from tilelang_tt.codegen import HOST_FILES

UPDATE = os.environ.get("TILELANG_TT_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("profile", PROFILE_NAMES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_sources_match_golden(case, profile):
    out = sources(case, profile)
    assert tuple(out) == KERNEL_SOURCES + HOST_FILES
    golden = GOLDEN_DIR / case / profile
    mismatched = []
    for name, text in out.items():
        path = golden / name
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            continue
        assert path.exists(), f"no golden file {path}; run with TILELANG_TT_UPDATE_GOLDEN=1 and review"
        if path.read_text() != text:
            mismatched.append(name)
    assert not mismatched, (f"{case}/{profile}: {mismatched} differ from {golden}; if the change is "
                            f"intended, regenerate with TILELANG_TT_UPDATE_GOLDEN=1 and review the diff")


ERA_CALLS = {
    # M081 vs E4: the binary inits and the dest-reuse pair
    ("M081", "E4"): ("_init(", "_reuse_dest_", "binary_dest_reuse_tiles", '"api_profile"'),
    # E4 vs E3: the mm_init / copy init / hw_startup call sites
    ("E4", "E3"): ("compute_kernel_hw_startup", "matmul_init", "mm_init", "copy_init",
                   "copy_tile_to_dst_init_short", '"api_profile"'),
}


@pytest.mark.parametrize("pair", sorted(ERA_CALLS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_profiles_differ_only_at_era_call_sites(case, pair):
    """Neighbouring profiles differ only at their era's call sites and plan.json's profile."""
    new, old = sources(case, pair[0]), sources(case, pair[1])
    era_calls = ERA_CALLS[pair]
    for name in new:
        a, b = new[name].splitlines(), old[name].splitlines()
        assert len(a) == len(b), name
        for x, y in zip(a, b):
            if x != y:
                assert any(c in x for c in era_calls) and any(c in y for c in era_calls), (name, x, y)


def test_generation_is_deterministic():
    from tilelang_tt.codegen import generate
    import codegen_cases as K

    assert generate(K.MatmulBiasRelu) == generate(K.MatmulBiasRelu)


def test_cmake_project():
    text = sources("matmul", "E4")["CMakeLists.txt"]
    for line in ("find_package(TT-Metalium REQUIRED)", "set(CMAKE_CXX_STANDARD 20)",
                 "add_executable(tt_program main.cpp)", "target_link_libraries(tt_program PUBLIC TT::Metalium)"):
        assert line in text.splitlines()


def test_host_program_error_path():
    """API errors are caught, printed as `tt_program: <what>` on stderr, exit 1 (contracts section 4)."""
    main = sources("eltwise_add", "E4")["main.cpp"]
    assert "    } catch (const std::exception& e) {" in main
    assert '        std::cerr << "tt_program: " << e.what() << std::endl;' in main
    assert "        return 1;" in main
