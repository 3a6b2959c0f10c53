"""Role printers: the reader/writer (data movement) printer and the compute printer.

The compute printer enforces the Tensix compute protocol before it prints anything, because a kernel
that breaks it hangs or corrupts DST on a device:
* `compute_kernel_hw_startup` exactly once, at the top level, before any other compute API call;
* DST hand-off `tile_regs_acquire -> commit -> wait -> release` in order, tile math only while DST is
  acquired, `pack_tile` only after `tile_regs_wait`, DST released at the end, and every loop iteration
  leaves DST as it found it;
* every tile op runs under the init of its own op family and CBs (matmul, copy, binary <op>, dest-reuse
  <op>; SFPU <op> separately), also on the second iteration of a loop that switches families. The keys
  and the inits that set them are analysis/compute_state.py's, the same the lowering places inits with;
* every unpack and pack goes through a unit (SrcA, SrcB, packer) configured for its CB's data format
  (analysis/format_table.py; the emulator enforces the same at run time).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import tvm
import tvm_ffi
from tvm import tirx

from .. import intrinsics as tt_intrinsics
from ..analysis.compute_state import (FORMAT_UNIT, UNKNOWN, describe, format_effects, format_needs, init_effect,
                                      init_text, is_reduce, requirement)
from ..analysis.format_table import INTRINSIC_SETS, RECONFIG_INTRINSIC
from ..errors import TTResourceError
from . import profiles as P
from .cpp_printer import KernelPrinter, _short_script
from .names import sanitize


def intrinsic_calls(body):
    """(Intrinsic, Call) for every T.tt.* call under `body`, in program order."""
    found = []

    def on_call(node):
        intr = tt_intrinsics.intrinsic_of(node)
        if intr is not None:
            found.append((intr, node))

    tvm_ffi.structural_walk(body, [(tvm.ir.Call, on_call)], order="pre")
    return found


class DataflowPrinter(KernelPrinter):
    """Reader and writer kernels (BRISC/NCRISC): CB producer/consumer loops and NOC page moves."""

    family = "dm"
    base_includes = (P.DATAFLOW_H,)

    def __init__(self, *args, role: str = "reader", **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        self.accessor_names: dict[str, tuple[str, str]] = {}   # tensor -> (accessor, args) C++ names
        self.accessor_chain: list[str] = []                      # tensors in CTA-chain order

    def check(self, body) -> None:
        # Accessor names are kernel-wide: reserve them before any TIR variable claims them.
        for intr, call in intrinsic_calls(body):
            if intr.name == "tensor_accessor":
                tensor = self.string_arg(call.args[0], call)
                if tensor in self.accessor_names:
                    raise self.error(f"tensor accessor {tensor!r} is declared twice", call)
                acc = self.names.fresh(sanitize(tensor, "tensor"))
                args = self.names.fresh(acc + "_args")
                self.accessor_names[tensor] = (acc, args)

    def string_arg(self, node, call) -> str:
        if not isinstance(node, tvm.ir.StringImm):
            raise self.error("the accessor argument must be a string literal naming a tensor", call)
        return str(node.value)

    def intrinsic_stmt(self, intr, call) -> None:
        if intr.name == "tensor_accessor":
            self.tensor_accessor(intr, call)
        elif intr.name == "l1_store_u32":
            # a plain store through an L1 pointer (no API call does it; tt-metal's readers do the same)
            self.includes.add(P.DATAFLOW_H)
            addr, value = self.expr(call.args[0]), self.expr(call.args[1])
            self.emit(f"{P._SEM_PTR.format(addr)}[0] = static_cast<uint32_t>({value});")
        elif intr.name == "l1_store_u16":
            self.includes.add(P.DATAFLOW_H)
            addr, value = self.expr(call.args[0]), self.expr(call.args[1])
            self.emit(f"reinterpret_cast<volatile tt_l1_ptr uint16_t*>({addr})[0] = static_cast<uint16_t>({value});")
        else:
            super().intrinsic_stmt(intr, call)

    def tensor_accessor(self, intr, call) -> None:
        tensor = self.string_arg(call.args[0], call)
        slot = call.args[1]
        if not isinstance(slot, tirx.IntImm) or int(slot.value) != len(self.accessor_chain):
            raise self.error(f"tensor accessor {tensor!r} has compile-time-arg slot {slot}, expected "
                             f"{len(self.accessor_chain)} (slots follow declaration order)", call)
        if self.accessors and (len(self.accessors) <= int(slot.value)
                               or self.accessors[int(slot.value)] != tensor):
            raise self.error(f"tensor accessor {tensor!r} in slot {slot} disagrees with the kernel's "
                             f"tt.accessors {self.accessors}", call)
        if self.depth != 1:
            raise self.error(f"tensor accessor {tensor!r} must be declared at the top of the kernel, "
                             f"not inside a loop or conditional", call)
        if not self.accessor_chain:
            self.blank()
        acc, args = self.accessor_names[tensor]
        if self.accessor_chain:
            prev_args = self.accessor_names[self.accessor_chain[-1]][1]
            offset = f"{prev_args}.next_compile_time_args_offset()"
        else:
            offset = "0"
        self.accessor_chain.append(tensor)
        api = self.profile.call("tensor_accessor")
        self.includes.add(api.include["dm"])
        addr = self.expr(call.args[2])
        page = self.expr(call.args[3])
        self.emit(f"constexpr auto {args} = TensorAccessorArgs<{offset}>();")
        self.emit(f"const auto {acc} = {api.name}({args}, {addr}, {page});")

    def render(self) -> str:
        if self.accessors and self.accessor_chain != self.accessors:
            raise self.error(f"the kernel declares tensor accessors {self.accessor_chain}, but its "
                             f"tt.accessors (the host's compile-time-arg order) is {self.accessors}")
        return super().render()

    def accessor_arg(self, node, call) -> str:
        tensor = self.string_arg(node, call)
        if tensor not in self.accessor_names or tensor not in self.accessor_chain:
            raise self.error(f"tensor {tensor!r} is used before its T.tt.tensor_accessor declaration",
                             call)
        return self.accessor_names[tensor][0]


# --------------------------------------------------------------------------------------------------
# compute protocol

_DST_NEXT = {
    "tile_regs_acquire": ("released", "acquired"),
    "tile_regs_commit": ("acquired", "committed"),
    "tile_regs_wait": ("committed", "waited"),
    "tile_regs_release": ("waited", "released"),
}
_DST_MATH = {"matmul_tiles", "matmul_block", "copy_tile", "binary_tiles", "binary_dest_reuse_tiles",
             "unary_tile", "fill_tile", "reduce_tile", "bcast_tiles", "scalar_tile", "sfpu_binary_tile",
             "where_tile"}
# (pack_tile / pack_tile_to read DST after tile_regs_wait; checked separately)


@dataclass(frozen=True)
class _ComputeState:
    started: bool = False
    dst: str = "released"
    fpu: object = None       # the FPU key of analysis/compute_state (op family and its CBs)
    sfpu: object = None      # the SFPU op (unary op name | fill)
    pack: object = 0         # the packer's L1 accumulation (0 after start-up)
    srca: object = None      # data formats the unpacker's SrcA / SrcB and the packer are configured for
    srcb: object = None
    pack_fmt: object = None


class ComputePrinter(KernelPrinter):
    """The compute kernel (three TRISCs, one source): unpack/math/pack through DST."""

    role = "compute"
    family = "compute"

    # ---------------- protocol check --------------------------------------------------------------

    def __init__(self, *args, dst_tiles: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dst_tiles = dst_tiles      # DST tiles per acquire for this compute config, if known

    def check(self, body) -> None:
        self._startups = 0
        self._ranges: dict = {}         # loop var -> largest value, for constant-extent loops
        self._reinits: set = set()      # init calls that run after their unit was configured before
        end = self._sim(body, _ComputeState(), depth=0)
        if not end.started:
            raise self.error("the compute kernel never calls T.tt.compute_kernel_hw_startup; it must "
                             "be the first compute call")
        if end.dst != "released":
            raise self.error(f"DST is still {end.dst} at the end of the kernel: every "
                             f"tile_regs_acquire needs commit, wait and release")

    def _sim(self, s, st: _ComputeState, depth: int) -> _ComputeState:
        if isinstance(s, tirx.SeqStmt):
            for x in s.seq:
                st = self._sim(x, st, depth)
            return st
        if isinstance(s, tirx.For):
            if isinstance(s.min, tirx.IntImm) and isinstance(s.extent, tirx.IntImm):
                self._ranges[s.loop_var] = int(s.min.value) + int(s.extent.value) - 1
            once = self._sim(s.body, st, depth + 1)
            if once.dst != st.dst:
                raise self.error(f"DST protocol: an iteration of loop `{s.loop_var.name}` starts with DST "
                                 f"{st.dst} and ends with it {once.dst}; each iteration must leave DST "
                                 f"as it found it", s)
            if once == st:
                return st
            # The loop switches op family or starts the hardware: check the next iteration too.
            return self._sim(s.body, once, depth + 1)
        if isinstance(s, tirx.IfThenElse):
            a = self._sim(s.then_case, st, depth + 1)
            b = self._sim(s.else_case, st, depth + 1) if s.else_case is not None else st
            if a.dst != b.dst:
                raise self.error(f"DST protocol: the branches of this conditional leave DST in different "
                                 f"states ({a.dst} vs {b.dst})", s)
            return _ComputeState(a.started or b.started, a.dst,
                                 *(getattr(a, f) if getattr(a, f) == getattr(b, f) else UNKNOWN
                                   for f in ("fpu", "sfpu", "pack", "srca", "srcb", "pack_fmt")))
        if isinstance(s, tirx.AttrStmt):
            return self._sim(s.body, st, depth)
        if isinstance(s, tirx.Evaluate):
            intr = tt_intrinsics.intrinsic_of(s.value)
            if intr is not None:
                return self._step(intr, s.value, st, depth)
        return st

    def _step(self, intr, call, st: _ComputeState, depth: int) -> _ComputeState:
        name = intr.name
        args = dict(zip(intr.args, call.args))
        if name == "get_arg_val":
            return st
        if name == "compute_kernel_hw_startup":
            self._startups += 1
            if st.started or self._startups > 1:
                raise self.error("compute_kernel_hw_startup is called more than once; it configures "
                                 "the unpacker, math and packer once, at kernel start", call)
            if depth:
                raise self.error("compute_kernel_hw_startup must run once at the top of the kernel, "
                                 "not inside a loop or conditional", call)
            rev = args["reverse_src_order"]
            st = replace(st, started=True)
            return self._formats(st, format_effects(intr, call, self._cb_formats(),
                                                    isinstance(rev, tirx.IntImm) and int(rev.value) == 1))
        if not st.started:
            raise self.error(f"T.tt.{name} runs before compute_kernel_hw_startup, which must be the "
                             f"first compute call", call)
        if name in _DST_NEXT:
            want, nxt = _DST_NEXT[name]
            if st.dst != want:
                raise self.error(f"DST protocol: {name} needs DST {want}, but it is {st.dst} "
                                 f"(order: acquire, commit, wait, release)", call)
            return replace(st, dst=nxt)
        if name in RECONFIG_INTRINSIC.values() or name in INTRINSIC_SETS:
            return self._formats(st, format_effects(intr, call, self._cb_formats()))
        for slot, fmt, cb in format_needs(intr, call, self._cb_formats()):
            if getattr(st, slot) != fmt:
                unit = FORMAT_UNIT[slot]
                raise self.error(f"{name} {'packs into' if unit == 'pack' else 'unpacks'} c_{cb} ({fmt}) "
                                 f"{'with the packer' if unit == 'pack' else 'through ' + {'srca': 'SrcA', 'srcb': 'SrcB'}[unit]}, which is "
                                 f"configured for {describe(getattr(st, slot))}: a device would convert it with "
                                 f"the wrong format; call T.tt.{RECONFIG_INTRINSIC[unit]}({cb}) first", call)
        effect = init_effect(intr, call)
        if effect is not None and name != "fill_tile":
            slot, value = effect
            if slot == "fpu" and is_reduce(st.fpu) and name != "reduce_uninit" and value != st.fpu:
                raise self.error(f"{name} while the packer still has the reduce mask of {describe(st.fpu)}; call "
                                 f"T.tt.reduce_uninit after packing the reduce's results (every later pack would "
                                 f"keep only column 0 / row 0)", call)
            if getattr(st, slot) is not None and name in self.profile.reinits:
                self._reinits.add(call.__chandle__())
            return replace(st, **{slot: value})
        if "dst" in args and self.dst_tiles is not None:
            top = self._max_value(args["dst"])
            if top is not None and top >= self.dst_tiles:
                raise TTResourceError(
                    f"{self.where()}: {name} uses DST tile {top}, but DST holds {self.dst_tiles} tiles per "
                    f"acquire with this compute config (fp32 accumulation halves it, half-sync halves it "
                    f"again); use smaller output blocks or subblocks\n  at: {_short_script(call)}")
        if name in _DST_MATH and st.dst != "acquired":
            raise self.error(f"{name} writes DST, which is {st.dst}; tile math must sit between "
                             f"tile_regs_acquire and tile_regs_commit", call)
        if name in ("pack_tile", "pack_tile_to") and st.dst != "waited":
            raise self.error(f"pack_tile reads DST, which is {st.dst}; pack after tile_regs_wait and "
                             f"before tile_regs_release", call)
        need = requirement(intr, call)
        if need is not None:
            slot, want = need
            if name == "fill_tile":          # carries its own fill_tile_init
                return replace(st, sfpu=want)
            have = getattr(st, slot)
            if have != want:
                raise self.error(f"{name} runs while the {slot.upper()} is configured for "
                                 f"{describe(have)}; call {init_text(slot, want)} first (re-init whenever "
                                 f"the op family or its CBs change, also across loop iterations)", call)
        return st

    def _cb_formats(self) -> dict:
        return {i: cb["data_format"] for i, cb in self.cb_plan.items() if "data_format" in cb}

    @staticmethod
    def _formats(st, effects):
        for slot, fmt in effects:
            st = replace(st, **{slot: fmt})
        return st

    def _max_value(self, e):
        """Largest value of a DST index over the constant-extent loops around it, or None if unknown."""
        if isinstance(e, tirx.IntImm):
            return int(e.value)
        if isinstance(e, tvm.ir.Var):
            return self._ranges.get(e)
        if isinstance(e, (tirx.Add, tirx.Mul)):
            a, b = self._max_value(e.a), self._max_value(e.b)
            if a is None or b is None:
                return None
            return a + b if isinstance(e, tirx.Add) else a * b
        if isinstance(e, (tirx.FloorDiv, tirx.FloorMod)) and isinstance(e.b, tirx.IntImm) and int(e.b.value) > 0:
            a = self._max_value(e.a)
            if a is None:
                return int(e.b.value) - 1 if isinstance(e, tirx.FloorMod) else None
            return a // int(e.b.value) if isinstance(e, tirx.FloorDiv) else min(a, int(e.b.value) - 1)
        return None

    # ---------------- printing --------------------------------------------------------------------

    def intrinsic_stmt(self, intr, call) -> None:
        if intr.name == "compute_kernel_hw_startup":
            self.blank()
            icb0, icb1 = call.args[0], call.args[1]
            if (isinstance(icb0, tirx.IntImm) and isinstance(icb1, tirx.IntImm)
                    and int(icb0.value) == int(icb1.value)):
                # one input CB (copy / SFPU kernels): the (icb, ocb) overload, as tt-metal's examples
                api = self.profile.call(intr.name)
                self.emit(self.api_call(intr, call, replace(api, args=("icb0", "ocb"))) + ";")
                return
        if intr.name == "fill_tile":
            # fill_tile needs its own SFPU init; re-issuing it per call is cheap and always correct.
            self.emit(self.api_call(intr, call, P.FILL_INIT) + ";")
        if call.__chandle__() in self._reinits:
            # some eras have a lighter re-init form (E3: mm_init_short after mm_init)
            self.emit(self.api_call(intr, call, self.profile.reinit(intr.name)) + ";")
            return
        super().intrinsic_stmt(intr, call)


__all__ = ["DataflowPrinter", "ComputePrinter", "intrinsic_calls"]
