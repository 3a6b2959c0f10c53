"""Every API call in the generated sources agrees with the signature facts of its profile
(name, argument count, declaring header: api_facts.py, from metalium-api.md)."""
import pytest

import api_facts as F
from codegen_cases import CASES, KERNEL_SOURCES, PROFILE_NAMES, sources
from cpp_calls import calls, includes
from tilelang_tt import intrinsics
from tilelang_tt.codegen import profiles


def _check(src, facts, what, local=frozenset()):
    incs = includes(src)
    problems = []
    for c in calls(src):
        if c.name in local:
            continue
        if c.name not in facts:
            problems.append(f"{what}:{c.line}: {c.qualified} is not in the API facts table")
            continue
        counts, headers = facts[c.name]
        if len(c.args) not in counts:
            problems.append(f"{what}:{c.line}: {c.name} called with {len(c.args)} args, expected {sorted(counts)}")
        if headers and not incs & set(headers):
            problems.append(f"{what}:{c.line}: {c.name} needs one of {headers}; includes are {sorted(incs)}")
    return problems


@pytest.mark.parametrize("profile", PROFILE_NAMES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_kernel_calls_match_facts(case, profile):
    out = sources(case, profile)
    problems = []
    for name in KERNEL_SOURCES:
        problems += _check(out[name], F.KERNEL_FACTS[profile], f"{case}/{profile}/{name}")
        used = {c.name for c in calls(out[name])} | set(out[name].replace("<", " ").replace("::", " ").split())
        bad = used & F.FORBIDDEN[profile]
        assert not bad, f"{name} uses {bad}, which profile {profile} must not use"
        assert "void kernel_main() {" in out[name]
        scanned = {c.name for c in calls(out[name])}   # the scanner sees the calls it must check
        assert {"get_arg_val", "cb_wait_front" if name != "reader.cpp" else "cb_push_back"} <= scanned
        if name == "compute.cpp":
            assert {"compute_kernel_hw_startup", "tile_regs_acquire", "pack_tile"} <= scanned
        assert "namespace NAMESPACE" not in out[name]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", sorted(CASES))
def test_host_calls_match_facts(case):
    src = sources(case, "M081")["main.cpp"]
    problems = _check(src, F.HOST_FACTS, f"{case}/main.cpp", local=F.HOST_LOCAL)
    assert not problems, "\n".join(problems)
    names = {c.name for c in calls(src)}
    assert not names & F.HOST_FORBIDDEN
    for required in ("create_unit_mesh", "enqueue_write_mesh_buffer", "CreateCircularBuffer", "CreateKernel",
                     "SetRuntimeArgs", "enqueue_mesh_workload", "finish", "enqueue_read_mesh_buffer",
                     "tilize_nfaces", "untilize_nfaces", "append_to"):
        assert required in names, required


def test_matmul_era_call_sites():
    e4 = sources("matmul", "E4")["compute.cpp"]
    e3 = sources("matmul", "E3")["compute.cpp"]
    assert "compute_kernel_hw_startup<SrcOrder::Reverse>(cb_A_s, cb_B_s, cb_C_l);" in e4
    assert "matmul_init(cb_A_s, cb_B_s);" in e4 and "mm_init" not in e4
    assert "compute_kernel_hw_startup(cb_A_s, cb_B_s, cb_C_l);" in e3
    assert "mm_init(cb_A_s, cb_B_s, cb_C_l);" in e3 and "matmul_init" not in e3
    # the SrcOrder template only for matmul (reverse_src_order=1)
    assert "SrcOrder" not in sources("eltwise_add", "E4")["compute.cpp"]
    assert "copy_init(cb_X_s);" in sources("unary_chain", "E4")["compute.cpp"]
    assert "copy_tile_to_dst_init_short(cb_X_s);" in sources("unary_chain", "E3")["compute.cpp"]


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_every_intrinsic_has_exactly_one_call_in_every_profile(profile):
    prof = profiles.get_profile(profile)
    assert set(prof.calls) == set(intrinsics.INTRINSICS)
    facts = F.KERNEL_FACTS[profile]
    for name, api in prof.calls.items():
        intr = intrinsics.INTRINSICS[name]
        # "#..": literals; "..?": a defaulted trailing parameter, printed only when set
        assert {a.rstrip("?") for a in api.args if not a.startswith("#")} <= set(intr.args), name
        vocab = (intrinsics.UNARY_OPS if name.startswith("unary") else intrinsics.SCALAR_OPS
                 if name == "scalar_tile" else intrinsics.SFPU_BINARY_OPS if name.startswith("sfpu_binary")
                 else intrinsics.BINARY_OPS)
        ops = vocab if "{op}" in api.name else ("",)
        dims = intrinsics.BCAST_DIMS if "{dim}" in api.name else ("",)
        for op, dim in ((o, d) for o in ops for d in dims):
            callee = api.name.replace("{op}", op).replace("{dim}", dim)
            if name in ("tensor_accessor", "l1_store_u32", "l1_store_u16"):
                continue  # declaration lines / a store through a pointer, checked in the kernel sources
            assert callee in facts, f"{name} -> {callee} is not a {profile} API"
            counts, headers = facts[callee]
            for n in {len(api.args), len([a for a in api.args if not a.endswith("?")])}:
                assert n in counts, f"{callee}: {n} args, facts say {counts}"
            for role, inc in api.include.items():
                inc = profiles.UNARY_HEADERS[op] if inc == "{op}" else inc
                assert inc in headers, f"{callee} declared in {headers}, table says {inc}"


def test_unknown_profile_lists_known_ones():
    from tilelang_tt import TTTargetError
    from tilelang_tt.codegen import generate

    with pytest.raises(TTTargetError, match="E4.*E3|E3.*E4"):
        generate(CASES["matmul"], api_profile="E9")
