"""Exact per-core work of a device program: what the performance model consumes.

Plain data, JSON-serializable (`to_dict` / `from_dict`), because it travels in plan.json. Whoever builds a
`ProgramWork` (the analytical `perf.matmul.matmul_work`, or `perf.program.program_work` over the exact
per-core counts of a device program, device/counts.py) fills it with exact counts of what each core executes; the model
(`perf.model`) turns counts into time. Nothing here is estimated.

Counting conventions (shared by every producer; a producer that deviates must say so):

* A count is the number of times the call is *executed* on that core (loop trip counts multiplied out).
* `DMWork` belongs to one data-movement processor ("RISCV_0" / "RISCV_1") of one core.
  - `dram_read_*` / `dram_write_*`: `noc_async_read_page` / `noc_async_write_page` against DRAM tensors;
    bytes = pages x page bytes of the tensor's data format.
  - `mcast_bytes`, `mcast_writes`, `mcast_dests`: data multicasts only. A multicast of B bytes to D
    destinations (excluding the sender) adds B, 1 and D. A receiver counts nothing for data it receives.
  - `sem_waits`: `noc_semaphore_wait` calls. `sem_signals`: semaphore writes that travel on the NOC
    (`noc_semaphore_inc` to another core, `noc_semaphore_set_multicast`); a local `noc_semaphore_set`
    is free and not counted.
  - `barriers`: `noc_async_read_barrier` / `noc_async_write_barrier` / `noc_async_atomic_barrier`
    calls; each exposes one NOC round trip.
  - `l1_bytes`: core-to-core unicast or local L1 copies (bytes), e.g. a sharded sender copying its own
    shard into its CB.
  - `l1_stores`: words the processor itself stores into L1 (`l1_store_u32` / `l1_store_u16`): the reduce
    scaler, the -inf mask over a ragged block, the 0/1 tiles of a Tx.select mask.
* `ComputeWork` is the three TRISCs of one core.
  - `matmul_tiles`: 32x32x32 tile products. `matmul_calls`: `matmul_tiles` / `matmul_block` API calls.
    `matmul_unpacked_tiles`: operand tiles the unpacker moves for those calls: 2 per `matmul_tiles`
    call; for `matmul_block(ct_dim=w, rt_dim=h)` min(h, w) + max(h, w) * ceil(min(h, w) / 2) (the LLK
    reuses one operand across the other dimension and processes the reused dimension in pairs of
    SrcA/SrcB banks, tt-llk llk_unpack_AB_matmul.h / llk_math_matmul.h). `matmul_unpacked_in0_tiles`:
    those of them that are in0 tiles (unpacked to SrcB; in1 goes to SrcA): h per call when w >= h,
    else h * ceil(w / 2); 1 per `matmul_tiles` call. `matmul_reused_tiles`: those of them that belong
    to the reused operand (in0 when w >= h, else in1): min(h, w) per call, 1 per `matmul_tiles` call;
    `matmul_reused_in0_tiles` those of them that are in0 tiles.
    The LLK unpacks them outside its MOP, each after waiting for a free unpack context, so their cost
    is not the streamed tiles' (docs/perf-model.md, "The HiFi2 question").
  - `copy_tiles`: `copy_tile` into DST (e.g. reloading partial sums). `eltwise_tiles`: FPU binary tile
    ops (add/sub/mul, including dest-reuse). `bcast_tiles`: FPU broadcast ops (`*_tiles_bcast_*`).
    `reduce_tiles`: `reduce_tile` calls (FPU GAPOOL / GMPOOL). `sfpu_tiles`: SFPU tile ops (unary,
    scalar, max / min of two tiles, `fill_tile`); `sfpu_op_tiles`: the same per SFPU routine (`exp`,
    `log`, `binop_with_scalar`, `binary_max`, `fill`, ...), priced per routine (perf/costs.py
    SFPU_ROUTINE_CYCLES); tiles not broken down there (the matmul chooser's closed form) cost
    `sfpu_tile_cycles`.
  - `pack_tiles`: `pack_tile` calls (one tile each); `pack_l1_acc_tiles`: those of them that accumulate
    into L1 (packer L1 accumulation) instead of overwriting.
  - `dst_acquires`: `tile_regs_acquire` calls (one acquire/commit/wait/release round each).
  - `inits`: op (re-)initialisations (`matmul_init`, `copy_init`, `binary_init`, `unary_init`, ...),
    each a reconfiguration of unpacker / math / packer; `compute_kernel_hw_startup` is not counted.
* `CoreWork.steps`: pipelined steps of the core (the unit its input CBs double-buffer), e.g. K blocks
  summed over the core's output blocks. `step_overlap`: depth of the input CBs in steps (2 = the
  reader fills step s+1 while compute works on step s; 1 = no overlap). `blocks`: output blocks the
  core computes (the unit the writer drains). `out_overlap`: 1 when the writer drains block b while the
  compute works on block b+1; 0 when the output CB is also the partial-sum buffer (tt-metal's packer L1
  accumulation), so the first pack of block b+1 waits until block b is written.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

PROCESSORS = ("RISCV_0", "RISCV_1")


def _from(cls, d: dict):
    names = {f.name for f in fields(cls)}
    unknown = set(d) - names
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
    return cls(**d)


@dataclass
class DMWork:
    """Work of one data-movement processor (RISCV_0 or RISCV_1) of one core."""
    dram_read_bytes: int = 0
    dram_read_pages: int = 0
    dram_write_bytes: int = 0
    dram_write_pages: int = 0
    mcast_bytes: int = 0
    mcast_writes: int = 0
    mcast_dests: int = 0
    sem_waits: int = 0
    sem_signals: int = 0
    barriers: int = 0
    l1_bytes: int = 0
    l1_stores: int = 0

    def add(self, other: "DMWork") -> "DMWork":
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "DMWork":
        return _from(cls, d)


@dataclass
class ComputeWork:
    """Work of the compute TRISCs (unpack / math / pack) of one core."""
    matmul_tiles: int = 0
    matmul_calls: int = 0
    matmul_unpacked_tiles: int = 0
    matmul_unpacked_in0_tiles: int = 0
    matmul_reused_tiles: int = 0
    matmul_reused_in0_tiles: int = 0
    copy_tiles: int = 0
    eltwise_tiles: int = 0
    bcast_tiles: int = 0
    reduce_tiles: int = 0
    sfpu_tiles: int = 0
    sfpu_op_tiles: dict = field(default_factory=dict)
    pack_tiles: int = 0
    pack_l1_acc_tiles: int = 0
    dst_acquires: int = 0
    inits: int = 0

    def add(self, other: "ComputeWork") -> "ComputeWork":
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                setattr(self, f.name, {k: mine.get(k, 0) + theirs.get(k, 0) for k in sorted({*mine, *theirs})})
            else:
                setattr(self, f.name, mine + theirs)
        return self

    def scaled(self, n: int) -> "ComputeWork":
        """This work repeated n times."""
        return ComputeWork(**{f.name: ({k: v * n for k, v in getattr(self, f.name).items()}
                                       if isinstance(getattr(self, f.name), dict) else getattr(self, f.name) * n)
                              for f in fields(self)})

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ComputeWork":
        return _from(cls, d)


@dataclass
class CoreWork:
    """Everything one Tensix core executes in one launch of the program."""
    core: tuple[int, int]
    compute: ComputeWork = field(default_factory=ComputeWork)
    dm: dict[str, DMWork] = field(default_factory=dict)
    steps: int = 0
    step_overlap: int = 2
    blocks: int = 0
    out_overlap: int = 1

    def dm_of(self, processor: str) -> DMWork:
        """The DMWork of `processor`, created empty on first use."""
        if processor not in PROCESSORS:
            raise ValueError(f"unknown data-movement processor {processor!r}; known: {PROCESSORS}")
        return self.dm.setdefault(processor, DMWork())

    def dram_bytes(self) -> int:
        return sum(d.dram_read_bytes + d.dram_write_bytes for d in self.dm.values())

    def to_dict(self) -> dict:
        return {"core": list(self.core), "compute": self.compute.to_dict(),
                "dm": {p: d.to_dict() for p, d in sorted(self.dm.items())},
                "steps": self.steps, "step_overlap": self.step_overlap, "blocks": self.blocks,
                "out_overlap": self.out_overlap}

    @classmethod
    def from_dict(cls, d: dict) -> "CoreWork":
        return cls(core=tuple(d["core"]), compute=ComputeWork.from_dict(d["compute"]),
                   dm={p: DMWork.from_dict(v) for p, v in d["dm"].items()},
                   steps=int(d["steps"]), step_overlap=int(d["step_overlap"]), blocks=int(d["blocks"]),
                   out_overlap=int(d["out_overlap"]))


@dataclass
class ProgramWork:
    """Per-core work of one device program on one chip model.

    `input_formats`: TT-Metalium data formats of the tensors the compute unpacks (matmul in0/in1 first),
    e.g. ["Float16_b", "Float16_b"]; `output_format`: of the packed result; `intermediate_format`: of
    packed partials that are reloaded or L1-accumulated (Float32 with fp32 accumulation).
    `useful_flops`: the FLOPs of the math the user asked for (2*M*N*K for a matmul); None means "count
    them from the tile work" (padding included).
    """
    model: str
    math_fidelity: str
    fp32_dest_acc_en: bool
    input_formats: list[str]
    output_format: str
    cores: list[CoreWork]
    kernels: int
    intermediate_format: str | None = None
    useful_flops: float | None = None
    label: str = ""

    def core_count(self) -> int:
        return len(self.cores)

    def total_compute(self) -> ComputeWork:
        total = ComputeWork()
        for c in self.cores:
            total.add(c.compute)
        return total

    def total_dm(self) -> DMWork:
        total = DMWork()
        for c in self.cores:
            for d in c.dm.values():
                total.add(d)
        return total

    def to_dict(self) -> dict:
        return {"model": self.model, "math_fidelity": self.math_fidelity,
                "fp32_dest_acc_en": self.fp32_dest_acc_en, "input_formats": list(self.input_formats),
                "output_format": self.output_format, "intermediate_format": self.intermediate_format,
                "kernels": self.kernels, "useful_flops": self.useful_flops, "label": self.label,
                "cores": [c.to_dict() for c in self.cores]}

    @classmethod
    def from_dict(cls, d: dict) -> "ProgramWork":
        return cls(model=d["model"], math_fidelity=d["math_fidelity"],
                   fp32_dest_acc_en=bool(d["fp32_dest_acc_en"]), input_formats=list(d["input_formats"]),
                   output_format=d["output_format"], intermediate_format=d.get("intermediate_format"),
                   kernels=int(d["kernels"]), useful_flops=d.get("useful_flops"), label=d.get("label", ""),
                   cores=[CoreWork.from_dict(c) for c in d["cores"]])
