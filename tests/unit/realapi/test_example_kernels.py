"""The kernels of the programming-example programs (tests/unit/examples) compile against the released
TT-Metalium 0.81.1 headers too: what runs on the emulator also builds for a device."""
from pathlib import Path

import pytest

from corpus import CHIPS
from tilelang_tt.realapi.jit import CB, KernelSpec

PROGRAMS = Path(__file__).resolve().parents[1] / "examples" / "programs"
CBS = tuple(CB(i, "Float16_b", 2048) for i in (0, 1, 16, 24))
ACC = (2, 2048)          # one interleaved DRAM TensorAccessorArgs: IsDram, aligned page size

# kernel file -> (kind, processor, compile-time args[, NOC]): the CreateKernel configs of the host programs;
# the NOC is the processor's default unless given
KERNELS = {
    "loopback/kernels/loopback_dram_copy.cpp": ("dm", "RISCV_0", ACC * 2),
    "add_2_integers_in_compute/kernels/reader_binary_1_tile.cpp": ("dm", "RISCV_0", ACC * 2),
    "add_2_integers_in_compute/kernels/writer_1_tile.cpp": ("dm", "RISCV_1", ACC),
    "add_2_integers_in_compute/kernels/add_2_tiles.cpp": ("compute", None, ()),
    "eltwise_binary/kernels/read_tiles.cpp": ("dm", "RISCV_0", ACC * 2),
    "eltwise_binary/kernels/write_tile.cpp": ("dm", "RISCV_1", ACC),
    "eltwise_binary/kernels/tiles_add.cpp": ("compute", None, ()),
    "eltwise_sfpu/kernels/read_tile.cpp": ("dm", "RISCV_0", ACC),
    "eltwise_sfpu/kernels/write_tile.cpp": ("dm", "RISCV_1", ACC),
    "eltwise_sfpu/kernels/eltwise_sfpu.cpp": ("compute", None, ()),
    "matmul_single_core/kernels/reader_single_core_mm.cpp": ("dm", "RISCV_1", ACC * 2),
    "matmul_single_core/kernels/writer_single_core_mm.cpp": ("dm", "RISCV_0", ACC),
    "matmul_single_core/kernels/mm.cpp": ("compute", None, (4, 4, 4)),
    "matmul_multi_core/kernels/reader_mm_output_tiles_partitioned.cpp": ("dm", "RISCV_1", ACC * 2),
    "matmul_multi_core/kernels/writer_unary_interleaved_start_id.cpp": ("dm", "RISCV_0", ACC),
    "matmul_multi_core/kernels/mm.cpp": ("compute", None, ()),
    "matmul_multicore_reuse/kernels/reader_bmm_tile_layout.cpp": ("dm", "RISCV_1", ACC * 2),
    "matmul_multicore_reuse/kernels/writer_bmm_tile_layout.cpp": ("dm", "RISCV_0", ACC),
    "matmul_multicore_reuse/kernels/bmm_large_block_zm.cpp": ("compute", None, (2, 2, 8, 4, 2, 8, 4, 4, 2, 2, 4, 1)),
    # the in0 sender runs on RISCV_1 but multicasts on NOC 0
    "matmul_multicore_reuse_mcast/kernels/reader_in0_mcast_sender.cpp": ("dm", "RISCV_1", ACC, 0),
    "matmul_multicore_reuse_mcast/kernels/reader_in0_mcast_receiver.cpp": ("dm", "RISCV_1", ()),
    "matmul_multicore_reuse_mcast/kernels/writer_in1_mcast_sender.cpp": ("dm", "RISCV_0", ACC * 2),
    "matmul_multicore_reuse_mcast/kernels/writer_in1_mcast_receiver.cpp": ("dm", "RISCV_0", ACC),
    "matmul_multicore_reuse_mcast/kernels/bmm_large_block_mcast.cpp": (
        "compute", None, (2, 2, 8, 4, 2, 8, 4, 4, 2, 2, 4, 1)),
}


def test_every_example_kernel_is_listed():
    assert sorted(str(p.relative_to(PROGRAMS)) for p in PROGRAMS.glob("*/kernels/*.cpp")) == sorted(KERNELS)


@pytest.mark.parametrize("chip", CHIPS)
def test_example_kernels_compile_against_the_release(real_checker, record_results, chip):
    specs = []
    for path, (kind, proc, ct, *noc) in KERNELS.items():
        default_noc = 0 if proc == "RISCV_0" else 1
        extra = {"processor": proc, "noc": noc[0] if noc else default_noc} if kind == "dm" else {}
        specs.append(KernelSpec(name=f"examples/{chip}/{path}", source=(PROGRAMS / path).read_text(), kind=kind,
                                model=chip, compile_args=tuple(ct), cbs=CBS, **extra))
    results = real_checker.check_all(specs)
    record_results(results)
    bad = [r for r in results if not r.ok]
    assert not bad, "\n\n".join(f"{r.line()}\n{r.output}" for r in bad)
