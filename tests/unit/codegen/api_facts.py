"""Signature facts per API profile, taken from shared/reference/metalium-api.md (sections A, B, F) and
docs/contracts.md section 6 (E3, E4), and from the released 0.81.1 headers (M081, docs/metalium-api-0.81.md):
name -> (allowed argument counts, headers that declare it).

Independent of tilelang_tt.codegen.profiles on purpose: the generator's table is checked against this.
"""
from __future__ import annotations

DATAFLOW = "api/dataflow/dataflow_api.h"
CB_HEADERS = (DATAFLOW, "api/compute/cb_api.h", "api/compute/common.h")


def _unary(op, header):
    return {f"{op}_tile_init": ({0}, (header,)), f"{op}_tile": ({1}, (header,))}


KERNEL_COMMON = {
    # A.2 arguments
    "get_arg_val": ({1}, (DATAFLOW, "api/compute/common.h")),
    # A.3 circular buffers (dataflow side; compute side in cb_api.h, pulled in by common.h)
    "cb_reserve_back": ({2}, CB_HEADERS),
    "cb_push_back": ({2}, CB_HEADERS),
    "cb_wait_front": ({2}, CB_HEADERS),
    "cb_pop_front": ({2}, CB_HEADERS),
    "get_write_ptr": ({1}, (DATAFLOW,)),
    "get_read_ptr": ({1}, (DATAFLOW,)),
    "get_tile_size": ({1}, (DATAFLOW,)),
    # A.4 / A.5: page calls with an accessor; TensorAccessor with the page size passed explicitly (F.2)
    "noc_async_read_page": ({3}, (DATAFLOW,)),
    "noc_async_write_page": ({3}, (DATAFLOW,)),
    "noc_async_read_barrier": ({0}, (DATAFLOW,)),
    "noc_async_write_barrier": ({0}, (DATAFLOW,)),
    "TensorAccessorArgs": ({0}, (DATAFLOW,)),
    "next_compile_time_args_offset": ({0}, (DATAFLOW,)),
    "TensorAccessor": ({3}, (DATAFLOW,)),
    # A.6 multicast and semaphores (the sem_addr pointer casts are printed around the argument)
    "get_semaphore": ({1}, (DATAFLOW,)),
    "noc_semaphore_set": ({2}, (DATAFLOW,)),
    "noc_semaphore_wait": ({2}, (DATAFLOW,)),
    "get_noc_addr": ({3}, (DATAFLOW,)),
    "get_noc_multicast_addr": ({5}, (DATAFLOW,)),
    "noc_semaphore_inc": ({2}, (DATAFLOW,)),
    "noc_async_write_multicast": ({4}, (DATAFLOW,)),
    "noc_semaphore_set_multicast": ({3}, (DATAFLOW,)),
    "noc_async_writes_flushed": ({0}, (DATAFLOW,)),
    "noc_async_atomic_barrier": ({0}, (DATAFLOW,)),
    # A.7 compute
    "compute_kernel_hw_startup": ({2, 3}, ("api/compute/compute_kernel_hw_startup.h", "api/compute/common.h")),
    "tile_regs_acquire": ({0}, ("api/compute/reg_api.h",)),
    "tile_regs_commit": ({0}, ("api/compute/reg_api.h",)),
    "tile_regs_wait": ({0}, ("api/compute/reg_api.h",)),
    "tile_regs_release": ({0}, ("api/compute/reg_api.h",)),
    "pack_tile": ({2, 3}, ("api/compute/pack.h",)),          # + output_tile_index with <true>
    "pack_reconfig_l1_acc": ({1}, ("api/compute/pack.h",)),
    # metalium-api.md A.7 (HEAD: pack.h declares pack_reconfig_data_format); 0.81.1: all three in
    # reconfig_data_format.h (docs/metalium-api-0.81.md); (new_cb) and (old_cb, new_cb) forms
    "reconfig_data_format_srca": ({1, 2}, ("api/compute/reconfig_data_format.h",)),
    "reconfig_data_format_srcb": ({1, 2}, ("api/compute/reconfig_data_format.h",)),
    "matmul_tiles": ({5}, ("api/compute/matmul.h",)),        # 5 args since E2 (no transpose)
    "matmul_block": ({9}, ("api/compute/matmul.h",)),        # in0, in1, i0, i1, dst, transpose, ct, rt, kt
    "copy_tile": ({3}, ("api/compute/tile_move_copy.h",)),
    "add_tiles": ({5}, ("api/compute/eltwise_binary.h",)),
    "sub_tiles": ({5}, ("api/compute/eltwise_binary.h",)),
    "mul_tiles": ({5}, ("api/compute/eltwise_binary.h",)),
    "fill_tile_init": ({0}, ("api/compute/eltwise_unary/fill.h",)),
    "fill_tile": ({2}, ("api/compute/eltwise_unary/fill.h",)),
    **_unary("exp", "api/compute/eltwise_unary/exp.h"),
    **_unary("sqrt", "api/compute/eltwise_unary/sqrt.h"),
    **_unary("recip", "api/compute/eltwise_unary/recip.h"),
    **_unary("relu", "api/compute/eltwise_unary/relu.h"),
    **_unary("gelu", "api/compute/eltwise_unary/gelu.h"),
    **_unary("silu", "api/compute/compute_kernel_api.h"),
    # ops beyond matmul, from the 0.81.1 headers (reduce.h, bcast.h, binop_with_scalar.h, binary_max_min.h,
    # where.h, rsqrt.h; log / exp2 in compute_kernel_api.h), printed the same in every profile
    **_unary("rsqrt", "api/compute/eltwise_unary/rsqrt.h"),
    **_unary("log", "api/compute/compute_kernel_api.h"),
    **_unary("exp2", "api/compute/compute_kernel_api.h"),
    "reduce_init": ({3}, ("api/compute/reduce.h",)),          # <PoolType, ReduceDim>(icb, icb_scaler, ocb)
    "reduce_tile": ({5}, ("api/compute/reduce.h",)),          # icb, icb_scaler, itile, itile_scaler, idst
    "reduce_uninit": ({0, 1}, ("api/compute/reduce.h",)),
    "reconfig_data_format": ({2, 4}, ("api/compute/reconfig_data_format.h",)),
    **{f"{op}_bcast_{dim}_init": ({2}, ("api/compute/bcast.h",)) for op in ("add", "sub", "mul")
       for dim in ("rows", "cols", "scalar")},
    **{f"{op}_tiles_bcast_{dim}": ({5}, ("api/compute/bcast.h",)) for op in ("add", "sub", "mul")
       for dim in ("rows", "cols", "scalar")},
    "binop_with_scalar_tile_init": ({0}, ("api/compute/eltwise_unary/binop_with_scalar.h",)),
    **{f"{op}_unary_tile": ({2}, ("api/compute/eltwise_unary/binop_with_scalar.h",))
       for op in ("add", "sub", "mul", "div", "rsub")},
    **{f"binary_{op}_tile_init": ({0}, ("api/compute/binary_max_min.h",)) for op in ("max", "min")},
    **{f"binary_{op}_tile": ({3, 4}, ("api/compute/binary_max_min.h",)) for op in ("max", "min")},
    # 0.81.1 api/compute/eltwise_unary/where.h: template <DataFormat> where_tile(idst0, idst1, idst2, odst)
    "where_tile_init": ({0}, ("api/compute/eltwise_unary/where.h",)),
    "where_tile": ({4}, ("api/compute/eltwise_unary/where.h",)),
    "kernel_main": ({0}, ()),   # the entry point itself (definition), every kernel in E3 and E4
}

_B = "api/compute/eltwise_binary.h"
BINARY_E4 = {  # E3 and E4: *_tiles_init and the generic dest-reuse pair
    "add_tiles_init": ({2}, (_B,)), "sub_tiles_init": ({2}, (_B,)), "mul_tiles_init": ({2}, (_B,)),
    "binary_dest_reuse_tiles_init": ({1}, (_B,)), "binary_dest_reuse_tiles": ({3}, (_B,)),
}
BINARY_M081 = {  # 0.81.1 api/compute/eltwise_binary.h: the inits lost `_tiles`, dest reuse is per op
    "add_init": ({2}, (_B,)), "sub_init": ({2}, (_B,)), "mul_init": ({2}, (_B,)),
    **{f"{op}_reuse_dest_init": ({1}, (_B,)) for op in ("add", "sub", "mul")},
    **{f"{op}_reuse_dest_tiles": ({3}, (_B,)) for op in ("add", "sub", "mul")},
}

KERNEL_FACTS = {
    "M081": {**KERNEL_COMMON, **BINARY_M081,
             "matmul_init": ({2, 3}, ("api/compute/matmul.h",)),     # in0, in1[, transpose]
             "matmul_block_init": ({6}, ("api/compute/matmul.h",)),   # in0, in1, transpose, ct, rt, kt
             "copy_init": ({1}, ("api/compute/tile_move_copy.h",)),
             "pack_reconfig_data_format": ({1, 2}, ("api/compute/reconfig_data_format.h",))},
    "E4": {**KERNEL_COMMON, **BINARY_E4,
           "matmul_init": ({2, 3}, ("api/compute/matmul.h",)),     # in0, in1[, transpose]
           "matmul_block_init": ({6}, ("api/compute/matmul.h",)),   # in0, in1, transpose, ct, rt, kt
           "copy_init": ({1}, ("api/compute/tile_move_copy.h",)),
           "pack_reconfig_data_format": ({1, 2}, ("api/compute/pack.h",))},
    "E3": {**KERNEL_COMMON, **BINARY_E4,
           "mm_init": ({3, 4}, ("api/compute/matmul.h",)),         # in0, in1, out[, transpose]
           "mm_block_init_short": ({6}, ("api/compute/matmul.h",)),
           "mm_init_short": ({2, 3}, ("api/compute/matmul.h",)),   # in0, in1[, transpose]
           "copy_tile_to_dst_init_short": ({1}, ("api/compute/tile_move_copy.h",)),
           "pack_reconfig_data_format": ({1, 2}, ("api/compute/pack.h",))},
}

# Names that must never appear in a profile's kernels (removed, renamed, deprecated or other-era forms).
FORBIDDEN = {
    "M081": {"mm_init", "mm_init_short", "copy_tile_to_dst_init_short", "copy_tile_init", "init_sfpu",
             "noc_async_read_tile", "noc_async_write_tile", "acquire_dst", "release_dst", "MAIN",
             "binary_op_init_common", "InterleavedAddrGenFast", *BINARY_E4, "pack_tile_block",
             "copy_block_matmul_partials", "unary_op_init_common"},
    "E4": {"mm_init", "mm_init_short", "copy_tile_to_dst_init_short", "copy_tile_init", "init_sfpu",
           "noc_async_read_tile", "noc_async_write_tile", "acquire_dst", "release_dst", "MAIN",
           "binary_op_init_common", "InterleavedAddrGenFast"},
    "E3": {"matmul_init", "matmul_block_init", "copy_init", "SrcOrder", "noc_async_read_tile", "noc_async_write_tile",
           "acquire_dst", "release_dst", "MAIN", "InterleavedAddrGenFast"},
}

_H = "tt-metalium/"
HOST_FACTS = {
    "create_unit_mesh": ({1}, (_H + "mesh_device.hpp", _H + "distributed.hpp")),
    "mesh_command_queue": ({0}, (_H + "mesh_device.hpp",)),
    "shape": ({0}, (_H + "mesh_device.hpp",)),
    "close": ({0}, (_H + "mesh_device.hpp",)),
    "create": ({3}, (_H + "mesh_buffer.hpp",)),                  # MeshBuffer::create(cfg, local, dev)
    "address": ({0}, (_H + "mesh_buffer.hpp",)),
    # MeshCommandQueue members (0.81.1 mesh_command_queue.hpp; virtual, preferred to distributed.hpp's
    # free functions)
    "enqueue_write_mesh_buffer": ({3}, (_H + "mesh_command_queue.hpp",)),
    "enqueue_read_mesh_buffer": ({3}, (_H + "mesh_command_queue.hpp",)),
    "enqueue_mesh_workload": ({2}, (_H + "mesh_command_queue.hpp",)),
    "finish": ({0}, (_H + "mesh_command_queue.hpp",)),
    "add_program": ({2}, (_H + "mesh_workload.hpp",)),
    "CreateProgram": ({0}, (_H + "host_api.hpp",)),
    "CreateKernel": ({4}, (_H + "host_api.hpp",)),
    "CreateCircularBuffer": ({3}, (_H + "host_api.hpp",)),
    "SetRuntimeArgs": ({4}, (_H + "host_api.hpp",)),
    "CreateSemaphore": ({3}, (_H + "host_api.hpp",)),
    "worker_core_from_logical_core": ({1}, (_H + "mesh_device.hpp",)),
    "CircularBufferConfig": ({2}, (_H + "circular_buffer_config.hpp",)),
    "set_page_size": ({2}, (_H + "circular_buffer_config.hpp",)),
    "TensorAccessorArgs": ({1}, (_H + "tensor_accessor_args.hpp",)),
    "append_to": ({1}, (_H + "tensor_accessor_args.hpp",)),   # newer name; older trees: append_args
    "CoreRange": ({2}, (_H + "core_coord.hpp",)),
    "tilize_nfaces": ({3}, (_H + "tilize_utils.hpp",)),
    "untilize_nfaces": ({3}, (_H + "tilize_utils.hpp",)),
}
HOST_FORBIDDEN = {"CreateDevice", "CloseDevice", "EnqueueProgram", "EnqueueWriteBuffer", "EnqueueReadBuffer",
                  "CreateBuffer", "append_args", "InterleavedBufferConfig", "EnqueueWriteMeshBuffer",
                  "EnqueueReadMeshBuffer", "EnqueueMeshWorkload", "Finish"}
# Helpers the host program defines itself, and standard-library / local-declaration call syntax.
HOST_LOCAL = {"main", "run", "read_tensor", "write_tensor", "make_dram_buffer", "runtime_error", "to_string",
              "absolute", "string", "move", "get", "data", "size", "file", "read", "write", "gcount", "what",
              "all_cores", "device_range", "noc_x_of", "noc_y_of"}
