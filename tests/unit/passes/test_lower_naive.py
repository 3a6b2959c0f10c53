"""The naive schedule's lowering (tt.LowerToDevice, lower/naive.py): what the reader / compute / writer
compute (reference interpreter against numpy), their structure (CB page accounting, tile ids, inits, DST
protocol), the kernels' attrs, the CB balance verifier, and every error."""
import ml_dtypes
import numpy as np
import pytest
import tvm
from tvm import tirx

import ttsim
from pass_kernels import make, matmul
from tilelang_tt import intrinsics as I
from tilelang_tt import samples
from tilelang_tt.errors import TTCompileError, TTResourceError
from tilelang_tt.codegen import device_program
from tilelang_tt.lower.assemble import KernelBuild, assemble
from tilelang_tt.lower.common import seq
from tilelang_tt.passes import LowerToDevice, lower_to_tt
from tilelang_tt.schedule.naive import NaiveSchedule
from tilelang_tt.specs import CBSpec, ComputeConfig, rect

RNG = np.random.default_rng(7)

# Kernels that write only C[0:32, :]: C has those 32 rows (VerifyInput rejects unwritten output rows)
C32 = 'A: T.Buffer((64, 128), "bfloat16"), C: T.Buffer((32, 128), "bfloat16")'


def bf16(x):
    return np.asarray(x, np.float32).astype(ml_dtypes.bfloat16).astype(np.float32)


def rand(*shape, lo=-1.0, hi=1.0):
    return bf16(RNG.uniform(lo, hi, shape))


def close(got, ref, tol=2e-2):
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * scale)


def roles(mod):
    return {str(f.attrs["tt.kernel_role"]): f for f in mod.functions.values()}


def calls(stmt, name):
    """Every T.tt.<name> call in a statement, in order."""
    out = []

    def visit(s):
        if isinstance(s, tirx.SeqStmt):
            for x in s.seq:
                visit(x)
        elif isinstance(s, tirx.For):
            visit(s.body)
        elif isinstance(s, tirx.Evaluate):
            intr = I.intrinsic_of(s.value)
            if intr is not None and intr.name == name:
                out.append(s.value)
    visit(stmt)
    return out


def block_body(func):
    """The statements of the persistent block loop `for b in range(block_count)`."""
    loop = [s for s in func.body.seq if isinstance(s, tirx.For)][-1]
    assert loop.loop_var.name == "b" and loop.extent.name == "block_count"
    return list(loop.body.seq)


# ---------------------------------------------------------------------------------------------------
# numerics through the reference interpreter

@pytest.mark.parametrize("M,N,K,bm,bn,bk,max_cores", [
    (64, 64, 32, 64, 64, 32, None),        # 1x1 grid, K loop of 1
    (64, 64, 256, 64, 64, 32, None),       # 1x1 grid, K loop of 8
    (192, 320, 128, 64, 64, 32, None),     # 5x3 grid, K loop of 4
    (256, 256, 64, 32, 32, 32, 5),         # 8x8 grid on 5 cores: persistent loops of 13/12 blocks
    (128, 64, 128, 32, 64, 64, None),      # bk = 64: 2 A tiles per row, kt = 2 inner products
])
def test_matmul_numerics(M, N, K, bm, bn, bk, max_cores):
    a, b = rand(M, K), rand(K, N)
    mod = lower_to_tt(matmul(M, N, K, bm, bn, bk), max_cores=max_cores, schedule="naive")
    out, sim = ttsim.run(mod, {"A": a, "B": b, "C": np.zeros((M, N))})
    close(out["C"], bf16(a @ b))
    # every A tile is read once per output block column, every C tile written exactly once
    reads = [ev for ev in sim.trace if ev[2] == "noc_async_read_page" and ev[3][1] == "A"]
    assert sorted({r[3][0] for r in reads}) == list(range(M * K // 1024))
    assert len(reads) == (M * K // 1024) * (N // bn)
    writes = sorted(ev[3][0] for ev in sim.trace if ev[2] == "noc_async_write_page")
    assert writes == list(range(M * N // 1024))


@pytest.mark.parametrize("op,fn", [("add", np.add), ("sub", np.subtract), ("mul", np.multiply)])
def test_eltwise_numerics(op, fn):
    a, b = rand(64, 128), rand(64, 128)
    out, _ = ttsim.run(lower_to_tt(samples.eltwise(op, 64, 128)), {"A": a, "B": b, "C": np.zeros((64, 128))})
    close(out["C"], bf16(fn(a, b)))


def test_unary_chain_numerics():
    a = rand(64, 128, lo=0.1, hi=2.0)
    out, _ = ttsim.run(lower_to_tt(samples.unary_chain(64, 128)), {"A": a, "C": np.zeros((64, 128))})
    close(out["C"], bf16(1.0 / np.sqrt(np.exp(a))))


def test_relu_silu_and_1d_grid_numerics():
    a = rand(64, 128)
    f = samples.unary_chain(64, 128, ops=("silu", "relu", "exp"))
    out, _ = ttsim.run(lower_to_tt(f), {"A": a, "C": np.zeros((64, 128))})
    close(out["C"], bf16(np.exp(np.maximum(a / (1 + np.exp(-a)), 0))))


def test_matmul_bias_relu_numerics():
    a, b, d = rand(128, 96), rand(96, 128), rand(128, 128)
    mod = lower_to_tt(samples.matmul_bias_relu(128, 128, 96), schedule="naive")
    out, _ = ttsim.run(mod, {"A": a, "B": b, "D": d, "C": np.zeros((128, 128))})
    close(out["C"], bf16(np.maximum(a @ b + d, 0)))


def test_beta_zero_overwrites_each_iteration_and_fill_value():
    # beta=0 inside the K loop: D = A_k @ B_k of the last k only; DST is dirty from iteration 2 on,
    # so the lowering must zero it (fill_tile 0) before matmul_tiles accumulates.
    a, b = rand(64, 128), rand(128, 64)
    mod = lower_to_tt(matmul(64, 64, 128, gemm_args="beta=0.0", fill="T.float32(3)"))
    out, _ = ttsim.run(mod, {"A": a, "B": b, "C": np.zeros((64, 64))})
    close(out["C"], bf16(a[:, 96:] @ b[96:, :]))
    compute = roles(mod)["compute"]
    fills = calls(compute.body, "fill_tile")
    assert [float(c.args[1].value) for c in fills] == [3.0, 0.0]


def test_fill_nonzero_then_accumulate():
    a, b = rand(64, 64), rand(64, 64)
    mod = lower_to_tt(matmul(64, 64, 64, fill="T.float32(1.5)"))
    out, _ = ttsim.run(mod, {"A": a, "B": b, "C": np.zeros((64, 64))})
    close(out["C"], bf16(a @ b + 1.5))


def test_zero_fill_on_clean_dst_emits_nothing():
    mod = lower_to_tt(matmul(64, 64, 64))
    assert calls(roles(mod)["compute"].body, "fill_tile") == []


def test_cast_and_copy_to_local():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_f = T.alloc_buffer((32, 64), "float32", scope="local")
        C_b = T.alloc_buffer((32, 64), "bfloat16", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.copy(B_s, B[0:32, bx * 64:bx * 64 + 64])
        T.tile.copy(C_f, A_s)
        T.tile.mul(C_f, C_f, B_s)
        T.tile.cast(C_b, C_f)
        T.tile.exp(C_b)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_b)
    ''', params='A: T.Buffer((32, 128), "bfloat16"), B: T.Buffer((32, 128), "bfloat16"), '
                'C: T.Buffer((32, 128), "bfloat16")')
    a, b = rand(32, 128), rand(32, 128)
    mod = lower_to_tt(f)
    out, _ = ttsim.run(mod, {"A": a, "B": b, "C": np.zeros((32, 128))})
    close(out["C"], bf16(np.exp(a * b)))
    # C_b shares C_f's DST slots: pack reads DST 0..1
    packs = calls(roles(mod)["compute"].body, "pack_tile")
    assert len(packs) == 1 and isinstance(packs[0].args[0], tvm.ir.Var)


def test_two_locals_get_disjoint_dst_slots():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        X_l = T.alloc_buffer((32, 64), "float32", scope="local")
        Y_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.exp(X_l, A_s)
        T.tile.sqrt(Y_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], X_l)
        T.tile.copy(D[0:32, bx * 64:bx * 64 + 64], Y_l)
    ''', params='A: T.Buffer((32, 128), "bfloat16"), C: T.Buffer((32, 128), "bfloat16"), '
                'D: T.Buffer((32, 128), "bfloat16")')
    a = rand(32, 128, lo=0.1, hi=2)
    mod = lower_to_tt(f)
    out, _ = ttsim.run(mod, {"A": a, "C": np.zeros((32, 128)), "D": np.zeros((32, 128))})
    close(out["C"], bf16(np.exp(a)))
    close(out["D"], bf16(np.sqrt(a)))
    w = roles(mod)["writer"]
    assert [str(x) for x in w.attrs["tt.runtime_args"]] == ["block_start", "block_count", "addr:C", "addr:D"]
    assert [str(x) for x in w.attrs["tt.accessors"]] == ["C", "D"]
    # one wait on c_0 covers both readers of A_s
    compute = roles(mod)["compute"]
    assert [(int(c.args[0]), int(c.args[1])) for c in calls(compute.body, "cb_wait_front")] == [(0, 2)]


def test_blackhole_lowering_runs():
    a = rand(64, 128)
    mod = lower_to_tt(samples.eltwise("add", 64, 128), "tenstorrent/blackhole")
    assert device_program(mod).model == "blackhole"
    out, _ = ttsim.run(mod, {"A": a, "B": a, "C": np.zeros((64, 128))})
    close(out["C"], bf16(a + a))


# ---------------------------------------------------------------------------------------------------
# structure

def test_role_functions_and_attrs():
    mod = lower_to_tt(samples.matmul(128, 128, 64), schedule="naive")
    assert sorted(gv.name_hint for gv in mod.functions) == ["matmul_compute", "matmul_reader", "matmul_writer"]
    r = roles(mod)
    for role, f in r.items():
        assert len(f.params) == 0
        assert str(f.attrs["tt.kernel"]) == "matmul"
        assert str(f.attrs["global_symbol"]) == f"matmul_{role}"
        for a in ("tt.kernel_role", "tt.kernel_spec", "tt.program", "tt.runtime_args", "tt.accessors"):
            assert a in f.attrs
    prog = device_program(mod)
    assert prog.schedule["grid"] == [2, 2] and prog.core_grid == (4, 1)
    assert [k.name for k in prog.kernels] == ["reader", "compute", "writer"]
    assert [str(x) for x in r["reader"].attrs["tt.runtime_args"]] == ["block_start", "block_count", "addr:A",
                                                                       "addr:B"]
    assert [str(x) for x in r["reader"].attrs["tt.accessors"]] == ["A", "B"]
    assert [str(x) for x in r["compute"].attrs["tt.runtime_args"]] == ["block_start", "block_count"]
    assert list(r["compute"].attrs["tt.accessors"]) == []
    assert [str(x) for x in r["writer"].attrs["tt.accessors"]] == ["C"]
    # the reader binds its args first, then declares accessors in chain order with the tile page size
    acc = calls(r["reader"].body, "tensor_accessor")
    assert [(str(c.args[0].value), int(c.args[1]), str(c.args[2].name), int(c.args[3])) for c in acc] == [
        ("A", 0, "A_addr", 2048), ("B", 1, "B_addr", 2048)]
    binds = [s for s in r["reader"].body.seq if isinstance(s, tirx.Bind)]
    assert [b.var.name for b in binds] == ["block_start", "block_count", "A_addr", "B_addr"]
    assert [int(b.value.args[0]) for b in binds] == [0, 1, 2, 3]


@pytest.mark.parametrize("func", [samples.matmul(256, 256, 256), samples.eltwise("add", 64, 128),
                                  samples.unary_chain(64, 128), samples.matmul_bias_relu(128, 128, 128)])
def test_cb_pages_pushed_equal_pages_waited_and_popped(func):
    prog = device_program(lower_to_tt(func, schedule="naive"))
    for core in prog.cores:
        t = prog.core_tally(core)
        for cb in prog.cbs:
            prod, cons = ("reader", "compute") if cb.role == "input" else ("compute", "writer")
            p, c = t[prod], t[cons]
            pushed = p[("cb", cb.index, "push")]
            assert pushed == p[("cb", cb.index, "reserve")] == c[("cb", cb.index, "wait")] \
                == c[("cb", cb.index, "pop")] > 0
            assert pushed % cb.block_pages == 0
            assert p[("max", "cb_request", cb.index)] == c[("max", "cb_request", cb.index)] == cb.block_pages


def test_matmul_compute_structure():
    r = roles(lower_to_tt(samples.matmul(256, 256, 256), schedule="naive"))
    c = r["compute"]
    top = [I.intrinsic_of(s.value).name for s in c.body.seq if isinstance(s, tirx.Evaluate)]
    assert top == ["compute_kernel_hw_startup", "matmul_init"]
    startup = calls(c.body, "compute_kernel_hw_startup")[0]
    assert [int(x) for x in startup.args] == [0, 1, 16, 1]
    body = block_body(c)
    names = [I.intrinsic_of(s.value).name if isinstance(s, tirx.Evaluate) else "loop" for s in body]
    assert names == ["tile_regs_acquire", "loop", "tile_regs_commit", "tile_regs_wait", "cb_reserve_back",
                     "loop", "cb_push_back", "tile_regs_release"]
    kloop = body[1]
    assert int(kloop.extent) == 8 and kloop.loop_var.name == "k"
    loops = [kloop.body.seq[2], kloop.body.seq[2].body, kloop.body.seq[2].body.body]
    assert [(lp.loop_var.name, int(lp.extent)) for lp in loops] == [("i", 2), ("j", 2), ("kk", 1)]
    # tile indices: in0 = i * kt + kk, in1 = kk * nt + j, dst = i * nt + j (2x2 block, kt = 1)
    mm = calls(kloop, "matmul_tiles")[0]
    for i, j, kk in [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0)]:
        got = [_eval(x, i=i, j=j, kk=kk) for x in mm.args]
        assert got == [0, 1, i * 1 + kk, kk * 2 + j, i * 2 + j, 0]     # transpose 0


def _eval(expr, **vals):
    """Evaluate an index expression with the named vars bound (through the reference interpreter)."""
    import tvm_ffi
    env = {}

    def collect(e):
        env[e] = vals[e.name]
    tvm_ffi.structural_walk(expr, [(tvm.ir.Var, collect)])
    return ttsim.Sim.__new__(ttsim.Sim).eval(expr, env)


def test_reader_tile_ids_follow_the_copy_region():
    # A[by*64 : +64, k*32 : +32] of a 256x256 tensor (8 tiles per row): tile id (by*2 + i) * 8 + (k + j)
    r = roles(lower_to_tt(samples.matmul(256, 256, 256), schedule="naive"))
    reads = calls(r["reader"].body, "noc_async_read_page")
    assert len(reads) == 2
    for by, k, i, j in [(0, 0, 0, 0), (3, 5, 1, 0), (2, 7, 1, 0)]:
        assert _eval(reads[0].args[0], by=by, k=k, i=i, j=j) == (by * 2 + i) * 8 + (k + j)
    for bx, k, i, j in [(0, 0, 0, 0), (3, 5, 0, 1), (1, 7, 0, 1)]:
        assert _eval(reads[1].args[0], bx=bx, k=k, i=i, j=j) == (k + i) * 8 + (bx * 2 + j)
    # and by / bx come from the block id: by = bid // grid_x, bx = bid % grid_x
    bl = {b.var.name: b.value for b in block_body(r["reader"]) if isinstance(b, tirx.Bind)}
    assert isinstance(bl["by"], tirx.FloorDiv) and int(bl["by"].b) == 4
    assert isinstance(bl["bx"], tirx.FloorMod) and int(bl["bx"].b) == 4


def test_epilogue_reinit_per_block_and_dest_reuse():
    c = roles(lower_to_tt(samples.matmul_bias_relu(128, 128, 128), schedule="naive"))["compute"]
    body = block_body(c)
    first = [I.intrinsic_of(s.value).name for s in body[:2]]
    # the block ends with the FPU configured for the dest-reuse add, so matmul is re-initialised in
    # every block; the SFPU only ever runs relu: its init is hoisted in front of the block loop
    assert first == ["tile_regs_acquire", "matmul_init"]
    top = [I.intrinsic_of(s.value).name for s in c.body.seq if isinstance(s, tirx.Evaluate)]
    assert top == ["compute_kernel_hw_startup", "unary_init"]
    reuse = calls(c.body, "binary_dest_reuse_tiles")
    assert [str(reuse[0].args[0].value), int(reuse[0].args[1])] == ["add", 2]
    assert [str(x.args[0].value) for x in calls(c.body, "unary_tile")] == ["relu"]
    assert [str(x.args[0].value) for x in calls(c.body, "unary_init")] == ["relu"]
    assert len(calls(c.body, "tile_regs_acquire")) == 1


def test_unary_chain_inits():
    c = roles(lower_to_tt(samples.unary_chain(64, 128)))["compute"]
    assert [int(x) for x in calls(c.body, "compute_kernel_hw_startup")[0].args] == [0, 0, 16, 0]
    assert [str(x.args[0].value) for x in calls(c.body, "unary_init")] == ["exp", "sqrt", "recip"]
    # once, before the block loop: the SFPU inits reconfigure the SFPU only, not the FPU copy path
    assert [int(x.args[0]) for x in calls(c.body, "copy_init")] == [0]


# ---------------------------------------------------------------------------------------------------
# errors

def test_dst_capacity_fp32_and_bf16():
    with pytest.raises(TTResourceError) as e:
        lower_to_tt(matmul(128, 128, 64, bm=128, bn=128), schedule="naive")
    msg = str(e.value)
    assert "kernel 'mm'" in msg and "16 DST tiles" in msg and "DST holds 4 tiles with float32" in msg
    assert "block_m * block_n <= 4096" in msg and "bfloat16 accumulator" in msg and "plain matmul" in msg
    with pytest.raises(TTResourceError, match="DST holds 8 tiles with bfloat16"):
        lower_to_tt(matmul(128, 128, 64, bm=128, bn=128, acc="bfloat16"), schedule="naive")
    lower_to_tt(matmul(64, 128, 64, bm=64, bn=128, acc="bfloat16"), schedule="naive")   # 8 tiles fit


def test_an_eltwise_block_larger_than_dst_runs_in_chunks():
    """32 tiles of a tile-wise region: a loop of 4 acquires of 8 tiles each (docs/ops.md)."""
    mod = lower_to_tt(samples.eltwise("add", 128, 256, block_m=128, block_n=256))
    c = mod["K_compute"] if "K_compute" in mod.get_global_vars() else \
        next(f for g, f in mod.functions.items() if "compute" in g.name_hint)
    assert len(calls(c.body, "tile_regs_acquire")) == 1            # inside the chunk loop
    assert "c < 4" in c.script() or "range(4)" in c.script()


def test_dst_overflow_of_a_reduce_suggests_no_matmul():
    with pytest.raises(TTResourceError) as e:
        lower_to_tt(samples.reduce("sum", "row", 256, 64, block_m=256))
    msg = str(e.value)
    assert "8 DST tiles" in msg and "DST holds 4 tiles with float32" in msg and "launch more blocks" in msg
    assert "dst_mode='full'" in msg and "matmul" not in msg


def test_math_after_copy_out():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
        T.tile.sqrt(C_l)
    ''', params=C32)
    with pytest.raises(TTCompileError, match="tile math after a copy to global"):
        lower_to_tt(f)


def test_copy_out_in_loop():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        for k in range(2):
            T.tile.copy(A_s, A[k * 32:k * 32 + 32, bx * 64:bx * 64 + 64])
            T.tile.exp(C_l, A_s)
            T.tile.copy(C[k * 32:k * 32 + 32, bx * 64:bx * 64 + 64], C_l)
    ''')
    with pytest.raises(TTCompileError, match="a copy to global inside a loop"):
        lower_to_tt(f)


def test_shared_read_outside_its_loop():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        for k in range(2):
            T.tile.copy(A_s, A[k * 32:k * 32 + 32, bx * 64:bx * 64 + 64])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''', params=C32)
    with pytest.raises(TTCompileError) as e:
        lower_to_tt(f)
    msg = str(e.value)
    assert "shared buffer A_s is read outside the loop that loads it" in msg
    assert "T.tile.exp(C_l[0:32, 0:64], A_s[0:32, 0:64])" in msg


def test_shared_loaded_twice_without_use():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.copy(A_s, A[32:64, bx * 64:bx * 64 + 64])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''', params=C32)
    with pytest.raises(TTCompileError, match="before it is loaded again"):
        lower_to_tt(f)


def test_shared_loaded_outside_loop_used_inside_waits_once():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.fill(C_l, T.float32(0))
        for k in range(3):
            T.tile.add(C_l, C_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''', params=C32)
    a = rand(64, 128)
    mod = lower_to_tt(f)
    out, _ = ttsim.run(mod, {"A": a, "C": np.zeros((32, 128))})
    close(out["C"][:32], bf16(3 * a[:32]))
    c = roles(mod)["compute"]
    assert len(calls(c.body, "cb_wait_front")) == 1 and len(calls(c.body, "cb_pop_front")) == 1


def _ev(name, *args):
    return I.evaluate(name, *args)


def _loop(n, *body):
    return tirx.For(tirx.Var("x", "int32"), tirx.IntImm("int32", 0), tirx.IntImm("int32", n),
                    tirx.ForKind.SERIAL, tirx.SeqStmt(list(body)))


SCHED = NaiveSchedule((1, 1), (1, 1), (1,), (0,), "contiguous",
                      (CBSpec(0, "A_s", "bfloat16", 4, 2, "input"), CBSpec(16, "C_l", "bfloat16", 4, 2, "output")),
                      (), ComputeConfig())
READER = [_loop(4, _ev("cb_reserve_back", 0, 2), _ev("cb_push_back", 0, 2))]
WRITER = [_ev("cb_wait_front", 16, 2), _ev("cb_pop_front", 16, 2)]
OUT = [_ev("cb_reserve_back", 16, 2), _ev("cb_push_back", 16, 2)]


def check_cb_balance(reader, compute, writer):
    """Build the one-core program of these kernel bodies and run the device program's verifier."""
    def k(name, kind, proc, body):
        return KernelBuild(name, kind, proc, rect(0, 0, 0, 0), seq(body), [], {(0, 0): []})
    kernels = [k("reader", "dataflow", "RISCV_1", reader), k("compute", "compute", None, compute),
               k("writer", "dataflow", "RISCV_0", writer)]
    device_program(tvm.IRModule(assemble("k", "wormhole_b0", SCHED, kernels)))


def test_cb_balance_accepts_matching_counts():
    compute = [_loop(4, _ev("cb_wait_front", 0, 2), _ev("cb_pop_front", 0, 2))] + OUT
    check_cb_balance(READER, compute, WRITER)


def test_cb_waited_more_than_pushed():
    compute = [_loop(5, _ev("cb_wait_front", 0, 2), _ev("cb_pop_front", 0, 2))] + OUT
    with pytest.raises(TTCompileError, match=r"kernel 'k': CB c_0 \(A_s, input\) on core \(0, 0\) is waited on "
                                             r"for 10 pages but only 8 are pushed"):
        check_cb_balance(READER, compute, WRITER)


def test_cb_pushed_more_than_consumed():
    compute = [_ev("cb_wait_front", 0, 2), _ev("cb_pop_front", 0, 2)] + OUT
    with pytest.raises(TTCompileError, match="8 pages are pushed but consumers take only 2"):
        check_cb_balance(READER, compute, WRITER)


def test_cb_wait_pop_mismatch_and_oversized_request():
    compute = [_loop(4, _ev("cb_wait_front", 0, 2), _ev("cb_pop_front", 0, 1))] + OUT
    with pytest.raises(TTCompileError, match="consumers wait for 8 pages but pop 4"):
        check_cb_balance(READER, compute, WRITER)
    big = [_ev("cb_reserve_back", 0, 8), _ev("cb_push_back", 0, 8)]
    compute = [_ev("cb_wait_front", 0, 8), _ev("cb_pop_front", 0, 8)] + OUT
    with pytest.raises(TTResourceError, match="single request of 8 pages exceeds its 4 pages"):
        check_cb_balance(big, compute, WRITER)


def test_lowering_requires_a_schedule():
    mod = tvm.IRModule({"mm": matmul(64, 64, 32).with_attr("tt_model", "wormhole_b0")})
    assert LowerToDevice()(mod)["mm"].same_as(mod["mm"])   # nothing scheduled: left alone


def test_split_leaves_other_functions_alone():
    from tilelang_tt.passes import tt_passes
    mod = tvm.IRModule({"mm": matmul(64, 64, 32).with_attr("tt.schedule", "naive")})
    out = tt_passes()(mod)
    assert sorted(gv.name_hint for gv in out.functions) == ["mm_compute", "mm_reader", "mm_writer"]


def test_zero_fill_of_written_dst_emits_fill_tile():
    # DST is only zero at tile_regs_acquire: a fill with 0 after C_l was written must clear it
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.exp(C_l, A_s)
        T.tile.fill(C_l, T.float32(0))
        T.tile.add(C_l, C_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''', params=C32)
    a = rand(64, 128)
    mod = lower_to_tt(f)
    out, _ = ttsim.run(mod, {"A": a, "C": np.zeros((32, 128))})
    close(out["C"][:32], a[:32])
    fills = calls(roles(mod)["compute"].body, "fill_tile")
    assert [float(c.args[1].value) for c in fills] == [0.0]
    # the add after the fill re-inits (fill_tile reconfigured the SFPU, dest-reuse the FPU)
    assert len(calls(roles(mod)["compute"].body, "binary_dest_reuse_init")) >= 1


@pytest.mark.parametrize("M,N,max_cores", [(512, 320, None), (256, 256, 4)])
def test_2d_blocked_policy_numerics_and_block_rectangles(M, N, max_cores):
    # 32x32 blocks: 2d_blocked gives every core a rectangle of blocks; the reader/writer map the
    # core-major block id back to (bx, by)
    K = 64
    a, b = rand(M, K), rand(K, N)
    mod = lower_to_tt(matmul(M, N, K, 32, 32, 32), core_policy="2d_blocked", max_cores=max_cores,
                      schedule="naive")
    out, sim = ttsim.run(mod, {"A": a, "B": b, "C": np.zeros((M, N))})
    close(out["C"], bf16(a @ b))
    r = roles(mod)
    prog = device_program(mod)
    cols, rows = prog.schedule["core_grid"]
    cx, cy = (N // 32) // cols, (M // 32) // rows
    for core in range(cols * rows):
        tiles = {ev[3][0] for ev in sim.trace if ev[0] == core and ev[2] == "noc_async_write_page"}
        x, y = core % cols, core // cols
        expect = {(y * cy + i) * (N // 32) + x * cx + j for i in range(cy) for j in range(cx)}
        assert tiles == expect
    assert prog.schedule["policy"] == "2d_blocked"


def test_loop_with_only_fills_between_ops():
    # fill_tile needs no T.tt init op, but it reconfigures the SFPU: the relu after the loop re-inits
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
        T.tile.maximum(C_l, A_s, T.float32(0))
        for k in range(2):
            T.tile.fill(C_l, T.float32(-2))
        T.tile.maximum(C_l, C_l, T.float32(0))
        T.tile.add(C_l, C_l, A_s)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''', params=C32)
    a = rand(64, 128)
    mod = lower_to_tt(f)
    out, _ = ttsim.run(mod, {"A": a, "C": np.zeros((32, 128))})
    close(out["C"][:32], a[:32])
    c = roles(mod)["compute"]
    assert [str(x.args[0].value) for x in calls(c.body, "unary_init")] == ["relu", "relu"]


@pytest.mark.parametrize("body,message", [
    ('''
        T.tile.exp(C_f, A_s)
        for k in range(1):
            T.tile.cast(C_b, C_f)
    ''', "a local->local Tx.cast inside a loop"),
    ('''
        T.tile.exp(C_f, A_s)
        T.tile.cast(C_b, C_f)
        T.tile.sqrt(C_f)
    ''', "C_f is used after it was cast into C_b"),
    ('''
        T.tile.exp(C_b, A_s)
        T.tile.exp(C_f, A_s)
        T.tile.cast(C_b, C_f)
    ''', "C_b is used before the cast that produces it"),
])
def test_cast_alias_errors(body, message):
    import textwrap
    head = textwrap.dedent('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        C_f = T.alloc_buffer((32, 64), "float32", scope="local")
        C_b = T.alloc_buffer((32, 64), "bfloat16", scope="local")
        T.tile.copy(A_s, A[0:32, bx * 64:bx * 64 + 64])
    ''').strip("\n")
    tail = "T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_b)"
    f = make("\n".join([head, textwrap.dedent(body).strip("\n"), tail]), params=C32)
    with pytest.raises(TTCompileError, match=message):
        lower_to_tt(f)
