# Golden TT-level TIR: lower_to_tt(samples.matmul(512, 512, 512)) on wormhole_b0 (tests/unit/passes/test_tt_tir_golden.py)
# from tvm.script import ir as I
# from tvm.script import tirx as T
# from tvm.tirx.layout import Axis

@I.ir_module
class Module:
    @T.prim_func
    def matmul_compute():
        T.func_attr({"tt.accessors": [], "tt.kernel": "matmul", "tt.kernel_role": "compute", "tt.kernel_spec": {"accessors": [], "cores": [[0, 0, 7, 7]], "kind": "compute", "noc": "", "processor": "", "runtime_arg_names": ["block_start", "block_count"], "runtime_args": [[0, 0, 0, 1], [1, 0, 1, 1], [2, 0, 2, 1], [3, 0, 3, 1], [4, 0, 4, 1], [5, 0, 5, 1], [6, 0, 6, 1], [7, 0, 7, 1], [0, 1, 8, 1], [1, 1, 9, 1], [2, 1, 10, 1], [3, 1, 11, 1], [4, 1, 12, 1], [5, 1, 13, 1], [6, 1, 14, 1], [7, 1, 15, 1], [0, 2, 16, 1], [1, 2, 17, 1], [2, 2, 18, 1], [3, 2, 19, 1], [4, 2, 20, 1], [5, 2, 21, 1], [6, 2, 22, 1], [7, 2, 23, 1], [0, 3, 24, 1], [1, 3, 25, 1], [2, 3, 26, 1], [3, 3, 27, 1], [4, 3, 28, 1], [5, 3, 29, 1], [6, 3, 30, 1], [7, 3, 31, 1], [0, 4, 32, 1], [1, 4, 33, 1], [2, 4, 34, 1], [3, 4, 35, 1], [4, 4, 36, 1], [5, 4, 37, 1], [6, 4, 38, 1], [7, 4, 39, 1], [0, 5, 40, 1], [1, 5, 41, 1], [2, 5, 42, 1], [3, 5, 43, 1], [4, 5, 44, 1], [5, 5, 45, 1], [6, 5, 46, 1], [7, 5, 47, 1], [0, 6, 48, 1], [1, 6, 49, 1], [2, 6, 50, 1], [3, 6, 51, 1], [4, 6, 52, 1], [5, 6, 53, 1], [6, 6, 54, 1], [7, 6, 55, 1], [0, 7, 56, 1], [1, 7, 57, 1], [2, 7, 58, 1], [3, 7, 59, 1], [4, 7, 60, 1], [5, 7, 61, 1], [6, 7, 62, 1], [7, 7, 63, 1]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"block_start": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63], "cbs": [{"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "A_s", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "B_s", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "C_l", "num_pages": 8, "page_bytes": 2048, "role": "output"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": True, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": []}, "core_grid": [8, 8], "grid": [8, 8], "kind": "naive", "policy": "contiguous", "reason": "requested: schedule='naive'", "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 256, "page_bytes": 2048, "param_index": 0, "shape": [512, 512]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 256, "page_bytes": 2048, "param_index": 1, "shape": [512, 512]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 256, "page_bytes": 2048, "param_index": 2, "shape": [512, 512]}], "tiles_per_core": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "variant": "naive"}, "semaphores": []}, "tt.runtime_args": ["block_start", "block_count"]})
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.matmul_init(0, 1, 16, 0)
        for b in range(block_count):
            T.tt.tile_regs_acquire()
            for k in range(16):
                T.tt.cb_wait_front(0, 2)
                T.tt.cb_wait_front(1, 2)
                for i, j, kk in T.grid(2, 2, 1):
                    T.tt.matmul_tiles(0, 1, i + kk, kk * 2 + j, i * 2 + j, 0)
                T.tt.cb_pop_front(0, 2)
                T.tt.cb_pop_front(1, 2)
            T.tt.tile_regs_commit()
            T.tt.tile_regs_wait()
            T.tt.cb_reserve_back(16, 4)
            for t in range(4):
                T.tt.pack_tile(t, 16)
            T.tt.cb_push_back(16, 4)
            T.tt.tile_regs_release()

    @T.prim_func
    def matmul_reader():
        T.func_attr({"tt.accessors": ["A", "B"], "tt.kernel": "matmul", "tt.kernel_role": "reader", "tt.kernel_spec": {"accessors": ["A", "B"], "cores": [[0, 0, 7, 7]], "kind": "dataflow", "noc": "RISCV_1_default", "processor": "RISCV_1", "runtime_arg_names": ["block_start", "block_count", "addr:A", "addr:B"], "runtime_args": [[0, 0, 0, 1, "addr:A", "addr:B"], [1, 0, 1, 1, "addr:A", "addr:B"], [2, 0, 2, 1, "addr:A", "addr:B"], [3, 0, 3, 1, "addr:A", "addr:B"], [4, 0, 4, 1, "addr:A", "addr:B"], [5, 0, 5, 1, "addr:A", "addr:B"], [6, 0, 6, 1, "addr:A", "addr:B"], [7, 0, 7, 1, "addr:A", "addr:B"], [0, 1, 8, 1, "addr:A", "addr:B"], [1, 1, 9, 1, "addr:A", "addr:B"], [2, 1, 10, 1, "addr:A", "addr:B"], [3, 1, 11, 1, "addr:A", "addr:B"], [4, 1, 12, 1, "addr:A", "addr:B"], [5, 1, 13, 1, "addr:A", "addr:B"], [6, 1, 14, 1, "addr:A", "addr:B"], [7, 1, 15, 1, "addr:A", "addr:B"], [0, 2, 16, 1, "addr:A", "addr:B"], [1, 2, 17, 1, "addr:A", "addr:B"], [2, 2, 18, 1, "addr:A", "addr:B"], [3, 2, 19, 1, "addr:A", "addr:B"], [4, 2, 20, 1, "addr:A", "addr:B"], [5, 2, 21, 1, "addr:A", "addr:B"], [6, 2, 22, 1, "addr:A", "addr:B"], [7, 2, 23, 1, "addr:A", "addr:B"], [0, 3, 24, 1, "addr:A", "addr:B"], [1, 3, 25, 1, "addr:A", "addr:B"], [2, 3, 26, 1, "addr:A", "addr:B"], [3, 3, 27, 1, "addr:A", "addr:B"], [4, 3, 28, 1, "addr:A", "addr:B"], [5, 3, 29, 1, "addr:A", "addr:B"], [6, 3, 30, 1, "addr:A", "addr:B"], [7, 3, 31, 1, "addr:A", "addr:B"], [0, 4, 32, 1, "addr:A", "addr:B"], [1, 4, 33, 1, "addr:A", "addr:B"], [2, 4, 34, 1, "addr:A", "addr:B"], [3, 4, 35, 1, "addr:A", "addr:B"], [4, 4, 36, 1, "addr:A", "addr:B"], [5, 4, 37, 1, "addr:A", "addr:B"], [6, 4, 38, 1, "addr:A", "addr:B"], [7, 4, 39, 1, "addr:A", "addr:B"], [0, 5, 40, 1, "addr:A", "addr:B"], [1, 5, 41, 1, "addr:A", "addr:B"], [2, 5, 42, 1, "addr:A", "addr:B"], [3, 5, 43, 1, "addr:A", "addr:B"], [4, 5, 44, 1, "addr:A", "addr:B"], [5, 5, 45, 1, "addr:A", "addr:B"], [6, 5, 46, 1, "addr:A", "addr:B"], [7, 5, 47, 1, "addr:A", "addr:B"], [0, 6, 48, 1, "addr:A", "addr:B"], [1, 6, 49, 1, "addr:A", "addr:B"], [2, 6, 50, 1, "addr:A", "addr:B"], [3, 6, 51, 1, "addr:A", "addr:B"], [4, 6, 52, 1, "addr:A", "addr:B"], [5, 6, 53, 1, "addr:A", "addr:B"], [6, 6, 54, 1, "addr:A", "addr:B"], [7, 6, 55, 1, "addr:A", "addr:B"], [0, 7, 56, 1, "addr:A", "addr:B"], [1, 7, 57, 1, "addr:A", "addr:B"], [2, 7, 58, 1, "addr:A", "addr:B"], [3, 7, 59, 1, "addr:A", "addr:B"], [4, 7, 60, 1, "addr:A", "addr:B"], [5, 7, 61, 1, "addr:A", "addr:B"], [6, 7, 62, 1, "addr:A", "addr:B"], [7, 7, 63, 1, "addr:A", "addr:B"]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"block_start": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63], "cbs": [{"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "A_s", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "B_s", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "C_l", "num_pages": 8, "page_bytes": 2048, "role": "output"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": True, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": []}, "core_grid": [8, 8], "grid": [8, 8], "kind": "naive", "policy": "contiguous", "reason": "requested: schedule='naive'", "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 256, "page_bytes": 2048, "param_index": 0, "shape": [512, 512]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 256, "page_bytes": 2048, "param_index": 1, "shape": [512, 512]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 256, "page_bytes": 2048, "param_index": 2, "shape": [512, 512]}], "tiles_per_core": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "variant": "naive"}, "semaphores": []}, "tt.runtime_args": ["block_start", "block_count", "addr:A", "addr:B"]})
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        A_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        B_addr: T.let[T.int32] = T.tt.get_arg_val(3)
        T.tt.tensor_accessor("A", 0, A_addr, 2048)
        T.tt.tensor_accessor("B", 1, B_addr, 2048)
        for b in range(block_count):
            bid: T.let[T.int32] = block_start + b
            by: T.let[T.int32] = bid // 8
            bx: T.let[T.int32] = bid % 8
            for k in range(16):
                T.tt.cb_reserve_back(0, 2)
                for i, j in T.grid(2, 1):
                    T.tt.noc_async_read_page((by * 2 + i) * 16 + (k + j), "A", T.tt.get_write_ptr(0) + (i + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(0, 2)
                T.tt.cb_reserve_back(1, 2)
                for i, j in T.grid(1, 2):
                    T.tt.noc_async_read_page((k + i) * 16 + (bx * 2 + j), "B", T.tt.get_write_ptr(1) + (i * 2 + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(1, 2)

    @T.prim_func
    def matmul_writer():
        T.func_attr({"tt.accessors": ["C"], "tt.kernel": "matmul", "tt.kernel_role": "writer", "tt.kernel_spec": {"accessors": ["C"], "cores": [[0, 0, 7, 7]], "kind": "dataflow", "noc": "RISCV_0_default", "processor": "RISCV_0", "runtime_arg_names": ["block_start", "block_count", "addr:C"], "runtime_args": [[0, 0, 0, 1, "addr:C"], [1, 0, 1, 1, "addr:C"], [2, 0, 2, 1, "addr:C"], [3, 0, 3, 1, "addr:C"], [4, 0, 4, 1, "addr:C"], [5, 0, 5, 1, "addr:C"], [6, 0, 6, 1, "addr:C"], [7, 0, 7, 1, "addr:C"], [0, 1, 8, 1, "addr:C"], [1, 1, 9, 1, "addr:C"], [2, 1, 10, 1, "addr:C"], [3, 1, 11, 1, "addr:C"], [4, 1, 12, 1, "addr:C"], [5, 1, 13, 1, "addr:C"], [6, 1, 14, 1, "addr:C"], [7, 1, 15, 1, "addr:C"], [0, 2, 16, 1, "addr:C"], [1, 2, 17, 1, "addr:C"], [2, 2, 18, 1, "addr:C"], [3, 2, 19, 1, "addr:C"], [4, 2, 20, 1, "addr:C"], [5, 2, 21, 1, "addr:C"], [6, 2, 22, 1, "addr:C"], [7, 2, 23, 1, "addr:C"], [0, 3, 24, 1, "addr:C"], [1, 3, 25, 1, "addr:C"], [2, 3, 26, 1, "addr:C"], [3, 3, 27, 1, "addr:C"], [4, 3, 28, 1, "addr:C"], [5, 3, 29, 1, "addr:C"], [6, 3, 30, 1, "addr:C"], [7, 3, 31, 1, "addr:C"], [0, 4, 32, 1, "addr:C"], [1, 4, 33, 1, "addr:C"], [2, 4, 34, 1, "addr:C"], [3, 4, 35, 1, "addr:C"], [4, 4, 36, 1, "addr:C"], [5, 4, 37, 1, "addr:C"], [6, 4, 38, 1, "addr:C"], [7, 4, 39, 1, "addr:C"], [0, 5, 40, 1, "addr:C"], [1, 5, 41, 1, "addr:C"], [2, 5, 42, 1, "addr:C"], [3, 5, 43, 1, "addr:C"], [4, 5, 44, 1, "addr:C"], [5, 5, 45, 1, "addr:C"], [6, 5, 46, 1, "addr:C"], [7, 5, 47, 1, "addr:C"], [0, 6, 48, 1, "addr:C"], [1, 6, 49, 1, "addr:C"], [2, 6, 50, 1, "addr:C"], [3, 6, 51, 1, "addr:C"], [4, 6, 52, 1, "addr:C"], [5, 6, 53, 1, "addr:C"], [6, 6, 54, 1, "addr:C"], [7, 6, 55, 1, "addr:C"], [0, 7, 56, 1, "addr:C"], [1, 7, 57, 1, "addr:C"], [2, 7, 58, 1, "addr:C"], [3, 7, 59, 1, "addr:C"], [4, 7, 60, 1, "addr:C"], [5, 7, 61, 1, "addr:C"], [6, 7, 62, 1, "addr:C"], [7, 7, 63, 1, "addr:C"]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"block_start": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63], "cbs": [{"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "A_s", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 2, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "B_s", "num_pages": 4, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "C_l", "num_pages": 8, "page_bytes": 2048, "role": "output"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": True, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": []}, "core_grid": [8, 8], "grid": [8, 8], "kind": "naive", "policy": "contiguous", "reason": "requested: schedule='naive'", "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 256, "page_bytes": 2048, "param_index": 0, "shape": [512, 512]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 256, "page_bytes": 2048, "param_index": 1, "shape": [512, 512]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 256, "page_bytes": 2048, "param_index": 2, "shape": [512, 512]}], "tiles_per_core": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "variant": "naive"}, "semaphores": []}, "tt.runtime_args": ["block_start", "block_count", "addr:C"]})
        block_start: T.let[T.int32] = T.tt.get_arg_val(0)
        block_count: T.let[T.int32] = T.tt.get_arg_val(1)
        C_addr: T.let[T.int32] = T.tt.get_arg_val(2)
        T.tt.tensor_accessor("C", 0, C_addr, 2048)
        for b in range(block_count):
            bid: T.let[T.int32] = block_start + b
            by: T.let[T.int32] = bid // 8
            bx: T.let[T.int32] = bid % 8
            T.tt.cb_wait_front(16, 4)
            for i, j in T.grid(2, 2):
                T.tt.noc_async_write_page((by * 2 + i) * 16 + (bx * 2 + j), "C", T.tt.get_read_ptr(16) + (i * 2 + j) * 2048)
            T.tt.noc_async_write_barrier()
            T.tt.cb_pop_front(16, 4)
