"""Hypothesis strategies that draw fuzz cases (hypothesis is in the `test` extra; only the fuzzer and
the tests import this module, reproducers do not).

The space is chosen so that most kernels compile (block shapes within DST and L1, grids from one core
to more blocks than the device has) and a fraction are outside what the compiler lowers, which must
be rejected with a typed error that names the kernel.
"""
from __future__ import annotations

from hypothesis import strategies as st

from .case import Case
from .inputs import SCALES
from .kernels import BINARY_OPS, BINARY_STEPS, FAMILIES, MAX_STEPS, UNARY_OPS

DTYPES = ("bfloat16", "float32")
TARGETS = ("tenstorrent", "tenstorrent/blackhole")
# Kernel names users give: plain, and the hostile ones generated C++ and file names must survive.
NAMES = ("fuzz_kernel", "main", "k", "matmul", "class", "int", "new", "kernel_main", "ünïcode_kernel",
         "with space", "quote\"d", "it's", "a/b", "../up", "semi;colon", "back\\slash", "x" * 120,
         "1starts_with_digit", "dash-name", "tab\tname", "line\nbreak", "$dollar", "percent%d")
BLOCK = st.sampled_from((32, 64, 96, 128))


# Hypothesis draws integers with a strong bias to their bounds (a third of integers(0, 24) are 0);
# sampled_from is close to uniform, so choices with an intended frequency use it.
def _uniform(draw, lo, hi):
    return draw(st.sampled_from(range(lo, hi + 1)))


def _one_in(draw, n):
    return _uniform(draw, 1, n) == 1


@st.composite
def options(draw):
    opts = {"target": draw(st.sampled_from(TARGETS))}
    if _one_in(draw, 2):
        opts["core_policy"] = draw(st.sampled_from(("contiguous", "2d_blocked")))
    if _one_in(draw, 4):
        opts["max_cores"] = _uniform(draw, 1, 130)
    if _one_in(draw, 4):
        opts["cb_depth"] = _uniform(draw, 1, 4)
    if _one_in(draw, 5):
        opts["api_profile"] = draw(st.sampled_from(("E3", "E4")))
    if _one_in(draw, 5):
        opts["math_fidelity"] = draw(st.sampled_from(("LoFi", "HiFi2", "HiFi3", "HiFi4")))
    return opts


# The matmul schedules (docs/schedules.md); "auto" is the default and drawn by leaving the option out.
MATMUL_SCHEDULES = ("naive", "blocked", "subblocked", "multicast")


def _divisor(draw, n):
    return draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))


def _full_schedule(draw, params):
    """A fully specified matmul schedule, mostly a legal one (blocks within the problem, a grid that
    gives every core a block, subblocks within DST, l1_acc only with more than two K blocks)."""
    mt, nt, kt = _tiles(params)
    variant = draw(st.sampled_from(MATMUL_SCHEDULES[1:]))
    pm, pn = _uniform(draw, 1, min(6, mt)), _uniform(draw, 1, min(6, nt))
    grid = [_uniform(draw, 1, min(8, -(-nt // pn))), _uniform(draw, 1, min(8, -(-mt // pm)))]
    w = _divisor(draw, kt)
    cap = 4 if params["accum"] == "float32" else 8
    sh, sw = 1, 1
    if variant != "blocked":
        sh = draw(st.sampled_from([d for d in range(1, pm + 1) if pm % d == 0 and d <= cap]))
        sw = draw(st.sampled_from([d for d in range(1, pn + 1) if pn % d == 0 and sh * d <= cap]))
    opts = {"schedule": variant, "grid": grid, "per_core_m": pm, "per_core_n": pn, "in0_block_w": w,
            "subblock_h": sh, "subblock_w": sw}
    if _one_in(draw, 2):
        opts["partials"] = draw(st.sampled_from(("reload", "l1_acc") if kt // w > 2 else ("reload",)))
    return opts


@st.composite
def schedule_options(draw, family, params):
    """({options}, expect, partial): for matmul kernels a schedule, a partial-sum strategy and overrides
    of the chooser's grid, blocks, K block and subblocks, each sometimes (overrides the schedule cannot
    run must be rejected naming the kernel); one in five a fully specified schedule with the fields a
    partial request keeps of it (`partial`: that request must compile whenever the full one does); for
    other kernels, rarely, a matmul-only schedule, which must be rejected."""
    opts = {}
    if family != "matmul":
        if _one_in(draw, 12):
            opts["schedule"] = draw(st.sampled_from(MATMUL_SCHEDULES[1:]))
            return opts, "rejected", None
        return opts, None, None
    if _one_in(draw, 5):
        opts = _full_schedule(draw, params)
        keep = [k for k in opts if _one_in(draw, 2)]
        return opts, None, keep
    if not _one_in(draw, 3):
        opts["schedule"] = draw(st.sampled_from(MATMUL_SCHEDULES))
    if _one_in(draw, 3):
        opts["partials"] = draw(st.sampled_from(("reload", "l1_acc")))
    if opts.get("schedule") != "naive" and _one_in(draw, 2):
        # mostly within the problem (blocks of at most its tiles, K blocks that divide K, grids of the
        # smaller chip); one in six anywhere
        mt, nt, kt = _tiles(params)
        wild = _one_in(draw, 6)
        if _one_in(draw, 2):
            opts["per_core_m"] = _uniform(draw, 1, 6 if wild else min(6, mt))
        if _one_in(draw, 2):
            opts["per_core_n"] = _uniform(draw, 1, 6 if wild else min(6, nt))
        if _one_in(draw, 3):
            opts["in0_block_w"] = _uniform(draw, 1, 4) if wild else _divisor(draw, kt)
        if _one_in(draw, 3):      # mostly subblocks that divide a fixed block, sometimes any
            exact = not _one_in(draw, 4)
            opts["subblock_h"] = _divisor(draw, opts["per_core_m"]) if exact and "per_core_m" in opts \
                else _uniform(draw, 1, 2)
            opts["subblock_w"] = _divisor(draw, opts["per_core_n"]) if exact and "per_core_n" in opts \
                else _uniform(draw, 1, 4)
        if _one_in(draw, 3):
            opts["grid"] = [_uniform(draw, 1, 12), _uniform(draw, 1, 10)] if wild else \
                [_uniform(draw, 1, min(8, nt)), _uniform(draw, 1, min(8, mt))]
    return opts, None, None


# Option values of the wrong type or range: the case must be rejected (TTTargetError naming the kernel).
BAD_OPTIONS = (("cb_depth", 1.5), ("cb_depth", 0), ("max_cores", "4"), ("max_cores", -1), ("max_cores", True),
               ("core_policy", "diagonal"), ("math_fidelity", "HiFi5"), ("cb_depth", "2"),
               ("schedule", "fastest"), ("partials", "dram"), ("per_core_m", 0), ("in0_block_w", 2.5),
               ("grid", [4]), ("grid", [0, 2]), ("subblock_w", "2"))


@st.composite
def input_sets(draw, n_max=3):
    n = _uniform(draw, 1, n_max)
    return [{"scale": draw(st.sampled_from(SCALES)), "seed": draw(st.integers(0, 2 ** 16))} for _ in range(n)]


def _tiles(params) -> tuple[int, int, int]:
    """(M, N, K) in tiles as the device stores them: ragged dimensions padded to whole blocks."""
    def padded(size, block):
        return -(-size // block) * block // 32
    return (padded(params["M"], params["bm"]), padded(params["N"], params["bn"]),
            padded(params["K"], params["bk"]))


def _ragged(draw, size: int) -> int:
    """One in three: `size` cut short by 1..31 elements (a dimension that is not whole tiles, so the last
    block runs past the end and the device pads it), never below one element."""
    if size > 1 and _one_in(draw, 3):
        return size - _uniform(draw, 1, min(31, size - 1))
    return size


def _block(draw, accum):
    """(bm, bn): mostly within the DST capacity of the accumulator (4 fp32 / 8 bf16 tiles in half-sync),
    sometimes past it (a TTResourceError)."""
    bm, bn = draw(BLOCK), draw(BLOCK)
    if not _one_in(draw, 5):
        cap = 4 if accum == "float32" else 8
        while (bm // 32) * (bn // 32) > cap:
            bm, bn = (bm - 32, bn) if bm >= bn else (bm, bn - 32)
    return bm, bn


@st.composite
def matmul_params(draw):
    accum = draw(st.sampled_from(DTYPES))
    (bm, bn), bk = _block(draw, accum), draw(BLOCK)
    gx, gy = _uniform(draw, 1, 12), _uniform(draw, 1, 12)
    gx = min(gx, max(1, 768 // bn))
    gy = min(gy, max(1, 768 // bm))
    kt = _uniform(draw, 1, 4)
    dtype = draw(st.sampled_from(DTYPES))
    # which tensor the binary steps read: an extra input D, or the residual forms reading C itself, A
    # (then K = N) or B (then K = M); the K block stays a divisor of K
    operand = draw(st.sampled_from(("D", "D", "D", "C", "C", "A", "B", "R", "R")))
    K = bk * kt
    if operand == "A":
        K, bk = bn * gx, bn
    elif operand == "B":
        K, bk = bm * gy, bm
    epi = draw(st.lists(st.sampled_from(("bias", "relu") + UNARY_OPS + (("sub", "mul") if operand != "D" else ())),
                        max_size=3))
    if operand != "D" and not any(s in BINARY_STEPS for s in epi):
        epi.insert(_uniform(draw, 0, len(epi)), draw(st.sampled_from(tuple(BINARY_STEPS))))
    p = {"M": bm * gy, "N": bn * gx, "K": K, "bm": bm, "bn": bn, "bk": bk, "dtype": dtype,
         "accum": accum, "out": draw(st.sampled_from((dtype, "bfloat16", "float32"))), "epilogue": epi}
    if operand in ("D", "C", "R"):      # the A / B forms need K equal to N / M: kept whole
        p["M"], p["N"], p["K"] = _ragged(draw, p["M"]), _ragged(draw, p["N"]), _ragged(draw, p["K"])
    if operand != "D":
        p["operand"] = operand
    if operand != "B" and _one_in(draw, 4):    # B stored (N, K) (B read by the epilogue keeps (K, N))
        p["transpose_b"] = True
    return p


@st.composite
def eltwise_params(draw):
    local = draw(st.sampled_from(DTYPES))
    bm, bn = _block(draw, local)
    gx, gy = _uniform(draw, 1, 12), _uniform(draw, 1, 12)
    gx = min(gx, max(1, 1024 // bn))
    gy = min(gy, max(1, 1024 // bm))
    first_kind = draw(st.sampled_from(("copy", "unary", "binary")))
    if first_kind == "copy":
        first = ["copy"]
    elif first_kind == "unary":
        first = ["unary", draw(st.sampled_from(UNARY_OPS))]
    else:
        lhs, rhs = draw(st.sampled_from(("XX", "XY", "YX")))   # X_s is always read (an unread CB is an error)
        first = ["binary", draw(st.sampled_from(BINARY_OPS)), lhs, rhs]
    step = st.one_of(st.tuples(st.just("unary"), st.sampled_from(UNARY_OPS)),
                     st.tuples(st.just("reuse"), st.sampled_from(BINARY_OPS)),
                     st.tuples(st.just("reuse_swapped"), st.sampled_from(("add", "mul"))))
    steps = [list(s) for s in draw(st.lists(step, max_size=MAX_STEPS))]
    uses_y = "Y" in first[2:] or any(k != "unary" for k, _ in steps)
    x_dtype = draw(st.sampled_from(DTYPES))
    return {"M": _ragged(draw, bm * gy), "N": _ragged(draw, bn * gx), "bm": bm, "bn": bn, "x_dtype": x_dtype,
            "y_dtype": draw(st.sampled_from(DTYPES)) if uses_y else None,
            "local": local, "out": draw(st.sampled_from(DTYPES)),
            "first": first, "steps": steps}


PRE_STEPS = (("scale", 0.5), ("scale", -2.0), ("shift", 1.5), ("shift", -3.0), ("square",), ("relu",), ("exp",))
POSTS = ("stat", "stat", "bcast_add", "bcast_sub", "bcast_mul", "softmax", "softmax")


@st.composite
def reduce_params(draw):
    """A reduction over rows, columns or both of a block that spans the reduced axis (whole tiles), after
    0..2 element-wise steps, feeding the output directly, a broadcast back onto the block, or a
    softmax-like chain; the reduced axis is ragged two times in three (N < 32 included), the kept one
    through the grid's last block."""
    axis = draw(st.sampled_from(("row", "col", "all")))
    b = draw(st.sampled_from((32, 64)))
    reduced = 32 * _uniform(draw, 1, 5 if axis != "all" else 3)
    if not _one_in(draw, 3):
        reduced -= _uniform(draw, 1, 31)
    kept = _ragged(draw, b * _uniform(draw, 1, 4)) if axis != "all" else _uniform(draw, 1, 96)
    M, Nn = (kept, reduced) if axis == "row" else (reduced, kept)
    pre = [list(s) for s in draw(st.lists(st.sampled_from(PRE_STEPS), max_size=2))]
    post = draw(st.sampled_from(POSTS))
    # a softmax-like chain subtracts the max four times in five (x - sum then exp then sum has padding
    # exp(0 - sum) that may overflow: mostly a rejection, analysis/padding.py)
    # (Tx.min, lowered as -max(-x), feeds no softmax: exp(x - min) overflows by design)
    op = "max" if post == "softmax" and not _one_in(draw, 5) else \
        draw(st.sampled_from(("sum", "max") if post == "softmax" else ("sum", "max", "min")))
    return {"M": M, "N": Nn, "b": b, "axis": axis, "x_dtype": draw(st.sampled_from(DTYPES)), "pre": pre,
            "op": op, "post": post, "out": "float32" if post == "stat" else draw(st.sampled_from(DTYPES)),
            "local": "float32"}


PARAMS = {"matmul": matmul_params, "eltwise": eltwise_params, "reduce": reduce_params}


@st.composite
def storage_options(draw, family, params):
    """({"storage": ...}, expect): one in five kernels stores some of its bf16 inputs as block-float
    (docs/schedules.md "Block-float storage"; the reference computes with the quantised values); one in
    thirty declares the output C (written: must be rejected naming the kernel)."""
    if _one_in(draw, 30):
        return {"storage": {"C": draw(st.sampled_from(("bfp8_b", "bfp4_b")))}}, "rejected"
    inputs = [n for n, _, dtype in FAMILIES[family].inputs(params) if dtype == "bfloat16" and n != "C"]
    if not inputs or not _one_in(draw, 5):
        return {}, None
    names = [n for n in inputs if _one_in(draw, 2)] or [inputs[-1]]
    return {"storage": {n: draw(st.sampled_from(("bfp8_b", "bfp4_b"))) for n in names}}, None


@st.composite
def cases(draw, families=None):
    family = draw(st.sampled_from(families or tuple(PARAMS)))
    name = draw(st.sampled_from(NAMES)) if _one_in(draw, 6) else "fuzz_kernel"
    params = draw(PARAMS[family]())
    opts = draw(options())
    sched, expect, partial = draw(schedule_options(family, params))
    opts.update(sched)
    if expect is None:
        storage, expect = draw(storage_options(family, params))
        opts.update(storage)
    if _one_in(draw, 25):
        key, value = draw(st.sampled_from(BAD_OPTIONS))
        opts[key], expect = value, "rejected"
    return Case(family, params, opts, name, draw(input_sets()), expect, partial)


# The element-wise breadth family (kernels._breadth_build): immediates are exact in bf16 and fp32, none 0
# (a divisor).
IMMEDIATES = (0.5, -2.0, 3.0, 0.25, -1.0, 1.5)
BREADTH_OPS = ("fma", "maximum", "minimum", "fdiv", "add", "sub", "mul", "exp2", "log2", "log", "rsqrt", "cast",
               "select")
# Tx.select predicates on the global coordinates (kernels.select_predicate): causal with an offset, a band, a
# residue of the column; a fill drawn from the immediates or -inf
SELECT_MASKS = ("causal", "band", "stride")


def _breadth_step(draw, cur_fmt, local):
    """One step [op, to, *args] reading the current value; the formats decide what a cast may do."""
    op = draw(st.sampled_from(BREADTH_OPS))
    tensor = st.sampled_from(("X", "Y"))
    imm = st.sampled_from(IMMEDIATES)
    if op == "cast":
        # into a shared buffer of the other format, or from a shared one into the local of another
        other = "float32" if cur_fmt == "bfloat16" else "bfloat16"
        if cur_fmt != "local" and cur_fmt != local and _one_in(draw, 2):
            return ["cast", "local", "cur"]
        if cur_fmt == "local":
            other = "float32" if local == "bfloat16" else "bfloat16"
        return ["cast", other, "cur"]
    to = draw(st.sampled_from(("bfloat16", "float32"))) if _one_in(draw, 3) else "local"
    if op in ("exp2", "log2", "log", "rsqrt"):
        return [op, to, "cur"]
    if op == "select":
        kind = draw(st.sampled_from(SELECT_MASKS))
        k = {"causal": st.integers(-40, 40), "band": st.integers(0, 40), "stride": st.integers(2, 5)}[kind]
        other = draw(tensor) if _one_in(draw, 2) else draw(st.sampled_from(IMMEDIATES + (float("-inf"),)))
        args = ["cur", other] if _one_in(draw, 2) else [other, "cur"]
        return [op, to] + args + [[kind, draw(k)]]
    if op == "fma":
        scale = draw(tensor) if _one_in(draw, 2) else draw(imm)
        bias = draw(tensor) if _one_in(draw, 2) else draw(imm)
        return [op, to, "cur", scale, bias]
    if op in ("maximum", "minimum"):
        args = ["cur", draw(tensor)]
    elif _one_in(draw, 2):            # a scalar operand: either side for add / sub / mul, divisor for fdiv
        args = ["cur", draw(imm)]
        if op != "fdiv" and _one_in(draw, 2):
            args.reverse()
        return [op, to] + args
    else:
        args = ["cur", draw(tensor)]
    if _one_in(draw, 2):
        args.reverse()
    return [op, to] + args


@st.composite
def breadth_params(draw):
    """1..4 steps of the element-wise ops beyond add / sub / mul (docs/ops.md "Broadcasts, scalars, other
    element-wise ops"), each in place on the local or into a fresh shared buffer read by the next step,
    over ragged shapes (the padding is cropped)."""
    local = draw(st.sampled_from(DTYPES))
    bm, bn = _block(draw, local)
    gx, gy = _uniform(draw, 1, 6), _uniform(draw, 1, 6)
    x_dtype = draw(st.sampled_from(DTYPES))
    steps, fmt = [], x_dtype          # fmt: where the current value lives ("local" or a CB format)
    for _ in range(_uniform(draw, 1, MAX_STEPS)):
        step = _breadth_step(draw, fmt, local)
        steps.append(step)
        fmt = step[1]
    uses_y = any("Y" in s[2:4 if s[0] == "select" else None] for s in steps)
    return {"M": _ragged(draw, bm * gy), "N": _ragged(draw, bn * gx), "bm": bm, "bn": bn, "x_dtype": x_dtype,
            "y_dtype": draw(st.sampled_from(DTYPES)) if uses_y else None, "local": local,
            "out": draw(st.sampled_from(DTYPES)), "steps": steps}


PARAMS["breadth"] = breadth_params
