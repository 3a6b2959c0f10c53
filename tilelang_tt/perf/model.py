"""A roofline estimate of a compiled kernel on its target, from plan.json and the hardware table.

Time = max(compute, DRAM traffic) per the busiest core, with compute at the matrix engine's rate for the
math fidelity and DRAM at the card's bandwidth shared by the cores in use. It does not model NOC
contention, CB stalls or dispatch overhead: treat it as a lower bound on time (upper bound on TFLOPS).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..target import HARDWARE, TILE_COLS


@dataclass
class Estimate:
    model: str
    cores: int
    flops: float
    dram_bytes: float
    compute_s: float
    dram_s: float

    @property
    def seconds(self) -> float:
        return max(self.compute_s, self.dram_s)

    @property
    def tflops(self) -> float:
        return self.flops / self.seconds / 1e12 if self.seconds else 0.0

    @property
    def bound(self) -> str:
        return "compute" if self.compute_s >= self.dram_s else "DRAM"

    def __str__(self) -> str:
        return (f"{self.model}: {self.cores} cores, {self.flops / 1e9:.2f} GFLOP, "
                f"{self.dram_bytes / 1e6:.1f} MB DRAM traffic -> {self.seconds * 1e6:.1f} us "
                f"({self.bound}-bound, {self.tflops:.1f} TFLOPS)")


def estimate(plan: dict) -> Estimate:
    hw = HARDWARE[plan["model"]]
    compute = next(k for k in plan["kernels"] if k["kind"] == "compute")["compute"]
    fidelity = compute.get("math_fidelity", "HiFi4")
    counts = plan["schedule"]["tiles_per_core"]
    blocks_max = max(counts)
    blocks_total = sum(counts)
    tensors = plan["tensors"]
    reads = [t for t in tensors if t["access"] in ("read", "readwrite")]
    writes = [t for t in tensors if t["access"] in ("write", "readwrite")]
    out = writes[0] if writes else tensors[-1]
    in_cbs = [cb for cb in plan["cbs"] if cb["role"] == "input"]
    out_cb = next(cb for cb in plan["cbs"] if cb["role"] == "output")
    flops = 0.0
    k_steps = 1
    if compute.get("has_matmul", False) or (len(reads) >= 2 and reads[0]["shape"][1] == reads[1]["shape"][0]):
        (m, k), n = reads[0]["shape"], reads[1]["shape"][1]
        flops = 2.0 * m * n * k
        # A block is bm x bk tiles, B bk x bn, C bm x bn: bk = sqrt(|A| |B| / |C|) in tiles.
        a, b = in_cbs[0]["block_pages"], in_cbs[1]["block_pages"]
        bk = max(1, round((a * b / out_cb["block_pages"]) ** 0.5))
        k_steps = max(1, (k // TILE_COLS) // bk)
    page = out["page_bytes"]
    per_block_in = sum(cb["block_pages"] * cb["page_bytes"] for cb in in_cbs[:2]) * k_steps \
        + sum(cb["block_pages"] * cb["page_bytes"] for cb in in_cbs[2:])
    dram_bytes = float(blocks_total * per_block_in + out["num_pages"] * page)
    per_core_flops = flops * blocks_max / max(1, blocks_total)
    compute_s = per_core_flops / (hw.flops_per_cycle[fidelity] * hw.clock_ghz * 1e9)
    dram_s = dram_bytes / (hw.dram_bandwidth_gbs * 1e9)
    return Estimate(plan["model"], len(counts), flops, dram_bytes, compute_s, dram_s)
