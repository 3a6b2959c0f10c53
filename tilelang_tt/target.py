"""Tenstorrent targets: TVM tags and the one table of hardware facts per chip model.

Numbers come from the TT-Metalium reference notes (section D) and are checked against the pinned release
by perf/hwcheck.py. The compiler asks `hardware(target)` for every hardware number. The emulator's C++
(emulator/src/runtime.cpp `Model`, emulator/src/emu.hpp limits) holds its own copy of the numbers it
enforces; tests/unit/emulator/test_hardware_constants.py keeps that copy equal to this table.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import ml_dtypes
import numpy as np

from .errors import TTCompileError, TTTargetError

TILE_ROWS = 32
TILE_COLS = 32
FACE_ROWS = 16
FACE_COLS = 16

# Bytes of one 32x32 tile per TT-Metalium DataFormat (tt::tile_size).
TILE_BYTES = {
    "Float32": 4096,
    "Float16_b": 2048,
    "Float16": 2048,
    "Bfp8_b": 1088,
    "Bfp4_b": 576,
    "Int32": 4096,
    "UInt32": 4096,
    "UInt16": 2048,
}

# TVM dtype -> TT-Metalium DataFormat for the dtypes the compiler supports, and the host numpy dtype.
DATA_FORMAT = {"bfloat16": "Float16_b", "float32": "Float32"}
NUMPY_DTYPE = {"bfloat16": np.dtype(ml_dtypes.bfloat16), "float32": np.dtype(np.float32)}

# Storage formats a bf16 kernel parameter may be declared with (compile option `storage`), separate from
# its dtype: user spelling -> TT-Metalium DataFormat. ttnn's names (bfloat8_b) are accepted as aliases.
STORAGE_FORMATS = {"bfp8_b": "Bfp8_b", "bfp4_b": "Bfp4_b"}
STORAGE_ALIASES = {"bfloat8_b": "bfp8_b", "bfloat4_b": "bfp4_b"}
BLOCK_FLOAT_DTYPE = "bfloat16"       # the logical dtype a block-float parameter keeps (the unpacker's output)


@dataclass(frozen=True)
class Hardware:
    model: str
    card: str
    grid: tuple[int, int]                 # compute grid (x = columns, y = rows) usable by kernels
    l1_bytes: int                         # L1 per Tensix core (worker_l1_size = MEM_L1_SIZE)
    dram_banks: int
    dram_bank_bytes: int
    dram_bandwidth_gbs: float
    clock_ghz: float
    flops_per_cycle: dict = field(default_factory=dict)   # per math fidelity, per core
    dst_tiles: dict = field(default_factory=dict)         # (sync mode, accumulation) -> tiles per acquire
    max_cbs: int = 32
    noc_max_burst_bytes: int = 8192
    dram_read_alignment: int = 32
    l1_alignment: int = 16
    max_runtime_args: int = 341
    max_semaphores: int = 16               # tt::tt_metal::NUM_SEMAPHORES of the release (perf/hwcheck.py)
    max_grid: tuple[int, int] = (0, 0)    # largest compute grid a card of this model exposes (harvesting)
    tensix_grid: tuple[int, int] = (0, 0) # all Tensix workers of the chip (soc descriptor)

    @property
    def num_cores(self) -> int:
        return self.grid[0] * self.grid[1]

    def dst_capacity(self, fp32_acc: bool, full_sync: bool = False) -> int:
        return self.dst_tiles[("full" if full_sync else "half", "fp32" if fp32_acc else "bf16")]

    def peak_tflops(self, fidelity: str = "HiFi4") -> float:
        return self.flops_per_cycle[fidelity] * self.clock_ghz * self.num_cores / 1e3


_FLOPS = {"LoFi": 4096, "HiFi2": 2048, "HiFi3": 1365, "HiFi4": 1024}
# Math fidelities of the matrix engine, lowest first.
MATH_FIDELITIES = tuple(_FLOPS)
_DST = {("half", "bf16"): 8, ("half", "fp32"): 4, ("full", "bf16"): 16, ("full", "fp32"): 8}

# Checked against the ttnn 0.81.1 release (perf/hwcheck.py: check_hardware_table):
# * wormhole_b0 (n150): soc_descriptors/wormhole_b0_80_arch.yaml has 8x10 functional_workers, worker_l1_size
#   1499136 (= 1464 KiB = MEM_L1_SIZE of hw/inc/internal/tt-1xx/wormhole/dev_mem_map.h) and 12 dram_views of
#   dram_view_size 1 GiB; core_descriptors/wormhole_b0_80_arch.yaml gives the n150 ("nebula_x1", one
#   harvested row, dispatch on the last row) a compute_with_storage_grid of 8x8.
# * blackhole (p150): soc_descriptors/blackhole_140_arch.yaml has 14x10 functional_workers, worker_l1_size
#   1572864 (= 1536 KiB = MEM_L1_SIZE of .../blackhole/dev_mem_map.h) and 8 dram_views of dram_view_size
#   4278190080 B; core_descriptors/blackhole_140_arch.yaml gives 13x10 unharvested (the last column runs
#   fast dispatch), 12x10 with one and 11x10 with two harvested columns. Firmware >= v19.5.0 enables 120
#   of the p150's 140 Tensix (reference D.1/D.2), i.e. two columns off: 11x10 is the grid of a current
#   p150 and our default; 13x10 (tech-report measurements, older firmware) is `max_grid`.
# NOC_MAX_BURST_SIZE (8 / 16 KiB) and NOC_DRAM_READ_ALIGNMENT_BYTES (32 / 64) are from
# hw/inc/internal/tt-1xx/<arch>/noc/noc_parameters.h of the same release.
HARDWARE = {
    "wormhole_b0": Hardware(
        model="wormhole_b0", card="n150", grid=(8, 8), l1_bytes=1464 * 1024,
        dram_banks=12, dram_bank_bytes=1 << 30, dram_bandwidth_gbs=288.0, clock_ghz=1.0,
        flops_per_cycle=_FLOPS, dst_tiles=_DST, max_cbs=32, noc_max_burst_bytes=8192,
        dram_read_alignment=32, max_grid=(8, 8), tensix_grid=(8, 10)),
    "blackhole": Hardware(
        model="blackhole", card="p150", grid=(11, 10), l1_bytes=1536 * 1024,
        dram_banks=8, dram_bank_bytes=4278190080, dram_bandwidth_gbs=512.0, clock_ghz=1.35,
        flops_per_cycle=_FLOPS, dst_tiles=_DST, max_cbs=64, noc_max_burst_bytes=16384,
        dram_read_alignment=64, max_grid=(13, 10), tensix_grid=(14, 10)),
}

# tag -> model. "tenstorrent" alone means a Wormhole n150.
TAGS = {
    "tenstorrent": "wormhole_b0",
    "tenstorrent/wormhole_b0": "wormhole_b0",
    "tenstorrent/n150": "wormhole_b0",
    "tenstorrent/blackhole": "blackhole",
    "tenstorrent/p150": "blackhole",
}


def tag_config(model: str) -> dict:
    return {"kind": "ext_dev", "keys": ["tenstorrent"], "device": "tenstorrent", "model": model}


def register_tags() -> None:
    """Register every Tenstorrent tag with TVM. Safe to call more than once."""
    from tvm.target import Target, register_tag

    for tag, model in TAGS.items():
        cfg = tag_config(model)
        Target(cfg)  # validate first: a bad register_tag poisons list_tags() for the whole process
        register_tag(tag, cfg, override=True)


def _unknown_tag_error(name: str) -> TTTargetError:
    return TTTargetError(f"unknown Tenstorrent target {name!r}; known tags: {', '.join(TAGS)} "
                         f"(models: {', '.join(HARDWARE)})")


def install_tag_check() -> None:
    """Make `Target("tenstorrent/<unknown>")` (and so `tvm.build(..., target=...)`) raise our
    TTTargetError listing the known tags, instead of TVM's "Target kind ... is not defined".

    TVM 0.27 resolves a target string in C++ with no hook for a tag family, and every build entry point
    goes through the Python `Target` constructor, so that is where the check sits. Only strings and
    {"tag": ...} dicts naming a `tenstorrent/` tag we do not know are affected; TTTargetError is a
    ValueError, the type TVM raises there."""
    from tvm.target import Target

    original = Target.__init__
    if getattr(original, "_tilelang_tt_tag_check", False):
        return

    def __init__(self, target, host=None):
        name = target.get("tag") if isinstance(target, dict) else target
        if isinstance(name, str) and name.strip().startswith("tenstorrent/") and name.strip() not in TAGS:
            raise _unknown_tag_error(name.strip())
        original(self, target, host)

    __init__._tilelang_tt_tag_check = True
    __init__.__doc__ = original.__doc__
    Target.__init__ = __init__


def is_tenstorrent(target) -> bool:
    if target is None:
        return False
    try:
        return "tenstorrent" in [str(k) for k in target.keys]
    except AttributeError:
        return False


def model_of(target) -> str:
    """The chip model of a target, a tag name or a model name; TTTargetError if it is not ours."""
    if target is None:
        return "wormhole_b0"
    if isinstance(target, str):
        if target in TAGS:
            return TAGS[target]
        if target in HARDWARE:
            return target
        raise _unknown_tag_error(target)
    if not is_tenstorrent(target):
        raise TTTargetError(f"target {target} is not a Tenstorrent target (its keys lack 'tenstorrent')")
    model = str(target.attrs.get("model", "wormhole_b0"))
    if model not in HARDWARE:
        raise TTTargetError(
            f"unknown Tenstorrent model {model!r} in target {target}; "
            f"supported models: {', '.join(HARDWARE)}")
    return model


def hardware(target=None) -> Hardware:
    """Hardware facts for a target object, tag, or model name."""
    return HARDWARE[model_of(target)]


@functools.lru_cache(maxsize=None)
def tile_bytes(dtype: str) -> int:
    return TILE_BYTES[data_format(dtype)]


def storage_format(name: str) -> str:
    """The DataFormat of a storage-format spelling (bfp8_b, bfp4_b, ttnn's bfloat8_b / bfloat4_b, or the
    DataFormat name itself); ValueError naming the choices otherwise."""
    key = str(name).strip().lower()
    key = STORAGE_ALIASES.get(key, key)
    if key in STORAGE_FORMATS:
        return STORAGE_FORMATS[key]
    raise ValueError(f"storage format {name!r} is not one of {', '.join(STORAGE_FORMATS)}")


def storage_name(fmt: str) -> str:
    """The user spelling (bfp8_b) of a block-float DataFormat (Bfp8_b)."""
    return next(k for k, v in STORAGE_FORMATS.items() if v == fmt)


def data_format(dtype: str) -> str:
    try:
        return DATA_FORMAT[str(dtype)]
    except KeyError:
        raise TTCompileError(
            f"dtype {dtype} has no TT-Metalium data format here; supported: {', '.join(DATA_FORMAT)}"
        ) from None
