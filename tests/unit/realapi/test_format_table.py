"""The format table (analysis/format_table.py) against the released headers and the emulator's headers.

Every row is read back from the bodies of the 0.81.1 release's api/compute headers (down to the LLK
calls that program the unpacker / packer formats) and from the emulator's headers (down to
tt_emu_hw_startup / tt_emu_reconfig_df); both must set exactly what the row says, for both source
orders. Every release function that programs a format unit must have a row, and the inits the table
says leave formats alone must really do so. Skipped only when the release tree cannot be obtained.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tilelang_tt.analysis import format_table as FT
from tilelang_tt.errors import RealApiUnavailable
from tilelang_tt.realapi import format_calls as F
from tilelang_tt.runtime.emulator import sdk_dir

from conftest import SKIP

RELEASE_DEFINES = {"TRISC_UNPACK": 1, "TRISC_MATH": 1, "TRISC_PACK": 1}   # Wormhole, not Quasar


def _headers(root: Path):
    return sorted(list(root.glob("*.h")) + list((root / "eltwise_unary").glob("*.h")))


@pytest.fixture(scope="module")
def release():
    if SKIP:
        pytest.skip("TILELANG_TT_REALAPI=skip: the release headers were skipped on request")
    from tilelang_tt.realapi.release import ensure_tree
    try:
        root = ensure_tree() / "tt_metal" / "hw" / "inc"
    except RealApiUnavailable as e:
        pytest.skip(f"the release tree is unavailable: {e}")
    return root, F.read_tree(_headers(root / "api" / "compute"), RELEASE_DEFINES)


@pytest.fixture(scope="module")
def emulator():
    root = sdk_dir() / "include"
    return root, F.read_tree(_headers(root / "api" / "compute"), {"TT_EMU_API_ERA": 5})


def _rows():
    return [pytest.param(r, id=f"{r.api}/{len(r.params)}") for r in FT.SETS]


def _check(tree, row, where):
    for reverse in ((False, True) if row.src_order else (False,)):
        got, _ = F.effects(tree, row.api, len(row.params), "Reverse" if reverse else "Regular")
        assert got == row.effect(reverse), (
            f"{where}: {row.api}({', '.join(row.params)}) with SrcOrder::{'Reverse' if reverse else 'Regular'} "
            f"programs {got}, the table says {row.effect(reverse)}")


@pytest.mark.parametrize("row", _rows())
def test_release_programs_what_the_table_says(release, row):
    root, tree = release
    assert (root / row.header).exists(), f"{row.header} is not in the release"
    defs = [f for f in tree.get(row.api, []) if f.takes(len(row.params))]
    assert defs and Path(defs[0].file).name == Path(row.header).name, \
        f"{row.api}/{len(row.params)} is not defined in {row.header}"
    assert [p for p, _ in defs[0].params][:len(row.params)] == list(row.params)
    _check(tree, row, f"release {row.header}")


# the rows the emulator implements (the compute API our kernels and tt-metal's examples use)
EMULATED = {"compute_kernel_hw_startup", "reconfig_data_format", "reconfig_data_format_srca",
            "reconfig_data_format_srcb", "pack_reconfig_data_format", "unary_op_init_common", "init_sfpu"}


@pytest.mark.parametrize("row", [r for r in _rows() if r.values[0].api in EMULATED])
def test_emulator_programs_what_the_table_says(emulator, row):
    _, tree = emulator
    _check(tree, row, "emulator include/api/compute")


def test_every_release_function_that_programs_a_format_has_a_row(release):
    _, tree = release
    setters = F.state_setters(tree)
    listed = {r.api for r in FT.SETS}
    missing = sorted(setters - listed - FT.RELEASE_HELPERS)
    assert not missing, f"release functions program format units but have no row in format_table.SETS: {missing}"
    # and every (name, arity) overload of a listed function that programs a unit has its own row
    for name in sorted(setters & listed):
        for f in tree[name]:
            st, _ = F.effects(tree, name, f.required, func=f)
            if st:
                assert any(r.api == name and len(r.params) == f.required for r in FT.SETS), \
                    f"{name} with {f.required} parameters programs {st} but has no row"


def test_every_emulated_function_that_programs_a_format_has_a_row(emulator):
    _, tree = emulator
    listed = {r.api for r in FT.SETS}
    # the E3-era mm_init / binary_op_init_common are not in the 0.81.1 release (era-5 tree read here)
    missing = sorted(F.state_setters(tree) - listed)
    assert not missing, f"emulator functions program format units without a row: {missing}"


@pytest.mark.parametrize("api,header", sorted(FT.KEEPS_FORMATS.items()))
def test_op_inits_leave_formats_alone(release, api, header):
    root, tree = release
    defs = tree.get(api, [])
    assert defs, f"{api} is not defined in the release's api/compute headers"
    assert any(Path(f.file).name == Path(header).name for f in defs), f"{api} is not in {header}"
    for f in defs:
        st, _ = F.effects(tree, api, f.required, func=f)
        assert st == {}, f"{api} programs {st}; move it from KEEPS_FORMATS to SETS"


@pytest.mark.parametrize("uses", FT.USES, ids=lambda u: u.api)
def test_math_calls_unpack_their_cbs_with_the_llk_call_the_table_names(release, uses):
    """The body of each math / pack call moves its CBs with the LLK call the table names, its CB
    arguments in the table's order (which source register that LLK call uses is the note's fact)."""
    root, tree = release
    text = F.preprocess((root / uses.header).read_text(), RELEASE_DEFINES)
    bodies = []
    for f in F.functions(text):
        if f.name == uses.api or f.name.startswith("binary_reuse_dest_tiles") and "reuse" in uses.api:
            bodies.append(f.body)
    assert bodies, f"{uses.api} is not defined in {uses.header}"
    params = list(uses.uses)
    calls = [args for b in bodies for name, _, args in F._calls(b) if name == uses.llk]
    assert any([a for a in args if a in params] == params for args in calls), \
        f"{uses.api}: no {uses.llk}(... {', '.join(params)} ...) in its body in {uses.header} (found {calls})"


def test_inits_expect_the_units_the_math_calls_use(release):
    """The release's own state sentinel (state_configure in each init) agrees with USES where it speaks:
    matmul's in1 -> SrcA / in0 -> SrcB, copy's CB -> SrcA, the binary ops' icb0 -> SrcA / icb1 -> SrcB."""
    _, tree = release
    for init, math in (("matmul_init", "matmul_tiles"), ("matmul_block_init", "matmul_block"),
                       ("copy_init", "copy_tile"), ("add_init", "add_tiles")):
        f = tree[init][0]
        _, expects = F.effects(tree, init, f.required, func=f)
        want = {unit: p for p, unit in FT.uses_of(math).uses.items()}
        assert expects and all(expects[0].get(u) == _rename(init, p) for u, p in want.items()), \
            f"{init}'s state_configure {expects} disagrees with USES[{math}] {want}"


def _rename(init: str, param: str) -> str:
    # the init's parameters are named like the math call's, except copy_init's `cbid`
    return {"copy_init": {"in_cb_id": "cbid"}}.get(init, {}).get(param, param)


def test_the_compiler_intrinsics_map_onto_table_rows():
    assert FT.intrinsic_uses("matmul_block") == {"in0_cb": "srcb", "in1_cb": "srca"}
    assert FT.intrinsic_uses("binary_dest_reuse_tiles") == {"cb": "srcb"}
    assert FT.intrinsic_uses("pack_tile_to") == {"cb": "pack"}
    assert FT.intrinsic_sets("compute_kernel_hw_startup", reverse=True) == {"srca": "icb1", "srcb": "icb0",
                                                                          "pack": "ocb"}
    assert FT.intrinsic_sets("reconfig_data_format_srcb") == {"srcb": "cb"}


def test_a_drifted_row_fails_the_check(release, emulator):
    """Negative control: the startup row with SrcA / SrcB swapped, and the pack reconfig without its
    conditional `old`, disagree with both header trees."""
    from dataclasses import replace
    start = replace(FT.row("compute_kernel_hw_startup", 3), sets={"srca": "icb1", "srcb": "icb0", "pack": "ocb"})
    pack = replace(FT.row("pack_reconfig_data_format", 2), old={})
    for tree in (release[1], emulator[1]):
        for bad in (start, pack):
            with pytest.raises(AssertionError):
                _check(tree, bad, "drifted")
