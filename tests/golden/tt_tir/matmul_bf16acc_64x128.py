# Golden TT-level TIR: lower_to_tt(kernels.matmul(128, 256, 96, bm=64, bn=128, acc='bfloat16')) on wormhole_b0 (tests/unit/passes/test_tt_tir_golden.py)
# from tvm.script import ir as I
# from tvm.script import tirx as T
# from tvm.tirx.layout import Axis

@I.ir_module
class Module:
    @T.prim_func
    def mm_compute():
        T.func_attr({"tt.accessors": [], "tt.kernel": "mm", "tt.kernel_role": "compute", "tt.kernel_spec": {"accessors": [], "cores": [[0, 0, 3, 0]], "kind": "compute", "noc": "", "processor": "", "runtime_arg_names": ["block_start", "block_count"], "runtime_args": [[0, 0, 0, 1], [1, 0, 1, 1], [2, 0, 2, 1], [3, 0, 3, 1]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"block_start": [0, 1, 2, 3], "cbs": [{"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "A_s", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "B_s", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 8, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "C_l", "num_pages": 16, "page_bytes": 2048, "role": "output"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": False, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": []}, "core_grid": [4, 1], "grid": [2, 2], "kind": "naive", "policy": "contiguous", "reason": "requested: schedule='naive'", "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 12, "page_bytes": 2048, "param_index": 0, "shape": [128, 96]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 24, "page_bytes": 2048, "param_index": 1, "shape": [96, 256]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 32, "page_bytes": 2048, "param_index": 2, "shape": [128, 256]}], "tiles_per_core": [1, 1, 1, 1], "variant": "naive"}, "semaphores": []}, "tt.runtime_args": ["block_start", "block_count"]})
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_init(0, 1, 16, 0)
        for b in range(block_count):
            T.tt.tile_regs_acquire()
            for k in range(3):
                T.tt.cb_wait_front(0, 2)
                T.tt.cb_wait_front(1, 4)
                for i, j, kk in T.grid(2, 4, 1):
                    T.tt.matmul_tiles(0, 1, i + kk, kk * 4 + j, i * 4 + j, 0)
                T.tt.cb_pop_front(0, 2)
                T.tt.cb_pop_front(1, 4)
            T.tt.tile_regs_commit()
            T.tt.tile_regs_wait()
            T.tt.cb_reserve_back(16, 8)
            for t in range(8):
                T.tt.pack_tile(t, 16)
            T.tt.cb_push_back(16, 8)
            T.tt.tile_regs_release()

    @T.prim_func
    def mm_reader():
        T.func_attr({"tt.accessors": ["A", "B"], "tt.kernel": "mm", "tt.kernel_role": "reader", "tt.kernel_spec": {"accessors": ["A", "B"], "cores": [[0, 0, 3, 0]], "kind": "dataflow", "noc": "RISCV_1_default", "processor": "RISCV_1", "runtime_arg_names": ["block_start", "block_count", "addr:A", "addr:B"], "runtime_args": [[0, 0, 0, 1, "addr:A", "addr:B"], [1, 0, 1, 1, "addr:A", "addr:B"], [2, 0, 2, 1, "addr:A", "addr:B"], [3, 0, 3, 1, "addr:A", "addr:B"]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"block_start": [0, 1, 2, 3], "cbs": [{"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "A_s", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "B_s", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 8, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "C_l", "num_pages": 16, "page_bytes": 2048, "role": "output"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": False, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": []}, "core_grid": [4, 1], "grid": [2, 2], "kind": "naive", "policy": "contiguous", "reason": "requested: schedule='naive'", "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 12, "page_bytes": 2048, "param_index": 0, "shape": [128, 96]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 24, "page_bytes": 2048, "param_index": 1, "shape": [96, 256]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 32, "page_bytes": 2048, "param_index": 2, "shape": [128, 256]}], "tiles_per_core": [1, 1, 1, 1], "variant": "naive"}, "semaphores": []}, "tt.runtime_args": ["block_start", "block_count", "addr:A", "addr:B"]})
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        A_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        B_addr: T.let[T.int32] = T.tt.get_arg_val(3)
        T.tt.tensor_accessor("A", 0, A_addr, 2048)
        T.tt.tensor_accessor("B", 1, B_addr, 2048)
        for b in range(block_count):
            bid: T.let[T.int32] = block_start + b
            by: T.let[T.int32] = bid // 2
            bx: T.let[T.int32] = bid % 2
            for k in range(3):
                T.tt.cb_reserve_back(0, 2)
                for i, j in T.grid(2, 1):
                    T.tt.noc_async_read_page((by * 2 + i) * 3 + (k + j), "A", T.tt.get_write_ptr(0) + (i + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(0, 2)
                T.tt.cb_reserve_back(1, 4)
                for i, j in T.grid(1, 4):
                    T.tt.noc_async_read_page((k + i) * 8 + (bx * 4 + j), "B", T.tt.get_write_ptr(1) + (i * 4 + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(1, 4)

    @T.prim_func
    def mm_writer():
        T.func_attr({"tt.accessors": ["C"], "tt.kernel": "mm", "tt.kernel_role": "writer", "tt.kernel_spec": {"accessors": ["C"], "cores": [[0, 0, 3, 0]], "kind": "dataflow", "noc": "RISCV_0_default", "processor": "RISCV_0", "runtime_arg_names": ["block_start", "block_count", "addr:C"], "runtime_args": [[0, 0, 0, 1, "addr:C"], [1, 0, 1, 1, "addr:C"], [2, 0, 2, 1, "addr:C"], [3, 0, 3, 1, "addr:C"]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"block_start": [0, 1, 2, 3], "cbs": [{"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "A_s", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "B_s", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 8, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "C_l", "num_pages": 16, "page_bytes": 2048, "role": "output"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": False, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": []}, "core_grid": [4, 1], "grid": [2, 2], "kind": "naive", "policy": "contiguous", "reason": "requested: schedule='naive'", "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 12, "page_bytes": 2048, "param_index": 0, "shape": [128, 96]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 24, "page_bytes": 2048, "param_index": 1, "shape": [96, 256]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 32, "page_bytes": 2048, "param_index": 2, "shape": [128, 256]}], "tiles_per_core": [1, 1, 1, 1], "variant": "naive"}, "semaphores": []}, "tt.runtime_args": ["block_start", "block_count", "addr:C"]})
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        C_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("C", 0, C_addr, 2048)
        for b in range(block_count):
            bid: T.let[T.int32] = block_start + b
            by: T.let[T.int32] = bid // 2
            bx: T.let[T.int32] = bid % 2
            T.tt.cb_wait_front(16, 8)
            for i, j in T.grid(2, 4):
                T.tt.noc_async_write_page((by * 2 + i) * 8 + (bx * 4 + j), "C", T.tt.get_read_ptr(16) + (i * 4 + j) * 2048)
            T.tt.noc_async_write_barrier()
            T.tt.cb_pop_front(16, 8)
