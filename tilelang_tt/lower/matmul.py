"""Lowering of the matmul schedules (schedule/matmul.py): blocked, subblocked and 2D-multicast matmul.

Kernels, by variant:
  blocked / subblocked:  in0_reader (RISCV_1: A blocks from DRAM), in1_reader_writer (RISCV_0: B blocks
                         from DRAM, epilogue tensors, C), compute (the TRISCs); every core runs all three.
  multicast:             in0_sender on column 0 (reads A, multicasts it along its row), in0_receiver on
                         the other columns; in1_sender_writer on row 0 (reads B, multicasts it down its
                         column, writes C), in1_receiver_writer on the other rows; compute everywhere.
Core (x, y) computes the output blocks (by, bx) = (ry * rows + y, rx * cols + x), ry < rounds_y,
rx < rounds_x, each as K blocks of in0_block_w tiles: per K block the A block (per_core_m x
in0_block_w tiles, row-major) and the B block (in0_block_w x per_core_n) arrive in c_0 / c_1; the
compute kernel walks the DST subblocks (subblock_h x subblock_w), reloads the partial sums of the
earlier K blocks from c_24, accumulates the K block with matmul_block (matmul_tiles for 1x1), and
packs either the partial sums (c_24) or, on the last K block, after the epilogue, the result (c_16) in
subblock order, which the writer stores. A (1, N) row of the epilogue arrives once per block (its
per_core_n tiles in c_2..); the release broadcasts only from CBs (`add_tiles_bcast_rows(icb0, icb1, ..)`),
so the subblock is packed to the stage CB (c_25) and read back through the broadcast into DST. Tiles past the edge of C are neither read nor written; the
compute kernel computes them on stale data that nobody stores.
A transposed B (`transpose_B=True`, stored (N, K)) changes only the DRAM side of in1: the B reader reads
tile (n, k) by its id into the CB page of (k, n), and the compute's matmul init sets the release's
transpose flag, so the unpacker transposes every in1 tile; multicast moves the CB block unchanged.

Multicast handshake per K block (tt-metal's matmul_multicore_reuse_mcast protocol): a receiver reserves
the CB space, clears its `recv` semaphore, increments the sender's `sender` semaphore and waits for
`recv` == 1; the sender reads the block, waits until `sender` counts every receiver, resets it,
multicasts the block to the same CB address on the receivers (every core's CB advances in step),
flushes, and multicasts its own `recv` semaphore (set to 1 once) as the ready flag.
"""
from __future__ import annotations

from tvm import tirx

from ..analysis.compute_state import place_inits
from ..schedule.matmul import CB_EPILOGUE, CB_IN0, CB_IN1, CB_OUT, CB_PARTIAL, CB_STAGE
from ..specs import SemaphoreSpec, rect
from .assemble import KernelBuild
from .common import bind, call, ev, for_, seq, var

VALID = 1


def _if(cond, body):
    if cond is None:
        return body
    return tirx.IfThenElse(cond, body, None)


def _and(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return tirx.And(a, b)


class MatmulLowering:
    def __init__(self, program, sched, hw):
        self.program = program
        self.s = sched
        self.hw = hw
        p = sched.params
        self.p = p
        self.spec = sched.spec
        self.mt, self.nt, self.kt = sched.mt, sched.nt, sched.kt
        self.nk = sched.num_k_blocks
        self.cols, self.rows = p.grid
        self.rounds_x, self.rounds_y = sched.rounds
        self.pm, self.pn, self.w = p.per_core_m, p.per_core_n, p.in0_block_w
        self.sh, self.sw = p.subblock_h, p.subblock_w
        self.sub = self.sh * self.sw
        self.mcast = p.variant == "multicast"
        self.tensors = {t.name: t for t in sched.tensors}
        self.epilogue_cbs = {name: CB_EPILOGUE + i for i, name in enumerate(self.spec.epilogue_tensors)}
        # padded edges: only then do the data movers test tile coordinates
        self.pad_m = self.rounds_y * self.rows * self.pm > self.mt
        self.pad_n = self.rounds_x * self.cols * self.pn > self.nt

    def page(self, tensor: str) -> int:
        """Bytes of one DRAM page (= CB page) of a tensor: its storage format's tile (1088 for Bfp8_b)."""
        return self.tensors[tensor].page_bytes

    # ---------------------------------------------------------------------------------- helpers
    def _args(self, names):
        """Lets binding runtime args 0.. to vars named like the args (": " -> "_")."""
        vs = [var(n.replace(":", "_")) for n in names]
        return [bind(v, call("get_arg_val", i)) for i, v in enumerate(vs)], dict(zip(names, vs))

    def _accessors(self, tensors, argv):
        return [ev("tensor_accessor", t, i, argv[f"addr:{t}"], self.page(t)) for i, t in enumerate(tensors)]

    def _rounds(self, body_of_block, core_x=None, core_y=None):
        """for ry, rx: the binds of row0 / col0 of this core's block, then body_of_block(row0, col0)."""
        ry, rx = var("ry"), var("rx")
        row0, col0 = var("row0"), var("col0")
        inner = []
        if core_y is not None:
            inner.append(bind(row0, (ry * self.rows + core_y) * self.pm))
        if core_x is not None:
            inner.append(bind(col0, (rx * self.cols + core_x) * self.pn))
        inner += body_of_block(row0 if core_y is not None else None, col0 if core_x is not None else None)
        return for_(ry, self.rounds_y, [for_(rx, self.rounds_x, inner)])

    # ------------------------------------------------------------------------------ multicast
    def _sender_sync(self, argv, l1, nbytes, dests):
        """Wait for every receiver, multicast the block at `l1` and the ready flag."""
        sender, recv = argv["sender_sem_addr"], argv["recv_sem_addr"]
        start = (argv["mcast_start_x"], argv["mcast_start_y"])
        end = (argv["mcast_end_x"], argv["mcast_end_y"])
        data, flag = tirx.Var("mcast_data", "uint64"), tirx.Var("mcast_flag", "uint64")
        return [ev("noc_semaphore_wait", sender, dests), ev("noc_semaphore_set", sender, 0),
                bind(data, call("get_noc_multicast_addr", *start, *end, l1)),
                ev("noc_async_write_multicast", l1, data, nbytes, dests),
                ev("noc_async_writes_flushed"),
                bind(flag, call("get_noc_multicast_addr", *start, *end, recv)),
                ev("noc_semaphore_set_multicast", recv, flag, dests)]

    def _semaphores(self, argv):
        """Lets of the sender / receiver semaphore addresses from their ids."""
        s, r = var("sender_sem_addr"), var("recv_sem_addr")
        argv["sender_sem_addr"], argv["recv_sem_addr"] = s, r
        return [bind(s, call("get_semaphore", argv["sem:sender"])), bind(r, call("get_semaphore", argv["sem:recv"]))]

    def _receiver_block(self, cb, n, argv):
        sender_noc = tirx.Var("sender_sem_noc", "uint64")
        return [ev("cb_reserve_back", cb, n), ev("noc_semaphore_set", argv["recv_sem_addr"], 0),
                bind(sender_noc, call("get_noc_addr", argv["sender_x"], argv["sender_y"],
                                      argv["sender_sem_addr"])),
                ev("noc_semaphore_inc", sender_noc, 1), ev("noc_semaphore_wait", argv["recv_sem_addr"], VALID),
                ev("cb_push_back", cb, n)]

    # ------------------------------------------------------------------------------------ in0 (A)
    def _read_a_block(self, argv, row0, kb, l1):
        """Valid tiles of the A block at rows row0.., K block kb into the CB page at l1 (row-major)."""
        i, j = var("i"), var("j")
        tb = self.page(self.spec.a)
        read = ev("noc_async_read_page", (row0 + i) * self.kt + kb * self.w + j, self.spec.a, l1 + (i * self.w + j) * tb)
        return for_(i, self.pm, [_if(row0 + i < self.mt if self.pad_m else None, for_(j, self.w, [read]))])

    def in0_reader(self, sender: bool):
        """RISCV_1: the A blocks of this core's row (its own reads, or the sender's multicast)."""
        a = self.spec.a
        n = self.pm * self.w
        dests = self.cols - 1
        names = [f"addr:{a}", "core_y"] if sender else []
        if self.mcast and dests:
            names += ["mcast_start_x", "mcast_start_y", "mcast_end_x", "mcast_end_y"] if sender else \
                ["sender_x", "sender_y"]
            names += ["sem:sender", "sem:recv"]
        stmts, argv = self._args(names)
        stmts += self._accessors([a], argv) if sender else []
        if self.mcast and dests:
            stmts += self._semaphores(argv)
        if not sender:
            kb = var("kb")
            stmts.append(for_(kb, self.rounds_x * self.rounds_y * self.nk, self._receiver_block(CB_IN0, n, argv)))
            stmts.append(ev("noc_async_atomic_barrier"))
            return stmts, names, [], "in0_receiver"
        if self.mcast and dests:
            stmts.append(ev("noc_semaphore_set", argv["recv_sem_addr"], VALID))   # the flag it multicasts

        def block(row0, col0):
            kb, l1 = var("kb"), var("l1")
            body = [ev("cb_reserve_back", CB_IN0, n), bind(l1, call("get_write_ptr", CB_IN0)),
                    self._read_a_block(argv, row0, kb, l1), ev("noc_async_read_barrier")]
            if self.mcast and dests:
                body += self._sender_sync(argv, l1, n * self.page(a), dests)
            body.append(ev("cb_push_back", CB_IN0, n))
            return [for_(kb, self.nk, body)]
        stmts.append(self._rounds(block, core_y=argv["core_y"]))
        name = ("in0_sender" if self.mcast else "in0_reader")
        return stmts, names, [a], name

    # ---------------------------------------------------------------------- in1 (B) and writer
    def _read_b_block(self, col0, kb, l1):
        """Valid tiles of the B block at K block kb, columns col0.. into the CB page at l1, where the compute
        expects tile (k i, n j) of in1: page i * per_core_n + j. A transposed B is stored (N, K): its tile
        (n, k) is read by that id, whole tile rows of B at a time, and the unpacker transposes it."""
        i, j = var("i"), var("j")
        b = self.spec.b
        tb = self.page(b)
        valid = col0 + j < self.nt if self.pad_n else None
        if self.spec.transpose_b:
            read = ev("noc_async_read_page", (col0 + j) * self.kt + kb * self.w + i, b, l1 + (i * self.pn + j) * tb)
            return for_(j, self.pn, [_if(valid, for_(i, self.w, [read]))])
        read = ev("noc_async_read_page", (kb * self.w + i) * self.nt + col0 + j, b, l1 + (i * self.pn + j) * tb)
        return for_(i, self.w, [for_(j, self.pn, [_if(valid, read)])])

    def _subblock_tiles(self, row0, col0, sh_i, sw_j, make):
        """for i < subblock_h, j < subblock_w: make(tile id in C-shaped tensors, CB page), valid tiles only."""
        i, j = var("i"), var("j")
        r, c = row0 + sh_i * self.sh + i, col0 + sw_j * self.sw + j
        cond = _and(r < self.mt if self.pad_m else None, c < self.nt if self.pad_n else None)
        return for_(i, self.sh, [for_(j, self.sw, [_if(cond, make(r * self.nt + c, i * self.sw + j))])])

    def _read_row(self, t, col0):
        """The block's per_core_n tiles of the (1, N) row t (tile row 0 of its padded tile grid), valid
        ones only, pushed once per block."""
        cb, ld, j = self.epilogue_cbs[t], var(f"l1_{t}"), var("j")
        read = ev("noc_async_read_page", col0 + j, t, ld + j * self.page(t))
        return seq([ev("cb_reserve_back", cb, self.pn), bind(ld, call("get_write_ptr", cb)),
                    for_(j, self.pn, [_if(col0 + j < self.nt if self.pad_n else None, read)]),
                    ev("noc_async_read_barrier"), ev("cb_push_back", cb, self.pn)])

    def in1_reader_writer(self, sender: bool):
        """RISCV_0: the B blocks of this core's column, then per subblock the epilogue tensors' tiles
        and the output tiles."""
        b, c = self.spec.b, self.spec.c
        n = self.w * self.pn
        dests = self.rows - 1
        ep = list(self.spec.epilogue_tensors)
        # one accessor per tensor, whatever roles it plays here (B read by the epilogue, C = AB + C read
        # before it is written): a kernel's accessors are a chain of compile-time args, one per tensor
        tensors = list(dict.fromkeys(([b] if sender else []) + ep + [c]))
        names = [f"addr:{t}" for t in tensors] + ["core_x", "core_y"]
        if self.mcast and dests:
            names += ["mcast_start_x", "mcast_start_y", "mcast_end_x", "mcast_end_y"] if sender else \
                ["sender_x", "sender_y"]
            names += ["sem:sender", "sem:recv"]
        stmts, argv = self._args(names)
        stmts += self._accessors(tensors, argv)
        if self.mcast and dests:
            stmts += self._semaphores(argv)
            if sender:
                stmts.append(ev("noc_semaphore_set", argv["recv_sem_addr"], VALID))

        def block(row0, col0):
            kb, l1 = var("kb"), var("l1")
            if sender:
                body = [ev("cb_reserve_back", CB_IN1, n), bind(l1, call("get_write_ptr", CB_IN1)),
                        self._read_b_block(col0, kb, l1), ev("noc_async_read_barrier")]
                if self.mcast and dests:
                    body += self._sender_sync(argv, l1, n * self.page(b), dests)
                body.append(ev("cb_push_back", CB_IN1, n))
            else:
                body = self._receiver_block(CB_IN1, n, argv)
            out = [self._read_row(t, col0) for t in self.spec.row_tensors] + [for_(kb, self.nk, body)]
            sh_i, sw_j = var("sh"), var("sw")
            sub = []
            for t in self.spec.block_tensors:
                cb, ld = self.epilogue_cbs[t], var(f"l1_{t}")
                tb = self.page(t)
                sub += [ev("cb_reserve_back", cb, self.sub), bind(ld, call("get_write_ptr", cb)),
                        self._subblock_tiles(row0, col0, sh_i, sw_j, lambda tile, pg, t=t, ld=ld, tb=tb:
                                             ev("noc_async_read_page", tile, t, ld + pg * tb)),
                        ev("noc_async_read_barrier"), ev("cb_push_back", cb, self.sub)]
            lo, tbo = var("l1_out"), self.page(c)
            sub += [ev("cb_wait_front", CB_OUT, self.sub), bind(lo, call("get_read_ptr", CB_OUT)),
                    self._subblock_tiles(row0, col0, sh_i, sw_j,
                                         lambda tile, pg: ev("noc_async_write_page", tile, c, lo + pg * tbo)),
                    ev("noc_async_write_barrier"), ev("cb_pop_front", CB_OUT, self.sub)]
            out.append(for_(sh_i, self.pm // self.sh, [for_(sw_j, self.pn // self.sw, sub)]))
            return out
        stmts.append(self._rounds(block, core_x=argv["core_x"], core_y=argv["core_y"]))
        if self.mcast and dests and not sender:
            stmts.append(ev("noc_async_atomic_barrier"))
        name = ("in1_sender_writer" if sender else "in1_receiver_writer") if self.mcast else "in1_reader_writer"
        return stmts, names, tensors, name

    # ------------------------------------------------------------------------------------ compute
    def _k_block(self, reload: bool, last: bool, l1_acc: bool | None = None):
        """One K block over every subblock. reload: add the partial sums of the earlier K blocks (from
        the intermediate CB) to DST first; last: apply the epilogue and pack the result, else pack the
        partials. l1_acc (accumulate="l1_acc", not the last K block): pack into the partial-sum block
        that stays reserved, with the packer adding (True) or overwriting (False)."""
        sh_i, sw_j, inner, t, p = var("sh"), var("sw"), var("inner"), var("t"), var("p")
        nsw = self.pn // self.sw
        slot = (sh_i * nsw + sw_j) * self.sub            # the subblock's pages in the partial-sum block
        body = [ev("tile_regs_acquire")]
        if reload and self.p.accumulate == "l1_acc":
            body.append(for_(p, self.sub, [ev("copy_tile", CB_PARTIAL, slot + p, p)]))
        elif reload:
            body += [ev("cb_wait_front", CB_PARTIAL, self.sub),
                     for_(p, self.sub, [ev("copy_tile", CB_PARTIAL, p, p)]),
                     ev("cb_pop_front", CB_PARTIAL, self.sub)]
        a_tile = sh_i * self.sh * self.w + inner
        b_tile = sw_j * self.sw + inner * self.pn
        tr = int(self.spec.transpose_b)     # the init before it carries the flag (place_inits)
        if self.sub == 1:
            mm = ev("matmul_tiles", CB_IN0, CB_IN1, a_tile, b_tile, 0, tr)
        else:
            mm = ev("matmul_block", CB_IN0, CB_IN1, a_tile, b_tile, 0, self.sw, self.sh, self.w, tr)
        body.append(for_(inner, self.w, [mm]))
        if last:
            body += self._epilogue(sw_j)
        body += [ev("tile_regs_commit"), ev("tile_regs_wait")]
        if l1_acc is not None:
            body.append(for_(t, self.sub, [ev("pack_tile_to", t, CB_PARTIAL, slot + t, int(l1_acc))]))
        else:
            target = CB_OUT if last else CB_PARTIAL
            body += [ev("cb_reserve_back", target, self.sub), for_(t, self.sub, [ev("pack_tile", t, target)]),
                     ev("cb_push_back", target, self.sub)]
        body.append(ev("tile_regs_release"))
        rows = [self.epilogue_cbs[t] for t in self.spec.row_tensors] if last else []
        return [ev("cb_wait_front", CB_IN0, self.pm * self.w), ev("cb_wait_front", CB_IN1, self.w * self.pn),
                *[ev("cb_wait_front", cb, self.pn) for cb in rows],
                for_(sh_i, self.pm // self.sh, [for_(sw_j, nsw, body)]),
                ev("cb_pop_front", CB_IN0, self.pm * self.w), ev("cb_pop_front", CB_IN1, self.w * self.pn),
                *[ev("cb_pop_front", cb, self.pn) for cb in rows]]

    def _row_bcast(self, op, sw_j):
        """DST = stage <op> broadcast(row): the subblock leaves DST through the stage CB and comes back
        through the unpacker with the row's tile of each column (the block's tile sw_j * subblock_w + j)."""
        i, j, t = var("i"), var("j"), var("t")
        cb = self.epilogue_cbs[op.tensor]
        return [ev("tile_regs_commit"), ev("tile_regs_wait"), ev("cb_reserve_back", CB_STAGE, self.sub),
                for_(t, self.sub, [ev("pack_tile", t, CB_STAGE)]), ev("cb_push_back", CB_STAGE, self.sub),
                ev("tile_regs_release"), ev("tile_regs_acquire"), ev("cb_wait_front", CB_STAGE, self.sub),
                for_(i, self.sh, [for_(j, self.sw, [ev("bcast_tiles", op.op, "rows", CB_STAGE, cb, i * self.sw + j,
                                                      sw_j * self.sw + j, i * self.sw + j)])]),
                ev("cb_pop_front", CB_STAGE, self.sub)]

    def _epilogue(self, sw_j):
        # a tensor the epilogue reads more than once (C = (AB + D) * D) arrives once per subblock: its
        # tiles are waited for before the first use and popped after the last
        last = {op.tensor: i for i, op in enumerate(self.spec.epilogue) if op.kind == "binary"}
        out, waited = [], set()
        for i, op in enumerate(self.spec.epilogue):
            t = var("t")
            if op.bcast == "rows":
                out += self._row_bcast(op, sw_j)
            elif op.kind == "binary":
                cb = self.epilogue_cbs[op.tensor]
                if op.tensor not in waited:
                    waited.add(op.tensor)
                    out.append(ev("cb_wait_front", cb, self.sub))
                out.append(for_(t, self.sub, [ev("binary_dest_reuse_tiles", op.op, cb, t, t)]))
                if last[op.tensor] == i:
                    out.append(ev("cb_pop_front", cb, self.sub))
            else:
                out.append(for_(t, self.sub, [ev("unary_tile", op.op, t)]))
        return out

    def compute(self):
        kb = var("kb")
        block = self.pm * self.pn
        if self.nk == 1:
            blocks = self._k_block(False, True)
        elif self.p.accumulate == "l1_acc":
            # the partial-sum block is reserved once, packed (then accumulated) in place, and read back
            # for the last K block
            blocks = [ev("cb_reserve_back", CB_PARTIAL, block)] + self._k_block(False, False, l1_acc=False)
            blocks.append(for_(kb, self.nk - 2, self._k_block(False, False, l1_acc=True)))
            blocks += [ev("cb_push_back", CB_PARTIAL, block), ev("cb_wait_front", CB_PARTIAL, block)]
            blocks += self._k_block(True, True) + [ev("cb_pop_front", CB_PARTIAL, block)]
        else:
            blocks = self._k_block(False, False)
            if self.nk > 2:
                blocks.append(for_(kb, self.nk - 2, self._k_block(True, False)))
            blocks += self._k_block(True, True)
        r = var("r")
        # the formats of the CBs: where the packer or SrcA switch between the output / inputs and the
        # partials (fp32 accumulation), place_inits inserts the reconfigs tt-metal's matmul kernel makes
        formats = {c.index: c.data_format for c in self.s.cbs}
        loop, startup = place_inits(for_(r, self.rounds_x * self.rounds_y, blocks), CB_OUT, formats,
                                    lambda _: (CB_IN0, CB_IN1, CB_OUT, 1))
        return [ev("compute_kernel_hw_startup", *startup), loop]

    # ------------------------------------------------------------------------------------ program
    def kernels(self):
        cols, rows = self.cols, self.rows
        grid = rect(0, 0, cols - 1, rows - 1)
        out = []

        def build(stmts_names_acc, cores, processor, values_of):
            stmts, names, accessors, name = stmts_names_acc
            args = {c: values_of(c, names) for cc in cores for c in cc.cores()}
            out.append(KernelBuild(name, "dataflow", processor, cores, seq(stmts), names, args, accessors))

        def values(core, names, sems=None, sender_core=None, start=None, end=None):
            x, y = core
            table = {"core_x": x, "core_y": y}
            if sems is not None:
                table.update({"sem:sender": f"sem:{sems}_sender", "sem:recv": f"sem:{sems}_recv"})
            if start is not None:
                table.update({"mcast_start_x": f"noc_x:{start[0]},{start[1]}",
                              "mcast_start_y": f"noc_y:{start[0]},{start[1]}",
                              "mcast_end_x": f"noc_x:{end[0]},{end[1]}", "mcast_end_y": f"noc_y:{end[0]},{end[1]}"})
            if sender_core is not None:
                table.update({"sender_x": f"noc_x:{sender_core[0]},{sender_core[1]}",
                              "sender_y": f"noc_y:{sender_core[0]},{sender_core[1]}"})
            return [table[n] if n in table else n for n in names]

        sems = []
        if self.mcast and cols > 1:
            # in0 multicast along a row on NOC_1 (the RISCV_1 default): the rectangle runs max -> min
            build(self.in0_reader(True), rect(0, 0, 0, rows - 1), "RISCV_1",
                  lambda c, n: values(c, n, "in0", start=(cols - 1, c[1]), end=(1, c[1])))
            build(self.in0_reader(False), rect(1, 0, cols - 1, rows - 1), "RISCV_1",
                  lambda c, n: values(c, n, "in0", sender_core=(0, c[1])))
            sems += [SemaphoreSpec("in0_sender", 0, (grid[0],)), SemaphoreSpec("in0_recv", 0, (grid[0],))]
        else:
            build(self.in0_reader(True), grid, "RISCV_1", lambda c, n: values(c, n))
        if self.mcast and rows > 1:
            # in1 multicast down a column on NOC_0 (the RISCV_0 default): the rectangle runs min -> max
            build(self.in1_reader_writer(True), rect(0, 0, cols - 1, 0), "RISCV_0",
                  lambda c, n: values(c, n, "in1", start=(c[0], 1), end=(c[0], rows - 1)))
            build(self.in1_reader_writer(False), rect(0, 1, cols - 1, rows - 1), "RISCV_0",
                  lambda c, n: values(c, n, "in1", sender_core=(c[0], 0)))
            sems += [SemaphoreSpec("in1_sender", 0, (grid[0],)), SemaphoreSpec("in1_recv", 0, (grid[0],))]
        else:
            build(self.in1_reader_writer(True), grid, "RISCV_0", lambda c, n: values(c, n))
        out.append(KernelBuild("compute", "compute", None, grid, seq(self.compute()), [],
                               {c: [] for c in grid[0].cores()}))
        return out, sems


def lower_matmul(program, schedule, hw):
    """([KernelBuild], [SemaphoreSpec]) of a matmul schedule."""
    return MatmulLowering(program, schedule, hw).kernels()
