"""Block-float storage end to end: matmuls whose weights B (and in some cases A) are declared
storage={"B": "bfp8_b"} / "bfp4_b" keep their logical dtype bf16, are packed on the host into Bfp8_b /
Bfp4_b tiles (tilelang_tt.blockfloat, bit-exact with the release), read from DRAM as 1088 / 576-byte
pages, unpacked by the device into bf16 source registers, and produce bf16 C. Every matmul schedule, both
chips, LoFi / HiFi2 / HiFi4: each result within the derived matmul bound of the values the device holds
(numpy on blockfloat.quantize(x), docs/tolerance.md "Block-float inputs"), with the emulator's format
checking on (a missing reconfig to or from a Bfp CB is an EmulatorFormatError)."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import blockfloat, samples
from tilelang_tt.numerics import check, matmul_bound
from tilelang_tt.target import TILE_BYTES

BF16 = ml_dtypes.bfloat16
PAGE = {"bfp8_b": TILE_BYTES["Bfp8_b"], "bfp4_b": TILE_BYTES["Bfp4_b"]}

# (schedule, overrides, chip, storage, fidelity): every schedule on both chips, every format as B and
# as A, every fidelity; both partial-sum strategies
CASES = [
    ("naive", {}, "wormhole_b0", {"B": "bfp8_b"}, "HiFi4"),
    ("naive", {}, "blackhole", {"A": "bfp8_b", "B": "bfp4_b"}, "LoFi"),
    ("blocked", dict(grid=(2, 2)), "wormhole_b0", {"B": "bfp4_b"}, "HiFi2"),
    ("blocked", dict(grid=(2, 2)), "blackhole", {"A": "bfp4_b", "B": "bfp8_b"}, "HiFi4"),
    ("subblocked", dict(grid=(2, 2), partials="l1_acc"), "wormhole_b0", {"A": "bfp8_b", "B": "bfp8_b"}, "LoFi"),
    ("subblocked", dict(grid=(2, 2), partials="reload"), "blackhole", {"B": "bfp4_b"}, "HiFi2"),
    ("multicast", dict(grid=(2, 2), partials="reload"), "wormhole_b0", {"B": "bfp8_b"}, "HiFi2"),
    ("multicast", dict(grid=(2, 2), partials="l1_acc"), "blackhole", {"A": "bfp4_b", "B": "bfp4_b"}, "HiFi4"),
    ("multicast", dict(grid=(2, 2)), "blackhole", {"B": "bfp8_b"}, "LoFi"),
]
M, N, K = 128, 128, 256


@pytest.mark.parametrize("schedule,over,chip,storage,fidelity", CASES,
                         ids=[f"{c[0]}-{c[2]}-{'-'.join(f'{k}{v}' for k, v in c[3].items())}-{c[4]}" for c in CASES])
def test_block_float_matmul_matches_numpy_on_the_quantised_inputs(schedule, over, chip, storage, fidelity):
    kernel = tilelang_tt.compile(samples.matmul(M, N, K), target=f"tenstorrent/{chip}", out_idx=2,
                                 schedule=schedule, math_fidelity=fidelity, storage=storage, **over)
    assert kernel.program.schedule["variant"] == schedule
    rng = np.random.default_rng(16)
    a = rng.standard_normal((M, K)).astype(BF16)
    b = rng.standard_normal((K, N)).astype(BF16)
    c = np.asarray(kernel(a, b)).astype(np.float32)
    held = {"A": a, "B": b}
    for name, fmt in storage.items():
        held[name] = blockfloat.quantize(held[name], fmt).astype(BF16)      # exact in bf16
    exact, bound = matmul_bound(held["A"], held["B"], "bfloat16", fp32_acc=True, fidelity=fidelity)
    ok, err, ratio = check(c, exact, bound)
    assert ok, f"{schedule} on {chip} with {storage} at {fidelity}: max error {err} = {ratio:.2f} x bound"
    # the device computed with the stored values, not the bf16 ones: where the quantisation error is larger
    # than the fidelity's (Bfp4_b above LoFi, Bfp8_b at HiFi4), the unquantised inputs' bound fails
    if fidelity == "HiFi4" or (fidelity == "HiFi2" and "bfp4_b" in storage.values()):
        raw_exact, raw_bound = matmul_bound(a, b, "bfloat16", fp32_acc=True, fidelity=fidelity)
        assert not check(c, raw_exact, raw_bound)[0]
    # the plan: tensors and their input CBs in the declared format, pages of the format's tile size
    plan = kernel.plan
    tensors = {t["name"]: t for t in plan["tensors"]}
    for name in "ABC":
        fmt = storage.get(name)
        want = ("Bfp8_b" if fmt == "bfp8_b" else "Bfp4_b") if fmt else "Float16_b"
        assert tensors[name]["data_format"] == want
        assert tensors[name]["page_bytes"] == (PAGE[fmt] if fmt else 2048)
    # the DRAM bytes the performance model reads (plan "work"): fewer than bf16 pages would take (exactly
    # per tensor: tests/unit/passes/test_block_float_storage.py)
    reads = sum(d["dram_read_bytes"] for core in plan["work"]["cores"] for d in core["dm"].values())
    pages = sum(d["dram_read_pages"] for core in plan["work"]["cores"] for d in core["dm"].values())
    assert reads < pages * 2048


@pytest.mark.parametrize("op,chip,fmt", [("add", "wormhole_b0", "bfp8_b"), ("mul", "blackhole", "bfp4_b")])
def test_block_float_input_of_an_element_wise_kernel(op, chip, fmt):
    # the naive schedule's input CB takes the format of the tensor it is loaded from; the compute
    # kernel's unpack reconfiguration follows the CB formats (analysis/compute_state.py)
    from tilelang_tt.numerics import elementwise_bound
    kernel = tilelang_tt.compile(samples.eltwise(op, 64, 128), target=f"tenstorrent/{chip}", out_idx=2,
                                 storage={"B": fmt})
    assert {c["name"]: c["data_format"] for c in kernel.plan["cbs"]}["B_s"] == ("Bfp8_b" if fmt == "bfp8_b" else "Bfp4_b")
    rng = np.random.default_rng(3)
    a = rng.standard_normal((64, 128)).astype(BF16)
    b = rng.standard_normal((64, 128)).astype(BF16)
    c = np.asarray(kernel(a, b)).astype(np.float32)
    bq = blockfloat.quantize(b, fmt).astype(np.float64)
    exact = a.astype(np.float64) + bq if op == "add" else a.astype(np.float64) * bq
    ok, err, ratio = check(c, exact, elementwise_bound(exact, "bfloat16", roundings=2))
    assert ok, f"{op} with B in {fmt}: max error {err} = {ratio:.2f} x bound"


def test_ragged_block_float_inputs_are_padded_before_packing():
    # M, N, K not multiples of 32: the host pads A and B to whole tiles with zeros, then packs (a zero never
    # raises a group's shared exponent, so the padding leaves the real values' quantisation unchanged)
    m, n, k = 100, 72, 80
    kernel = tilelang_tt.compile(samples.matmul(m, n, k), target="tenstorrent/blackhole", out_idx=2,
                                 schedule="naive", storage={"A": "bfp8_b", "B": "bfp4_b"})
    tensors = {t["name"]: t for t in kernel.plan["tensors"]}
    assert tensors["B"]["padded_shape"] == [96, 128] and tensors["B"]["num_pages"] == 12
    rng = np.random.default_rng(5)
    a = rng.standard_normal((m, k)).astype(BF16)
    b = rng.standard_normal((k, n)).astype(BF16)
    c = np.asarray(kernel(a, b)).astype(np.float32)
    aq = blockfloat.quantize(a, "bfp8_b").astype(BF16)
    bq = blockfloat.quantize(b, "bfp4_b").astype(BF16)
    ok, err, ratio = check(c, *matmul_bound(aq, bq, "bfloat16"))
    assert ok, f"max error {err} = {ratio:.2f} x bound"


def test_a_missing_reconfig_back_to_the_block_float_cb_is_a_format_error(tmp_path):
    # negative control: with fp32 partials reloaded through SrcA, the compute kernel reconfigures SrcA back
    # to in1 (Bfp8_b) before the next matmul; without that call the emulator stops the kernel
    import json

    from tilelang_tt.errors import EmulatorFormatError
    from tilelang_tt.runtime import emulator as emu
    from tilelang_tt.runtime.launcher import _host_bytes
    kernel = tilelang_tt.compile(samples.matmul(M, N, K), target="tenstorrent", out_idx=2, schedule="multicast",
                                 grid=(2, 2), partials="reload", in0_block_w=2, storage={"B": "bfp8_b"})
    sources = dict(kernel.sources)
    call = "reconfig_data_format_srca(cb_in1);"
    assert call in sources["compute.cpp"]
    plan = json.loads(sources["plan.json"])
    rng = np.random.default_rng(1)
    files = []
    for t in sorted(plan["tensors"], key=lambda t: t["param_index"]):
        path = tmp_path / f"tensor{t['param_index']}.bin"
        path.write_bytes(_host_bytes(t, rng.standard_normal(t["shape"]).astype(BF16)))
        files.append(str(path))
    emu.run_program(emu.build_program(sources, api_profile="M081"), files, model=plan["model"])   # passes
    sources["compute.cpp"] = sources["compute.cpp"].replace(call, "", 1)
    with pytest.raises(EmulatorFormatError) as e:
        emu.run_program(emu.build_program(sources, api_profile="M081"), files, model=plan["model"])
    det = e.value.report["details"]
    assert det["unit"] == "SrcA" and det["cb"] == 1
    assert {det["cb_format"], det["configured_format"]} == {"Bfp8_b", "Float32"}


def test_block_float_epilogue_tensor():
    # C = relu(A @ B + D) with B in Bfp8_b and the bias D in Bfp4_b: D's epilogue CB takes its format
    from tilelang_tt.numerics import elementwise_bound
    m = n = k = 128
    kernel = tilelang_tt.compile(samples.matmul_bias_relu(m, n, k), target="tenstorrent", out_idx=3,
                                 schedule="subblocked", grid=(2, 2), partials="reload",
                                 storage={"B": "bfp8_b", "D": "bfp4_b"})
    assert {c["name"]: c["data_format"] for c in kernel.plan["cbs"]}["epilogue_D"] == "Bfp4_b"
    rng = np.random.default_rng(7)
    a, b, d = (rng.standard_normal(s).astype(BF16) for s in ((m, k), (k, n), (m, n)))
    c = np.asarray(kernel(a, b, d)).astype(np.float32)
    exact, bound = matmul_bound(a, blockfloat.quantize(b, "bfp8_b").astype(BF16), "bfloat16", fp32_acc=True)
    exact = np.maximum(exact + blockfloat.quantize(d, "bfp4_b").astype(np.float64), 0)
    ok, err, ratio = check(c, exact, bound + elementwise_bound(exact, "bfloat16", roundings=1))
    assert ok, f"max error {err} = {ratio:.2f} x bound"


@pytest.mark.parametrize("sample,fmt", [("softmax", "bfp8_b"), ("reduce", "bfp4_b")])
def test_block_float_input_of_kernels_beyond_matmul(sample, fmt):
    # the naive schedule's regions (reduce with its Float16_b scaler, softmax's intermediates) reconfigure
    # the unpacker around a Bfp input CB as around any other format; references on the quantised input
    from tilelang_tt import numerics, sample_bounds
    func = samples.softmax(64, 128) if sample == "softmax" else samples.reduce("sum", "row", 64, 128)
    kernel = tilelang_tt.compile(func, target="tenstorrent/blackhole", out_idx=-1, storage={"A": fmt})
    a = np.random.default_rng(9).standard_normal((64, 128)).astype(BF16)
    out = np.asarray(kernel(a), np.float32)
    held = blockfloat.quantize(a, fmt).astype(BF16)
    ref = sample_bounds.softmax(held, "bfloat16") if sample == "softmax" else sample_bounds.reduce("sum", "row", held)
    chk = numerics.check_bounded(out, ref)
    assert chk.ok, chk.describe()
