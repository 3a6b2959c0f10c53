"""What every schedule shares: the DRAM tensor table of a program and the L1 / CB-count checks."""
from __future__ import annotations

from ..errors import TTCompileError, TTResourceError, TTTargetError
from ..frontend.program import TileProgram, static_shape
from ..specs import CBSpec, TensorSpec
from ..target import BLOCK_FLOAT_DTYPE, storage_name

INPUT_BASE, OUTPUT_BASE, INTERMEDIATE_BASE = 0, 16, 24   # tt::CBIndex ranges by convention
READER_BUILT_ROLES = ("scaler", "mask")     # CBs the reader fills from L1 stores, in the input range


def tensors_of(program: TileProgram, storage: tuple = ()) -> tuple[TensorSpec, ...]:
    """One TensorSpec per buffer parameter; access from the copies that touch it (a parameter no copy
    touches counts as read); storage: the declared (name, block-float DataFormat) pairs (options.storage),
    checked here against the parameters."""
    access: dict[str, set] = {}
    for op, _ in program.walk_ops():
        if op.kind != "copy":
            continue
        dst, src = op.operands[:2]
        if src.kind == "global":
            access.setdefault(src.name, set()).add("read")
        if dst.kind == "global":
            access.setdefault(dst.name, set()).add("write")
    out = []
    for i, p in enumerate(program.func.params):
        if p not in program.params:
            continue
        acc = access.get(str(p.name), {"read"})
        padded = program.shape(p) if program.is_padded(p) else ()
        out.append(TensorSpec(str(p.name), i, static_shape(p), str(p.dtype),
                              "readwrite" if len(acc) == 2 else next(iter(acc)), padded,
                              dict(storage).get(str(p.name), "")))
    check_storage(program, out, storage)
    return tuple(out)


def check_storage(program: TileProgram, tensors, storage) -> None:
    """Each declared storage format names a bf16 input parameter (typed errors otherwise): block-float
    tiles unpack to bf16 source registers, and outputs are packed bf16 (no block-float packing here)."""
    by_name = {t.name: t for t in tensors}
    for name, fmt in storage:
        spelled = storage_name(fmt)
        t = by_name.get(name)
        if t is None:
            raise TTTargetError(
                f"kernel '{program.name}': option storage declares {name!r} as {spelled}, but the kernel has no "
                f"buffer parameter {name!r} (parameters: {', '.join(by_name) or 'none'})\n  fix: name a parameter, "
                f"e.g. storage={{\"{next(iter(by_name), 'B')}\": \"{spelled}\"}}")
        if t.dtype != BLOCK_FLOAT_DTYPE:
            raise TTCompileError(
                f"kernel '{program.name}': option storage declares {name!r} as {spelled}, but {name} is {t.dtype}; "
                f"a block-float tensor keeps the logical dtype {BLOCK_FLOAT_DTYPE} (its tiles unpack to bf16)\n"
                f"  fix: give {name} the dtype \"{BLOCK_FLOAT_DTYPE}\", or drop it from storage")
        if t.access != "read":
            raise TTCompileError(
                f"kernel '{program.name}': option storage declares {name!r} as {spelled}, but the kernel writes "
                f"{name}; block-float storage is supported for inputs only (outputs are packed as bf16 / fp32)\n"
                f"  fix: drop {name} from storage, or write the result to a separate bf16 output")


def cb_table(cbs) -> str:
    """The per-CB byte table of resource errors."""
    rows = [f"    c_{e.index:<3} {e.name:<16} {e.role:<12} {e.data_format:<10} "
            f"{e.num_pages:>4} x {e.page_bytes:>5} B = {e.total_bytes:>8} B" for e in cbs]
    return "\n".join(rows)


def check_cb_resources(kernel: str, hw, cbs: list[CBSpec], fix: str) -> None:
    """CB count, index ranges and L1 bytes of one core must fit the chip (TTResourceError otherwise)."""
    roles = {"input": (INPUT_BASE, OUTPUT_BASE, "input CBs (c_0..c_15)",
                       "shared buffers loaded from DRAM (or Tx.select masks, reduce scalers)"),
             "output": (OUTPUT_BASE, INTERMEDIATE_BASE, "output CBs (c_16..c_23)", "copies to global"),
             "intermediate": (INTERMEDIATE_BASE, hw.max_cbs,
                              f"intermediate CBs (c_24..c_{hw.max_cbs - 1})", "shared buffers written by compute")}
    for role, (lo, hi, what, fewer) in roles.items():
        n = sum(1 for e in cbs if e.role == role or (role == "input" and e.role in READER_BUILT_ROLES))
        if n > hi - lo:
            raise TTResourceError(f"kernel '{kernel}': {n} {what} exceed the limit of {hi - lo} on {hw.model}\n"
                                  f"{cb_table(cbs)}\n  fix: use fewer {fewer}")
    if len(cbs) > hw.max_cbs:
        raise TTResourceError(f"kernel '{kernel}': {len(cbs)} CBs exceed {hw.max_cbs} on {hw.model}\n"
                              f"{cb_table(cbs)}")
    total = sum(e.total_bytes for e in cbs)
    if total > hw.l1_bytes:
        raise TTResourceError(
            f"kernel '{kernel}': circular buffers need {total} B of L1 but a {hw.model} core has "
            f"{hw.l1_bytes} B\n{cb_table(cbs)}\n    total {total} B > L1 {hw.l1_bytes} B\n  fix: {fix}")
