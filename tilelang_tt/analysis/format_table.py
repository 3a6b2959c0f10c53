"""Which compute API calls program which engine format state, and which units each math call uses.

A Tensix core's unpacker converts a CB's data with the format its source register (SrcA / SrcB) was
last programmed for, and the packer writes the format it was last programmed for; neither looks at
the CB. Written once here, from the bodies of the released TT-Metalium 0.81.1 headers
(tt_metal/hw/inc/<header> of the pinned ttnn wheel) and the LLK calls they make. Three readers:
  * analysis/compute_state.py tracks the state through a compute kernel and places the
    reconfiguration calls where a hand-off needs them (INTRINSIC_SETS / INTRINSIC_USES below);
  * the emulator enforces it (emulator/include/api/compute/*.h program it, src/compute.cpp checks it);
  * tests/unit/realapi/test_format_table.py reads both header trees (realapi/format_calls.py) and
    asserts they set exactly what SETS says, and that every release function that programs a format
    unit has a row here, so the table cannot drift from the release or the emulator.

Units: "srca" / "srcb" (the unpacker's two source registers, with the math engine's matching source
format) and "pack" (the packer's output format). DST's accumulation mode (fp32_dest_acc_en) is a
compile-time define of the kernel (DST_ACCUM_MODE) that every call above takes as a template argument;
0.81.1 can also switch it mid-kernel (enable_fp32_dest_acc / disable_fp32_dest_acc / set_fp32_dest_acc /
restore_fp32_dest_acc in compute_kernel_hw_startup.h), which the compiler never emits; the emulator's
versions of those are no-ops (its DST mode is the ComputeConfig's for the whole kernel).
"""
from __future__ import annotations

from dataclasses import dataclass, field

RELEASE = "0.81.1"
UNITS = ("srca", "srcb", "pack")


@dataclass(frozen=True)
class Sets:
    """An API call (one overload) that programs format units.

    sets: unit -> the parameter whose CB's format the unit gets.
    old:  unit -> the parameter of the (old, new) forms: the LLK reprograms the unit only when the two
          CBs' formats differ (llk_unpack_common_api.h should_reconfigure_cbs), so a wrong `old` can leave
          the unit on a stale format.
    src_order: a SrcOrder template parameter; `sets` is for SrcOrder::Regular, Reverse swaps srca / srcb.
    """
    api: str
    header: str
    params: tuple
    sets: dict
    via: str
    old: dict = field(default_factory=dict)
    src_order: bool = False

    def effect(self, reverse: bool = False) -> dict:
        """unit -> (new param, old param | None), as realapi/format_calls.effects reports it."""
        swap = {"srca": "srcb", "srcb": "srca", "pack": "pack"} if reverse and self.src_order else None
        out = {}
        for unit, p in self.sets.items():
            u = swap[unit] if swap else unit
            out[u] = (p, self.old.get(unit))
        return out


_RC = "api/compute/reconfig_data_format.h"
_HW = "llk_unpack_hw_configure(src_a_cb, src_b_cb), llk_pack_hw_configure(ocb)"


def _reconfig(api: str, via: str) -> list:
    """The six overloads of one reconfig family (both sources with SrcOrder, srca, srcb; new / old+new)."""
    both, a, b = api, f"{api}_srca", f"{api}_srcb"
    if api.endswith("_skip_int8"):
        stem = api[:-len("_skip_int8")]
        a, b = f"{stem}_srca_skip_int8", f"{stem}_srcb_skip_int8"
    return [
        Sets(both, _RC, ("icb0_new_operand", "icb1_new_operand"),
             {"srca": "icb0_new_operand", "srcb": "icb1_new_operand"}, via, src_order=True),
        Sets(both, _RC, ("icb0_old_operand", "icb0_new_operand", "icb1_old_operand", "icb1_new_operand"),
             {"srca": "icb0_new_operand", "srcb": "icb1_new_operand"}, via,
             old={"srca": "icb0_old_operand", "srcb": "icb1_old_operand"}, src_order=True),
        Sets(a, _RC, ("srca_new_operand",), {"srca": "srca_new_operand"}, via + "_srca"),
        Sets(a, _RC, ("srca_old_operand", "srca_new_operand"), {"srca": "srca_new_operand"}, via + "_srca",
             old={"srca": "srca_old_operand"}),
        Sets(b, _RC, ("srcb_new_operand",), {"srcb": "srcb_new_operand"}, via + "_srcb"),
        Sets(b, _RC, ("srcb_old_operand", "srcb_new_operand"), {"srcb": "srcb_new_operand"}, via + "_srcb",
             old={"srcb": "srcb_old_operand"}),
    ]


SETS: list[Sets] = [
    Sets("compute_kernel_hw_startup", "api/compute/compute_kernel_hw_startup.h", ("icb0", "icb1", "ocb"),
         {"srca": "icb0", "srcb": "icb1", "pack": "ocb"}, _HW, src_order=True),
    Sets("compute_kernel_hw_startup", "api/compute/compute_kernel_hw_startup.h", ("icb0", "ocb"),
         {"srca": "icb0", "srcb": "icb0", "pack": "ocb"}, "compute_kernel_hw_startup(icb0, icb0, ocb)"),
    *_reconfig("reconfig_data_format", "llk_unpack_reconfig_data_format"),
    *_reconfig("reconfig_full_operand", "llk_unpack_reconfig_data_format (with the tile geometry)"),
    *_reconfig("reconfig_data_format_skip_int8", "llk_unpack_reconfig_data_format<skip_int8=true>"),
    Sets("pack_reconfig_data_format", _RC, ("new_cb_id",), {"pack": "new_cb_id"}, "llk_pack_reconfig_data_format"),
    Sets("pack_reconfig_data_format", _RC, ("old_cb_id", "new_cb_id"), {"pack": "new_cb_id"},
         "llk_pack_reconfig_data_format", old={"pack": "old_cb_id"}),
    # deprecated one-call forms that still program the hardware
    Sets("unary_op_init_common", "api/compute/eltwise_unary/eltwise_unary.h", ("icb", "ocb"),
         {"srca": "icb", "srcb": "icb", "pack": "ocb"}, "compute_kernel_hw_startup(icb, ocb)"),
    Sets("init_sfpu", "api/compute/eltwise_unary/eltwise_unary.h", ("icb", "ocb"),
         {"srca": "icb", "srcb": "icb", "pack": "ocb"}, "compute_kernel_hw_startup(icb, ocb)"),
    Sets("copy_tile_to_dst_init_short_with_dt", "api/compute/tile_move_copy.h", ("old_cbid", "new_cbid"),
         {"srca": "new_cbid"}, "reconfig_data_format_srca(old_cbid, new_cbid)", old={"srca": "old_cbid"}),
    # tilize / untilize (not generated by the compiler today; listed so none of them is missed)
    Sets("tilize_init_short_with_dt", "api/compute/tilize.h", ("old_icb", "new_icb", "block", "ocb"),
         {"srca": "new_icb"}, "llk_unpack_reconfig_data_format_srca(old_icb, new_icb)", old={"srca": "old_icb"}),
    Sets("fast_tilize_init_with_dt", "api/compute/tilize.h", ("icb", "full_dim", "ocb"),
         {"srca": "icb", "srcb": "icb"}, "llk_unpack_reconfig_data_format(icb, icb)"),
    Sets("fast_tilize_init_with_dt_skip_remap", "api/compute/tilize.h", ("icb", "full_dim", "ocb"),
         {"srca": "icb", "srcb": "icb"}, "llk_unpack_reconfig_data_format(icb, icb)"),
    Sets("pack_untilize_init", "api/compute/pack_untilize.h", ("icb", "ocb"), {"pack": "ocb"},
         "llk_pack_reconfig_data_format(ocb)"),
    Sets("pack_untilize_init_skip_remap", "api/compute/pack_untilize.h", ("icb", "ocb"), {"pack": "ocb"},
         "llk_pack_reconfig_data_format(ocb)"),
    Sets("pack_untilize_dest_init", "api/compute/pack_untilize.h", ("ocb",), {"pack": "ocb"},
         "llk_pack_reconfig_data_format(ocb)"),
    Sets("pack_untilize_uninit", "api/compute/pack_untilize.h", ("ocb",), {"pack": "ocb"},
         "llk_pack_reconfig_data_format(ocb)"),
]

# Helpers of the release headers that program units on behalf of the rows above (not called by kernels).
RELEASE_HELPERS = frozenset({"reconfig_df_both", "reconfig_df_srca", "reconfig_df_srcb",
                             "pack_untilize_dest_init_impl", "pack_untilize_init_impl",
                             "fast_tilize_init_with_dt_impl"})

# Inits (and other configuration calls) that leave every format unit alone in 0.81.1: switching op
# family never reprograms a format, so a kernel that changes formats must call a reconfig itself.
KEEPS_FORMATS: dict[str, str] = {
    "matmul_init": "api/compute/matmul.h", "matmul_block_init": "api/compute/matmul.h",
    "mm_uninit": "api/compute/matmul.h",
    "copy_init": "api/compute/tile_move_copy.h", "copy_tile_init": "api/compute/tile_move_copy.h",
    "copy_tile_to_dst_init_short": "api/compute/tile_move_copy.h",
    "add_init": "api/compute/eltwise_binary.h", "sub_init": "api/compute/eltwise_binary.h",
    "mul_init": "api/compute/eltwise_binary.h", "add_reuse_dest_init": "api/compute/eltwise_binary.h",
    "sub_reuse_dest_init": "api/compute/eltwise_binary.h", "mul_reuse_dest_init": "api/compute/eltwise_binary.h",
    "binary_tiles_init": "api/compute/eltwise_binary.h",
    "reduce_init": "api/compute/reduce.h", "reduce_uninit": "api/compute/reduce.h",
    "add_bcast_rows_init": "api/compute/bcast.h", "add_bcast_cols_init": "api/compute/bcast.h",
    "add_bcast_scalar_init": "api/compute/bcast.h", "sub_bcast_rows_init": "api/compute/bcast.h",
    "sub_bcast_cols_init": "api/compute/bcast.h", "sub_bcast_scalar_init": "api/compute/bcast.h",
    "mul_bcast_rows_init": "api/compute/bcast.h", "mul_bcast_cols_init": "api/compute/bcast.h",
    "mul_bcast_scalar_init": "api/compute/bcast.h", "unary_bcast_init": "api/compute/bcast.h",
    "tilize_init": "api/compute/tilize.h", "untilize_init": "api/compute/untilize.h",
    "transpose_init": "api/compute/transpose.h", "pack_init": "api/compute/pack.h",
    "pack_reconfig_l1_acc": "api/compute/pack.h",
    "exp_tile_init": "api/compute/eltwise_unary/exp.h", "sqrt_tile_init": "api/compute/eltwise_unary/sqrt.h",
    "recip_tile_init": "api/compute/eltwise_unary/recip.h", "relu_tile_init": "api/compute/eltwise_unary/relu.h",
    "fill_tile_init": "api/compute/eltwise_unary/fill.h",
}


@dataclass(frozen=True)
class Uses:
    """A math / pack call and the unit through which it reads (unpacks) or writes (packs) each CB.

    llk: the LLK call of the body that moves the data, with the arguments in the order the table's
    parameters are listed (checked against the release); note: where the unit comes from."""
    api: str
    header: str
    uses: dict              # param -> unit
    llk: str
    note: str = ""


USES: list[Uses] = [
    Uses("matmul_tiles", "api/compute/matmul.h", {"in0_cb_id": "srcb", "in1_cb_id": "srca"}, "llk_unpack_AB_matmul",
         "llk_unpack_AB_matmul_api.h: 'In0/InA -> srcB, In1/InB -> srcA' (hence SrcOrder::Reverse)"),
    Uses("matmul_block", "api/compute/matmul.h", {"in0_cb_id": "srcb", "in1_cb_id": "srca"}, "llk_unpack_AB_matmul",
         "as matmul_tiles"),
    Uses("copy_tile", "api/compute/tile_move_copy.h", {"in_cb_id": "srca"}, "llk_unpack_A",
         "BroadcastType::NONE without acc_to_dest: unpacker A (SEC0), also when it unpacks to DST (UnpackToDestFp32)"),
    Uses("copy_block", "api/compute/tile_move_copy.h", {"in_cb_id": "srca"}, "llk_unpack_A_block", "as copy_tile"),
    Uses("add_tiles", "api/compute/eltwise_binary.h", {"icb0": "srca", "icb1": "srcb"}, "llk_unpack_AB"),
    Uses("sub_tiles", "api/compute/eltwise_binary.h", {"icb0": "srca", "icb1": "srcb"}, "llk_unpack_AB"),
    Uses("mul_tiles", "api/compute/eltwise_binary.h", {"icb0": "srca", "icb1": "srcb"}, "llk_unpack_AB"),
    Uses("add_reuse_dest_tiles", "api/compute/eltwise_binary.h", {"in_cb_id": "srcb"}, "llk_unpack_A",
         "DEST_TO_SRCA (the form we generate): acc_to_dest with DEST_TO_SRCA puts the address on unpacker B "
         "(SEC1) and unpacks to SrcB (tt-llk llk_unpack_A.h _llk_unpack_A_address_on_unpacker_A_); "
         "DEST_TO_SRCB uses unpacker A. The release's sentinel (state_configure in "
         "binary_reuse_dest_init) records SrcA for both; the LLK is what the hardware does."),
    Uses("reduce_tile", "api/compute/reduce.h", {"icb": "srca", "icb_scaler": "srcb"}, "llk_unpack_AB_reduce",
         "REDUCE_ROW with SUM / AVG swaps them (scaler -> SrcA, data -> SrcB: reduce_init's comment)"),
    Uses("pack_tile", "api/compute/pack.h", {"icb": "pack"}, "llk_pack"),
]

# The T.tt intrinsics the compiler generates, in the terms of the rows above.
# intrinsic -> (API row, {intrinsic arg: API param}); the compiler's reconfig intrinsics are the
# 1-argument (unconditional) forms.
INTRINSIC_USES: dict[str, tuple] = {
    "matmul_tiles": ("matmul_tiles", {"in0_cb": "in0_cb_id", "in1_cb": "in1_cb_id"}),
    "matmul_block": ("matmul_block", {"in0_cb": "in0_cb_id", "in1_cb": "in1_cb_id"}),
    "copy_tile": ("copy_tile", {"cb": "in_cb_id"}),
    "binary_tiles": ("add_tiles", {"icb0": "icb0", "icb1": "icb1"}),
    "binary_dest_reuse_tiles": ("add_reuse_dest_tiles", {"cb": "in_cb_id"}),
    "pack_tile": ("pack_tile", {"cb": "icb"}),
    "pack_tile_to": ("pack_tile", {"cb": "icb"}),
    # a REDUCE_ROW SUM / AVG swaps the two (REDUCE_SWAPS below)
    "reduce_tile": ("reduce_tile", {"icb": "icb", "scaler_cb": "icb_scaler"}),
    # {add,sub,mul}_tiles_bcast_{rows,cols,scalar} unpack like add_tiles (llk_unpack_AB<BroadcastType>)
    "bcast_tiles": ("add_tiles", {"icb0": "icb0", "icb1": "icb1"}),
}
# (pool, dim) of the reduces that run as a matmul with the scaler in SrcA and the data in SrcB
# (reduce.h's reduce_init comment; the emulator's tt_emu_reduce_tile does the same)
REDUCE_SWAPS = {("SUM", "REDUCE_ROW"), ("AVG", "REDUCE_ROW")}
INTRINSIC_SETS: dict[str, tuple] = {
    # reverse_src_order is the intrinsic's SrcOrder::Reverse flag
    "compute_kernel_hw_startup": (("compute_kernel_hw_startup", 3), {"icb0": "icb0", "icb1": "icb1", "ocb": "ocb"}),
    "reconfig_data_format_srca": (("reconfig_data_format_srca", 1), {"cb": "srca_new_operand"}),
    "reconfig_data_format_srcb": (("reconfig_data_format_srcb", 1), {"cb": "srcb_new_operand"}),
    "pack_reconfig_data_format": (("pack_reconfig_data_format", 1), {"cb": "new_cb_id"}),
    "reconfig_data_format": (("reconfig_data_format", 2), {"srca_cb": "icb0_new_operand", "srcb_cb": "icb1_new_operand"}),
}
# unit -> the intrinsic that programs it for one CB
RECONFIG_INTRINSIC = {"srca": "reconfig_data_format_srca", "srcb": "reconfig_data_format_srcb",
                      "pack": "pack_reconfig_data_format"}


def row(api: str, nparams: int) -> Sets:
    for r in SETS:
        if r.api == api and len(r.params) == nparams:
            return r
    raise KeyError(f"{api} with {nparams} parameters is not in the format table")


def uses_of(api: str) -> Uses:
    for r in USES:
        if r.api == api:
            return r
    raise KeyError(f"{api} is not in the format table's USES")


def intrinsic_uses(name: str) -> dict:
    """{intrinsic arg: unit} for a math / pack intrinsic ({} for others)."""
    if name not in INTRINSIC_USES:
        return {}
    api, argmap = INTRINSIC_USES[name]
    u = uses_of(api).uses
    return {arg: u[p] for arg, p in argmap.items()}


def intrinsic_sets(name: str, reverse: bool = False) -> dict:
    """{unit: intrinsic arg} an intrinsic programs ({} for others)."""
    if name not in INTRINSIC_SETS:
        return {}
    (api, n), argmap = INTRINSIC_SETS[name]
    back = {p: arg for arg, p in argmap.items()}
    return {unit: back[p] for unit, (p, _) in row(api, n).effect(reverse).items()}
