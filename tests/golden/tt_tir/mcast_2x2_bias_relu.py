# Golden TT-level TIR: lower_to_tt(samples.matmul_bias_relu(128, 128, 192), schedule='multicast', grid=(2, 2), per_core_m=2, per_core_n=2, in0_block_w=2, subblock_h=2, subblock_w=2) on wormhole_b0 (tests/unit/passes/test_tt_tir_golden.py)
# from tvm.script import ir as I
# from tvm.script import tirx as T
# from tvm.tirx.layout import Axis

@I.ir_module
class Module:
    @T.prim_func
    def matmul_bias_relu_compute():
        T.func_attr({"tt.accessors": [], "tt.kernel": "matmul_bias_relu", "tt.kernel_role": "compute", "tt.kernel_spec": {"accessors": [], "cores": [[0, 0, 1, 1]], "kind": "compute", "noc": "", "processor": "", "runtime_arg_names": [], "runtime_args": [[0, 0], [1, 0], [0, 1], [1, 1]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"cbs": [{"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "in0", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "in1", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 2, "name": "epilogue_D", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "out", "num_pages": 8, "page_bytes": 2048, "role": "output"}, {"block_pages": 4, "cores": [], "data_format": "Float32", "dtype": "float32", "index": 24, "name": "partials", "num_pages": 4, "page_bytes": 4096, "role": "intermediate"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": True, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": [24]}, "kind": "matmul", "params": {"accumulate": "l1_acc", "grid": [2, 2], "in0_block_w": 2, "per_core_m": 2, "per_core_n": 2, "subblock_h": 2, "subblock_w": 2, "variant": "multicast"}, "reason": "multicast: 2x2 cores, 2x2-tile blocks per core, K block 2, 2x2 subblocks, partials l1_acc: requested; modeled 1.3% of peak, bound by matrix engine", "spec": {"a": "A", "acc_dtype": "float32", "b": "B", "c": "C", "epilogue": [{"bcast": "", "kind": "binary", "op": "add", "tensor": "D"}, {"bcast": "", "kind": "unary", "op": "relu", "tensor": ""}], "in_dtype": "bfloat16", "k": 192, "m": 128, "n": 128, "out_dtype": "bfloat16", "user_block": [64, 64, 32]}, "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 24, "page_bytes": 2048, "param_index": 0, "shape": [128, 192]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 24, "page_bytes": 2048, "param_index": 1, "shape": [192, 128]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "D", "num_pages": 16, "page_bytes": 2048, "param_index": 2, "shape": [128, 128]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 16, "page_bytes": 2048, "param_index": 3, "shape": [128, 128]}], "tiles_per_core": [1, 1, 1, 1], "variant": "multicast"}, "semaphores": [{"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_recv"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_recv"}]}, "tt.runtime_args": []})
        T.tt.compute_kernel_hw_startup(0, 1, 16, 1)
        T.tt.unary_init("relu")
        for r in range(1):
            T.tt.cb_reserve_back(24, 4)
            T.tt.cb_wait_front(0, 4)
            T.tt.cb_wait_front(1, 4)
            T.tt.pack_reconfig_data_format(24)
            T.tt.matmul_block_init(0, 1, 2, 2, 2, 0)
            for sh, sw in T.grid(1, 1):
                T.tt.tile_regs_acquire()
                for inner in range(2):
                    T.tt.matmul_block(0, 1, sh * 2 * 2 + inner, sw * 2 + inner * 2, 0, 2, 2, 2, 0)
                T.tt.tile_regs_commit()
                T.tt.tile_regs_wait()
                for t in range(4):
                    T.tt.pack_tile_to(t, 24, (sh + sw) * 4 + t, 0)
                T.tt.tile_regs_release()
            T.tt.cb_pop_front(0, 4)
            T.tt.cb_pop_front(1, 4)
            T.tt.pack_reconfig_l1_acc(1)
            for kb in range(1):
                T.tt.cb_wait_front(0, 4)
                T.tt.cb_wait_front(1, 4)
                for sh, sw in T.grid(1, 1):
                    T.tt.tile_regs_acquire()
                    for inner in range(2):
                        T.tt.matmul_block(0, 1, sh * 2 * 2 + inner, sw * 2 + inner * 2, 0, 2, 2, 2, 0)
                    T.tt.tile_regs_commit()
                    T.tt.tile_regs_wait()
                    for t in range(4):
                        T.tt.pack_tile_to(t, 24, (sh + sw) * 4 + t, 1)
                    T.tt.tile_regs_release()
                T.tt.cb_pop_front(0, 4)
                T.tt.cb_pop_front(1, 4)
            T.tt.cb_push_back(24, 4)
            T.tt.cb_wait_front(24, 4)
            T.tt.cb_wait_front(0, 4)
            T.tt.cb_wait_front(1, 4)
            T.tt.pack_reconfig_data_format(16)
            T.tt.pack_reconfig_l1_acc(0)
            for sh, sw in T.grid(1, 1):
                T.tt.tile_regs_acquire()
                T.tt.reconfig_data_format_srca(24)
                T.tt.copy_init(24)
                for p in range(4):
                    T.tt.copy_tile(24, (sh + sw) * 4 + p, p)
                T.tt.reconfig_data_format_srca(1)
                T.tt.matmul_block_init(0, 1, 2, 2, 2, 0)
                for inner in range(2):
                    T.tt.matmul_block(0, 1, sh * 2 * 2 + inner, sw * 2 + inner * 2, 0, 2, 2, 2, 0)
                T.tt.cb_wait_front(2, 4)
                T.tt.binary_dest_reuse_init("add", 2)
                for t in range(4):
                    T.tt.binary_dest_reuse_tiles("add", 2, t, t)
                T.tt.cb_pop_front(2, 4)
                for t in range(4):
                    T.tt.unary_tile("relu", t)
                T.tt.tile_regs_commit()
                T.tt.tile_regs_wait()
                T.tt.cb_reserve_back(16, 4)
                for t in range(4):
                    T.tt.pack_tile(t, 16)
                T.tt.cb_push_back(16, 4)
                T.tt.tile_regs_release()
            T.tt.cb_pop_front(0, 4)
            T.tt.cb_pop_front(1, 4)
            T.tt.cb_pop_front(24, 4)

    @T.prim_func
    def matmul_bias_relu_in0_receiver():
        T.func_attr({"tt.accessors": [], "tt.kernel": "matmul_bias_relu", "tt.kernel_role": "in0_receiver", "tt.kernel_spec": {"accessors": [], "cores": [[1, 0, 1, 1]], "kind": "dataflow", "noc": "RISCV_1_default", "processor": "RISCV_1", "runtime_arg_names": ["sender_x", "sender_y", "sem:sender", "sem:recv"], "runtime_args": [[1, 0, "noc_x:0,0", "noc_y:0,0", "sem:in0_sender", "sem:in0_recv"], [1, 1, "noc_x:0,1", "noc_y:0,1", "sem:in0_sender", "sem:in0_recv"]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"cbs": [{"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "in0", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "in1", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 2, "name": "epilogue_D", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "out", "num_pages": 8, "page_bytes": 2048, "role": "output"}, {"block_pages": 4, "cores": [], "data_format": "Float32", "dtype": "float32", "index": 24, "name": "partials", "num_pages": 4, "page_bytes": 4096, "role": "intermediate"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": True, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": [24]}, "kind": "matmul", "params": {"accumulate": "l1_acc", "grid": [2, 2], "in0_block_w": 2, "per_core_m": 2, "per_core_n": 2, "subblock_h": 2, "subblock_w": 2, "variant": "multicast"}, "reason": "multicast: 2x2 cores, 2x2-tile blocks per core, K block 2, 2x2 subblocks, partials l1_acc: requested; modeled 1.3% of peak, bound by matrix engine", "spec": {"a": "A", "acc_dtype": "float32", "b": "B", "c": "C", "epilogue": [{"bcast": "", "kind": "binary", "op": "add", "tensor": "D"}, {"bcast": "", "kind": "unary", "op": "relu", "tensor": ""}], "in_dtype": "bfloat16", "k": 192, "m": 128, "n": 128, "out_dtype": "bfloat16", "user_block": [64, 64, 32]}, "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 24, "page_bytes": 2048, "param_index": 0, "shape": [128, 192]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 24, "page_bytes": 2048, "param_index": 1, "shape": [192, 128]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "D", "num_pages": 16, "page_bytes": 2048, "param_index": 2, "shape": [128, 128]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 16, "page_bytes": 2048, "param_index": 3, "shape": [128, 128]}], "tiles_per_core": [1, 1, 1, 1], "variant": "multicast"}, "semaphores": [{"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_recv"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_recv"}]}, "tt.runtime_args": ["sender_x", "sender_y", "sem:sender", "sem:recv"]})
        sender_x: T.let[T.int32] = T.tt.get_arg_val(0)
        sender_y: T.let[T.int32] = T.tt.get_arg_val(1)
        sem_sender: T.let[T.int32] = T.tt.get_arg_val(2)
        sem_recv: T.let[T.int32] = T.tt.get_arg_val(3)
        sender_sem_addr: T.let[T.int32] = T.tt.get_semaphore(sem_sender)
        recv_sem_addr: T.let[T.int32] = T.tt.get_semaphore(sem_recv)
        for kb in range(3):
            T.tt.cb_reserve_back(0, 4)
            T.tt.noc_semaphore_set(recv_sem_addr, 0)
            sender_sem_noc: T.let[T.uint64] = T.tt.get_noc_addr(sender_x, sender_y, sender_sem_addr)
            T.tt.noc_semaphore_inc(sender_sem_noc, 1)
            T.tt.noc_semaphore_wait(recv_sem_addr, 1)
            T.tt.cb_push_back(0, 4)
        T.tt.noc_async_atomic_barrier()

    @T.prim_func
    def matmul_bias_relu_in0_sender():
        T.func_attr({"tt.accessors": ["A"], "tt.kernel": "matmul_bias_relu", "tt.kernel_role": "in0_sender", "tt.kernel_spec": {"accessors": ["A"], "cores": [[0, 0, 0, 1]], "kind": "dataflow", "noc": "RISCV_1_default", "processor": "RISCV_1", "runtime_arg_names": ["addr:A", "core_y", "mcast_start_x", "mcast_start_y", "mcast_end_x", "mcast_end_y", "sem:sender", "sem:recv"], "runtime_args": [[0, 0, "addr:A", 0, "noc_x:1,0", "noc_y:1,0", "noc_x:1,0", "noc_y:1,0", "sem:in0_sender", "sem:in0_recv"], [0, 1, "addr:A", 1, "noc_x:1,1", "noc_y:1,1", "noc_x:1,1", "noc_y:1,1", "sem:in0_sender", "sem:in0_recv"]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"cbs": [{"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "in0", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "in1", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 2, "name": "epilogue_D", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "out", "num_pages": 8, "page_bytes": 2048, "role": "output"}, {"block_pages": 4, "cores": [], "data_format": "Float32", "dtype": "float32", "index": 24, "name": "partials", "num_pages": 4, "page_bytes": 4096, "role": "intermediate"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": True, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": [24]}, "kind": "matmul", "params": {"accumulate": "l1_acc", "grid": [2, 2], "in0_block_w": 2, "per_core_m": 2, "per_core_n": 2, "subblock_h": 2, "subblock_w": 2, "variant": "multicast"}, "reason": "multicast: 2x2 cores, 2x2-tile blocks per core, K block 2, 2x2 subblocks, partials l1_acc: requested; modeled 1.3% of peak, bound by matrix engine", "spec": {"a": "A", "acc_dtype": "float32", "b": "B", "c": "C", "epilogue": [{"bcast": "", "kind": "binary", "op": "add", "tensor": "D"}, {"bcast": "", "kind": "unary", "op": "relu", "tensor": ""}], "in_dtype": "bfloat16", "k": 192, "m": 128, "n": 128, "out_dtype": "bfloat16", "user_block": [64, 64, 32]}, "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 24, "page_bytes": 2048, "param_index": 0, "shape": [128, 192]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 24, "page_bytes": 2048, "param_index": 1, "shape": [192, 128]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "D", "num_pages": 16, "page_bytes": 2048, "param_index": 2, "shape": [128, 128]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 16, "page_bytes": 2048, "param_index": 3, "shape": [128, 128]}], "tiles_per_core": [1, 1, 1, 1], "variant": "multicast"}, "semaphores": [{"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_recv"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_recv"}]}, "tt.runtime_args": ["addr:A", "core_y", "mcast_start_x", "mcast_start_y", "mcast_end_x", "mcast_end_y", "sem:sender", "sem:recv"]})
        addr_A: T.let[T.int32] = T.tt.get_arg_val(0)
        core_y: T.let[T.int32] = T.tt.get_arg_val(1)
        mcast_start_x: T.let[T.int32] = T.tt.get_arg_val(2)
        mcast_start_y: T.let[T.int32] = T.tt.get_arg_val(3)
        mcast_end_x: T.let[T.int32] = T.tt.get_arg_val(4)
        mcast_end_y: T.let[T.int32] = T.tt.get_arg_val(5)
        sem_sender: T.let[T.int32] = T.tt.get_arg_val(6)
        sem_recv: T.let[T.int32] = T.tt.get_arg_val(7)
        T.tt.tensor_accessor("A", 0, addr_A, 2048)
        sender_sem_addr: T.let[T.int32] = T.tt.get_semaphore(sem_sender)
        recv_sem_addr: T.let[T.int32] = T.tt.get_semaphore(sem_recv)
        T.tt.noc_semaphore_set(recv_sem_addr, 1)
        for ry, rx in T.grid(1, 1):
            row0: T.let[T.int32] = (ry * 2 + core_y) * 2
            for kb in range(3):
                T.tt.cb_reserve_back(0, 4)
                l1: T.let[T.int32] = T.tt.get_write_ptr(0)
                for i, j in T.grid(2, 2):
                    T.tt.noc_async_read_page((row0 + i) * 6 + kb * 2 + j, "A", l1 + (i * 2 + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.noc_semaphore_wait(sender_sem_addr, 1)
                T.tt.noc_semaphore_set(sender_sem_addr, 0)
                mcast_data: T.let[T.uint64] = T.tt.get_noc_multicast_addr(mcast_start_x, mcast_start_y, mcast_end_x, mcast_end_y, l1)
                T.tt.noc_async_write_multicast(l1, mcast_data, 8192, 1)
                T.tt.noc_async_writes_flushed()
                mcast_flag: T.let[T.uint64] = T.tt.get_noc_multicast_addr(mcast_start_x, mcast_start_y, mcast_end_x, mcast_end_y, recv_sem_addr)
                T.tt.noc_semaphore_set_multicast(recv_sem_addr, mcast_flag, 1)
                T.tt.cb_push_back(0, 4)

    @T.prim_func
    def matmul_bias_relu_in1_receiver_writer():
        T.func_attr({"tt.accessors": ["D", "C"], "tt.kernel": "matmul_bias_relu", "tt.kernel_role": "in1_receiver_writer", "tt.kernel_spec": {"accessors": ["D", "C"], "cores": [[0, 1, 1, 1]], "kind": "dataflow", "noc": "RISCV_0_default", "processor": "RISCV_0", "runtime_arg_names": ["addr:D", "addr:C", "core_x", "core_y", "sender_x", "sender_y", "sem:sender", "sem:recv"], "runtime_args": [[0, 1, "addr:D", "addr:C", 0, 1, "noc_x:0,0", "noc_y:0,0", "sem:in1_sender", "sem:in1_recv"], [1, 1, "addr:D", "addr:C", 1, 1, "noc_x:1,0", "noc_y:1,0", "sem:in1_sender", "sem:in1_recv"]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"cbs": [{"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "in0", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "in1", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 2, "name": "epilogue_D", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "out", "num_pages": 8, "page_bytes": 2048, "role": "output"}, {"block_pages": 4, "cores": [], "data_format": "Float32", "dtype": "float32", "index": 24, "name": "partials", "num_pages": 4, "page_bytes": 4096, "role": "intermediate"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": True, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": [24]}, "kind": "matmul", "params": {"accumulate": "l1_acc", "grid": [2, 2], "in0_block_w": 2, "per_core_m": 2, "per_core_n": 2, "subblock_h": 2, "subblock_w": 2, "variant": "multicast"}, "reason": "multicast: 2x2 cores, 2x2-tile blocks per core, K block 2, 2x2 subblocks, partials l1_acc: requested; modeled 1.3% of peak, bound by matrix engine", "spec": {"a": "A", "acc_dtype": "float32", "b": "B", "c": "C", "epilogue": [{"bcast": "", "kind": "binary", "op": "add", "tensor": "D"}, {"bcast": "", "kind": "unary", "op": "relu", "tensor": ""}], "in_dtype": "bfloat16", "k": 192, "m": 128, "n": 128, "out_dtype": "bfloat16", "user_block": [64, 64, 32]}, "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 24, "page_bytes": 2048, "param_index": 0, "shape": [128, 192]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 24, "page_bytes": 2048, "param_index": 1, "shape": [192, 128]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "D", "num_pages": 16, "page_bytes": 2048, "param_index": 2, "shape": [128, 128]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 16, "page_bytes": 2048, "param_index": 3, "shape": [128, 128]}], "tiles_per_core": [1, 1, 1, 1], "variant": "multicast"}, "semaphores": [{"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_recv"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_recv"}]}, "tt.runtime_args": ["addr:D", "addr:C", "core_x", "core_y", "sender_x", "sender_y", "sem:sender", "sem:recv"]})
        addr_D: T.let[T.int32] = T.tt.get_arg_val(0)
        addr_C: T.let[T.int32] = T.tt.get_arg_val(1)
        core_x: T.let[T.int32] = T.tt.get_arg_val(2)
        core_y: T.let[T.int32] = T.tt.get_arg_val(3)
        sender_x: T.let[T.int32] = T.tt.get_arg_val(4)
        sender_y: T.let[T.int32] = T.tt.get_arg_val(5)
        sem_sender: T.let[T.int32] = T.tt.get_arg_val(6)
        sem_recv: T.let[T.int32] = T.tt.get_arg_val(7)
        T.tt.tensor_accessor("D", 0, addr_D, 2048)
        T.tt.tensor_accessor("C", 1, addr_C, 2048)
        sender_sem_addr: T.let[T.int32] = T.tt.get_semaphore(sem_sender)
        recv_sem_addr: T.let[T.int32] = T.tt.get_semaphore(sem_recv)
        for ry, rx in T.grid(1, 1):
            row0: T.let[T.int32] = (ry * 2 + core_y) * 2
            col0: T.let[T.int32] = (rx * 2 + core_x) * 2
            for kb in range(3):
                T.tt.cb_reserve_back(1, 4)
                T.tt.noc_semaphore_set(recv_sem_addr, 0)
                sender_sem_noc: T.let[T.uint64] = T.tt.get_noc_addr(sender_x, sender_y, sender_sem_addr)
                T.tt.noc_semaphore_inc(sender_sem_noc, 1)
                T.tt.noc_semaphore_wait(recv_sem_addr, 1)
                T.tt.cb_push_back(1, 4)
            for sh, sw in T.grid(1, 1):
                T.tt.cb_reserve_back(2, 4)
                l1_D: T.let[T.int32] = T.tt.get_write_ptr(2)
                for i, j in T.grid(2, 2):
                    T.tt.noc_async_read_page((row0 + sh * 2 + i) * 4 + (col0 + sw * 2 + j), "D", l1_D + (i * 2 + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(2, 4)
                T.tt.cb_wait_front(16, 4)
                l1_out: T.let[T.int32] = T.tt.get_read_ptr(16)
                for i, j in T.grid(2, 2):
                    T.tt.noc_async_write_page((row0 + sh * 2 + i) * 4 + (col0 + sw * 2 + j), "C", l1_out + (i * 2 + j) * 2048)
                T.tt.noc_async_write_barrier()
                T.tt.cb_pop_front(16, 4)
        T.tt.noc_async_atomic_barrier()

    @T.prim_func
    def matmul_bias_relu_in1_sender_writer():
        T.func_attr({"tt.accessors": ["B", "D", "C"], "tt.kernel": "matmul_bias_relu", "tt.kernel_role": "in1_sender_writer", "tt.kernel_spec": {"accessors": ["B", "D", "C"], "cores": [[0, 0, 1, 0]], "kind": "dataflow", "noc": "RISCV_0_default", "processor": "RISCV_0", "runtime_arg_names": ["addr:B", "addr:D", "addr:C", "core_x", "core_y", "mcast_start_x", "mcast_start_y", "mcast_end_x", "mcast_end_y", "sem:sender", "sem:recv"], "runtime_args": [[0, 0, "addr:B", "addr:D", "addr:C", 0, 0, "noc_x:0,1", "noc_y:0,1", "noc_x:0,1", "noc_y:0,1", "sem:in1_sender", "sem:in1_recv"], [1, 0, "addr:B", "addr:D", "addr:C", 1, 0, "noc_x:1,1", "noc_y:1,1", "noc_x:1,1", "noc_y:1,1", "sem:in1_sender", "sem:in1_recv"]]}, "tt.program": {"model": "wormhole_b0", "schedule": {"cbs": [{"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 0, "name": "in0", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 1, "name": "in1", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 2, "name": "epilogue_D", "num_pages": 8, "page_bytes": 2048, "role": "input"}, {"block_pages": 4, "cores": [], "data_format": "Float16_b", "dtype": "bfloat16", "index": 16, "name": "out", "num_pages": 8, "page_bytes": 2048, "role": "output"}, {"block_pages": 4, "cores": [], "data_format": "Float32", "dtype": "float32", "index": 24, "name": "partials", "num_pages": 4, "page_bytes": 4096, "role": "intermediate"}], "compute": {"dst_full_sync_en": False, "fp32_dest_acc_en": True, "math_approx_mode": False, "math_fidelity": "HiFi4", "unpack_to_dest_fp32": [24]}, "kind": "matmul", "params": {"accumulate": "l1_acc", "grid": [2, 2], "in0_block_w": 2, "per_core_m": 2, "per_core_n": 2, "subblock_h": 2, "subblock_w": 2, "variant": "multicast"}, "reason": "multicast: 2x2 cores, 2x2-tile blocks per core, K block 2, 2x2 subblocks, partials l1_acc: requested; modeled 1.3% of peak, bound by matrix engine", "spec": {"a": "A", "acc_dtype": "float32", "b": "B", "c": "C", "epilogue": [{"bcast": "", "kind": "binary", "op": "add", "tensor": "D"}, {"bcast": "", "kind": "unary", "op": "relu", "tensor": ""}], "in_dtype": "bfloat16", "k": 192, "m": 128, "n": 128, "out_dtype": "bfloat16", "user_block": [64, 64, 32]}, "tensors": [{"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "A", "num_pages": 24, "page_bytes": 2048, "param_index": 0, "shape": [128, 192]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "B", "num_pages": 24, "page_bytes": 2048, "param_index": 1, "shape": [192, 128]}, {"access": "read", "data_format": "Float16_b", "dtype": "bfloat16", "name": "D", "num_pages": 16, "page_bytes": 2048, "param_index": 2, "shape": [128, 128]}, {"access": "write", "data_format": "Float16_b", "dtype": "bfloat16", "name": "C", "num_pages": 16, "page_bytes": 2048, "param_index": 3, "shape": [128, 128]}], "tiles_per_core": [1, 1, 1, 1], "variant": "multicast"}, "semaphores": [{"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in0_recv"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_sender"}, {"cores": [[0, 0, 1, 1]], "initial": 0, "name": "in1_recv"}]}, "tt.runtime_args": ["addr:B", "addr:D", "addr:C", "core_x", "core_y", "mcast_start_x", "mcast_start_y", "mcast_end_x", "mcast_end_y", "sem:sender", "sem:recv"]})
        addr_B: T.let[T.int32] = T.tt.get_arg_val(0)
        addr_D: T.let[T.int32] = T.tt.get_arg_val(1)
        addr_C: T.let[T.int32] = T.tt.get_arg_val(2)
        core_x: T.let[T.int32] = T.tt.get_arg_val(3)
        core_y: T.let[T.int32] = T.tt.get_arg_val(4)
        mcast_start_x: T.let[T.int32] = T.tt.get_arg_val(5)
        mcast_start_y: T.let[T.int32] = T.tt.get_arg_val(6)
        mcast_end_x: T.let[T.int32] = T.tt.get_arg_val(7)
        mcast_end_y: T.let[T.int32] = T.tt.get_arg_val(8)
        sem_sender: T.let[T.int32] = T.tt.get_arg_val(9)
        sem_recv: T.let[T.int32] = T.tt.get_arg_val(10)
        T.tt.tensor_accessor("B", 0, addr_B, 2048)
        T.tt.tensor_accessor("D", 1, addr_D, 2048)
        T.tt.tensor_accessor("C", 2, addr_C, 2048)
        sender_sem_addr: T.let[T.int32] = T.tt.get_semaphore(sem_sender)
        recv_sem_addr: T.let[T.int32] = T.tt.get_semaphore(sem_recv)
        T.tt.noc_semaphore_set(recv_sem_addr, 1)
        for ry, rx in T.grid(1, 1):
            row0: T.let[T.int32] = (ry * 2 + core_y) * 2
            col0: T.let[T.int32] = (rx * 2 + core_x) * 2
            for kb in range(3):
                T.tt.cb_reserve_back(1, 4)
                l1: T.let[T.int32] = T.tt.get_write_ptr(1)
                for i, j in T.grid(2, 2):
                    T.tt.noc_async_read_page((kb * 2 + i) * 4 + col0 + j, "B", l1 + (i * 2 + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.noc_semaphore_wait(sender_sem_addr, 1)
                T.tt.noc_semaphore_set(sender_sem_addr, 0)
                mcast_data: T.let[T.uint64] = T.tt.get_noc_multicast_addr(mcast_start_x, mcast_start_y, mcast_end_x, mcast_end_y, l1)
                T.tt.noc_async_write_multicast(l1, mcast_data, 8192, 1)
                T.tt.noc_async_writes_flushed()
                mcast_flag: T.let[T.uint64] = T.tt.get_noc_multicast_addr(mcast_start_x, mcast_start_y, mcast_end_x, mcast_end_y, recv_sem_addr)
                T.tt.noc_semaphore_set_multicast(recv_sem_addr, mcast_flag, 1)
                T.tt.cb_push_back(1, 4)
            for sh, sw in T.grid(1, 1):
                T.tt.cb_reserve_back(2, 4)
                l1_D: T.let[T.int32] = T.tt.get_write_ptr(2)
                for i, j in T.grid(2, 2):
                    T.tt.noc_async_read_page((row0 + sh * 2 + i) * 4 + (col0 + sw * 2 + j), "D", l1_D + (i * 2 + j) * 2048)
                T.tt.noc_async_read_barrier()
                T.tt.cb_push_back(2, 4)
                T.tt.cb_wait_front(16, 4)
                l1_out: T.let[T.int32] = T.tt.get_read_ptr(16)
                for i, j in T.grid(2, 2):
                    T.tt.noc_async_write_page((row0 + sh * 2 + i) * 4 + (col0 + sw * 2 + j), "C", l1_out + (i * 2 + j) * 2048)
                T.tt.noc_async_write_barrier()
                T.tt.cb_pop_front(16, 4)
