"""The exact work of a DeviceProgram (its per-core counts, device/counts.py) as a ProgramWork.

This is how every compiled kernel is modeled: `Kernel.estimate()` and plan.json's "work" come from
here, so the model sees what the generated kernels execute, core by core. Conventions are perf/work.py's.
"""
from __future__ import annotations

from ..errors import TTInternalError
from .matmul import reused_per_call, unpacked_per_call
from .work import ComputeWork, CoreWork, DMWork, ProgramWork

# op inits and unit reconfigurations: each reprograms configuration registers and stalls its thread
INIT_CALLS = ("matmul_init", "matmul_block_init", "copy_init", "binary_init", "binary_dest_reuse_init",
              "unary_init", "pack_reconfig_l1_acc", "reconfig_data_format_srca", "reconfig_data_format_srcb",
              "pack_reconfig_data_format")


def _dm(t) -> DMWork:
    c = t.calls
    return DMWork(dram_read_bytes=t.get(("dram_read_bytes",), 0),
                  dram_read_pages=sum(v for k, v in t.items() if k[0] == "dram_read"),
                  dram_write_bytes=t.get(("dram_write_bytes",), 0),
                  dram_write_pages=sum(v for k, v in t.items() if k[0] == "dram_write"),
                  mcast_bytes=t.get(("mcast_bytes",), 0), mcast_writes=c("noc_async_write_multicast"),
                  mcast_dests=t.get(("mcast_dests",), 0), sem_waits=c("noc_semaphore_wait"),
                  sem_signals=c("noc_semaphore_inc") + c("noc_semaphore_set_multicast"),
                  barriers=c("noc_async_read_barrier") + c("noc_async_write_barrier") + c("noc_async_atomic_barrier"),
                  l1_stores=c("l1_store_u32") + c("l1_store_u16"))


def _compute(t) -> ComputeWork:
    c = t.calls
    in0 = in1 = r0 = r1 = 0
    for k, n in t.items():
        if k[0] == "matmul_block_dims":
            a, b = unpacked_per_call(k[1], k[2])
            ra, rb = reused_per_call(k[1], k[2])
            in0, in1, r0, r1 = in0 + n * a, in1 + n * b, r0 + n * ra, r1 + n * rb
    # matmul_tiles is matmul_block(1, 1): in0 reused
    in0, in1, r0 = in0 + c("matmul_tiles"), in1 + c("matmul_tiles"), r0 + c("matmul_tiles")
    return ComputeWork(matmul_tiles=t.get(("matmul_tiles",), 0), matmul_calls=c("matmul_tiles") + c("matmul_block"),
                       matmul_unpacked_tiles=in0 + in1, matmul_unpacked_in0_tiles=in0,
                       matmul_reused_tiles=r0 + r1, matmul_reused_in0_tiles=r0, copy_tiles=c("copy_tile"),
                       eltwise_tiles=c("binary_tiles") + c("binary_dest_reuse_tiles"),
                       bcast_tiles=c("bcast_tiles"), reduce_tiles=c("reduce_tile"),
                       sfpu_tiles=c("unary_tile") + c("fill_tile") + c("scalar_tile") + c("sfpu_binary_tile")
                       + c("where_tile"),
                       sfpu_op_tiles={k[1]: n for k, n in sorted(t.items()) if k[0] == "sfpu_op"},
                       pack_tiles=c("pack_tile") + c("pack_tile_to"),
                       pack_l1_acc_tiles=t.get(("pack_l1_acc_tiles",), 0), dst_acquires=c("tile_regs_acquire"),
                       inits=sum(c(n) for n in INIT_CALLS))


def program_work(program) -> ProgramWork:
    """ProgramWork of a DeviceProgram (with its kernels' TT-level TIR, so counts exist)."""
    cbs = {cb.index: cb for cb in program.cbs}
    inputs = sorted((cb for cb in program.cbs if cb.role == "input"), key=lambda cb: cb.index)
    outputs = [cb for cb in program.cbs if cb.role == "output"]
    partials = [cb for cb in program.cbs if cb.role == "intermediate"]
    if not inputs or not outputs:
        raise TTInternalError(f"kernel '{program.kernel}': a program without input or output CBs")
    step_cb = inputs[0]                # its pushes count the pipelined steps (K steps / K blocks)
    depth = min(max(1, cb.num_pages // max(1, cb.block_pages)) for cb in inputs)
    blocks = program.schedule.get("tiles_per_core")
    cores = []
    for i, xy in enumerate(program.cores):
        tallies = program.core_tally(xy)
        core = CoreWork(core=xy, step_overlap=min(2, depth), out_overlap=1)
        for name, t in tallies.items():
            k = program.kernel_named(name)
            if k.kind == "compute":
                core.compute.add(_compute(t))
            else:
                core.dm_of(k.processor).add(_dm(t))
        core.steps = sum(t.get(("cb", step_cb.index, "push"), 0) for t in tallies.values()) // step_cb.block_pages
        core.blocks = int(blocks[i]) if blocks else 1
        cores.append(core)
    compute = program.compute
    flops = 2.0 * 32 ** 3 * sum(c.compute.matmul_tiles for c in cores) or None
    if compute is None or not cbs:
        raise TTInternalError(f"kernel '{program.kernel}': no compute kernel")
    return ProgramWork(model=program.model, math_fidelity=compute.math_fidelity,
                       fp32_dest_acc_en=compute.fp32_dest_acc_en,
                       input_formats=[cb.data_format for cb in inputs[:2]], output_format=outputs[0].data_format,
                       intermediate_format=partials[0].data_format if partials else None, cores=cores,
                       kernels=len(program.kernels), useful_flops=_useful_flops(program) or flops,
                       label=f"{program.kernel} ({program.schedule.get('variant', '')})")


def _useful_flops(program) -> float | None:
    """2 M N K of a matmul schedule (padded edge blocks compute more than that); None otherwise."""
    spec = program.schedule.get("spec")
    if spec:
        return 2.0 * spec["m"] * spec["n"] * spec["k"]
    return None
