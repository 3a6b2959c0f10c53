"""Recognize a verified TileProgram as a matmul, so schedules other than the user's blocks may run it.

A kernel is a matmul when it computes exactly C = epilogue(A @ B) for global tensors A (M x K), B (K x N)
and C (M x N): every grid block (by, bx) zeroes one local accumulator, loops k over K / bk loading
A[by*bm : +bm, k*bk : +bk] and B[k*bk : +bk, bx*bn : +bn] into shared buffers and accumulates
`Tx.gemm(acc, A_s, B_s, acc, beta=1)` (or a single beta=0 gemm when K = bk), then applies element-wise
ops to the accumulator (Tx.add/sub/mul with a shared block loaded from a tensor D[by*bm.., bx*bn..]
of C's shape, or from a (1, N) row vector Bias[0:1, bx*bn..] broadcast over the rows; unary ops in place) and copies it (possibly through one Tx.cast) to C[by*bm.., bx*bn..].
With `transpose_B=True` B is stored (N, K) (a linear layer's weight, attention's K): the loads read
B[bx*bn : +bn, k*bk : +bk] and `MatmulSpec.transpose_b` tells the schedules to read B's tiles by their
(n, k) ids and let the unpacker transpose each one.
Because the regions tile M, N and K exactly once, the result does not depend on the block sizes, and
the compiler may choose its own. Anything else keeps the user's blocks (the naive schedule); `recognize`
says why in one sentence.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from tvm import tirx

from ..frontend.ops import UNARY_POST_SCALE, info
from tvm.sym.analyzer import Analyzer

from ..frontend.program import Loop, TileOp, scalar_value, static_shape


@dataclass(frozen=True)
class EpilogueOp:
    kind: str                  # binary | unary
    op: str                    # tt op name (add, sub, mul / exp, relu, ...)
    tensor: str | None = None  # the global tensor of a binary op's other operand
    bcast: str = ""            # "rows": the tensor is a (1, N) row added to every row of C; "": C's shape

    def to_dict(self) -> dict:
        return {"kind": self.kind, "op": self.op, "tensor": self.tensor or "", "bcast": self.bcast}

    @classmethod
    def from_dict(cls, d) -> "EpilogueOp":
        return cls(str(d["kind"]), str(d["op"]), str(d["tensor"]) or None, str(d.get("bcast", "")))


@dataclass(frozen=True)
class MatmulSpec:
    a: str
    b: str
    c: str
    m: int
    n: int
    k: int
    in_dtype: str              # A and B
    out_dtype: str             # C
    acc_dtype: str             # the local accumulator (float32 -> fp32 DST accumulation)
    epilogue: tuple = ()       # EpilogueOp
    user_block: tuple = ()     # (bm, bn, bk) as written
    transpose_b: bool = False  # B stored (N, K); the unpacker transposes every in1 tile

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "c": self.c, "m": self.m, "n": self.n, "k": self.k,
                "in_dtype": self.in_dtype, "out_dtype": self.out_dtype, "acc_dtype": self.acc_dtype,
                "epilogue": [e.to_dict() for e in self.epilogue], "user_block": list(self.user_block),
                **({"transpose_b": True} if self.transpose_b else {})}     # (absent: B is (K, N))

    @classmethod
    def from_dict(cls, d) -> "MatmulSpec":
        return cls(str(d["a"]), str(d["b"]), str(d["c"]), int(d["m"]), int(d["n"]), int(d["k"]),
                   str(d["in_dtype"]), str(d["out_dtype"]), str(d["acc_dtype"]),
                   tuple(EpilogueOp.from_dict(e) for e in d["epilogue"]), tuple(int(x) for x in d["user_block"]),
                   bool(d.get("transpose_b", False)))

    @property
    def fp32_acc(self) -> bool:
        return self.acc_dtype == "float32"

    @cached_property
    def epilogue_tensors(self) -> tuple:
        """The tensors the epilogue reads, each once (one CB each, however often it is used)."""
        return tuple(dict.fromkeys(e.tensor for e in self.epilogue if e.tensor))

    @cached_property
    def row_tensors(self) -> tuple:
        """The epilogue tensors that are (1, N) rows (one tile row per block column, broadcast)."""
        return tuple(dict.fromkeys(e.tensor for e in self.epilogue if e.tensor and e.bcast == "rows"))

    @cached_property
    def block_tensors(self) -> tuple:
        """The epilogue tensors of C's shape."""
        return tuple(t for t in self.epilogue_tensors if t not in self.row_tensors)


class _NotMatmul(Exception):
    pass


def _need(cond, why):
    if not cond:
        raise _NotMatmul(why)


def recognize(program) -> tuple[MatmulSpec | None, str]:
    """(MatmulSpec, "") when the program is a matmul, else (None, the reason it is not)."""
    try:
        return _recognize(program), ""
    except _NotMatmul as e:
        return None, str(e)


def _zero(an, e) -> bool:
    e = an.simplify(e)
    return isinstance(e, tirx.IntImm) and int(e) == 0


def _tiled(an, start, ext: int, size: int, var, extent: int, what: str) -> None:
    """The region [start, start + ext) of a dimension of `size` walks it exactly once as `var` runs
    over `extent` values: start == var * ext and ext * extent == size (or one block covering it)."""
    _need(ext * extent == size, f"{what} is covered by {extent} blocks of {ext}, not exactly its {size}")
    # with one block the start is 0, written either as 0 or as var * ext (var then only takes 0: a K
    # loop or a grid axis of extent 1)
    ok = _zero(an, start) or (var is not None and _zero(an, start - var * ext))
    _need(ok, f"{what} starts at {start}, not at " + ("0" if extent == 1 else f"{getattr(var, 'name', var)} * {ext}"))


def _is_row(p, d, c_g) -> bool:
    """d is a (1, N) row vector of C's width (its device shape is one padded tile row)."""
    return static_shape(d.buf)[0] == 1 and static_shape(d.buf)[1] == static_shape(c_g.buf)[1] \
        and p.shape(d.buf)[1] == p.shape(c_g.buf)[1]


def _recognize(p) -> MatmulSpec:
    items = list(p.body)
    _need(items, "the kernel body is empty")
    # [fill] ; K loop (or top-level copies + gemm) ; epilogue ; copy out
    fill = None
    if isinstance(items[0], TileOp) and items[0].kind == "fill":
        fill = items.pop(0)
        _need(fill.operands[1].value == 0.0, "the accumulator is filled with a non-zero value")
    loops = [i for i, it in enumerate(items) if isinstance(it, Loop)]
    _need(len(loops) <= 1, "the kernel has more than one loop")
    if loops:
        _need(loops[0] == 0, "tile ops precede the K loop")
        k_loop = items.pop(0)
        core = list(k_loop.body)
        _need(all(isinstance(x, TileOp) for x in core), "the K loop is nested")
        k_var, k_ext = k_loop.var, k_loop.extent
    else:
        gemm_at = [i for i, it in enumerate(items) if it.kind == "gemm"]
        _need(len(gemm_at) == 1, "there is no K loop and not exactly one gemm")
        core, items = items[:gemm_at[0] + 1], items[gemm_at[0] + 1:]
        k_var, k_ext = None, 1
    gemms = [x for x in core if x.kind == "gemm"]
    loads = [x for x in core if x.kind == "copy" and x.operands[1].kind == "global"]
    _need(len(gemms) == 1 and len(loads) == 2 and len(core) == 3 and core[-1].kind == "gemm",
          "the K step is not exactly two loads followed by one gemm")
    g = gemms[0]
    trans_b = bool(g.args[5])        # (transpose_A is refused by tt.VerifyInput)
    acc, a_s, b_s = g.operands[0], g.operands[1], g.operands[2]
    beta = scalar_value(g.args[7])
    _need(beta == 1.0 or (beta == 0.0 and k_ext == 1 and fill is None),
          "the gemm neither accumulates (beta=1) over the K loop nor is a single overwrite")
    if fill is not None:
        _need(fill.dst.is_(acc), "the fill targets another buffer than the gemm's accumulator")
    src = {ld.operands[0].name: ld.operands[1] for ld in loads}
    _need(a_s.name in src and b_s.name in src, "the gemm operands are not the two loaded shared buffers")
    a_g, b_g = src[a_s.name], src[b_s.name]
    bm, bk = static_shape(a_s.buf)
    bn = static_shape(b_s.buf)[0 if trans_b else 1]

    # epilogue on the accumulator, then the copy out
    out_copy = items.pop() if items else None
    _need(out_copy is not None and out_copy.kind == "copy" and out_copy.operands[0].kind == "global",
          "the kernel does not end with one copy of the accumulator to a global tensor")
    c_g, result = out_copy.operands[0], out_copy.operands[1]
    epilogue, cur, loaded = [], acc, {}
    for it in items:
        _need(isinstance(it, TileOp), "a loop follows the K loop")
        ops = it.operands
        if it.kind == "copy" and ops[0].kind == "shared" and ops[1].kind == "global":
            loaded[ops[0].name] = ops[1]
            continue
        entry = info(it)
        # the matmul epilogue applies one tt op per tile (binary_dest_reuse / unary_tile): Tx.fdiv (reciprocal
        # and multiply) and ops with a post-scale (Tx.log2) have no such form; the naive schedule lowers them
        _need(it.kind != "fdiv" and it.kind not in UNARY_POST_SCALE,
              f"Tx.{it.kind} in the epilogue is not one tile op")
        if entry is not None and entry.kind == "binary":
            _need(ops[0].is_(cur) and (ops[1].is_(cur) or ops[2].is_(cur)),
                  f"Tx.{it.kind} in the epilogue does not update the accumulator in place")
            other = ops[2] if ops[1].is_(cur) else ops[1]
            _need(it.kind != "sub" or ops[1].is_(cur), "the epilogue subtracts the accumulator from a tensor")
            _need(other.kind == "shared" and other.name in loaded,
                  f"Tx.{it.kind} in the epilogue reads {other.name}, not a block loaded from a tensor")
            d = loaded[other.name]
            row = _is_row(p, d, c_g)
            _need(row or (static_shape(d.buf) == static_shape(c_g.buf) and p.shape(d.buf) == p.shape(c_g.buf)),
                  f"{d.name} has neither the shape of C nor that of a (1, N) row")
            # one row, read once per block and applied by one broadcast pass through the stage CB, and
            # no C-shaped tensor beside it: the lowering and the model (perf/matmul.py) cover that epilogue
            _need(not row or not any(e.bcast for e in epilogue), f"the epilogue applies a second row ({d.name})")
            _need(not any(e.tensor for e in epilogue) or row == any(e.bcast for e in epilogue),
                  f"the epilogue mixes a (1, N) row and a tensor of C's shape ({d.name})")
            epilogue.append(EpilogueOp("binary", entry.tt_op, d.name, "rows" if row else ""))
        elif entry is not None and entry.kind == "unary":
            _need(ops[0].is_(cur) and ops[1].is_(cur), f"Tx.{it.kind} in the epilogue is not in place")
            epilogue.append(EpilogueOp("unary", entry.tt_op))
        elif it.kind == "cast":
            _need(ops[1].is_(cur) and ops[0].kind == "local", "the epilogue cast does not read the accumulator")
            cur = ops[0]
        else:
            raise _NotMatmul(f"Tx.{it.kind} in the epilogue is not element-wise on the accumulator")
    _need(result.is_(cur), "the copy out does not store the accumulator")

    # regions: which grid variable walks M and which walks N comes from C's region
    # the device's (padded, tt.AnnotateLayouts) shapes; the declared ones must agree too
    M, N = p.shape(c_g.buf)
    K = p.shape(a_g.buf)[1]
    (ml, nl), kl = static_shape(c_g.buf), static_shape(a_g.buf)[1]
    b_shape, b_declared = ((N, K), (nl, kl)) if trans_b else ((K, N), (kl, nl))
    _need(p.shape(a_g.buf) == (M, K) and p.shape(b_g.buf) == b_shape
          and static_shape(a_g.buf) == (ml, kl) and static_shape(b_g.buf) == b_declared,
          "A, B and C do not have the shapes (M, K), " + ("(N, K)" if trans_b else "(K, N)") + ", (M, N)")
    grid_vars = {tag: v for tag, (v, _) in p.grid.items()}
    extents = {v: e for _, (v, e) in p.grid.items()}
    an = Analyzer()               # a grid axis of one block: its variable is 0
    for v, e in extents.items():
        if e == 1:
            an.bind(v, tirx.IntImm(str(v.ty.dtype), 0))

    def walker(start, ext, size, what):
        """The grid variable walking this dimension (None when one block covers it)."""
        if ext == size:
            return None
        for v in grid_vars.values():
            if _zero(an, start - v * ext):
                return v
        raise _NotMatmul(f"{what} is not indexed by a grid variable times its extent")

    (cr, cre), (cc, cce) = c_g.ranges
    m_var = walker(cr, int(cre), M, "C's rows")
    n_var = walker(cc, int(cce), N, "C's columns")
    _need(m_var is None or n_var is None or not m_var.same_as(n_var), "one grid variable walks both M and N")
    used = [v for v in (m_var, n_var) if v is not None]
    for v, e in extents.items():
        _need(e == 1 or any(v.same_as(u) for u in used), f"grid axis {v.name} walks neither M nor N")
    m_ext = extents[m_var] if m_var is not None else 1
    n_ext = extents[n_var] if n_var is not None else 1
    _tiled(an, cr, bm, M, m_var, m_ext, "C's rows")
    _tiled(an, cc, bn, N, n_var, n_ext, "C's columns")
    (ar, _), (ac, _) = a_g.ranges
    (bk0, _), (bn0, _) = b_g.ranges
    b_k, b_n = "B's rows (K)", "B's columns"
    if trans_b:                   # B is (N, K): its rows walk N, its columns K
        (bn0, _), (bk0, _) = b_g.ranges
        b_k, b_n = "B's columns (K)", "B's rows (N)"
    _tiled(an, ar, bm, M, m_var, m_ext, "A's rows")
    _tiled(an, ac, bk, K, k_var, k_ext, "A's columns (K)")
    _tiled(an, bk0, bk, K, k_var, k_ext, b_k)
    _tiled(an, bn0, bn, N, n_var, n_ext, b_n)
    for name, d in loaded.items():
        (dr, dre), (dc, _) = d.ranges
        if _is_row(p, d, c_g):
            _need(_zero(an, dr) and int(dre) == 1, f"{d.name} is a row but the block reads rows other than 0")
        else:
            _tiled(an, dr, bm, M, m_var, m_ext, f"{d.name}'s rows")
        _tiled(an, dc, bn, N, n_var, n_ext, f"{d.name}'s columns")
    _need(str(a_g.buf.dtype) == str(b_g.buf.dtype), "A and B have different dtypes")
    return MatmulSpec(a_g.name, b_g.name, c_g.name, M, N, K, str(a_g.buf.dtype), str(c_g.buf.dtype),
                      str(acc.buf.dtype), tuple(epilogue), (bm, bn, bk), trans_b)
