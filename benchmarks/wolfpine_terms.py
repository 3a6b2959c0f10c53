"""Our model's per-core terms against wolfpine's cycle model, for the matmul subblocks at issue at HiFi2.

    .venv/bin/python benchmarks/wolfpine_terms.py [--subblocks 1x8 2x4 4x2] [--fidelity HiFi2] [--chip wormhole_b0]

One core, the per-core block of tt-metal's n150 2048^3 configuration and of the auto schedule from 4096^3
up (per_core 8x8 tiles, in0_block_w 8), K in one block (256x256x256: no partial sums, which wolfpine
cannot accumulate in L1 anyway), bf16 DST. Each subblock runs in a fresh process with
TT_SIM_COST_MODEL=1 TT_SIM_PROFILE=<dir> (the counters are complete when the device closes), checked
against numpy, then tilelang_tt/wolfpine/profile.py reads the counters in the child environment. About
1 to 1.5 minutes per subblock on 2 cores. docs/perf-model.md, "The HiFi2 question", reads the output.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE, BLOCK, KBLOCK = 256, 8, 8


def compile_one(h: int, w: int, fidelity: str, chip: str):
    import tilelang_tt
    from tilelang_tt import samples
    return tilelang_tt.compile(samples.matmul(SIZE, SIZE, SIZE, 64, 64, 32, accum_dtype="bfloat16"),
                               target=f"tenstorrent/{chip}", out_idx=-1, schedule="subblocked", grid=(1, 1),
                               per_core_m=BLOCK, per_core_n=BLOCK, in0_block_w=KBLOCK, subblock_h=h,
                               subblock_w=w, math_fidelity=fidelity)


def run_one(h: int, w: int, fidelity: str, chip: str) -> None:
    """In the fresh process: run on wolfpine, check against numpy."""
    import ml_dtypes
    import numpy as np
    k = compile_one(h, w, fidelity, chip)
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((SIZE, SIZE)).astype(ml_dtypes.bfloat16) for _ in range(2))
    c = k(a, b, backend="wolfpine").astype(np.float64)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    # bf16 DST: every MVMUL rounds the running sum (docs/wolfpine.md); a loose bound that still catches
    # a wrong schedule (a missing K block is off by the magnitude of the result)
    mag = np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))
    assert np.all(np.abs(c - ref) <= (SIZE // 16 + 1) * 2.0 ** -8 * mag + 0.05), "wolfpine != numpy"


def model_terms(h: int, w: int, fidelity: str, chip: str) -> dict:
    from tilelang_tt.perf.costs import costs
    k = compile_one(h, w, fidelity, chip)
    ct = costs(k.plan["work"]["model"])
    c = k.plan["work"]["cores"][0]["compute"]
    phases = ct.fidelity_phases[fidelity]
    in1 = c["matmul_unpacked_tiles"] - c["matmul_unpacked_in0_tiles"]
    unpack = (in1 * ct.unpack_srca_cycles["Float16_b"] + c["matmul_unpacked_in0_tiles"]
              * ct.unpack_srcb_cycles["Float16_b"] + c["matmul_reused_tiles"] * ct.unpack_reuse_cycles["Float16_b"])
    return {"products": c["matmul_tiles"], "mvmul": c["matmul_tiles"] * 16 * phases,
            "unpacked_tiles": c["matmul_unpacked_tiles"], "reused_tiles": c["matmul_reused_tiles"],
            "matrix_cycles": c["matmul_tiles"] * ct.mm_phase_cycles * phases + c["matmul_calls"] * ct.mm_call_cycles,
            "unpack_cycles": unpack, "pack_tiles": c["pack_tiles"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--subblocks", nargs="*", default=["1x8", "2x4", "4x2"])
    ap.add_argument("--fidelity", default="HiFi2")
    ap.add_argument("--chip", default="wormhole_b0")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        h, w = map(int, args.one.split("x"))
        run_one(h, w, args.fidelity, args.chip)
        return
    from tilelang_tt.wolfpine import env
    child = env.ensure()
    print(f"{args.chip}, one core, {SIZE}^3, per-core {BLOCK}x{BLOCK}, in0_block_w {KBLOCK}, {args.fidelity}")
    for sb in args.subblocks:
        h, w = map(int, sb.split("x"))
        with tempfile.TemporaryDirectory(prefix="wolfpine-terms-") as prof:
            run_env = dict(os.environ, TT_SIM_COST_MODEL="1", TT_SIM_PROFILE=prof)
            subprocess.run([sys.executable, __file__, "--one", sb, "--fidelity", args.fidelity, "--chip",
                            args.chip], env=run_env, check=True, stdout=subprocess.DEVNULL)
            out = subprocess.run([child.python, str(ROOT / "tilelang_tt" / "wolfpine" / "profile.py"), prof],
                                 check=True, capture_output=True, text=True).stdout
        wp = json.loads(out)
        ours = model_terms(h, w, args.fidelity, args.chip)
        print(json.dumps({"subblock": sb, "model": ours, "wolfpine": wp}))
        print(f"  {sb}: MVMUL {wp['mvmul']} (ours {ours['mvmul']}), UNPACR {wp['unpacr']} (ours "
              f"{ours['unpacked_tiles']}), matmul window {wp['matmul_window_cycles']} cycles = "
              f"{wp['matmul_window_cycles'] / ours['products']:.1f} per product (ours: matrix "
              f"{ours['matrix_cycles'] / ours['products']:.1f}, unpack {ours['unpack_cycles'] / ours['products']:.1f})")


if __name__ == "__main__":
    main()
