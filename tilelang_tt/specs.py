"""Plain data shared by the schedule, the device program and the runtime: core ranges, tensors, circular
buffers, semaphores, the compute configuration. Each type converts to and from plain dicts/lists in one
place (`to_dict` / `from_dict`), because it travels in PrimFunc attributes and in plan.json."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .target import TILE_BYTES, data_format


@dataclass(frozen=True, order=True)
class CoreRange:
    """An inclusive rectangle of logical Tensix cores, (x0, y0) .. (x1, y1); x is the column."""
    x0: int
    y0: int
    x1: int
    y1: int

    def cores(self) -> list[tuple[int, int]]:
        return [(x, y) for y in range(self.y0, self.y1 + 1) for x in range(self.x0, self.x1 + 1)]

    @property
    def size(self) -> int:
        return (self.x1 - self.x0 + 1) * (self.y1 - self.y0 + 1)

    def to_list(self) -> list[int]:
        return [self.x0, self.y0, self.x1, self.y1]

    @classmethod
    def from_list(cls, v) -> "CoreRange":
        return cls(*(int(x) for x in v))


def rect(x0: int, y0: int, x1: int, y1: int) -> tuple[CoreRange, ...]:
    """A one-rectangle core-range set."""
    return (CoreRange(x0, y0, x1, y1),)


def ranges_cover(cores) -> tuple[CoreRange, ...]:
    """Rectangles covering exactly `cores` (row-major runs of each row, rows with equal runs merged)."""
    by_row: dict[int, list[int]] = {}
    for x, y in sorted(set(cores), key=lambda c: (c[1], c[0])):
        by_row.setdefault(y, []).append(x)
    runs = []   # (x0, x1, y)
    for y, xs in sorted(by_row.items()):
        start = prev = xs[0]
        for x in xs[1:] + [None]:
            if x is not None and x == prev + 1:
                prev = x
                continue
            runs.append((start, prev, y))
            if x is not None:
                start = prev = x
    out: list[list[int]] = []
    for x0, x1, y in runs:
        if out and out[-1][0] == x0 and out[-1][2] == x1 and out[-1][3] == y - 1:
            out[-1][3] = y
        else:
            out.append([x0, y, x1, y])
    return tuple(CoreRange(*r) for r in out)


def cores_of(ranges) -> list[tuple[int, int]]:
    return [c for r in ranges for c in r.cores()]


@dataclass(frozen=True)
class TensorSpec:
    """A kernel parameter in DRAM: interleaved over the banks, one tile per page.

    `data_format` is the format of its pages: the dtype's (Float16_b, Float32), or the block-float
    storage format the user declared (option storage={"B": "bfp8_b"}: Bfp8_b / Bfp4_b, logical dtype
    still bfloat16). `page_bytes` follows it (target.TILE_BYTES: 1088 per Bfp8_b tile, 576 per Bfp4_b)."""
    name: str
    param_index: int
    shape: tuple                # the tensor as the user passes it (host files hold this many elements)
    dtype: str
    access: str                 # read | write | readwrite
    padded_shape: tuple = ()    # in DRAM, whole tiles, when larger than `shape` (tt.AnnotateLayouts)
    storage: str = ""           # a block-float DataFormat the tensor is stored in ("" = its dtype's format)

    @property
    def device_shape(self) -> tuple:
        """Rows and columns stored in DRAM, whole tiles: the padded shape of a ragged tensor, else the shape
        rounded up to tiles (a (1, N) / (M, 1) vector takes whole tiles). The host pads inputs to it with
        zeros and crops outputs back to `shape`."""
        from .target import TILE_COLS, TILE_ROWS
        rows, cols = (int(x) for x in (self.padded_shape or self.shape))
        return (-(-rows // TILE_ROWS) * TILE_ROWS, -(-cols // TILE_COLS) * TILE_COLS)

    @property
    def data_format(self) -> str:
        return self.storage or data_format(self.dtype)

    @property
    def page_bytes(self) -> int:
        return TILE_BYTES[self.data_format]

    @property
    def block_float(self) -> bool:
        return bool(self.storage)

    @property
    def num_pages(self) -> int:
        from .target import TILE_COLS, TILE_ROWS
        rows, cols = self.device_shape          # vectors (1, N) / (M, 1) take whole tiles too
        return -(-int(rows) // TILE_ROWS) * -(-int(cols) // TILE_COLS)

    def to_dict(self) -> dict:
        d = {"name": self.name, "param_index": self.param_index, "shape": list(self.shape),
             "dtype": self.dtype, "data_format": self.data_format, "page_bytes": self.page_bytes,
             "num_pages": self.num_pages, "access": self.access}
        if self.padded_shape:
            d["padded_shape"] = list(self.padded_shape)
        return d

    @classmethod
    def from_dict(cls, d) -> "TensorSpec":
        return cls(str(d["name"]), int(d["param_index"]), tuple(int(x) for x in d["shape"]),
                   str(d["dtype"]), str(d["access"]), tuple(int(x) for x in d.get("padded_shape", ())),
                   _storage_of(d))


@dataclass(frozen=True)
class CBSpec:
    """A circular buffer: `num_pages` tile pages of `dtype` at CB index `index` on `cores`.

    role: input (filled by a reader), output (packed by compute, drained by a writer), intermediate
    (written and read by compute). block_pages: pages one producer step pushes. storage: the block-float
    DataFormat of an input CB filled from a block-float tensor ("" = the dtype's format); the unpacker
    turns its tiles into bf16 source registers."""
    index: int
    name: str
    dtype: str
    num_pages: int
    block_pages: int
    role: str
    cores: tuple = ()           # CoreRange tuple; () = every core of the program
    storage: str = ""

    @property
    def data_format(self) -> str:
        return self.storage or data_format(self.dtype)

    @property
    def page_bytes(self) -> int:
        return TILE_BYTES[self.data_format]

    @property
    def total_bytes(self) -> int:
        return self.page_bytes * self.num_pages

    def to_dict(self) -> dict:
        return {"index": self.index, "name": self.name, "dtype": self.dtype, "data_format": self.data_format,
                "page_bytes": self.page_bytes, "num_pages": self.num_pages, "block_pages": self.block_pages,
                "role": self.role, "cores": [r.to_list() for r in self.cores]}

    @classmethod
    def from_dict(cls, d) -> "CBSpec":
        return cls(int(d["index"]), str(d["name"]), str(d["dtype"]), int(d["num_pages"]),
                   int(d["block_pages"]), str(d["role"]),
                   tuple(CoreRange.from_list(r) for r in d.get("cores", [])), _storage_of(d))


def _storage_of(d) -> str:
    """The storage field of a tensor / CB dict: its data_format where that differs from its dtype's (the
    dicts carry data_format, as plan.json does, not a separate storage key)."""
    fmt = str(d.get("data_format", ""))
    return fmt if fmt and fmt != data_format(str(d["dtype"])) else ""


@dataclass(frozen=True)
class SemaphoreSpec:
    """A 4-byte L1 semaphore (CreateSemaphore); kernels name it, the host resolves its id."""
    name: str
    initial: int
    cores: tuple                 # CoreRange tuple

    def to_dict(self) -> dict:
        return {"name": self.name, "initial": self.initial, "cores": [r.to_list() for r in self.cores]}

    @classmethod
    def from_dict(cls, d) -> "SemaphoreSpec":
        return cls(str(d["name"]), int(d["initial"]), tuple(CoreRange.from_list(r) for r in d["cores"]))


@dataclass(frozen=True)
class ComputeConfig:
    """ComputeConfig of the compute kernel(s) (host API `ComputeConfig{...}`)."""
    math_fidelity: str = "HiFi4"
    fp32_dest_acc_en: bool = False
    dst_full_sync_en: bool = False
    math_approx_mode: bool = False
    unpack_to_dest_fp32: tuple = ()     # CB indices unpacked straight to DST in fp32 (UnpackToDestFp32)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["unpack_to_dest_fp32"] = list(self.unpack_to_dest_fp32)
        return d

    @classmethod
    def from_dict(cls, d) -> "ComputeConfig":
        return cls(str(d["math_fidelity"]), bool(d["fp32_dest_acc_en"]), bool(d["dst_full_sync_en"]),
                   bool(d["math_approx_mode"]), tuple(int(x) for x in d.get("unpack_to_dest_fp32", ())))
