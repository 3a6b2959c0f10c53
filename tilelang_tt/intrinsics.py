"""The T.tt.* intrinsics: the vocabulary of TT-level TIR (one table).

Each intrinsic is a TVM Op named ``tirx.tt.<name>`` that prints and parses as ``T.tt.<name>(...)``. The
lowering rules (lower/) emit them; the kernel printers (codegen/kernels.py over codegen/cpp_printer.py)
print each as the TT-Metalium API call its API profile names (codegen/profiles.py). Most print as one
call; the exceptions are the printers' business and listed there: `tensor_accessor` prints the
`TensorAccessorArgs<offset>` declaration and the accessor, `fill_tile` is preceded by its SFPU init, the
one-input `compute_kernel_hw_startup` takes the (icb, ocb) overload, and some eras re-initialise with a
lighter call (E3 `mm_init_short`). Argument conventions:

* CB ids, tile indices, DST indices, page ids, counts: int32 PrimExprs (printed as uint32_t in C++).
* ``accessor``: a StringImm naming a tensor accessor declared earlier in the same kernel with
  ``tensor_accessor``.
* ``op``: a StringImm naming a binary op ("add", "sub", "mul"), an SFPU unary op (UNARY_OPS), a scalar op
  (SCALAR_OPS) or an SFPU binary op (SFPU_BINARY_OPS), per intrinsic.
* ``pool`` / ``dim``: StringImms naming the reduce's PoolType / ReduceDim, or the broadcast dimension.
"""
from __future__ import annotations

from dataclasses import dataclass

import tvm
from tvm import tirx


@dataclass(frozen=True)
class Intrinsic:
    name: str
    args: tuple[str, ...]      # argument names, in order
    roles: tuple[str, ...]     # kernel roles that may call it: "dm" (reader/writer) and/or "compute"
    returns: str = "void"      # "void", "int32" or "uint64" (a value used in expressions)
    doc: str = ""
    defaults: tuple = ()       # values of the trailing arguments a call may leave out

    def full_args(self, args: tuple) -> tuple:
        """`args` with left-out trailing arguments filled from `defaults`; TypeError on a wrong count."""
        missing = len(self.args) - len(args)
        if not 0 <= missing <= len(self.defaults):
            raise TypeError(f"T.tt.{self.name} takes ({', '.join(self.args)}), got {len(args)} arguments")
        return tuple(args) + tuple(self.defaults[len(self.defaults) - missing:])


_DM = ("dm",)
_CP = ("compute",)
_ALL = ("dm", "compute")

INTRINSICS: dict[str, Intrinsic] = {i.name: i for i in [
    # --- runtime arguments -------------------------------------------------------------------------
    Intrinsic("get_arg_val", ("index",), _ALL, "int32", "per-core runtime argument `index`"),
    # --- circular buffers (both sides) -------------------------------------------------------------
    Intrinsic("cb_reserve_back", ("cb", "num_pages"), _ALL, doc="producer: block until pages are free"),
    Intrinsic("cb_push_back", ("cb", "num_pages"), _ALL, doc="producer: publish reserved pages"),
    Intrinsic("cb_wait_front", ("cb", "num_pages"), _ALL, doc="consumer: block until pages arrive"),
    Intrinsic("cb_pop_front", ("cb", "num_pages"), _ALL, doc="consumer: free front pages"),
    Intrinsic("get_write_ptr", ("cb",), _DM, "int32", "L1 address of the reserved back of a CB"),
    Intrinsic("get_read_ptr", ("cb",), _DM, "int32", "L1 address of the front of a CB"),
    Intrinsic("get_tile_size", ("cb",), _DM, "int32", "bytes of one tile in the CB's data format"),
    # --- data movement -----------------------------------------------------------------------------
    Intrinsic("tensor_accessor", ("accessor", "cta_slot", "bank_base_address", "page_bytes"), _DM,
              doc="declare accessor `accessor` over an interleaved DRAM tensor; its compile-time args "
                  "are the `cta_slot`-th TensorAccessorArgs in this kernel's chain"),
    Intrinsic("noc_async_read_page", ("page_id", "accessor", "l1_addr"), _DM),
    Intrinsic("noc_async_write_page", ("page_id", "accessor", "l1_addr"), _DM),
    Intrinsic("noc_async_read_barrier", (), _DM),
    Intrinsic("noc_async_write_barrier", (), _DM),
    # --- semaphores and multicast (a semaphore is an L1 word; its address comes from get_semaphore) --
    Intrinsic("get_semaphore", ("sem_id",), _DM, "int32", "L1 address of semaphore `sem_id`"),
    Intrinsic("noc_semaphore_set", ("sem_addr", "value"), _DM, doc="store to a local semaphore"),
    Intrinsic("noc_semaphore_wait", ("sem_addr", "value"), _DM, doc="spin until a local semaphore == value"),
    Intrinsic("get_noc_addr", ("noc_x", "noc_y", "l1_addr"), _DM, "uint64",
              "NOC address of an L1 address on the core at NOC coordinates (noc_x, noc_y)"),
    Intrinsic("get_noc_multicast_addr", ("noc_x_start", "noc_y_start", "noc_x_end", "noc_y_end", "l1_addr"),
              _DM, "uint64", "multicast NOC address of an L1 address on a rectangle of cores (corner "
                             "order as the kernel's NOC needs: NOC_0 min->max, NOC_1 max->min)"),
    Intrinsic("noc_semaphore_inc", ("noc_addr", "incr"), _DM, doc="atomic add to a remote semaphore"),
    Intrinsic("noc_async_write_multicast", ("src_l1_addr", "mcast_addr", "size", "num_dests"), _DM,
              doc="write `size` bytes to the same L1 address of every core of a rectangle but the sender"),
    Intrinsic("noc_semaphore_set_multicast", ("src_l1_addr", "mcast_addr", "num_dests"), _DM,
              doc="copy a local semaphore's value to the same semaphore on a rectangle of cores"),
    Intrinsic("noc_async_writes_flushed", (), _DM, doc="posted writes left the core (orders data before flag)"),
    Intrinsic("noc_async_atomic_barrier", (), _DM, doc="outstanding atomic increments completed"),
    Intrinsic("l1_store_u32", ("l1_addr", "value"), _DM,
              doc="store a 32-bit word to this core's L1 (a reader building a constant tile, e.g. the reduce "
                  "scaler, in a reserved CB page)"),
    Intrinsic("l1_store_u16", ("l1_addr", "value"), _DM,
              doc="store a 16-bit half word to this core's L1 (a reader masking one bf16 of a loaded page with "
                  "-inf, analysis/padding.py)"),
    # --- compute: init ------------------------------------------------------------------------------
    Intrinsic("compute_kernel_hw_startup", ("icb0", "icb1", "ocb", "reverse_src_order"), _CP,
              doc="once, first; reverse_src_order=1 for matmul (E4 SrcOrder::Reverse)"),
    Intrinsic("matmul_init", ("in0_cb", "in1_cb", "out_cb", "transpose"), _CP,
              doc="matmul mode; transpose=1 makes the unpacker transpose every in1 tile (A @ B^T per tile)",
              defaults=(0,)),
    Intrinsic("matmul_block_init", ("in0_cb", "in1_cb", "ct_dim", "rt_dim", "kt_dim", "transpose"), _CP,
              doc="matmul_block mode; transpose=1 makes the unpacker transpose every in1 tile", defaults=(0,)),
    Intrinsic("copy_init", ("cb",), _CP),
    Intrinsic("binary_init", ("op", "icb0", "icb1"), _CP),
    Intrinsic("binary_dest_reuse_init", ("op", "cb"), _CP),
    Intrinsic("unary_init", ("op",), _CP, doc="SFPU <op>_tile_init()"),
    Intrinsic("reduce_init", ("pool", "dim", "icb", "scaler_cb", "ocb"), _CP,
              doc="reduce_init<PoolType::<pool>, ReduceDim::<dim>>: configures unpacker, math and the packer's "
                  "reduce mask (cleared by reduce_uninit)"),
    Intrinsic("reduce_uninit", ("icb",), _CP, doc="undo reduce_init (math and the packer mask)"),
    Intrinsic("reconfig_data_format", ("srca_cb", "srcb_cb"), _CP,
              doc="unpacker source formats for SrcA / SrcB from two CBs (a row SUM reduce swaps its operands: "
                  "the release asks for reconfig_data_format(scaler, input) before its reduce_init)"),
    Intrinsic("bcast_init", ("op", "dim", "icb0", "icb1"), _CP, doc="<op>_bcast_<dim>_init"),
    Intrinsic("scalar_init", (), _CP, doc="binop_with_scalar_tile_init()"),
    Intrinsic("sfpu_binary_init", ("op",), _CP, doc="binary_<op>_tile_init() (op: max, min)"),
    Intrinsic("where_init", (), _CP, doc="where_tile_init() (SFPU ternary select)"),
    Intrinsic("pack_reconfig_l1_acc", ("enable",), _CP,
              doc="packer L1 accumulation on (1: pack adds to the page) or off (0: pack overwrites)"),
    # --- compute: data-format state (analysis/format_table.py: which calls set which unit) ------------
    Intrinsic("reconfig_data_format_srca", ("cb",), _CP,
              doc="program the unpacker's SrcA for cb's data format (the 1-argument form: unconditional)"),
    Intrinsic("reconfig_data_format_srcb", ("cb",), _CP, doc="program the unpacker's SrcB for cb's data format"),
    Intrinsic("pack_reconfig_data_format", ("cb",), _CP, doc="program the packer's output format for cb's"),
    # --- compute: DST protocol ------------------------------------------------------------------------
    Intrinsic("tile_regs_acquire", (), _CP),
    Intrinsic("tile_regs_commit", (), _CP),
    Intrinsic("tile_regs_wait", (), _CP),
    Intrinsic("tile_regs_release", (), _CP),
    # --- compute: tile math ---------------------------------------------------------------------------
    Intrinsic("matmul_tiles", ("in0_cb", "in1_cb", "in0_tile", "in1_tile", "dst", "transpose"), _CP,
              doc="DST[dst] += in0 @ in1 (in1 transposed when 1; not printed: the init's transpose decides)",
              defaults=(0,)),
    Intrinsic("matmul_block", ("in0_cb", "in1_cb", "in0_tile", "in1_tile", "dst", "ct_dim", "rt_dim", "kt_dim",
                               "transpose"),
              _CP, doc="DST[dst + r*ct + c] += in0[in0_tile + r*kt] @ in1[in1_tile + c], r < rt, c < ct (in1 "
                       "transposed when 1: must equal its init's flag, which configures the unpacker)",
              defaults=(0,)),
    Intrinsic("copy_tile", ("cb", "tile", "dst"), _CP),
    Intrinsic("binary_tiles", ("op", "icb0", "icb1", "tile0", "tile1", "dst"), _CP,
              doc="DST[dst] = in0 <op> in1"),
    Intrinsic("binary_dest_reuse_tiles", ("op", "cb", "tile", "dst"), _CP,
              doc="DST[dst] = DST[dst] <op> cb[tile]"),
    Intrinsic("unary_tile", ("op", "dst"), _CP, doc="SFPU <op>_tile(dst) in place"),
    Intrinsic("reduce_tile", ("pool", "dim", "icb", "scaler_cb", "tile", "scaler_tile", "dst"), _CP,
              doc="DST[dst] (+)= reduce of icb[tile] weighted by row 0 of scaler_cb[scaler_tile]; result in "
                  "column 0 (REDUCE_ROW), row 0 (REDUCE_COL) or [0,0] (REDUCE_SCALAR)"),
    Intrinsic("bcast_tiles", ("op", "dim", "icb0", "icb1", "tile0", "tile1", "dst"), _CP,
              doc="DST[dst] = icb0[tile0] <op> broadcast(icb1[tile1]): column 0 (cols), row 0 (rows), [0,0] (scalar)"),
    Intrinsic("scalar_tile", ("op", "dst", "bits"), _CP,
              doc="DST[dst] = DST[dst] <op> s, op in add/sub/mul/div/rsub, `bits` the fp32 bits of s (int32)"),
    Intrinsic("sfpu_binary_tile", ("op", "dst0", "dst1", "odst"), _CP,
              doc="DST[odst] = <op>(DST[dst0], DST[dst1]), op in max/min (SFPU)"),
    Intrinsic("where_tile", ("fmt", "cond", "true_dst", "false_dst", "odst"), _CP,
              doc="DST[odst] = DST[cond] != 0 ? DST[true_dst] : DST[false_dst] (SFPU; the datum's bits are tested). "
                  "fmt: the DataFormat of DST's data, Float32 with fp32_dest_acc_en, else Float16_b"),
    Intrinsic("fill_tile", ("dst", "value"), _CP, doc="DST[dst] = value (float)"),
    Intrinsic("pack_tile", ("dst", "cb"), _CP, doc="pack DST[dst] to the next reserved page of cb"),
    Intrinsic("pack_tile_to", ("dst", "cb", "tile", "l1_acc"), _CP,
              doc="pack DST[dst] to reserved page `tile` of cb; l1_acc (literal 0/1) is the packer's L1 "
                  "accumulation state it needs (1: add to the page)"),
]}

# The `op` vocabulary of unary_* and binary_* intrinsics. codegen/profiles.py has one entry per op
# (checked at import there); the op table frontend/ops.py maps the frontend tile ops onto these names.
UNARY_OPS = ("exp", "sqrt", "recip", "relu", "gelu", "silu", "rsqrt", "log", "exp2")
BINARY_OPS = ("add", "sub", "mul")
SCALAR_OPS = ("add", "sub", "mul", "div", "rsub")      # scalar_tile: the release's binop_with_scalar modes
SFPU_BINARY_OPS = ("max", "min")                        # sfpu_binary_tile
WHERE_FORMATS = ("Float32", "Float16_b")                # where_tile<DataFormat::...>: DST's datum format
REDUCE_POOLS = ("SUM", "MAX", "MIN")                    # reduce_*: PoolType names (AVG: SUM with a 1/N scaler)
REDUCE_DIMS = ("REDUCE_ROW", "REDUCE_COL", "REDUCE_SCALAR")
BCAST_DIMS = ("rows", "cols", "scalar")                 # bcast_*: the release's name suffixes

_OP_PREFIX = "tirx.tt."


def op_name(name: str) -> str:
    return _OP_PREFIX + name


def _register() -> None:
    opaque = int(tirx.CallEffectKind.Opaque.value)
    pure = int(tirx.CallEffectKind.ReadState.value)
    for intr in INTRINSICS.values():
        full = op_name(intr.name)
        tvm.ir.register_op_attr(full, "TCallEffectKind", pure if intr.returns != "void" else opaque)
        tvm.ir.register_op_attr(full, "TScriptPrinterName", "tt." + intr.name)
    _register_script_namespace()


def _register_script_namespace() -> None:
    from tvm.tirx.script.builder import ir as builder_ir

    ns = type("TTNamespace", (), {})()
    for intr in INTRINSICS.values():
        setattr(ns, intr.name, _make_builder(intr))
    builder_ir.register_script_namespace("tt", ns)


def _make_builder(intr: Intrinsic):
    dtype = intr.returns

    def build(*args):
        return call(intr.name, *args, dtype=dtype)

    build.__name__ = intr.name
    build.__doc__ = intr.doc
    return build


def _as_expr(a):
    if isinstance(a, str):
        return tvm.ir.StringImm(a)
    if isinstance(a, bool):
        return tirx.IntImm("int32", int(a))
    if isinstance(a, int):
        return tirx.IntImm("int32", a)
    if isinstance(a, float):
        return tirx.FloatImm("float32", a)
    return a


def call(name: str, *args, dtype: str | None = None):
    """Build a T.tt.<name>(...) call expression."""
    intr = INTRINSICS[name]
    args = intr.full_args(args)
    if dtype is None:
        dtype = intr.returns
    return tirx.op.call_intrin(dtype, op_name(name), *[_as_expr(a) for a in args])


def evaluate(name: str, *args) -> tirx.Evaluate:
    """A statement that calls T.tt.<name>(...)."""
    return tirx.Evaluate(call(name, *args))


def intrinsic_of(node) -> Intrinsic | None:
    """The Intrinsic a Call node invokes, or None if it is not a T.tt.* call."""
    op = getattr(node, "op", None)
    name = getattr(op, "name", None)
    if isinstance(name, str) and name.startswith(_OP_PREFIX):
        return INTRINSICS.get(name[len(_OP_PREFIX):])
    return None


_register()
