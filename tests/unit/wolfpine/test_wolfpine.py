"""Generated programs on the wolfpine device (tt-metal 0.81.1 host runtime, firmware and LLKs over the
wolfpine instruction-level Tensix simulator) against numpy and against our emulator; the negative
controls; what the route rejects before it starts.

Inputs are standard normal bf16, not small integers, so rounding and format bugs show. Where the two
devices legitimately differ (docs/wolfpine.md "Where wolfpine and the emulator disagree"), the check
says exactly how: the FPU's fixed-point datapath and its ties-away rounding into a 16-bit DST.
The default tier is a few small programs (about 3 minutes on 2 cores with a warm environment); the rest
runs with `make test-sim` (marker `sim`).
"""
import json

import ml_dtypes
import numpy as np
import pytest
import tvm

import tilelang_tt
from tilelang_tt import samples
from tilelang_tt.runtime import launcher, module
from tilelang_tt.errors import WolfpineRunError, WolfpineUnavailable, WolfpineUnsupported
from tilelang_tt.wolfpine import env

BF16 = ml_dtypes.bfloat16


def _inputs(kernel, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(BF16) for _, shape, _ in kernel.params[:-1]]


def _ulp(x):
    """bf16 ulp at |x| (8 significant bits)."""
    x = np.maximum(np.abs(np.asarray(x, np.float64)), 2.0 ** -126)
    return 2.0 ** (np.floor(np.log2(x)) - 7)


def _matmul_tolerance(a, b, ref, fp32_dst=True):
    """What the device may differ from the exact product by: one bf16 rounding of the result (ties away
    from zero on the FPU's 16-bit DST writes, to nearest even at pack) plus the FPU datapath, which
    truncates each product to about 12 bits and aligns it within its group of eight lanes before
    accumulating (wolfpine ports it from Tenstorrent's ttsim): 2^-9 of sum |a||b|. With a bf16 DST every
    MVMUL (16 deep in K) rounds the running sum into DST: half a bf16 ulp, at most 2^-8 of sum |a||b|,
    per 16 of K (the emulator rounds once per 32: docs/numerics.md)."""
    mag = np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))
    tol = _ulp(ref) + 2.0 ** -9 * mag
    if not fp32_dst:
        tol = tol + (a.shape[1] // 16) * 2.0 ** -8 * mag
    return tol


def _check_matmul(kernel, seed=0):
    a, b = _inputs(kernel, seed)
    wp = kernel(a, b, backend="wolfpine").astype(np.float64)
    emu = kernel(a, b, backend="emulator").astype(np.float64)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    fp32_dst = all(kk["compute"]["fp32_dest_acc_en"] for kk in kernel.plan["kernels"] if kk["kind"] == "compute")
    tol = _matmul_tolerance(a, b, ref, fp32_dst)
    worst = np.unravel_index(np.argmax(np.abs(wp - ref) - tol), ref.shape)
    assert np.all(np.abs(wp - ref) <= tol), (
        f"wolfpine != numpy at {worst}: {wp[worst]} vs {ref[worst]} (tolerance {tol[worst]})")
    assert np.all(np.abs(wp - emu) <= 2 * tol), "wolfpine and the emulator disagree beyond both tolerances"
    return wp, emu, ref


def _compile(factory, chip="wormhole_b0", **options):
    return tilelang_tt.compile(factory(), target=f"tenstorrent/{chip}", out_idx=-1, **options)


# ---------------------------------------------------------------------------------------------------
# default tier: a handful of small programs

# How far wolfpine's FPU lands from the exact result, in bf16 ulps (its datapath is ttsim's, not IEEE):
# add aligns the smaller operand with rounding to 4 bits below the larger's ulp, then rounds the sum
# (double rounding: 0.5 + 2^-4); mul slices the mantissas per fidelity phase and truncates each partial
# product before accumulating the phases (measured up to 1.42 ulp on 2048 random products).
ELTWISE_ULPS = {"add": 0.5 + 2.0 ** -4, "mul": 2.0}


@pytest.mark.needs_sim
@pytest.mark.parametrize("op", ["add", pytest.param("mul", marks=pytest.mark.sim)])   # make test: one op
def test_eltwise(wolfpine_env, op):
    """add/mul of bf16 tiles: wolfpine within its datapath's bound of numpy; the emulator exactly
    round-to-nearest-even (its policy, docs/numerics.md); so the two within the sum of both. Where the
    operands share an exponent (no alignment rounding) an add that lands exactly between two bf16 values
    is rounded away from zero by the FPU and to even by the emulator."""
    k = _compile(lambda: samples.eltwise(op, 32, 64, 32, 64))
    a, b = _inputs(k, 1)
    wp = k(a, b, backend="wolfpine").astype(np.float64)
    emu = k(a, b, backend="emulator").astype(np.float64)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    exact = a64 + b64 if op == "add" else a64 * b64
    ulp = _ulp(exact)
    worst = np.max(np.abs(wp - exact) / ulp)
    assert worst <= ELTWISE_ULPS[op], f"wolfpine is {worst} bf16 ulps from numpy"
    assert np.array_equal(emu, exact.astype(np.float32).astype(BF16).astype(np.float64))
    assert np.all(np.abs(wp - emu) <= (ELTWISE_ULPS[op] + 0.5) * ulp)
    if op == "add":
        same_exp = np.floor(np.log2(np.abs(a64) + 1e-300)) == np.floor(np.log2(np.abs(b64) + 1e-300))
        tie = same_exp & (np.abs(np.abs(exact - emu) - 0.5 * ulp) == 0)
        assert tie.sum() > 0, "the data has no rounding tie to check"
        assert np.all(np.abs(wp[tie]) > np.abs(exact[tie])), "a tie the FPU did not round away from zero"


@pytest.mark.needs_sim
def test_eltwise_add_through_environment_variable(wolfpine_env, monkeypatch):
    """TILELANG_TT_BACKEND=wolfpine selects the backend for every call."""
    k = _compile(lambda: samples.eltwise("add", 32, 32, 32, 32))
    a, b = _inputs(k, 2)
    monkeypatch.setenv("TILELANG_TT_BACKEND", "wolfpine")
    out = k(a, b).astype(np.float64)
    assert launcher.last_launch().backend == "wolfpine"
    exact = a.astype(np.float64) + b.astype(np.float64)
    assert np.all(np.abs(out - exact) <= ELTWISE_ULPS["add"] * _ulp(exact))


@pytest.mark.needs_sim
def test_matmul_naive(wolfpine_env):
    """The naive schedule: reader / compute / writer on 4 cores, fp32 DST, HiFi4."""
    k = _compile(lambda: samples.matmul(64, 64, 64, 32, 32, 32), schedule="naive")
    _check_matmul(k)


@pytest.mark.needs_sim
@pytest.mark.parametrize("chip", ["wormhole_b0", pytest.param("blackhole", marks=pytest.mark.sim)])  # make test: one chip
def test_matmul_multicast(wolfpine_env, chip):
    """Multicast with semaphores on a 2x2 grid, both chips: in0 along rows, in1 along columns (one output
    tile per core, K in one block: the smallest program that exercises every multicast kernel role)."""
    k = _compile(lambda: samples.matmul(64, 64, 64), chip, schedule="multicast", grid=(2, 2), in0_block_w=2)
    assert k.plan["schedule"]["params"]["variant"] == "multicast"
    _check_matmul(k, seed=3)


@pytest.mark.needs_sim
@pytest.mark.sim
@pytest.mark.parametrize("chip", ["wormhole_b0", "blackhole"])
def test_matmul_bias_row_multicast(wolfpine_env, chip):
    """A (1, N) bias row in the multicast schedule on tt-metal's runtime: read once per block, the
    subblock packed to the stage CB and brought back by add_tiles_bcast_rows (docs/schedules.md). A wrong
    row tile or a missing broadcast is off by |bias| ~ 1, far past the matmul tolerance plus the add's
    rounding."""
    k = _compile(lambda: samples.matmul_bias_row(64, 128, 128), chip, schedule="multicast", grid=(2, 2),
                 per_core_m=1, per_core_n=2, in0_block_w=1, subblock_h=1, subblock_w=2, partials="reload")
    a, b, bias = _inputs(k, 5)
    wp = k(a, b, bias, backend="wolfpine").astype(np.float64)
    ab = a.astype(np.float64) @ b.astype(np.float64)
    ref = ab + bias.astype(np.float64)
    tol = _matmul_tolerance(a, b, ab) + _ulp(ref)
    assert np.all(np.abs(wp - ref) <= tol), f"wolfpine is {np.max(np.abs(wp - ref) / tol):.3g} of its bound"


@pytest.mark.needs_sim
@pytest.mark.sim
@pytest.mark.parametrize("chip,variant", [("wormhole_b0", "multicast"), ("blackhole", "subblocked")])
def test_matmul_transposed_b(wolfpine_env, chip, variant):
    """B stored (N, K) in the fast schedules on tt-metal's own LLKs: the reader's (n, k) tile ids and the
    transpose flag of matmul_block_init, which the release's unpacker (Haloize_mode) and math MOP obey. An
    untransposed tile or a wrong page is off by the size of the result, far past the tolerance."""
    k = _compile(lambda: samples.matmul(128, 128, 128, transpose_b=True), chip, schedule=variant, grid=(2, 2),
                 per_core_m=2, per_core_n=2, in0_block_w=2, subblock_h=1, subblock_w=2)
    assert "matmul_block_init(cb_in0, cb_in1, 1, 2, 1, 2)" in k.sources["compute.cpp"]
    a, b = _inputs(k, 12)
    wp = k(a, b, backend="wolfpine").astype(np.float64)
    emu = k(a, b, backend="emulator").astype(np.float64)
    bt = np.ascontiguousarray(b.T)
    ref = a.astype(np.float64) @ bt.astype(np.float64)
    tol = _matmul_tolerance(a, bt, ref)
    assert np.all(np.abs(wp - ref) <= tol), f"wolfpine is {np.max(np.abs(wp - ref) / tol):.3g} of its bound"
    assert np.all(np.abs(wp - emu) <= 2 * tol), "wolfpine and the emulator disagree beyond both tolerances"


# ---------------------------------------------------------------------------------------------------
# negative controls: a broken kernel fails on wolfpine as it would on a card

def _run_edited(kernel, edit, inputs, timeout):
    """Run the kernel's program with `edit(sources)` applied, on wolfpine; returns the output."""
    srcs = edit(dict(kernel.sources))
    plan = json.loads(srcs["plan.json"])
    art = module.Artifact(f"negative-{id(srcs)}", kernel.name, plan["api_profile"], srcs, plan)
    out_shape = kernel.params[-1][1]
    tensors = [tvm.runtime.tensor(x) for x in inputs] + [tvm.runtime.tensor(np.zeros(out_shape, BF16))]
    with launcher.using_backend("wolfpine"):
        launcher.run_artifact(art, tensors, timeout=timeout)
    return tensors[-1].numpy()


@pytest.mark.needs_sim
@pytest.mark.parametrize("op, axis, M, N, dtype, chip", [
    ("max", "row", 40, 50, "bfloat16", "wormhole_b0"),       # the reader's -inf mask (N % 32 = 18)
    # the larger tier (make test-sim): the default tier keeps the -inf mask and the scaler's face pairing
    pytest.param("sum", "row", 40, 37, "bfloat16", "wormhole_b0", marks=pytest.mark.sim),   # odd partial count (5)
    pytest.param("max", "col", 45, 64, "float32", "blackhole", marks=pytest.mark.sim),      # mask rows, fp32
    ("sum", "col", 60, 64, "bfloat16", "blackhole")])        # 28 valid rows: faces 2 / 3 partly valid
def test_ragged_reductions(wolfpine_env, op, axis, M, N, dtype, chip):
    # FPU-only: the tail of a ragged axis is handled by the scaler CB and data-movement stores, so tt-metal's
    # own reduce LLKs check the partial scaler's face layout (each data face weighed by its own scaler
    # face) and that -inf loses every max (all-negative rows)
    from tilelang_tt import numerics, sample_bounds
    kernel = tilelang_tt.compile(samples.reduce(op, axis, M, N, dtype=dtype), target=f"tenstorrent/{chip}",
                                 out_idx=1)
    a = -np.abs(np.random.default_rng(M * N).standard_normal((M, N))) - 1
    a = a.astype(BF16 if dtype == "bfloat16" else np.float32)
    wp = np.asarray(kernel(a, backend="wolfpine"), np.float32)
    chk = numerics.check_bounded(wp, sample_bounds.reduce(op, axis, a))
    assert chk.ok, chk.describe()
    if dtype == "bfloat16":
        # exact: a max, or a sum of at most 64 bf16 values in [-6, -1] (every partial sum fits fp32's 24 bits)
        ref = getattr(np, op)(a.astype(np.float64), axis=1 if axis == "row" else 0, keepdims=True)
        assert np.array_equal(wp.astype(np.float64), ref)
        assert np.array_equal(wp, np.asarray(kernel(a, backend="emulator"), np.float32))


@pytest.mark.needs_sim
@pytest.mark.sim      # 45 s of a hang stopped by its timeout: make test-sim
def test_negative_wrong_cb_index_in_reader_hangs(wolfpine_env):
    """The reader pushes B into A's CB (c_0 instead of c_1): the compute kernel waits on c_1 for ever.
    On wolfpine the program never finishes and the run is stopped with a typed error."""
    k = _compile(lambda: samples.eltwise("add", 32, 64, 32, 64))
    reader = k.sources["reader.cpp"]
    assert "cb_B_s = tt::CBIndex::c_1;" in reader

    def edit(srcs):
        srcs["reader.cpp"] = reader.replace("cb_B_s = tt::CBIndex::c_1;", "cb_B_s = tt::CBIndex::c_0;")
        return srcs
    with pytest.raises(WolfpineRunError, match=r"did not finish on the simulated wormhole device within 45 s"):
        _run_edited(k, edit, _inputs(k, 4), timeout=45)


# ---------------------------------------------------------------------------------------------------
# rejected before anything starts (no simulator needed)

def test_sfpu_program_is_rejected():
    k = _compile(lambda: samples.unary_chain(32, 64))
    (a,) = _inputs(k, 5)
    with pytest.raises(WolfpineUnsupported, match=r"compute kernel compute \(compute.cpp\) uses the SFPU "
                                                  r"\(api/compute/eltwise_unary/exp.h.*SFPI's compiler"):
        k(a, backend="wolfpine")


def test_block_float_program_is_rejected():
    # wolfpine 2.2's unpacker has no block-float conversion: refused before anything starts
    k = _compile(lambda: samples.matmul(64, 64, 64, 32, 32, 32), schedule="naive", storage={"B": "bfp8_b"})
    a, b = _inputs(k, 3)
    with pytest.raises(WolfpineUnsupported, match=r"kernel 'matmul'.*block-float CBs \(c_1 B_s \(Bfp8_b\)\)"):
        k(a, b, backend="wolfpine")


def test_l1_acc_partials_are_rejected():
    k = _compile(lambda: samples.matmul(128, 128, 256), schedule="multicast", grid=(2, 2), partials="l1_acc")
    a, b = _inputs(k, 6)
    with pytest.raises(WolfpineUnsupported, match=r"accumulates partial sums in L1.*partials='reload'"):
        k(a, b, backend="wolfpine")


def test_no_python310_is_a_typed_error(monkeypatch):
    from tilelang_tt.runtime import wolfpine as backend
    monkeypatch.setattr(env, "find_python310", lambda: None)
    # no device child left open by the tests before (an open child needs no Python 3.10 any more)
    monkeypatch.setattr(backend, "_CHILDREN", {})
    k = _compile(lambda: samples.eltwise("add", 32, 32, 32, 32))
    a, b = _inputs(k, 7)
    with pytest.raises(WolfpineUnavailable, match=r"CPython 3.10 only.*pyenv install 3.10.*TILELANG_TT_PYTHON310"):
        k(a, b, backend="wolfpine")


def test_unknown_per_call_backend():
    k = _compile(lambda: samples.eltwise("add", 32, 32, 32, 32))
    a, b = _inputs(k, 8)
    with pytest.raises(tilelang_tt.errors.TTArgumentError, match=r"backend='gpu' is not a backend"):
        k(a, b, backend="gpu")


# ---------------------------------------------------------------------------------------------------
# opt-in tier (make test-sim): larger programs, K split into blocks, the semaphore negative control

@pytest.mark.sim
@pytest.mark.needs_sim
@pytest.mark.parametrize("variant", ["subblocked", "multicast"])
def test_matmul_reload_bf16_partials(wolfpine_env, variant):
    """Two K blocks with bf16 partials reloaded through an intermediate CB (same format as the inputs)."""
    k = _compile(lambda: samples.matmul(128, 128, 128, accum_dtype="bfloat16"), schedule=variant, grid=(2, 2),
                 partials="reload", in0_block_w=2)
    assert k.plan["schedule"]["params"]["accumulate"] == "reload"
    _check_matmul(k, seed=9)


@pytest.mark.sim
@pytest.mark.needs_sim
def test_matmul_reload_fp32_partials(wolfpine_env):
    # found here first: without the format reconfigs (issue 16) the fp32 partials were read as bf16 and the
    # result was garbage on wolfpine while the emulator passed; the compiler now places them
    k = _compile(lambda: samples.matmul(128, 128, 128), schedule="subblocked", grid=(2, 2), partials="reload",
                 in0_block_w=2)
    assert [c["data_format"] for c in k.plan["cbs"] if c["index"] == 24] == ["Float32"]
    _check_matmul(k, seed=10)


@pytest.mark.sim
@pytest.mark.needs_sim
def test_negative_missing_semaphore_wait(wolfpine_env):
    """The receivers do not wait for the senders' multicasts (in0 and in1 receivers both drop their
    noc_semaphore_wait): they push their CBs before the data has arrived, and core (1, 1), which receives
    both operands, multiplies whatever its CBs held. The result must be wrong (or the run must fail)."""
    # K in one block: no partials, so nothing but the missing waits can make it wrong
    k = _compile(lambda: samples.matmul(128, 128, 64), schedule="multicast", grid=(2, 2), in0_block_w=2)
    line = "noc_semaphore_wait(reinterpret_cast<volatile tt_l1_ptr uint32_t*>(recv_sem_addr), 1);"
    receivers = ("in0_receiver.cpp", "in1_receiver_writer.cpp")
    assert all(line in k.sources[r] for r in receivers)

    def edit(srcs):
        for r in receivers:
            srcs[r] = srcs[r].replace(line, "")
        return srcs
    a, b = _inputs(k, 11)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    try:
        out = _run_edited(k, edit, [a, b], timeout=300).astype(np.float64)
    except WolfpineRunError:
        return
    assert not np.all(np.abs(out - ref) <= _matmul_tolerance(a, b, ref))


@pytest.mark.needs_sim
@pytest.mark.sim
def test_running_sum_carried_across_a_loop(wolfpine_env):
    # state carried across a serial loop in its CB (docs/ops.md "State carried across a loop"): FPU-only (the
    # zero fill is the zeroed DST, reduce and add_tiles), so tt-metal's own CB and LLK code runs the per-iteration
    # wait / pop / push of the state; fp32 operands enter its source registers with 19 bits, as the bound allows
    from tilelang_tt import numerics, sample_bounds
    kernel = tilelang_tt.compile(samples.running_reduce("sum", 32, 128, block_n=64), out_idx=1)
    a = np.random.default_rng(0).standard_normal((32, 128)).astype(BF16)
    wp = np.asarray(kernel(a, backend="wolfpine"), np.float32)
    chk = numerics.check_bounded(wp, sample_bounds.running_reduce("sum", a, 64))
    assert chk.ok, chk.describe()


@pytest.mark.needs_sim
@pytest.mark.sim
def test_transposed_b_without_the_flag_is_wrong(wolfpine_env):
    """Negative control: the transposed-B multicast program with the transpose flag cleared in
    matmul_block_init and matmul_block multiplies B's tiles untransposed on tt-metal's LLKs: wrong."""
    k = _compile(lambda: samples.matmul(128, 128, 128, transpose_b=True), schedule="multicast", grid=(2, 2),
                 per_core_m=2, per_core_n=2, in0_block_w=2, subblock_h=1, subblock_w=2)
    init, block = "matmul_block_init(cb_in0, cb_in1, 1, 2, 1, 2)", ", 0, 1, 2, 1, 2);"   # (dst 0, flag, ct, rt, kt)
    assert init in k.sources["compute.cpp"] and block in k.sources["compute.cpp"]

    def edit(srcs):
        srcs["compute.cpp"] = srcs["compute.cpp"].replace(init, init.replace(", 1, 2, 1, 2)", ", 0, 2, 1, 2)")) \
            .replace(block, ", 0, 0, 2, 1, 2);")
        return srcs
    a, b = _inputs(k, 13)
    bt = np.ascontiguousarray(b.T)
    ref = a.astype(np.float64) @ bt.astype(np.float64)
    out = _run_edited(k, edit, [a, b], timeout=300).astype(np.float64)
    assert not np.all(np.abs(out - ref) <= _matmul_tolerance(a, bt, ref))
