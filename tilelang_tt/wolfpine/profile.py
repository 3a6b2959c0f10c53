"""Term-by-term counters of a wolfpine cycle-model run (`TT_SIM_COST_MODEL=1 TT_SIM_PROFILE=<dir>`).

Runs inside the child environment (it needs pandas / pyarrow, which the wolfpine wheel brings) and
imports nothing of tilelang_tt:

    <child python> tilelang_tt/wolfpine/profile.py <profile dir>     # prints one JSON object

wolfpine writes per-core, per-unit counters every 100 cycles (its framework/trace/counters.py):
`busy_cycles` is the occupancy its cost tables charged (a floor), `bookkeeping_cycles` the part of the
matrix unit's that moves no operand data (SETRWC, CLEARDVALID, ...), so busy - bookkeeping is the
MVMUL count (one cycle each); `compute_ops` of the UNPACKER counts UNPACR instructions (one per tile in
the matmul LLK); `noc_flight_cycles` / `noc_txns_timed` per NIU. Only counter names and their meaning
are read here; the per-core terms are those of the core with the most matrix work.
"""
import glob
import json
import sys

BUCKET = 100          # wolfpine's default counter interval (TT_SIM_PROFILE_INTERVAL)


def terms(directory: str) -> dict:
    import pandas as pd

    files = glob.glob(f"{directory}/counters/**/*.parquet", recursive=True)
    if not files:
        raise SystemExit(f"no counters under {directory}: was TT_SIM_PROFILE set and the run closed?")
    df = pd.concat([pd.read_parquet(f) for f in files])
    mm = df[(df.unit == "MATRIX") & (df.counter_name == "busy_cycles")]
    cores = mm.groupby(["core_x", "core_y"]).value.sum()
    out = {"cores_with_matrix_work": int((cores > 0).sum()), "span_cycles": int(df.cycle.max())}
    x, y = cores.idxmax()
    core = df[(df.core_x == x) & (df.core_y == y)]

    def total(unit, name, frame=core):
        return int(frame[(frame.unit == unit) & (frame.counter_name == name)].value.sum())

    busy = core[(core.unit == "MATRIX") & (core.counter_name == "busy_cycles") & (core.value > BUCKET // 10)]
    out.update({
        "mvmul": total("MATRIX", "busy_cycles") - total("MATRIX", "bookkeeping_cycles"),
        "matrix_busy": total("MATRIX", "busy_cycles"),
        # first to last 100-cycle bucket in which the matrix unit was busy more than a tenth of it
        "matmul_window_cycles": int(busy.cycle.max() - busy.cycle.min() + BUCKET) if len(busy) else 0,
        "unpacr": total("UNPACKER", "compute_ops"),
        "pack_ops": total("PACKER", "compute_ops"), "pack_busy": total("PACKER", "busy_cycles"),
        "math_waits_on_unpacker": total("TRISC1", "tensix_stall_src_reserved_by_unpacker"),
        "unpacker_waits_on_matrix": total("TRISC0", "tensix_stall_src_reserved_by_matrix"),
        "unpacker_unit_busy_stall": total("TRISC0", "tensix_stall_on_UNPACK"),
        "trisc0_riscv_stall": total("TRISC0", "stall_cycles"),
    })
    for noc in ("NOC0", "NOC1"):
        n = {k: total(noc, k, df) for k in ("noc_bytes_total", "noc_flight_cycles", "noc_txns_timed",
                                           "noc_arrival_to_service_cycles")}
        n["flight_per_txn"] = round(n["noc_flight_cycles"] / n["noc_txns_timed"], 1) if n["noc_txns_timed"] else 0
        out[noc] = n
    return out


if __name__ == "__main__":
    print(json.dumps(terms(sys.argv[1])))
