"""TT-Metalium API profiles as data: how each T.tt.* intrinsic prints, per API era.

Every intrinsic maps to exactly one API call (`tensor_accessor` is one declaration, printed as its two
lines). Profiles, newest first (docs/api-profiles.md):

* M081 (default): the released TT-Metalium 0.81.1 (ttnn wheel of 2026-10-23). Facts read from the
  release's own headers (docs/metalium-api-0.81.md); every generated kernel is compiled against them in
  the test suite (tilelang_tt/realapi). Differs from E4 in the binary inits (`add_init`, ...) and the
  dest-reuse forms (`add_reuse_dest_init<...>` / `add_reuse_dest_tiles<...>`).
* E4: tt-metal HEAD of 2026-07 as recorded in shared/reference/metalium-api.md (sections A and F).
* E3: the "api/ reorg" era before PR #50570: mm_init family, copy_tile_to_dst_init_short.

Everything else (include paths, `void kernel_main()`, 5-arg `matmul_tiles`, TensorAccessor with explicit
page size) is shared.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import TTTargetError
from ..intrinsics import BINARY_OPS as _BINARY_VOCAB
from ..intrinsics import BCAST_DIMS, REDUCE_DIMS, REDUCE_POOLS, SCALAR_OPS, SFPU_BINARY_OPS, WHERE_FORMATS  # noqa: F401
from ..intrinsics import UNARY_OPS as _UNARY_VOCAB

DATAFLOW_H = "api/dataflow/dataflow_api.h"
KERNEL_STRUCTS_H = "hostdevcommon/kernel_structs.h"     # tt::CBIndex
COMPUTE_COMMON_H = "api/compute/common.h"               # get_arg_val for compute kernels
HW_STARTUP_H = "api/compute/compute_kernel_hw_startup.h"
CB_API_H = "api/compute/cb_api.h"
REG_API_H = "api/compute/reg_api.h"
PACK_H = "api/compute/pack.h"
MATMUL_H = "api/compute/matmul.h"
COPY_H = "api/compute/tile_move_copy.h"
BINARY_H = "api/compute/eltwise_binary.h"
FILL_H = "api/compute/eltwise_unary/fill.h"
REDUCE_H = "api/compute/reduce.h"
BCAST_H = "api/compute/bcast.h"
SCALAR_H = "api/compute/eltwise_unary/binop_with_scalar.h"
SFPU_BINARY_H = "api/compute/binary_max_min.h"
WHERE_H = "api/compute/eltwise_unary/where.h"
RECONFIG_H = "api/compute/reconfig_data_format.h"

# SFPU unary op -> header declaring <op>_tile_init()/<op>_tile(). silu has no eltwise_unary/ header of
# its own: tt-metal declares silu_tile/silu_tile_init in the compute_kernel_api.h monolith (read in the
# E3/E4 tree, not in metalium-api.md, so treat that path as unverified for other eras).
UNARY_HEADERS = {
    "exp": "api/compute/eltwise_unary/exp.h",
    "sqrt": "api/compute/eltwise_unary/sqrt.h",
    "recip": "api/compute/eltwise_unary/recip.h",
    "relu": "api/compute/eltwise_unary/relu.h",
    "gelu": "api/compute/eltwise_unary/gelu.h",
    "silu": "api/compute/compute_kernel_api.h",
    "rsqrt": "api/compute/eltwise_unary/rsqrt.h",
    "log": "api/compute/compute_kernel_api.h",      # 0.81.1 declares log_tile / exp2_tile in the monolith
    "exp2": "api/compute/compute_kernel_api.h",
}

# binary op -> (tile call prefix, EltwiseBinaryType for the dest-reuse form)
BINARY_OPS = {"add": ("add", "ELWADD"), "sub": ("sub", "ELWSUB"), "mul": ("mul", "ELWMUL")}
# One entry per op of the intrinsic vocabulary: an op added there must get its header and call here.
assert tuple(UNARY_HEADERS) == _UNARY_VOCAB and tuple(BINARY_OPS) == _BINARY_VOCAB


@dataclass(frozen=True)
class ApiCall:
    """How one intrinsic prints.

    name:     C++ callee; `{op}` is replaced by the intrinsic's `op` argument (unary/binary families).
    args:     intrinsic argument names passed to the call, in C++ order (others are consumed by the
              template or dropped); an entry "#text" passes the literal C++ `text` (e.g. "#false").
    include:  header that declares the callee, per role ("dm"/"compute"); `{op}` resolves through
              UNARY_HEADERS.
    template: template argument list (without <>); `{elw}` is the EltwiseBinaryType of `op`,
              `{src_order}` comes from a literal `reverse_src_order` argument.
    casts:    argument name -> C++ format of its value (`{}` is the printed argument), for API
              parameters that are pointers in C++ but L1 addresses in TT-level TIR.
    """
    name: str
    args: tuple[str, ...]
    include: dict[str, str] = field(default_factory=dict)
    template: str = ""
    casts: dict[str, str] = field(default_factory=dict)


def _both(dm: str, compute: str) -> dict[str, str]:
    return {"dm": dm, "compute": compute}


_DM = lambda h: {"dm": h}            # noqa: E731
# noc_semaphore_set / _wait take `volatile tt_l1_ptr uint32_t*`; TT-level TIR holds the L1 address.
_SEM_PTR = "reinterpret_cast<volatile tt_l1_ptr uint32_t*>({})"
_CP = lambda h: {"compute": h}       # noqa: E731

_E4_CALLS: dict[str, ApiCall] = {
    "get_arg_val": ApiCall("get_arg_val", ("index",), _both(DATAFLOW_H, COMPUTE_COMMON_H), "uint32_t"),
    "cb_reserve_back": ApiCall("cb_reserve_back", ("cb", "num_pages"), _both(DATAFLOW_H, CB_API_H)),
    "cb_push_back": ApiCall("cb_push_back", ("cb", "num_pages"), _both(DATAFLOW_H, CB_API_H)),
    "cb_wait_front": ApiCall("cb_wait_front", ("cb", "num_pages"), _both(DATAFLOW_H, CB_API_H)),
    "cb_pop_front": ApiCall("cb_pop_front", ("cb", "num_pages"), _both(DATAFLOW_H, CB_API_H)),
    "get_write_ptr": ApiCall("get_write_ptr", ("cb",), _DM(DATAFLOW_H)),
    "get_read_ptr": ApiCall("get_read_ptr", ("cb",), _DM(DATAFLOW_H)),
    "get_tile_size": ApiCall("get_tile_size", ("cb",), _DM(DATAFLOW_H)),
    # TensorAccessorArgs<offset>() + TensorAccessor(args, addr, page_bytes): page size passed
    # explicitly (older trees default it to 0), offsets chained, never hard-coded (pitfalls F.1/F.2).
    "tensor_accessor": ApiCall("TensorAccessor", ("accessor", "bank_base_address", "page_bytes"),
                               _DM(DATAFLOW_H)),
    "noc_async_read_page": ApiCall("noc_async_read_page", ("page_id", "accessor", "l1_addr"),
                                   _DM(DATAFLOW_H)),
    "noc_async_write_page": ApiCall("noc_async_write_page", ("page_id", "accessor", "l1_addr"),
                                    _DM(DATAFLOW_H)),
    "noc_async_read_barrier": ApiCall("noc_async_read_barrier", (), _DM(DATAFLOW_H)),
    "noc_async_write_barrier": ApiCall("noc_async_write_barrier", (), _DM(DATAFLOW_H)),
    "get_semaphore": ApiCall("get_semaphore", ("sem_id",), _DM(DATAFLOW_H)),
    "noc_semaphore_set": ApiCall("noc_semaphore_set", ("sem_addr", "value"), _DM(DATAFLOW_H),
                                 casts={"sem_addr": _SEM_PTR}),
    "noc_semaphore_wait": ApiCall("noc_semaphore_wait", ("sem_addr", "value"), _DM(DATAFLOW_H),
                                  casts={"sem_addr": _SEM_PTR}),
    "get_noc_addr": ApiCall("get_noc_addr", ("noc_x", "noc_y", "l1_addr"), _DM(DATAFLOW_H)),
    "get_noc_multicast_addr": ApiCall("get_noc_multicast_addr", ("noc_x_start", "noc_y_start", "noc_x_end",
                                                                 "noc_y_end", "l1_addr"), _DM(DATAFLOW_H)),
    "noc_semaphore_inc": ApiCall("noc_semaphore_inc", ("noc_addr", "incr"), _DM(DATAFLOW_H)),
    "noc_async_write_multicast": ApiCall("noc_async_write_multicast",
                                         ("src_l1_addr", "mcast_addr", "size", "num_dests"), _DM(DATAFLOW_H)),
    "noc_semaphore_set_multicast": ApiCall("noc_semaphore_set_multicast", ("src_l1_addr", "mcast_addr", "num_dests"),
                                           _DM(DATAFLOW_H)),
    "noc_async_writes_flushed": ApiCall("noc_async_writes_flushed", (), _DM(DATAFLOW_H)),
    "noc_async_atomic_barrier": ApiCall("noc_async_atomic_barrier", (), _DM(DATAFLOW_H)),
    "compute_kernel_hw_startup": ApiCall("compute_kernel_hw_startup", ("icb0", "icb1", "ocb"),
                                         _CP(HW_STARTUP_H), "{src_order}"),
    "matmul_init": ApiCall("matmul_init", ("in0_cb", "in1_cb", "transpose?"), _CP(MATMUL_H)),
    "matmul_block_init": ApiCall("matmul_block_init", ("in0_cb", "in1_cb", "transpose", "ct_dim", "rt_dim",
                                                       "kt_dim"), _CP(MATMUL_H)),
    "copy_init": ApiCall("copy_init", ("cb",), _CP(COPY_H)),
    "binary_init": ApiCall("{op}_tiles_init", ("icb0", "icb1"), _CP(BINARY_H)),
    "binary_dest_reuse_init": ApiCall(
        "binary_dest_reuse_tiles_init", ("cb",), _CP(BINARY_H),
        "EltwiseBinaryType::{elw}, EltwiseBinaryReuseDestType::DEST_TO_SRCA"),
    "unary_init": ApiCall("{op}_tile_init", (), _CP("{op}")),
    "tile_regs_acquire": ApiCall("tile_regs_acquire", (), _CP(REG_API_H)),
    "tile_regs_commit": ApiCall("tile_regs_commit", (), _CP(REG_API_H)),
    "tile_regs_wait": ApiCall("tile_regs_wait", (), _CP(REG_API_H)),
    "tile_regs_release": ApiCall("tile_regs_release", (), _CP(REG_API_H)),
    "matmul_tiles": ApiCall("matmul_tiles", ("in0_cb", "in1_cb", "in0_tile", "in1_tile", "dst"),
                            _CP(MATMUL_H)),
    "matmul_block": ApiCall("matmul_block", ("in0_cb", "in1_cb", "in0_tile", "in1_tile", "dst", "transpose",
                                             "ct_dim", "rt_dim", "kt_dim"), _CP(MATMUL_H)),
    "copy_tile": ApiCall("copy_tile", ("cb", "tile", "dst"), _CP(COPY_H)),
    "binary_tiles": ApiCall("{op}_tiles", ("icb0", "icb1", "tile0", "tile1", "dst"), _CP(BINARY_H)),
    "binary_dest_reuse_tiles": ApiCall(
        "binary_dest_reuse_tiles", ("cb", "tile", "dst"), _CP(BINARY_H),
        "EltwiseBinaryType::{elw}, EltwiseBinaryReuseDestType::DEST_TO_SRCA"),
    "unary_tile": ApiCall("{op}_tile", ("dst",), _CP("{op}")),
    "fill_tile": ApiCall("fill_tile", ("dst", "value"), _CP(FILL_H)),
    "pack_tile": ApiCall("pack_tile", ("dst", "cb"), _CP(PACK_H)),
    "pack_tile_to": ApiCall("pack_tile", ("dst", "cb", "tile"), _CP(PACK_H), "true"),   # out_of_order_output
    "pack_reconfig_l1_acc": ApiCall("pack_reconfig_l1_acc", ("enable",), _CP(PACK_H)),
    "reconfig_data_format_srca": ApiCall("reconfig_data_format_srca", ("cb",), _CP(RECONFIG_H)),
    "reconfig_data_format_srcb": ApiCall("reconfig_data_format_srcb", ("cb",), _CP(RECONFIG_H)),
    # metalium-api.md A.7: pack.h declares it at HEAD (0.81.1 moved it: _M081_OVERRIDES)
    "pack_reconfig_data_format": ApiCall("pack_reconfig_data_format", ("cb",), _CP(PACK_H)),
    # Ops beyond matmul (docs/ops.md), as the 0.81.1 release declares them; the E3 / E4 profiles print the
    # same names (not checked against those trees).
    "l1_store_u32": ApiCall("l1_store_u32", ("l1_addr", "value"), _DM(DATAFLOW_H)),   # printed as a store
    "l1_store_u16": ApiCall("l1_store_u16", ("l1_addr", "value"), _DM(DATAFLOW_H)),   # printed as a store
    "reduce_init": ApiCall("reduce_init", ("icb", "scaler_cb", "ocb"), _CP(REDUCE_H), "PoolType::{pool}, ReduceDim::{dim}"),
    "reduce_tile": ApiCall("reduce_tile", ("icb", "scaler_cb", "tile", "scaler_tile", "dst"), _CP(REDUCE_H),
                           "PoolType::{pool}, ReduceDim::{dim}"),
    "reduce_uninit": ApiCall("reduce_uninit", ("icb",), _CP(REDUCE_H)),
    "reconfig_data_format": ApiCall("reconfig_data_format", ("srca_cb", "srcb_cb"), _CP(RECONFIG_H)),
    "bcast_init": ApiCall("{op}_bcast_{dim}_init", ("icb0", "icb1"), _CP(BCAST_H)),
    "bcast_tiles": ApiCall("{op}_tiles_bcast_{dim}", ("icb0", "icb1", "tile0", "tile1", "dst"), _CP(BCAST_H)),
    "scalar_init": ApiCall("binop_with_scalar_tile_init", (), _CP(SCALAR_H)),
    "scalar_tile": ApiCall("{op}_unary_tile", ("dst", "bits"), _CP(SCALAR_H), casts={"bits": "static_cast<uint32_t>({})"}),
    "sfpu_binary_init": ApiCall("binary_{op}_tile_init", (), _CP(SFPU_BINARY_H)),
    "sfpu_binary_tile": ApiCall("binary_{op}_tile", ("dst0", "dst1", "odst"), _CP(SFPU_BINARY_H)),
    "where_init": ApiCall("where_tile_init", (), _CP(WHERE_H)),
    "where_tile": ApiCall("where_tile", ("cond", "true_dst", "false_dst", "odst"), _CP(WHERE_H), "DataFormat::{fmt}"),
}

# fill_tile needs fill_tile_init() whenever the SFPU was configured for another op; there is no
# T.tt intrinsic for it, so the compute printer emits this call itself.
FILL_INIT = ApiCall("fill_tile_init", (), _CP(FILL_H))

# M081 (released 0.81.1, api/compute/eltwise_binary.h): the binary inits lost their `_tiles` and the
# dest-reuse forms became per-op templates on the reuse direction; the old names are gone, no aliases.
_REUSE = "EltwiseBinaryReuseDestType::DEST_TO_SRCA"
_M081_OVERRIDES: dict[str, ApiCall] = {
    "pack_reconfig_data_format": ApiCall("pack_reconfig_data_format", ("cb",), _CP(RECONFIG_H)),
    "binary_init": ApiCall("{op}_init", ("icb0", "icb1"), _CP(BINARY_H)),
    "binary_dest_reuse_init": ApiCall("{op}_reuse_dest_init", ("cb",), _CP(BINARY_H), _REUSE),
    "binary_dest_reuse_tiles": ApiCall("{op}_reuse_dest_tiles", ("cb", "tile", "dst"), _CP(BINARY_H), _REUSE),
}

# E3 ("api/ reorg", before PR #50570): mm_init instead of matmul_init, the copy init's old name, and no
# SrcOrder template on compute_kernel_hw_startup.
_E3_OVERRIDES: dict[str, ApiCall] = {
    "compute_kernel_hw_startup": replace(_E4_CALLS["compute_kernel_hw_startup"], template=""),
    "matmul_init": ApiCall("mm_init", ("in0_cb", "in1_cb", "out_cb", "transpose?"), _CP(MATMUL_H)),
    "copy_init": ApiCall("copy_tile_to_dst_init_short", ("cb",), _CP(COPY_H)),
    # the full mm_block_init also reconfigures the packer: after compute_kernel_hw_startup, re-inits
    # are the short form
    "matmul_block_init": ApiCall("mm_block_init_short", ("in0_cb", "in1_cb", "transpose", "ct_dim", "rt_dim",
                                                         "kt_dim"), _CP(MATMUL_H)),
}
# E3's mm_init is a full hardware (re)configure, its own header says; a re-init after another op family
# (the epilogue of matmul_bias_relu) is mm_init_short.
_E3_REINITS: dict[str, ApiCall] = {
    "matmul_init": ApiCall("mm_init_short", ("in0_cb", "in1_cb", "transpose?"), _CP(MATMUL_H)),
}


@dataclass(frozen=True)
class ApiProfile:
    name: str
    era: int                       # TT_EMU_API_ERA value the emulator uses for this profile
    description: str
    calls: dict[str, ApiCall]
    entry_point: str = "void kernel_main()"
    # Where an init has a lighter form for re-initialising after another op family ran (the compute
    # printer knows which init calls are re-inits); absent: the init prints the same either way.
    reinits: dict[str, ApiCall] = field(default_factory=dict)
    release: str = ""              # the TT-Metalium release the profile is checked against, if any

    def call(self, intrinsic: str) -> ApiCall:
        return self.calls[intrinsic]

    def reinit(self, intrinsic: str) -> ApiCall:
        return self.reinits.get(intrinsic, self.calls[intrinsic])


PROFILES: dict[str, ApiProfile] = {
    "M081": ApiProfile("M081", 5, "TT-Metalium 0.81.1 release (ttnn wheel, 2026-10-23): add_init, "
                       "add_reuse_dest_init/_tiles, matmul_init, copy_init, SrcOrder",
                       {**_E4_CALLS, **_M081_OVERRIDES}, release="0.81.1"),
    "E4": ApiProfile("E4", 4, "TT-Metalium HEAD (2026-07): add_tiles_init, binary_dest_reuse_tiles, "
                     "matmul_init, copy_init, SrcOrder", dict(_E4_CALLS)),
    "E3": ApiProfile("E3", 3, "TT-Metalium api/ reorg (2025-12 .. 2026-06): mm_init (mm_init_short to "
                     "re-init), copy_tile_to_dst_init_short", {**_E4_CALLS, **_E3_OVERRIDES},
                     reinits=_E3_REINITS),
}
DEFAULT_PROFILE = "M081"


def get_profile(name: str | ApiProfile = DEFAULT_PROFILE) -> ApiProfile:
    if isinstance(name, ApiProfile):
        return name
    try:
        return PROFILES[str(name)]
    except KeyError:
        raise TTTargetError(
            f"unknown TT-Metalium API profile {name!r}; known profiles: {', '.join(PROFILES)} "
            f"(default {DEFAULT_PROFILE})") from None
