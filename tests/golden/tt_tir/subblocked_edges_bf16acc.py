# Golden TT-level TIR: lower_to_tt(kernels.matmul(96, 160, 64, bm=32, bn=32, acc='bfloat16'), schedule='subblocked', grid=(2, 2), per_core_m=2, per_core_n=3, in0_block_w=1, subblock_h=2, subblock_w=3) on wormhole_b0 (tests/unit/passes/test_tt_tir_golden.py)
# from tvm.script import ir as I
# from tvm.script import tirx as T
# from tvm.tirx.layout import Axis

@I.ir_module
class Module:
    @T.prim_func
    def mm_compute():
        T.func_attr({"tt.accessors": [], "tt.kernel": "mm", "tt.kernel_role": "compute", "tt.kernel_spec": {"accessors": [], "cores": [[0, 0, 1, 1]], "kind": "compute", "noc": "", "processor": "", "runtime_arg_names": [], "runtime_args": [[0, 0], [1, 0], [0, 1], [1, 1]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"cbs": [{"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "in0", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 3, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "in1", "num_pages": 6, "page_bytes": 2048, "role": "input"}, {"block_pages": 6, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "out", "num_pages": 12, "page_bytes": 2048, "role": "output"}, {"block_pages": 6, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 24, "name": "partials", "num_pages": 6, "page_bytes": 2048, "role": "intermediate"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": False, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": []}, "kind": "matmul", "params": {"accumulate": "reload", "grid": [2, 2], "in0_block_w": 1, "per_core_m": 2, "per_core_n": 3, "subblock_h": 2, "subblock_w": 3, "variant": "subblocked"}, "reason": "subblocked: 2x2 cores, 2x3-tile blocks per core, K block 1, 2x3 subblocks, partials reload: requested; modeled 0.7% of peak, bound by fill/drain", "spec": {"a": "A", "acc_dtype": "bfloat16", "b": "B", "c": "C", "epilogue": [], "in_dtype": "bfloat16", "k": 64, "m": 96, "n": 160, "out_dtype": "bfloat16", "user_block": [32, 32, 32]}, "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 6, "page_bytes": 2048, "param_index": 0, "shape": [96, 64]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 10, "page_bytes": 2048, "param_index": 1, "shape": [64, 160]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 15, "page_bytes": 2048, "param_index": 2, "shape": [96, 160]}], "tiles_per_core": [1, 1, 1, 1], "variant": "subblocked"}, "semaphores": []}, "tt.runtime_args": []})
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_block_init(0, 1, 3, 2, 1, 0)
        for r in range(1):
            T.tt.cb_wait_front(0, 2)
            T.tt.cb_wait_front(1, 3)
            for sh, sw in T.grid(1, 1):
                T.tt.tile_regs_acquire()
                for inner in range(1):
                    T.tt.matmul_block(0, 1, sh * 2 + inner, sw * 3 + inner * 3, 0, 3, 2, 1, 0)
                T.tt.tile_regs_commit()
                T.tt.tile_regs_wait()
                T.tt.cb_reserve_back(24, 6)
                for t in range(6):
                    T.tt.pack_tile(t, 24)
                T.tt.cb_push_back(24, 6)
                T.tt.tile_regs_release()
            T.tt.cb_pop_front(0, 2)
            T.tt.cb_pop_front(1, 3)
            T.tt.cb_wait_front(0, 2)
            T.tt.cb_wait_front(1, 3)
            for sh, sw in T.grid(1, 1):
                T.tt.tile_regs_acquire()
                T.tt.cb_wait_front(24, 6)
                T.tt.copy_init(24)
                for p in range(6):
                    T.tt.copy_tile(24, p, p)
                T.tt.cb_pop_front(24, 6)
                T.tt.matmul_block_init(0, 1, 3, 2, 1, 0)
                for inner in range(1):
                    T.tt.matmul_block(0, 1, sh * 2 + inner, sw * 3 + inner * 3, 0, 3, 2, 1, 0)
                T.tt.tile_regs_commit()
                T.tt.tile_regs_wait()
                T.tt.cb_reserve_back(16, 6)
                for t in range(6):
                    T.tt.pack_tile(t, 16)
                T.tt.cb_push_back(16, 6)
                T.tt.tile_regs_release()
            T.tt.cb_pop_front(0, 2)
            T.tt.cb_pop_front(1, 3)

    @T.prim_func
    def mm_in0_reader():
        T.func_attr({"tt.accessors": ["A"], "tt.kernel": "mm", "tt.kernel_role": "in0_reader", "tt.kernel_spec": {"accessors": ["A"], "cores": [[0, 0, 1, 1]], "kind": "dataflow", "noc": "RISCV_1_default", "processor": "RISCV_1", "runtime_arg_names": ["addr:A", "core_y"], "runtime_args": [[0, 0, "addr:A", 0], [1, 0, "addr:A", 0], [0, 1, "addr:A", 1], [1, 1, "addr:A", 1]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"cbs": [{"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "in0", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 3, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "in1", "num_pages": 6, "page_bytes": 2048, "role": "input"}, {"block_pages": 6, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "out", "num_pages": 12, "page_bytes": 2048, "role": "output"}, {"block_pages": 6, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 24, "name": "partials", "num_pages": 6, "page_bytes": 2048, "role": "intermediate"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": False, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": []}, "kind": "matmul", "params": {"accumulate": "reload", "grid": [2, 2], "in0_block_w": 1, "per_core_m": 2, "per_core_n": 3, "subblock_h": 2, "subblock_w": 3, "variant": "subblocked"}, "reason": "subblocked: 2x2 cores, 2x3-tile blocks per core, K block 1, 2x3 subblocks, partials reload: requested; modeled 0.7% of peak, bound by fill/drain", "spec": {"a": "A", "acc_dtype": "bfloat16", "b": "B", "c": "C", "epilogue": [], "in_dtype": "bfloat16", "k": 64, "m": 96, "n": 160, "out_dtype": "bfloat16", "user_block": [32, 32, 32]}, "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 6, "page_bytes": 2048, "param_index": 0, "shape": [96, 64]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 10, "page_bytes": 2048, "param_index": 1, "shape": [64, 160]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 15, "page_bytes": 2048, "param_index": 2, "shape": [96, 160]}], "tiles_per_core": [1, 1, 1, 1], "variant": "subblocked"}, "semaphores": []}, "tt.runtime_args": ["addr:A", "core_y"]})
        addr_A: T.let[T.int32] = T.tt.get_arg_val(0)
        core_y: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.tensor_accessor("A", 0, addr_A, 2048)
        for ry, rx in T.grid(1, 1):
            row0: T.let[T.int32] = (ry * 2 + core_y) * 2
            for kb in range(2):
                T.tt.cb_reserve_back(0, 2)
                l1: T.let[T.int32] = T.tt.get_write_ptr(0)
                for i in range(2):
                    if row0 + i < 3:
                        for j in range(1):
                            T.tt.noc_async_read_page((row0 + i) * 2 + kb + j, "A", l1 + (i + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(0, 2)

    @T.prim_func
    def mm_in1_reader_writer():
        T.func_attr({"tt.accessors": ["B", "C"], "tt.kernel": "mm", "tt.kernel_role": "in1_reader_writer", "tt.kernel_spec": {"accessors": ["B", "C"], "cores": [[0, 0, 1, 1]], "kind": "dataflow", "noc": "RISCV_0_default", "processor": "RISCV_0", "runtime_arg_names": ["addr:B", "addr:C", "core_x", "core_y"], "runtime_args": [[0, 0, "addr:B", "addr:C", 0, 0], [1, 0, "addr:B", "addr:C", 1, 0], [0, 1, "addr:B", "addr:C", 0, 1], [1, 1, "addr:B", "addr:C", 1, 1]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"cbs": [{"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "in0", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 3, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "in1", "num_pages": 6, "page_bytes": 2048, "role": "input"}, {"block_pages": 6, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "out", "num_pages": 12, "page_bytes": 2048, "role": "output"}, {"block_pages": 6, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 24, "name": "partials", "num_pages": 6, "page_bytes": 2048, "role": "intermediate"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": False, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": []}, "kind": "matmul", "params": {"accumulate": "reload", "grid": [2, 2], "in0_block_w": 1, "per_core_m": 2, "per_core_n": 3, "subblock_h": 2, "subblock_w": 3, "variant": "subblocked"}, "reason": "subblocked: 2x2 cores, 2x3-tile blocks per core, K block 1, 2x3 subblocks, partials reload: requested; modeled 0.7% of peak, bound by fill/drain", "spec": {"a": "A", "acc_dtype": "bfloat16", "b": "B", "c": "C", "epilogue": [], "in_dtype": "bfloat16", "k": 64, "m": 96, "n": 160, "out_dtype": "bfloat16", "user_block": [32, 32, 32]}, "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 6, "page_bytes": 2048, "param_index": 0, "shape": [96, 64]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 10, "page_bytes": 2048, "param_index": 1, "shape": [64, 160]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 15, "page_bytes": 2048, "param_index": 2, "shape": [96, 160]}], "tiles_per_core": [1, 1, 1, 1], "variant": "subblocked"}, "semaphores": []}, "tt.runtime_args": ["addr:B", "addr:C", "core_x", "core_y"]})
        addr_B: T.let[T.int32] = T.tt.get_arg_val(0)
        addr_C: T.let[T.int32] = T.tt.get_arg_val(1)
        core_x: T.let[T.int32] = T.tt.get_arg_val(2)
        core_y: T.let[T.int32] = T.tt.get_arg_val(3)
        T.tt.tensor_accessor("B", 0, addr_B, 2048)
        T.tt.tensor_accessor("C", 1, addr_C, 2048)
        for ry, rx in T.grid(1, 1):
            row0: T.let[T.int32] = (ry * 2 + core_y) * 2
            col0: T.let[T.int32] = (rx * 2 + core_x) * 3
            for kb in range(2):
                T.tt.cb_reserve_back(1, 3)
                l1: T.let[T.int32] = T.tt.get_write_ptr(1)
                for i, j in T.grid(1, 3):
                    if col0 + j < 5:
                        T.tt.noc_async_read_page((kb + i) * 5 + col0 + j, "B", l1 + (i * 3 + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(1, 3)
            for sh, sw in T.grid(1, 1):
                T.tt.cb_wait_front(16, 6)
                l1_out: T.let[T.int32] = T.tt.get_read_ptr(16)
                for i, j in T.grid(2, 3):
                    if row0 + sh * 2 + i < 3 and col0 + sw * 3 + j < 5:
                        T.tt.noc_async_write_page((row0 + sh * 2 + i) * 5 + (col0 + sw * 3 + j), "C", l1_out + (i * 3 + j) * 2048)
                T.tt.noc_async_write_barrier()
                T.tt.cb_pop_front(16, 6)
