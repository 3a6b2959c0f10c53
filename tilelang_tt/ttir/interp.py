"""A reference interpreter of TT-level TIR in numpy (written independently of the emulator's C++).

Runs each core's reader, then compute, then writer (sequentially, with unbounded CB queues), moving real
numpy tiles: NOC reads/writes address DRAM tensors by tile id, CBs hold pages in order, DST holds tiles.
It lets the tests check what the lowered IR *computes* (numerics against numpy), which tile ids it reads
and writes, and that every wait is satisfied, independent of the codegen and the emulator. Device
semantics it models besides plain math: the reduce scaler (row 0 of the scaler tile weights each
element along the reduced dimension), the reduce's output placement and packer mask (column 0 / row 0 /
[0, 0] until reduce_uninit), the broadcast of column 0 / row 0 / [0, 0], L1 words a reader stores into a
reserved page (little-endian, four 16x16 faces).
"""
from __future__ import annotations

import struct

import ml_dtypes
import numpy as np
import tvm
from tvm import tirx

from tilelang_tt import intrinsics as I

TILE = 32
_CB_STRIDE = 1 << 24   # fake L1 base of CB c: c * _CB_STRIDE (+ page offsets)



def _gmpool_max(x, axis=None):
    """The FPU MAX reduce's order (GMPOOL, tt-isa-documentation WormholeB0 GMPOOL.md: sign-magnitude keys): a
    NaN with a clear sign bit wins, one with the sign bit set loses to -inf; np.max would return any NaN."""
    x32 = np.asarray(x, np.float32)
    bits = x32.view(np.uint32).astype(np.int64)
    key = np.where(bits >> 31, -(bits & 0x7FFFFFFF), bits & 0x7FFFFFFF)
    idx = np.expand_dims(np.argmax(key, axis=axis), axis) if axis is not None else np.argmax(key)
    return (np.take_along_axis(x32, idx, axis=axis).squeeze(axis) if axis is not None
            else x32.reshape(-1)[idx]).astype(np.asarray(x).dtype)

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
          "silu": _silu, "rsqrt": lambda x: 1.0 / np.sqrt(x), "log": np.log, "exp2": np.exp2}
_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply}
_SCALAR = {"add": lambda x, s: x + s, "sub": lambda x, s: x - s, "mul": lambda x, s: x * s,
           "div": lambda x, s: x / s, "rsub": lambda x, s: s - x}


def _faces_to_tile(raw: bytes, dtype: str) -> np.ndarray:
    """A tile page's bytes (four 16x16 faces TL, TR, BL, BR, each row-major) as a 32x32 array."""
    if dtype == "bfloat16":
        vals = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        vals = np.frombuffer(raw, dtype="<f4")
    faces = vals.reshape(2, 2, 16, 16)              # (face row, face col, r, c)
    return faces.transpose(0, 2, 1, 3).reshape(32, 32).astype(np.float32)


def _tile_to_faces(tile: np.ndarray, dtype: str) -> bytes:
    """The inverse of _faces_to_tile: a 32x32 array as a tile page's bytes in face order."""
    faces = np.asarray(tile, np.float32).reshape(2, 16, 2, 16).transpose(0, 2, 1, 3).reshape(-1)
    if dtype == "bfloat16":
        return (faces.view(np.uint32) >> 16).astype("<u2").tobytes()
    return faces.astype("<f4").tobytes()


class _RawPage:
    """A reserved page a reader fills word by word (l1_store_u32)."""

    def __init__(self, nbytes: int):
        self.data = bytearray(nbytes)


class Sim:
    def __init__(self, mod, tensors: dict):
        from tilelang_tt.codegen import device_program

        self.program = device_program(mod)
        self.funcs = self.program.funcs
        self.cb_plan = {cb.index: cb.to_dict() for cb in self.program.cbs}
        # vectors ((R, 1), (1, C), (1, 1)) are padded with zeros to whole tiles, as the host does
        self.shapes = {k: np.shape(v) for k, v in tensors.items()}
        # padded as the device stores them: whole tiles, as far as the last block reaches (tt.AnnotateLayouts)
        device = {t.name: tuple(t.device_shape) for t in self.program.tensors}
        self.tensors = {k: self._pad(np.array(v, dtype=np.float32), device.get(k)) for k, v in tensors.items()}
        self.tensor_dtype = {t.name: t.dtype for t in self.program.tensors}
        # a block-float tensor holds what the host packed (option storage): its values quantised once;
        # the unpacker reads them back into bf16 source registers exactly
        for t in self.program.tensors:
            if t.block_float and t.name in self.tensors:
                from tilelang_tt.blockfloat import quantize
                self.tensors[t.name] = quantize(self.tensors[t.name], t.data_format)
        self.trace = []          # (core index, role, event, details)

    # ------------------------------------------------------------------------------------------
    def run(self):
        """Every core of the (naive) program in row-major order: reader, compute, writer."""
        for core, xy in enumerate(self.program.cores):
            self.queues = {c: [] for c in self.cb_plan}
            self.pending = {c: [] for c in self.cb_plan}
            self.core = core
            for role in ("reader", "compute", "writer"):
                self.run_kernel(role, xy)
            for c, q in self.queues.items():
                if q:
                    raise SimError(f"core {core}: CB c_{c} still holds {len(q)} pages after all kernels")
        return {k: v[:self.shapes[k][0], :self.shapes[k][1]] for k, v in self.tensors.items()}

    def run_kernel(self, role, xy):
        """One kernel on core xy with its runtime arguments, against the current CB queues (a data mover
        of any schedule runs alone too: calls without a data effect, such as semaphores, are traced only)."""
        values = self.program.kernel_named(role).runtime_args[xy]
        self.args = [("addr", v[5:]) if isinstance(v, str) and v.startswith("addr:") else v for v in values]
        self.role = role
        self.accessors = {}
        self.dst = None
        self.exec(self.funcs[role].body, {})

    @staticmethod
    def _pad(a, device_shape=None):
        r, c = a.shape
        out = np.zeros(device_shape or (-(-r // TILE) * TILE, -(-c // TILE) * TILE), np.float32)
        out[:r, :c] = a
        return out

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
        elif isinstance(s, tirx.IfThenElse):
            if self.eval(s.condition, env):
                self.exec(s.then_case, env)
            elif s.else_case is not None:
                self.exec(s.else_case, env)
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
        ops.update({tirx.LT: lambda a, b: a < b, tirx.LE: lambda a, b: a <= b, tirx.GT: lambda a, b: a > b,
                    tirx.GE: lambda a, b: a >= b, tirx.EQ: lambda a, b: a == b, tirx.NE: lambda a, b: a != b,
                    tirx.And: lambda a, b: a and b, tirx.Or: lambda a, b: a or b,
                    tirx.BitwiseAnd: lambda a, b: a & b, tirx.BitwiseOr: lambda a, b: a | b})
        for cls, fn in ops.items():
            if isinstance(e, cls):
                return fn(self.eval(e.a, env), self.eval(e.b, env))
        if isinstance(e, tirx.Not):
            return not self.eval(e.a, env)
        if isinstance(e, tirx.Select):    # a reader's mask word (analysis/masks.py)
            return self.eval(e.true_value if self.eval(e.condition, env) else e.false_value, env)
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

    def _l1_store_u32(self, l1, value):
        self._l1_store(l1, struct.pack("<I", value & 0xFFFFFFFF), "l1_store_u32")

    def _l1_store_u16(self, l1, value):
        self._l1_store(l1, struct.pack("<H", value & 0xFFFF), "l1_store_u16")

    def _l1_store(self, l1, data: bytes, what: str):
        """A store into a reserved page: a constant tile built word by word (the scaler), or a page the NOC
        has filled (the -inf mask over a loaded block's padding), edited in its face layout."""
        cb, off = divmod(l1, _CB_STRIDE)
        page = int(self.cb_plan[cb]["page_bytes"])
        slot, byte = divmod(off, page)
        if byte % len(data):
            raise SimError(f"{what} at an unaligned address in CB c_{cb}")
        pend = self.pending[cb]
        if slot >= len(pend):
            raise SimError(f"{what} into page {slot} of c_{cb}, which is not reserved")
        if isinstance(pend[slot], np.ndarray):
            raw = _RawPage(page)
            raw.data[:] = _tile_to_faces(pend[slot], str(self.cb_plan[cb]["dtype"]))
            pend[slot] = raw
        elif not isinstance(pend[slot], _RawPage):
            pend[slot] = _RawPage(page)
        pend[slot].data[byte:byte + len(data)] = data

    def _cb_push_back(self, cb, n):
        pend = self.pending[cb]
        for i, p in enumerate(pend[:n]):
            if isinstance(p, _RawPage):
                pend[i] = _faces_to_tile(bytes(p.data), str(self.cb_plan[cb]["dtype"]))
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
        if not hasattr(self, "pack_mask"):
            self.pack_mask = None

    def _dst(self, d):
        return self.dst.get(d, np.zeros((TILE, TILE), np.float32))

    def _matmul_tiles(self, a, b, ta, tb, d, transpose):
        tile_b = self._front(b, tb)
        self.dst[d] = self._dst(d) + self._front(a, ta) @ (tile_b.T if transpose else tile_b)

    def _copy_tile(self, cb, t, d):
        self.dst[d] = self._front(cb, t).copy()

    def _binary_tiles(self, op, a, b, ta, tb, d):
        self.dst[d] = _BINARY[op](self._front(a, ta), self._front(b, tb))

    def _binary_dest_reuse_tiles(self, op, cb, t, d):
        self.dst[d] = _BINARY[op](self._dst(d), self._front(cb, t))

    def _unary_tile(self, op, d):
        with np.errstate(all="ignore"):      # a vector tile's unused positions may hold 0 (1/0 = inf there)
            self.dst[d] = _UNARY[op](self._dst(d)).astype(np.float32)

    def _fill_tile(self, d, v):
        self.dst[d] = np.full((TILE, TILE), v, np.float32)

    def _reduce_init(self, pool, dim, icb, scb, ocb):
        self.pack_mask = dim

    def _reduce_uninit(self, icb):
        self.pack_mask = None

    def _reduce_tile(self, pool, dim, icb, scb, t, st, d):
        x = self._front(icb, t).astype(np.float64)
        s = self._front(scb, st).astype(np.float64)
        # data face f is weighted by row 0 of scaler face f, at the element's position in the face along
        # the reduced dimension (the emulator's tt_emu_reduce_tile, as tt-metal's LLKs do)
        w_cols = s[[0] * 16 + [16] * 16]                 # (r, c): row 0 of r's face row, at column c
        w_rows = np.stack([np.concatenate([s[(r // 16) * 16, r % 16] * np.ones(16),
                                           s[(r // 16) * 16, 16 + r % 16] * np.ones(16)]) for r in range(32)])
        f = {"SUM": np.sum, "MAX": _gmpool_max, "MIN": np.min}[pool]
        if dim == "REDUCE_ROW":
            part, at = f(x * w_cols, axis=1), np.s_[:, 0]
        elif dim == "REDUCE_COL":
            part, at = f(x * w_rows, axis=0), np.s_[0, :]
        else:                                            # rows, then the column of row results
            part, at = f(f(x * w_cols, axis=1) * w_rows[:, 0]), np.s_[0, 0]
        old = self.dst.get(d)
        new = np.zeros((TILE, TILE), np.float32) if old is None else old.copy()
        if old is None or pool == "SUM":
            new[at] = (new[at] if pool == "SUM" else 0) + part
        else:
            new[at] = _gmpool_max(np.stack([new[at], part]), axis=0) if pool == "MAX" else np.minimum(new[at], part)
        self.dst[d] = new.astype(np.float32)

    def _bcast_tiles(self, op, dim, c0, c1, t0, t1, d):
        b = self._front(c1, t1)
        b = b[:, :1] if dim == "cols" else b[:1, :] if dim == "rows" else b[0, 0]
        self.dst[d] = _BINARY[op](self._front(c0, t0), b).astype(np.float32)

    def _scalar_tile(self, op, d, bits):
        s = np.float32(struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0])
        self.dst[d] = _SCALAR[op](self._dst(d), s).astype(np.float32)

    def _sfpu_binary_tile(self, op, d0, d1, od):
        self.dst[od] = (np.maximum if op == "max" else np.minimum)(self._dst(d0), self._dst(d1))

    def _where_tile(self, fmt, c, t, f, od):
        """The SFPU select: the condition datum's bits against 0 (-0.0 is true), as ckernel_sfpu_where.h."""
        cond = self._dst(c)
        self.dst[od] = np.where((cond != 0) | np.signbit(cond), self._dst(t), self._dst(f)).astype(np.float32)

    def _pack_tile(self, d, cb):
        pend = self.pending[cb]
        slot = next((i for i, p in enumerate(pend) if p is None), None)
        if slot is None:
            raise SimError(f"pack_tile into c_{cb} without a reserved page")
        tile = self._dst(d)
        if getattr(self, "pack_mask", None) is not None:    # the reduce's packer mask
            keep = np.zeros((TILE, TILE), bool)
            keep[{"REDUCE_ROW": np.s_[:, 0], "REDUCE_COL": np.s_[0, :], "REDUCE_SCALAR": np.s_[0, 0]}[self.pack_mask]] = 1
            tile = np.where(keep, tile, np.float32(0))
        pend[slot] = _round(tile, str(self.cb_plan[cb]["dtype"]))


def run(mod, tensors):
    sim = Sim(mod, tensors)
    return sim.run(), sim
