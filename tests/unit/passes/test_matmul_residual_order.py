"""C = A @ B + C in the fast schedules: what the B-side kernels of every core do with C, traced from
the lowered TT-level IR (tile ids evaluated per core from its runtime arguments). Each core reads
exactly the C tiles it writes, no two cores write the same tile, every tile is written, and on each
core every C tile is read, and the read barriered, before that tile is written: the residual is read
before it is overwritten, on the device as on the emulator (whose fibers do not race)."""
import pytest
import tvm
from tvm import tirx

from tilelang_tt import intrinsics as I
from tilelang_tt import samples
from tilelang_tt.codegen import device_program
from tilelang_tt.passes import lower_to_tt

_OPS = {tirx.Add: lambda a, b: a + b, tirx.Sub: lambda a, b: a - b, tirx.Mul: lambda a, b: a * b,
        tirx.FloorDiv: lambda a, b: a // b, tirx.FloorMod: lambda a, b: a % b, tirx.LT: lambda a, b: a < b,
        tirx.And: lambda a, b: a and b}


def trace(body, args):
    """[(call, tensor, tile)] of the NOC page moves and barriers of one kernel on one core."""
    out = []

    def ev(e, env):
        if isinstance(e, tirx.IntImm):
            return int(e.value)
        if isinstance(e, tvm.ir.StringImm):
            return str(e.value)
        if isinstance(e, tvm.ir.Var):
            return env[e]
        for cls, fn in _OPS.items():
            if isinstance(e, cls):
                return fn(ev(e.a, env), ev(e.b, env))
        intr = I.intrinsic_of(e)
        if intr is not None:
            return call(intr.name, e, env)
        raise AssertionError(f"unexpected expression {type(e).__name__}")

    def call(name, c, env):
        if name == "get_arg_val":
            return args[ev(c.args[0], env)]
        if name in ("noc_async_read_page", "noc_async_write_page"):
            out.append((name, ev(c.args[1], env), ev(c.args[0], env)))
        elif name in ("noc_async_read_barrier", "noc_async_write_barrier"):
            out.append((name, None, None))
        return 0

    def run(s, env):
        if isinstance(s, tirx.SeqStmt):
            for x in s.seq:
                run(x, env)
        elif isinstance(s, tirx.Bind):
            env[s.var] = ev(s.value, env)
        elif isinstance(s, tirx.For):
            for v in range(ev(s.min, env), ev(s.min, env) + ev(s.extent, env)):
                env[s.loop_var] = v
                run(s.body, env)
        elif isinstance(s, tirx.IfThenElse):
            if ev(s.condition, env):
                run(s.then_case, env)
            elif s.else_case is not None:
                run(s.else_case, env)
        elif isinstance(s, tirx.Evaluate):
            if I.intrinsic_of(s.value) is not None:
                call(I.intrinsic_of(s.value).name, s.value, env)
        else:
            raise AssertionError(f"unexpected statement {type(s).__name__}")
    run(body, {})
    return out


CASES = [
    (160, 224, 128, dict(schedule="multicast", grid=(2, 2), per_core_m=2, per_core_n=3, in0_block_w=1,
                         subblock_h=2, subblock_w=1)),       # padded both ways, 2 x 2 rounds, receivers
    (96, 160, 64, dict(schedule="subblocked", grid=(2, 1), per_core_m=3, per_core_n=2, in0_block_w=2,
                       subblock_h=1, subblock_w=2)),
    (128, 96, 64, dict(schedule="blocked", grid=(3, 4), per_core_m=1, per_core_n=1, in0_block_w=1,
                       subblock_h=1, subblock_w=1)),
    (256, 256, 128, dict(schedule="auto")),
]


@pytest.mark.parametrize("M,N,K,options", CASES)
@pytest.mark.parametrize("ops", [("add",), ("mul", "relu", "add")])
def test_each_core_reads_the_c_tiles_it_overwrites_before_writing_them(M, N, K, options, ops):
    prog = device_program(lower_to_tt(samples.matmul_residual(M, N, K, ops, "C"), **options))
    assert prog.schedule["kind"] == "matmul"
    reads, writes = {}, {}
    for k in prog.kernels:
        if "in1" not in k.name:
            continue
        for rng in k.cores:
            for xy in rng.cores():
                t = trace(prog.funcs[k.name].body, k.runtime_args[xy])
                read_at = {}
                pending, done = set(), set()
                for i, (name, tensor, tile) in enumerate(t):
                    if name == "noc_async_read_page" and tensor == "C":
                        read_at.setdefault(tile, i)
                        pending.add(tile)
                    elif name == "noc_async_read_barrier":
                        done |= pending
                        pending = set()
                    elif name == "noc_async_write_page" and tensor == "C":
                        assert tile in done, f"core {xy}: C tile {tile} written before its read completed"
                reads[xy] = {tile for n, tensor, tile in t if n == "noc_async_read_page" and tensor == "C"}
                writes[xy] = [tile for n, tensor, tile in t if n == "noc_async_write_page" and tensor == "C"]
    every = [t for ts in writes.values() for t in ts]
    assert sorted(every) == list(range((M // 32) * (N // 32)))      # each tile written once, by one core
    for xy in writes:
        assert reads[xy] == set(writes[xy]), f"core {xy} reads C tiles it does not write"
