"""Runs inside the Python 3.10 child (ttnn + wolfpine): a generated program on the simulated chip.

Standalone on purpose: the child has ttnn, numpy and ml_dtypes but not tilelang_tt or TVM, so this file
imports nothing of the package. The parent (runtime/wolfpine.py) starts it as
`python harness.py --serve` and sends one JSON request per line on stdin; each answer is one JSON line
on the real stdout, prefixed with ANSWER (tt-metal logs to stdout too). The device stays open between
requests (the firmware build and the simulator start are paid once per child).

A request names a program directory (plan.json + kernel sources, as `kernel.export()` writes it) and one
file per tensor in parameter order (raw little-endian elements, as the emulator's host program takes
them). The plan becomes a ttnn.ProgramDescriptor the way the generated main.cpp builds its Program:
tensors are DRAM-interleaved tile tensors with one tile per page; CBs, semaphores (ids in plan order, as
CreateSemaphore numbers them), kernels on their core ranges with the compile-time args the host appends
(TensorAccessorArgs of each accessor tensor, in order), runtime args with `addr:` / `sem:` / `noc_x:` /
`noc_y:` resolved. `ttnn.generic_op` runs it.
"""
import json
import os
import sys
import time

ANSWER = "@@tilelang_tt-wolfpine@@ "


def _core_range_set(ttnn, rects):
    """A CoreRangeSet of the cores the (possibly overlapping) inclusive rectangles cover: one range per
    run of consecutive cores in a row (ttnn refuses overlapping ranges)."""
    cores = sorted({(y, x) for x0, y0, x1, y1 in rects for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)})
    runs = []
    for y, x in cores:
        if runs and runs[-1][1] == y and runs[-1][2] == x - 1:
            runs[-1][2] = x
        else:
            runs.append([x, y, x])
    return ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(x0, y), ttnn.CoreCoord(x1, y)) for x0, y, x1 in runs])


class Runner:
    def __init__(self):
        import numpy as np
        import ttnn
        self.np, self.ttnn = np, ttnn
        start = time.perf_counter()
        self.device = ttnn.open_device(device_id=0)
        self.open_seconds = time.perf_counter() - start
        self.dtype = {"Float16_b": ttnn.bfloat16, "Float32": ttnn.float32}

    def arch(self):
        return str(self.device.arch())

    def _host_dtype(self, name):
        import ml_dtypes
        return {"bfloat16": ml_dtypes.bfloat16, "float32": self.np.float32}[name]

    def _to_numpy(self, host_tensor):
        """to_numpy() hands back a nanobind array: through DLPack when numpy takes it, else via a list."""
        np = self.np
        arr = host_tensor.to_numpy()
        for convert in (np.from_dlpack, np.asarray):
            try:
                out = convert(arr)
                if out.dtype != object:
                    return out
            except (TypeError, ValueError, BufferError, RuntimeError):
                pass
        return np.asarray(host_tensor.to_list(), dtype=np.float32)

    def run(self, req):
        np, ttnn, dev = self.np, self.ttnn, self.device
        prog = req["program_dir"]
        with open(os.path.join(prog, "plan.json")) as f:
            plan = json.load(f)
        files = req["tensor_files"]
        dram = ttnn.DRAM_MEMORY_CONFIG

        tensors, crop = {}, {}
        for spec in plan["tensors"]:
            shape = [int(s) for s in spec["shape"]]
            rows = 1
            for s in shape[:-1]:
                rows *= s
            shape2d = [rows, shape[-1]]     # the host program tilizes rows = prod(shape[:-1]) x cols
            # in DRAM: whole tiles, as far as a ragged tensor's last block reaches (plan.json padded_shape),
            # zero-padded like the generated host program pads (main.cpp pad_rows_cols)
            dev2d = [-(-int(d) // 32) * 32 for d in spec.get("padded_shape", shape2d)]
            dtype = self.dtype[spec["data_format"]]
            if spec["access"] in ("read", "readwrite"):
                host = np.fromfile(files[int(spec["param_index"])], dtype=self._host_dtype(spec["dtype"]))
                host = host.astype(np.float32).reshape(shape2d)   # exact: bf16 widens to fp32 losslessly
                padded = np.zeros(dev2d, dtype=np.float32)
                padded[:shape2d[0], :shape2d[1]] = host
                t = ttnn.Tensor(padded, data_type=dtype, device=dev, layout=ttnn.TILE_LAYOUT, mem_config=dram)
            else:
                t = ttnn.allocate_tensor_on_device(ttnn.Shape(dev2d), dtype, ttnn.TILE_LAYOUT, dev, dram)
            crop[spec["name"]] = shape2d
            if t.buffer_page_size() != int(spec["page_bytes"]) or t.buffer_num_pages() != int(spec["num_pages"]):
                raise RuntimeError(
                    f"tensor {spec['name']}: ttnn allocated {t.buffer_num_pages()} pages of "
                    f"{t.buffer_page_size()} B, plan.json says {spec['num_pages']} of {spec['page_bytes']} B")
            tensors[spec["name"]] = t

        all_cores = sorted({tuple(r) for k in plan["kernels"] for r in k["cores"]})
        sem_ids = {s["name"]: i for i, s in enumerate(plan["semaphores"])}

        def resolve(value):
            if isinstance(value, int):
                return value
            kind, _, arg = value.partition(":")
            if kind == "addr":
                return tensors[arg].buffer_address()
            if kind == "sem":
                return sem_ids[arg]
            if kind in ("noc_x", "noc_y"):
                x, y = (int(v) for v in arg.split(","))
                core = dev.worker_core_from_logical_core(ttnn.CoreCoord(x, y))
                return core.x if kind == "noc_x" else core.y
            raise RuntimeError(f"unknown symbolic runtime arg {value!r}")

        cbs = []
        for cb in plan["cbs"]:
            fmt = ttnn.CBFormatDescriptor(buffer_index=int(cb["index"]), data_format=self.dtype[cb["data_format"]],
                                          page_size=int(cb["page_bytes"]))
            cbs.append(ttnn.CBDescriptor(total_size=int(cb["page_bytes"]) * int(cb["num_pages"]),
                                         core_ranges=_core_range_set(ttnn, cb["cores"] or all_cores),
                                         format_descriptors=[fmt]))
        sems = [ttnn.SemaphoreDescriptor(id=i, core_type=ttnn.CoreType.WORKER,
                                         core_ranges=_core_range_set(ttnn, s["cores"] or all_cores),
                                         initial_value=int(s["initial"]))
                for i, s in enumerate(plan["semaphores"])]
        kernels = []
        for k in plan["kernels"]:
            ct_args = []
            for name in k["accessors"]:
                ct_args += list(ttnn.TensorAccessorArgs(tensors[name]).get_compile_time_args())
            rt = [(ttnn.CoreCoord(int(row[0]), int(row[1])), [resolve(v) for v in row[2:]])
                  for row in k["runtime_args"]]
            if k["kind"] == "compute":
                c = k["compute"]
                config = ttnn.ComputeConfigDescriptor(
                    math_fidelity=getattr(ttnn.MathFidelity, c["math_fidelity"]),
                    math_approx_mode=bool(c["math_approx_mode"]), fp32_dest_acc_en=bool(c["fp32_dest_acc_en"]),
                    dst_full_sync_en=bool(c["dst_full_sync_en"]))
                if c.get("unpack_to_dest_fp32"):
                    modes = [ttnn.UnpackToDestMode.Default] * 64
                    for i in c["unpack_to_dest_fp32"]:
                        modes[int(i)] = ttnn.UnpackToDestMode.UnpackToDestFp32
                    config.unpack_to_dest_mode = modes
            else:
                config = ttnn.DataMovementConfigDescriptor(
                    processor=getattr(ttnn.DataMovementProcessor, k["processor"]), noc=getattr(ttnn.NOC, k["noc"]))
            kernels.append(ttnn.KernelDescriptor(
                kernel_source=os.path.join(prog, k["source"]), source_type=ttnn.KernelDescriptor.SourceType.FILE_PATH,
                core_ranges=_core_range_set(ttnn, k["cores"]), compile_time_args=ct_args, runtime_args=rt,
                config=config))
        desc = ttnn.ProgramDescriptor(kernels=kernels, semaphores=sems, cbs=cbs)

        order = sorted(plan["tensors"], key=lambda s: (s["access"] != "read", int(s["param_index"])))
        start = time.perf_counter()
        ttnn.generic_op([tensors[s["name"]] for s in order], desc)
        ttnn.synchronize_device(dev)
        seconds = time.perf_counter() - start

        for spec in plan["tensors"]:
            if spec["access"] not in ("write", "readwrite"):
                continue
            host = self._to_numpy(ttnn.to_layout(tensors[spec["name"]].cpu(), ttnn.ROW_MAJOR_LAYOUT))
            rows, cols = crop[spec["name"]]
            host = host.reshape(-1, host.shape[-1])[:rows, :cols]
            host = np.ascontiguousarray(host.astype(np.float32).astype(self._host_dtype(spec["dtype"])))
            host.tofile(files[int(spec["param_index"])])
        for t in tensors.values():
            t.deallocate()
        return {"ok": True, "program_seconds": seconds}

    def close(self):
        self.ttnn.close_device(self.device)


def _short(exc):
    """The exception's message without tt-metal's native backtrace."""
    text = f"{type(exc).__name__}: {exc}"
    return text.split("\nbacktrace:")[0][:4000]


def _answer(out, obj):
    out.write(ANSWER + json.dumps(obj) + "\n")
    out.flush()


def _kill_servers(*_):
    """Kill the simulator servers started for this child (their command line carries TT_SIM_RUN_TAG)."""
    import signal
    tag = os.environ.get("TT_SIM_RUN_TAG", "").encode()
    if tag:
        for pid in os.listdir("/proc"):
            if pid.isdigit() and int(pid) != os.getpid():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if tag in f.read():
                            os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
    os._exit(1)


def _die_with_parent():
    """If the parent dies (killed test run), take the simulator server down with us instead of leaking it."""
    import ctypes
    import signal
    signal.signal(signal.SIGTERM, _kill_servers)
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:
        _kill_servers()


def serve():
    _die_with_parent()
    # tt-metal and the simulator log to fd 1: answers go to a private duplicate of it, logs to stderr.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    try:
        runner = Runner()
    except Exception as exc:  # noqa: BLE001  (reported to the parent, which raises a typed error)
        _answer(out, {"ok": False, "stage": "open", "error": _short(exc)})
        return 1
    _answer(out, {"ok": True, "ready": True, "arch": runner.arch(), "open_seconds": runner.open_seconds})
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req.get("op") == "close":
            break
        try:
            _answer(out, runner.run(req))
        except Exception as exc:  # noqa: BLE001
            _answer(out, {"ok": False, "stage": "run", "error": _short(exc)})
    runner.close()
    _answer(out, {"ok": True, "closed": True})
    return 0


if __name__ == "__main__":
    sys.exit(serve())
