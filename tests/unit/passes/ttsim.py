"""A small reference interpreter of TT-level TIR (test helper, not part of the package).

Runs each core's reader, then compute, then writer (sequentially, with unbounded CB queues), moving real
numpy tiles: NOC reads/writes address DRAM tensors by tile id, CBs hold pages in order, DST holds tiles.
It lets the pass tests check what the lowered IR *computes* (numerics against numpy), which tile ids it
reads and writes, and that every wait is satisfied, independent of the codegen and the emulator.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np
import tvm
from tvm import tirx

from tilelang_tt import intrinsics as I

TILE = 32
_CB_STRIDE = 1 << 24   # fake L1 base of CB c: c * _CB_STRIDE (+ page offsets)


class SimError(AssertionError):
    pass


def _round(x, dtype):
    if dtype == "bfloat16":
        return x.astype(ml_dtypes.bfloat16).astype(np.float32)
    return x.astype(np.float32)


def _silu(x):
    e = np.exp(-np.abs(x))                      # never overflows: x * sigmoid(x), sigmoid from exp(-|x|)
    return np.where(np.isneginf(x), -0.0, x * np.where(x >= 0, 1 / (1 + e), e / (1 + e))).astype(np.float32)


_UNARY = {"exp": np.exp, "sqrt": np.sqrt, "recip": lambda x: 1.0 / x,
          "relu": lambda x: np.where(np.signbit(x) & ~np.isnan(x), np.float32(0), x),   # the device's sign test
          "silu": _silu}
_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply}


class Sim:
    def __init__(self, mod, tensors: dict):
        from tilelang_tt.codegen import device_program

        self.program = device_program(mod)
        self.funcs = self.program.funcs
        self.cb_plan = {cb.index: cb.to_dict() for cb in self.program.cbs}
        self.tensors = {k: np.array(v, dtype=np.float32) for k, v in tensors.items()}
        self.tensor_dtype = {t.name: t.dtype for t in self.program.tensors}
        self.trace = []          # (core index, role, event, details)

    # ------------------------------------------------------------------------------------------
    def run(self):
        """Every core of the (naive) program in row-major order: reader, compute, writer."""
        for core, xy in enumerate(self.program.cores):
            self.queues = {c: [] for c in self.cb_plan}
            self.pending = {c: [] for c in self.cb_plan}
            self.core = core
            for role in ("reader", "compute", "writer"):
                f = self.funcs[role]
                values = self.program.kernel_named(role).runtime_args[xy]
                self.args = [("addr", v[5:]) if isinstance(v, str) and v.startswith("addr:") else v
                             for v in values]
                self.role = role
                self.accessors = {}
                self.dst = None
                self.exec(f.body, {})
            for c, q in self.queues.items():
                if q:
                    raise SimError(f"core {core}: CB c_{c} still holds {len(q)} pages after all kernels")
        return self.tensors

    # ------------------------------------------------------------------------------------------
    def exec(self, s, env):
        if isinstance(s, tirx.SeqStmt):
            for x in s.seq:
                self.exec(x, env)
        elif isinstance(s, tirx.Bind):
            env[s.var] = self.eval(s.value, env)
        elif isinstance(s, tirx.For):
            lo, ext = self.eval(s.min, env), self.eval(s.extent, env)
            for v in range(lo, lo + ext):
                env[s.loop_var] = v
                self.exec(s.body, env)
        elif isinstance(s, tirx.Evaluate):
            self.call(s.value, env)
        else:
            raise SimError(f"unexpected statement {type(s).__name__}")

    def eval(self, e, env):
        if isinstance(e, (tirx.IntImm,)):
            return int(e.value)
        if isinstance(e, tirx.FloatImm):
            return float(e.value)
        if isinstance(e, tvm.ir.StringImm):
            return str(e.value)
        if isinstance(e, tvm.ir.Var):
            return env[e]
        ops = {tirx.Add: lambda a, b: a + b, tirx.Sub: lambda a, b: a - b, tirx.Mul: lambda a, b: a * b,
               tirx.FloorDiv: lambda a, b: a // b, tirx.FloorMod: lambda a, b: a % b}
        for cls, fn in ops.items():
            if isinstance(e, cls):
                return fn(self.eval(e.a, env), self.eval(e.b, env))
        if I.intrinsic_of(e) is not None:
            return self.call(e, env)
        raise SimError(f"unexpected expression {type(e).__name__}: {e}")

    # ------------------------------------------------------------------------------------------
    def call(self, c, env):
        intr = I.intrinsic_of(c)
        if intr is None:
            raise SimError(f"not a T.tt call: {c}")
        a = [self.eval(x, env) for x in c.args]
        name = intr.name
        self.trace.append((self.core, self.role, name, tuple(a)))
        h = getattr(self, "_" + name, None)
        if h is None:
            return None  # inits and barriers: no data effect
        return h(*a)

    def _tile(self, tensor, tile_id):
        arr = self.tensors[tensor]
        tcols = arr.shape[1] // TILE
        r, c = divmod(tile_id, tcols)
        if not (0 <= r < arr.shape[0] // TILE):
            raise SimError(f"tile id {tile_id} is outside tensor {tensor} {arr.shape}")
        return r, c

    def _get_arg_val(self, i):
        return self.args[i]

    def _tensor_accessor(self, name, slot, addr, page_bytes):
        if addr != ("addr", name):
            raise SimError(f"accessor {name} bound to {addr}")
        self.accessors[name] = slot

    def _get_write_ptr(self, cb):
        return cb * _CB_STRIDE

    def _get_read_ptr(self, cb):
        return cb * _CB_STRIDE

    def _slot(self, l1):
        cb, off = divmod(l1, _CB_STRIDE)
        page = int(self.cb_plan[cb]["page_bytes"])
        if off % page:
            raise SimError(f"L1 address {l1} is not page aligned in CB c_{cb}")
        return cb, off // page

    def _cb_reserve_back(self, cb, n):
        if len(self.pending[cb]) and any(p is not None for p in self.pending[cb]):
            pass
        self.pending[cb] = [None] * n

    def _cb_push_back(self, cb, n):
        pend = self.pending[cb]
        if len(pend) < n or any(p is None for p in pend[:n]):
            raise SimError(f"{self.role}: cb_push_back(c_{cb}, {n}) with unwritten reserved pages")
        self.queues[cb].extend(pend[:n])
        self.pending[cb] = pend[n:]

    def _cb_wait_front(self, cb, n):
        if len(self.queues[cb]) < n:
            raise SimError(f"core {self.core} {self.role}: cb_wait_front(c_{cb}, {n}) but only "
                           f"{len(self.queues[cb])} pages were pushed: deadlock")

    def _cb_pop_front(self, cb, n):
        if len(self.queues[cb]) < n:
            raise SimError(f"{self.role}: cb_pop_front(c_{cb}, {n}) of {len(self.queues[cb])} pages")
        del self.queues[cb][:n]

    def _noc_async_read_page(self, tile_id, tensor, l1):
        r, c = self._tile(tensor, tile_id)
        cb, slot = self._slot(l1)
        self.pending[cb][slot] = self.tensors[tensor][r * TILE:(r + 1) * TILE, c * TILE:(c + 1) * TILE].copy()

    def _noc_async_write_page(self, tile_id, tensor, l1):
        r, c = self._tile(tensor, tile_id)
        cb, slot = self._slot(l1)
        self.tensors[tensor][r * TILE:(r + 1) * TILE, c * TILE:(c + 1) * TILE] = \
            _round(self.queues[cb][slot], self.tensor_dtype[tensor])

    # compute ------------------------------------------------------------------------------------
    def _front(self, cb, t):
        if t >= len(self.queues[cb]):
            raise SimError(f"compute reads page {t} of c_{cb} which holds {len(self.queues[cb])}")
        return self.queues[cb][t]

    def _tile_regs_acquire(self):
        self.dst = {}

    def _dst(self, d):
        return self.dst.get(d, np.zeros((TILE, TILE), np.float32))

    def _matmul_tiles(self, a, b, ta, tb, d):
        self.dst[d] = self._dst(d) + self._front(a, ta) @ self._front(b, tb)

    def _copy_tile(self, cb, t, d):
        self.dst[d] = self._front(cb, t).copy()

    def _binary_tiles(self, op, a, b, ta, tb, d):
        self.dst[d] = _BINARY[op](self._front(a, ta), self._front(b, tb))

    def _binary_dest_reuse_tiles(self, op, cb, t, d):
        self.dst[d] = _BINARY[op](self._dst(d), self._front(cb, t))

    def _unary_tile(self, op, d):
        self.dst[d] = _UNARY[op](self._dst(d))

    def _fill_tile(self, d, v):
        self.dst[d] = np.full((TILE, TILE), v, np.float32)

    def _pack_tile(self, d, cb):
        pend = self.pending[cb]
        slot = next((i for i, p in enumerate(pend) if p is None), None)
        if slot is None:
            raise SimError(f"pack_tile into c_{cb} without a reserved page")
        pend[slot] = _round(self._dst(d), str(self.cb_plan[cb]["dtype"]))


def run(mod, tensors):
    sim = Sim(mod, tensors)
    return sim.run(), sim
