"""What cannot run on the wolfpine route, rejected before anything starts (never a wrong number).

* SFPU code in a compute kernel (exp, sqrt, reciprocal, silu, relu, fill): the SFPU is programmed through
  SFPI's compiler builtins, and no registry serves that compiler (toolchain.py stands in for it with
  Debian's GCC, which has no Tensix vector extension).
* Partial sums accumulated in L1 by the packer (`partials="l1_acc"`, `pack_reconfig_l1_acc`): wolfpine
  2.2 does not model the packer's L1 accumulation; such a matmul comes back as the sum of the last two K
  blocks only, a simulator gap (docs/wolfpine.md).
* Block-float CBs (Bfp8_b / Bfp4_b, option `storage`): wolfpine 2.2's unpacker converts only BF16, FP16,
  FP32, INT32 and UINT16 data (its `formatConversion` raises NotImplementedError for any other format,
  found running a Bfp8_b matmul), so a block-float program would stop the simulator.

Both are read from what the program does, not from what it is called: the exact per-core counts in
plan.json's `work` (sfpu_tiles, pack_l1_acc_tiles) and the SFPU API headers the compute kernels include.
"""
from __future__ import annotations

import re

from ..errors import WolfpineUnsupported

# Compute API headers whose calls run on the SFPU (tt-metal api/compute/eltwise_unary/*, fill).
_SFPU_INCLUDE = re.compile(r'#include\s+"api/compute/(eltwise_unary/[\w/]+\.h|fill\.h)"')
ARCHES = {"wormhole_b0": "wormhole", "blackhole": "blackhole"}


def check(plan: dict, sources: dict[str, str], kernel: str) -> None:
    """Raise WolfpineUnsupported naming the reason when `plan` cannot run on the wolfpine route."""
    model = plan.get("model", "wormhole_b0")
    if model not in ARCHES:
        raise WolfpineUnsupported(
            f"kernel '{kernel}': the wolfpine backend simulates Wormhole and Blackhole, not {model!r}; fix: compile "
            f"for tenstorrent/wormhole_b0 or tenstorrent/blackhole, or run on the emulator")
    for k in plan.get("kernels", []):
        if k.get("kind") != "compute":
            continue
        headers = _SFPU_INCLUDE.findall(sources.get(k["source"], ""))
        if headers:
            raise WolfpineUnsupported(
                f"kernel '{kernel}': compute kernel {k['name']} ({k['source']}) uses the SFPU "
                f"({', '.join('api/compute/' + h for h in headers)}); SFPU code needs SFPI's compiler, which no "
                f"package registry serves, so the wolfpine backend cannot build it. Supported there: FPU-only "
                f"programs (matmul, add/sub/mul, copy, cast); fix: run this kernel on the emulator "
                f"(backend='emulator')")
    bfp = sorted({f"c_{cb['index']} {cb['name']} ({cb['data_format']})" for cb in plan.get("cbs", [])
                  if str(cb.get("data_format", "")).startswith("Bfp")})
    if bfp:
        raise WolfpineUnsupported(
            f"kernel '{kernel}': the program unpacks block-float CBs ({', '.join(bfp)}); wolfpine 2.2's unpacker has "
            f"no block-float conversion (BF16, FP16, FP32, INT32, UINT16 only). fix: run it on the emulator "
            f"(backend='emulator'), or drop the parameter from storage= for this backend")
    work = plan.get("work") or {}
    sfpu = sum(int(c["compute"].get("sfpu_tiles", 0)) for c in work.get("cores", []))
    if sfpu:
        raise WolfpineUnsupported(
            f"kernel '{kernel}': the program runs {sfpu} SFPU tile operations (plan.json work.sfpu_tiles); SFPU "
            f"code needs SFPI's compiler, which no package registry serves; fix: run it on the emulator "
            f"(backend='emulator')")
    l1_acc = sum(int(c["compute"].get("pack_l1_acc_tiles", 0)) for c in work.get("cores", []))
    accumulate = (plan.get("schedule", {}).get("params") or {}).get("accumulate")
    if l1_acc or accumulate == "l1_acc":
        raise WolfpineUnsupported(
            f"kernel '{kernel}': the matmul accumulates partial sums in L1 with the packer (partials='l1_acc', "
            f"{l1_acc} L1-accumulating packs); wolfpine 2.2 does not model the packer's L1 accumulation and would "
            f"return only the last two K blocks' sum. fix: compile with partials='reload' for this backend, or run "
            f"on the emulator (backend='emulator')")
