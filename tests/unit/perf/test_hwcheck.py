"""check_hardware_table against a small release tree written here from the facts (not copied files):
it agrees with target.py, and every fact it checks is caught when the tree says otherwise."""
import re
from pathlib import Path

import pytest

from tilelang_tt.errors import TTTargetError
from tilelang_tt.perf.hwcheck import check_hardware_table, read_defines, read_yaml

# The facts of the ttnn 0.81.1 release that target.py holds (see the comment above target.HARDWARE).
FACTS = {
    "wormhole_b0": dict(soc="wormhole_b0_80_arch.yaml", arch="wormhole", xs=[1, 2, 3, 4, 6, 7, 8, 9],
                        ys=[1, 2, 3, 4, 5, 7, 8, 9, 10, 11], l1_kib=1464, views=12, view_bytes=1 << 30,
                        product=("nebula_x1", "row"), product_end=[7, 7], largest=("nebula_x1", "row"),
                        largest_end=[7, 7], payload_bits=256, dram_align=32),
    "blackhole": dict(soc="blackhole_140_arch.yaml", arch="blackhole", xs=[1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16],
                      ys=list(range(2, 12)), l1_kib=1536, views=8, view_bytes=4278190080,
                      product=("2xharvested", "col"), product_end=[10, 9], largest=("unharvested", "col"),
                      largest_end=[12, 9], payload_bits=512, dram_align=64),
}


def write_release(root: Path, **change) -> Path:
    """A minimal tt_metal tree with the descriptors and headers check_hardware_table reads."""
    tm = root / "ttnn" / "tt_metal"
    for model, f in FACTS.items():
        f = {**f, **change.get(model, {})}
        workers = ", ".join(f"{x}-{y}" for y in f["ys"] for x in f["xs"])
        views = ",\n".join(f"    {{ channel: {i // 2}, worker_endpoint: [0, 1], address_offset: 0 }}"
                           for i in range(f["views"]))
        soc = (f"# hand-written test fixture\ngrid:\n  x_size: 17\n  y_size: 12\n\nfunctional_workers:\n  [\n   "
               f"{workers},\n  ]\n\ndram_views:\n  [\n{views}\n  ]\n\ndram_view_size:\n  {f['view_bytes']}\n\n"
               f"worker_l1_size:\n  {f['l1_kib'] * 1024}\n\narch_name: TEST\n")
        (tm / "soc_descriptors").mkdir(parents=True, exist_ok=True)
        (tm / "soc_descriptors" / f["soc"]).write_text(soc)
        entries = {f["product"]: f["product_end"], f["largest"]: f["largest_end"]}
        core = "# product -> axis -> command queues -> config\n"
        for prod in dict.fromkeys(p for p, _ in entries):
            core += f"{prod}:\n"
            for (p, axis), end in entries.items():
                if p == prod:
                    core += (f"  {axis}:\n    1:\n      compute_with_storage_grid_range: # logical\n"
                             f"        start: [0, 0]\n        end: {end}\n\n      dispatch_cores:\n"
                             f"        [[-1, 0], [-1, 1]]\n")
        (tm / "core_descriptors").mkdir(parents=True, exist_ok=True)
        (tm / "core_descriptors" / f["soc"]).write_text(core)
        inc = tm / "hw" / "inc" / "internal" / "tt-1xx" / f["arch"]
        (inc / "noc").mkdir(parents=True, exist_ok=True)
        (inc / "dev_mem_map.h").write_text(f"#pragma once\n#define MEM_L1_BASE 0x0\n#define MEM_L1_SIZE ({f['l1_kib']} * 1024)\n")
        (inc / "noc" / "noc_parameters.h").write_text(
            f"#define NOC_PAYLOAD_WIDTH {f['payload_bits']}\n#define NOC_WORD_BYTES (NOC_PAYLOAD_WIDTH / 8)\n"
            "#define NOC_MAX_BURST_WORDS 256\n#define NOC_MAX_BURST_SIZE (NOC_MAX_BURST_WORDS * NOC_WORD_BYTES)\n"
            "#define NOC_L1_READ_ALIGNMENT_BYTES 16  /* L1 */\n"
            f"#define NOC_DRAM_READ_ALIGNMENT_BYTES {f['dram_align']}\n")
    return tm


def test_the_table_agrees_with_the_release_facts(tmp_path):
    tm = write_release(tmp_path)
    assert check_hardware_table(tm) == []
    assert check_hardware_table(tmp_path) == []                  # a directory above ttnn/tt_metal works too


@pytest.mark.parametrize("model,change,fact", [
    ("blackhole", {"product_end": [12, 9]}, "grid is (11, 10) in target.py but (13, 10)"),
    ("blackhole", {"largest_end": [11, 9]}, "max_grid is (13, 10) in target.py but (12, 10)"),
    ("blackhole", {"l1_kib": 1464}, "l1_bytes is 1572864 in target.py but 1499136 in soc_descriptors"),
    ("wormhole_b0", {"views": 6}, "dram_banks is 12 in target.py but 6"),
    ("wormhole_b0", {"view_bytes": 2 << 30}, "dram_bank_bytes is 1073741824 in target.py but 2147483648"),
    ("wormhole_b0", {"ys": list(range(1, 10))}, "tensix_grid is (8, 10) in target.py but (8, 9)"),
    ("blackhole", {"payload_bits": 256}, "noc_max_burst_bytes is 16384 in target.py but 8192"),
    ("wormhole_b0", {"dram_align": 64}, "dram_read_alignment is 32 in target.py but 64"),
])
def test_each_fact_is_checked(tmp_path, model, change, fact):
    problems = check_hardware_table(write_release(tmp_path, **{model: change}))
    assert any(p.startswith(model) and fact in p for p in problems), problems


def test_missing_files_and_trees(tmp_path):
    tm = write_release(tmp_path)
    (tm / "core_descriptors" / "blackhole_140_arch.yaml").unlink()
    assert check_hardware_table(tm) == ["blackhole: missing core_descriptors/blackhole_140_arch.yaml"]
    with pytest.raises(TTTargetError, match="not a TT-Metalium release tree"):
        check_hardware_table(tmp_path / "nowhere")


def test_the_yaml_and_define_readers():
    y = read_yaml("a:\n  b:\n    1:\n      r: [1, [2, 3]]  # c\n  s:\n    { k: 5, m: x-y }\nz:\n  42\n")
    assert y == {"a": {"b": {"1": {"r": [1, [2, 3]]}}, "s": {"k": 5, "m": "x-y"}}, "z": 42}
    d = read_defines("#define A 4\n#define B (A * 1024) // bytes\n#define C (B / 2 + 1)  /* half */\n#define S \"x\"\n")
    assert (d["A"], d["B"], d["C"]) == (4, 4096, 2049) and "S" not in d


def test_the_emulator_model_table_matches_target_py():
    """The emulator hard-codes its Model rows (runtime.cpp); they must say what target.py says."""
    from tilelang_tt.target import HARDWARE
    src = (Path(__file__).resolve().parents[3] / "tilelang_tt" / "emulator" / "src" / "runtime.cpp").read_text()
    rows = re.findall(r'Model\{"(\w+)", (\d+), (\d+), (\d+), ([^,]+), (\d+), (\d+), (\d+), (\d+)u \* 1024\}', src)
    assert sorted(r[0] for r in rows) == sorted(HARDWARE)
    for name, gx, gy, banks, bank, align, cbs, burst, l1 in rows:
        hw = HARDWARE[name]
        num = [int(t) for t in re.findall(r"\d+", bank)]
        bank_bytes = num[0] << num[1] if "<<" in bank else num[0]
        assert (int(gx), int(gy)) == hw.grid and int(banks) == hw.dram_banks and int(cbs) == hw.max_cbs
        assert int(align) == hw.dram_read_alignment and int(burst) == hw.noc_max_burst_bytes
        assert int(l1) * 1024 == hw.l1_bytes and bank_bytes == hw.dram_bank_bytes
