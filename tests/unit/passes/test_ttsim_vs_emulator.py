"""Two independent executions of the same TT-level TIR, compared tile by tile: the numpy interpreter of
TT-level TIR (ttsim.py) and the emulator running the generated C++ (tilelang_tt.compile). Each must
match the bounded reference of tilelang_tt.numerics, and they must agree with each other within the
sum of their bounds in every 32x32 output tile, so a bug in either (the emulator's tile math, a
lowering pass, the codegen) shows up as a named disagreeing tile.
"""
import numpy as np
import pytest

import tilelang_tt
import ttsim
from tilelang_tt import numerics as N
from tilelang_tt.fuzz.inputs import draw
from tilelang_tt.fuzz.kernels import FAMILIES
from tilelang_tt.passes import lower_to_tt

CASES = {
    # matmul working sets larger than the emulator's unpacked-tile cache (A + B blocks > 8 tiles)
    "mm_32x128_k64": ("matmul", dict(M=64, N=256, K=192, bm=32, bn=128, bk=64, dtype="bfloat16", accum="float32",
                                     out="float32", epilogue=[])),
    "mm_64x64_k128": ("matmul", dict(M=128, N=128, K=256, bm=64, bn=64, bk=128, dtype="bfloat16", accum="float32",
                                     out="bfloat16", epilogue=["bias", "relu"])),
    "mm_bf16acc_silu": ("matmul", dict(M=96, N=64, K=96, bm=32, bn=64, bk=96, dtype="bfloat16", accum="bfloat16",
                                       out="bfloat16", epilogue=["silu"])),
    "mm_fp32_many_blocks": ("matmul", dict(M=288, N=288, K=64, bm=32, bn=32, bk=32, dtype="float32", accum="float32",
                                           out="float32", epilogue=["bias"])),
    "ew_chain": ("eltwise", dict(M=64, N=128, bm=32, bn=64, x_dtype="bfloat16", y_dtype="bfloat16", local="bfloat16",
                                 out="bfloat16", first=["binary", "mul", "X", "Y"],
                                 steps=[["unary", "exp"], ["reuse", "sub"], ["reuse_swapped", "add"]])),
    "ew_fp32_unary": ("eltwise", dict(M=96, N=96, bm=32, bn=32, x_dtype="float32", y_dtype=None, local="float32",
                                      out="float32", first=["unary", "sqrt"], steps=[["unary", "reciprocal"]])),
    # element-wise breadth: fma of tensors, a max packed to a bf16 CB and read back, fdiv of tensors, an
    # immediate on the left of an add, log2 of the (positive) result (ragged: the padding is cropped)
    "breadth_chain": ("breadth", dict(M=64, N=90, bm=32, bn=64, x_dtype="float32", y_dtype="bfloat16",
                                      local="float32", out="float32",
                                      steps=[["fma", "local", "cur", "Y", "X"], ["maximum", "bfloat16", "cur", "X"],
                                             ["fdiv", "local", "cur", "Y"], ["add", "float32", 3.0, "cur"],
                                             ["log2", "local", "cur"]])),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_ttsim_and_emulator_agree_tile_by_tile(name):
    family_name, params = CASES[name]
    family = FAMILIES[family_name]
    func = family.build(params, name)
    inputs = family.inputs(params)
    domain = params.get("first", [""])[-1:] == ["sqrt"] or ["log2", "local", "cur"] in params.get("steps", [])
    scale = "positive" if domain else "unit"
    arrays = {n: draw(shape, dtype, scale, i) for i, (n, shape, dtype) in enumerate(inputs)}
    out_shape = (params["M"], params["N"])

    kernel = tilelang_tt.compile(func, out_idx=len(inputs))
    emu = np.asarray(kernel(*arrays.values()), np.float32)

    tensors = {n: a.astype(np.float32) for n, a in arrays.items()}
    tensors["C"] = np.zeros(out_shape, np.float32)
    # ttsim interprets the naive program (one reader, compute, writer per core); the emulator runs the
    # schedule the chooser picked, so the two executions also differ in schedule.
    sim = ttsim.run(lower_to_tt(func, "tenstorrent", schedule="naive"), tensors)[0]["C"]

    fp32 = kernel.program.compute.fp32_dest_acc_en
    ref = family.reference(params, arrays, fp32).stored(params["out"])
    problems = []
    for tr in range(-(-out_shape[0] // 32)):
        for tc in range(-(-out_shape[1] // 32)):
            sl = np.s_[tr * 32:tr * 32 + 32, tc * 32:tc * 32 + 32]
            diff = np.abs(emu[sl].astype(np.float64) - sim[sl])
            if np.any(diff > 2 * ref.err[sl]):
                problems.append(f"tile ({tr}, {tc}): max |emulator - ttsim| {diff.max():.3g} > "
                                f"{2 * ref.err[sl].max():.3g}")
    for who, got in (("emulator", emu), ("ttsim", sim)):
        chk = N.check_bounded(got, ref)
        if not chk.ok:
            problems.append(f"{who} is outside the bound: {chk.describe()}")
    assert not problems, "\n".join(problems)
