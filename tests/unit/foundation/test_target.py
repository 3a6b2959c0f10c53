"""Target tags and the hardware table."""
import pytest
import tvm
from tvm.target import Target

import tilelang_tt
from tilelang_tt import target as tt_target
from tilelang_tt.errors import TTTargetError


@pytest.mark.parametrize("tag,model", [("tenstorrent", "wormhole_b0"),
                                       ("tenstorrent/wormhole_b0", "wormhole_b0"),
                                       ("tenstorrent/blackhole", "blackhole")])
def test_tags_resolve_to_ext_dev_with_model(tag, model):
    t = Target(tag)
    assert t.kind.name == "ext_dev"
    assert list(t.keys) == ["tenstorrent"]
    assert str(t.attrs["model"]) == model
    assert tt_target.model_of(t) == model
    assert tt_target.model_of(tag) == model


def test_register_twice_is_harmless():
    tt_target.register_tags()
    tt_target.register_tags()
    assert str(Target("tenstorrent/blackhole").attrs["model"]) == "blackhole"
    tvm.target.tag.list_tags()  # a broken registration would make this raise


def test_hardware_facts_from_reference_section_d():
    wh, bh = tilelang_tt.hardware("tenstorrent"), tilelang_tt.hardware("tenstorrent/blackhole")
    assert wh.grid == (8, 8) and wh.num_cores == 64
    assert wh.dram_banks == 12 and bh.dram_banks == 8
    assert wh.l1_bytes == 1464 * 1024 and bh.l1_bytes == 1536 * 1024       # worker_l1_size of the release
    assert wh.grid == wh.max_grid == (8, 8)
    assert bh.grid == (11, 10) and bh.num_cores == 110 and bh.max_grid == (13, 10)   # 2 vs 0 harvested columns
    assert bh.dram_bank_bytes == 4278190080
    assert wh.clock_ghz == 1.0 and bh.clock_ghz == 1.35
    assert wh.flops_per_cycle["LoFi"] == 4096 and wh.flops_per_cycle["HiFi4"] == 1024
    assert wh.dst_capacity(fp32_acc=False) == 8 and wh.dst_capacity(fp32_acc=True) == 4
    assert wh.dst_capacity(fp32_acc=False, full_sync=True) == 16
    assert wh.max_cbs == 32 and bh.max_cbs == 64
    assert tt_target.tile_bytes("bfloat16") == 2048 and tt_target.tile_bytes("float32") == 4096
    # 64 cores x 1024 FLOP/cycle x 1 GHz = 65.5 TFLOPS at HiFi4
    assert abs(wh.peak_tflops("HiFi4") - 65.536) < 1e-9


def test_unknown_model_and_tag_are_target_errors():
    with pytest.raises(TTTargetError, match="unknown Tenstorrent target 'tenstorrent/grayskull'"):
        tt_target.model_of("tenstorrent/grayskull")
    bad = Target({"kind": "ext_dev", "keys": ["tenstorrent"], "model": "grayskull"})
    with pytest.raises(TTTargetError, match="unknown Tenstorrent model 'grayskull'.*wormhole_b0"):
        tt_target.hardware(bad)
    with pytest.raises(TTTargetError, match="not a Tenstorrent target"):
        tt_target.model_of(Target("llvm"))


@pytest.mark.parametrize("target", ["tenstorrent/grayskull", {"tag": "tenstorrent/n300"}, " tenstorrent/bh "])
def test_tvm_build_with_an_unknown_tag_lists_the_known_ones(target):
    import tvm
    from tilelang_tt import samples
    with pytest.raises(TTTargetError, match=r"unknown Tenstorrent target 'tenstorrent/\w+'; known tags: "
                                            r"tenstorrent, tenstorrent/wormhole_b0.*tenstorrent/p150"):
        tvm.build(samples.eltwise("add", 32, 64), target=target)


def test_tag_check_leaves_other_targets_alone():
    import tvm
    assert str(tvm.target.Target("llvm").kind) == "llvm"
    assert tvm.target.Target("tenstorrent/p150").attrs["model"] == "blackhole"
    with pytest.raises(ValueError, match="not defined") as e:
        tvm.target.Target("tenstorrentx")
    assert not isinstance(e.value, TTTargetError)


def test_unsupported_dtype_is_compile_error():
    with pytest.raises(tilelang_tt.TTCompileError, match="float16 has no TT-Metalium data format"):
        tt_target.data_format("float16")
