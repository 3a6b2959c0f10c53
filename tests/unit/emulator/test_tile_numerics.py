"""The emulator's tile arithmetic as C++ functions (matrix_engine.cpp, blockfloat.cpp, tile_math.cpp),
called through a small driver linked against the cached runtime library: math fidelity phases, source
register formats, the packer's bf16 rounding, and the device's block-float unpack / pack."""
import ctypes
import subprocess

import ml_dtypes
import numpy as np
import pytest

from tilelang_tt import blockfloat as host_bfp
from tilelang_tt.runtime import emulator

DRIVER = r"""
#include "emu.hpp"
extern "C" {
void t_matmul(float* c, const float* a, const float* b, int transpose, int phases, int fp32_dst) {
  emu::matmul_fidelity(c, a, b, transpose != 0, phases, fp32_dst != 0);
}
int t_phases(int fidelity) { return emu::fidelity_phases(fidelity); }
float t_src_register(float x, int fmt, int fp32_dst) { return emu::src_register(x, tt::DataFormat(fmt), fp32_dst != 0); }
unsigned short t_packer_bf16(float x) { return emu::packer_bf16(x); }
void t_pack(const float* in, int fmt, unsigned char* out, int fp32_dst, int precise) {
  emu::pack_tile_data(in, tt::DataFormat(fmt), out, fp32_dst != 0, precise != 0);
}
void t_unpack(const unsigned char* in, int fmt, float* out) { emu::unpack_tile(in, tt::DataFormat(fmt), out); }
}
"""
FLOAT32, FLOAT16_B, BFP8_B, BFP4_B = 0, 5, 6, 7
LOFI, HIFI2, HIFI3, HIFI4 = 0, 2, 3, 4
F32P = np.ctypeslib.ndpointer(np.float32, flags="C_CONTIGUOUS")
U8P = np.ctypeslib.ndpointer(np.uint8, flags="C_CONTIGUOUS")


@pytest.fixture(scope="module")
def emu(tmp_path_factory, tt_cache_dir):
    rt = emulator.runtime_dir()
    d = tmp_path_factory.mktemp("tile_numerics")
    (d / "driver.cpp").write_text(DRIVER)
    sdk = emulator.sdk_dir()
    subprocess.run([emulator.compiler(), "-std=c++20", "-O2", "-fPIC", "-shared", f"-I{sdk / 'include'}",
                    f"-I{sdk / 'src'}", "driver.cpp", "-o", "driver.so", f"-L{rt}", "-ltt_emu",
                    f"-Wl,-rpath,{rt}"], cwd=d, check=True, capture_output=True)
    lib = ctypes.CDLL(str(d / "driver.so"))
    lib.t_matmul.argtypes = [F32P, F32P, F32P, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.t_src_register.argtypes = [ctypes.c_float, ctypes.c_int, ctypes.c_int]
    lib.t_src_register.restype = ctypes.c_float
    lib.t_packer_bf16.argtypes = [ctypes.c_float]
    lib.t_packer_bf16.restype = ctypes.c_ushort
    lib.t_pack.argtypes = [F32P, ctypes.c_int, U8P, ctypes.c_int, ctypes.c_int]
    lib.t_unpack.argtypes = [U8P, ctypes.c_int, F32P]
    return lib


def _mask(x, m):
    return (np.asarray(x, np.float32).view(np.uint32) & np.uint32(m)).view(np.float32)


def _small_int_operands(seed):
    """bf16 operands with 8-bit integer significands in one binade range: every product and every
    partial sum of a 32x32x32 tile is exact in fp32, so the phase model below is exact too."""
    rng = np.random.default_rng(seed)
    a = (rng.integers(-255, 256, (32, 32)) / 128.0).astype(np.float32)
    b = (rng.integers(-255, 256, (32, 32)) / 64.0).astype(np.float32)
    return a, b


def _phase_model(a, b, phases):
    """Sum of the used phases' products (ISA SrcAFidelityBits / SrcBFidelityBits), in float64."""
    a_hi, b_hi = _mask(a, 0xFFFE0000).astype(np.float64), _mask(b, 0xFFF80000).astype(np.float64)
    a_lo, b_lo = a.astype(np.float64) - a_hi, b.astype(np.float64) - b_hi
    parts = [(a_hi, b_hi), (a_hi, b_lo), (a_lo, b_hi), (a_lo, b_lo)][:phases]
    return parts


def test_fidelity_phases_count(emu):
    assert [emu.t_phases(f) for f in (LOFI, HIFI2, HIFI3, HIFI4)] == [1, 2, 3, 4]


@pytest.mark.parametrize("fidelity", [LOFI, HIFI2, HIFI3, HIFI4])
def test_matmul_fp32_dst_is_the_sum_of_the_phases(emu, fidelity):
    a, b = _small_int_operands(fidelity)
    c = np.zeros((32, 32), np.float32)
    emu.t_matmul(c, a, b, 0, emu.t_phases(fidelity), 1)
    want = sum(x @ y for x, y in _phase_model(a, b, emu.t_phases(fidelity)))
    np.testing.assert_array_equal(c, want.astype(np.float32))
    if fidelity == HIFI4:     # bf16 operands: HiFi4 is the exact product
        np.testing.assert_array_equal(c, (a.astype(np.float64) @ b).astype(np.float32))


def test_fidelities_differ_and_transpose(emu):
    a, b = _small_int_operands(7)
    out = {}
    for f in (LOFI, HIFI2, HIFI3, HIFI4):
        c = np.zeros((32, 32), np.float32)
        emu.t_matmul(c, a, np.ascontiguousarray(b.T), 1, emu.t_phases(f), 1)
        out[f] = c
    exact = a.astype(np.float64) @ b
    errs = [np.abs(out[f] - exact).max() for f in (LOFI, HIFI2, HIFI3, HIFI4)]
    assert errs[0] > errs[1] > errs[2] > errs[3] == 0, errs


@pytest.mark.parametrize("fidelity", [LOFI, HIFI2, HIFI4])
def test_matmul_bf16_dst_rounds_every_mvmul(emu, fidelity):
    """bf16 Dst: per phase, the k = 0..15 and k = 16..31 partial sums are each added to Dst and rounded
    to bf16 (round to nearest even), in the order of llk_math_matmul.h."""
    a, b = _small_int_operands(10 + fidelity)
    c = np.full((32, 32), 0.5, np.float32)
    emu.t_matmul(c, a, b, 0, emu.t_phases(fidelity), 0)
    want = np.full((32, 32), 0.5, np.float64)
    for x, y in _phase_model(a, b, emu.t_phases(fidelity)):
        for k in (slice(0, 16), slice(16, 32)):
            want = (want + x[:, k] @ y[k, :]).astype(np.float32).astype(ml_dtypes.bfloat16).astype(np.float64)
    np.testing.assert_array_equal(c, want.astype(np.float32))


def test_source_registers(emu):
    x = np.float32(1 + 2.0 ** -9 + 2.0 ** -12 + 2.0 ** -20)
    assert emu.t_src_register(x, FLOAT32, 1) == np.float32(1 + 2.0 ** -9)     # TF32: truncated to 10 bits
    assert emu.t_src_register(x, FLOAT32, 0) == np.float32(1.0)                # BF16: truncated to 7 bits
    assert emu.t_src_register(-np.float32(1.9999999), FLOAT32, 0) == np.float32(-1.9921875)
    assert emu.t_src_register(np.float32(1e-40), FLOAT16_B, 1) == 0.0          # denormals read as zero
    assert emu.t_src_register(np.float32(1.5), FLOAT16_B, 0) == np.float32(1.5)


def test_packer_bf16_rounds_ties_away_from_zero(emu):
    tie_up = np.float32(1 + 2.0 ** -8)                       # half way between 1 and 1 + 2^-7
    assert emu.t_packer_bf16(tie_up) == 0x3F81               # RNE would give 0x3F80
    assert emu.t_packer_bf16(-tie_up) == 0xBF81
    assert emu.t_packer_bf16(np.float32(1 + 2.0 ** -8 - 2.0 ** -20)) == 0x3F80
    assert emu.t_packer_bf16(np.float32(np.inf)) == 0x7F80


def _tile_with_group(values, rest=0.0):
    x = np.full((32, 32), rest, np.float32)
    x[0, :16] = values
    return x


def _device_roundtrip(emu, x, fmt, fp32_dst=1, precise=0):
    nbytes = 1088 if fmt == BFP8_B else 576
    buf = np.zeros(nbytes, np.uint8)
    emu.t_pack(np.ascontiguousarray(x, np.float32), fmt, buf, fp32_dst, precise)
    out = np.zeros((32, 32), np.float32)
    emu.t_unpack(buf, fmt, out)
    return buf, out


def test_device_bfp8_pack_rounds_ties_away(emu):
    # 1 + 2^-7 is half way between two Bfp8 values next to 1.0: the device goes up, the host to even
    x = _tile_with_group([1 + 2.0 ** -7, -(1 + 2.0 ** -7), 1.0] + [0.0] * 13)
    _, dev = _device_roundtrip(emu, x, BFP8_B)
    host = host_bfp.unpack_bfp_tiles(host_bfp.pack_bfp_tiles(x, "bfp8_b"), "bfp8_b").reshape(32, 32)
    assert list(dev[0, :3]) == [1 + 2.0 ** -6, -(1 + 2.0 ** -6), 1.0]
    assert list(host[0, :3]) == [1.0, -1.0, 1.0]


def test_device_bfp4_is_bfp8_truncated(emu):
    x = _tile_with_group([1.4375, 1.0] + [0.0] * 14)          # 1.0111b
    _, dev = _device_roundtrip(emu, x, BFP4_B)
    host = host_bfp.unpack_bfp_tiles(host_bfp.pack_bfp_tiles(x, "bfp4_b"), "bfp4_b").reshape(32, 32)
    assert dev[0, 0] == 1.25 and host[0, 0] == 1.5


def test_device_pack_nan_becomes_inf_and_zeroes_its_group(emu):
    x = _tile_with_group([np.nan, 3.0, -2.0] + [1.0] * 13)
    buf, dev = _device_roundtrip(emu, x, BFP8_B)
    assert buf[0] == 255 and dev[0, 0] == np.inf and not dev[0, 1:16].any()
    # bfp8_pack_precise with an fp32 Dst keeps FP32 to the late conversion, which only truncates
    _, dev = _device_roundtrip(emu, _tile_with_group([np.float32(1.9999), 1.0] + [0.0] * 14), BFP8_B, 1, 1)
    assert dev[0, 0] == 1.984375                               # 1.1111111b rounded up saturates


def test_device_unpack_reads_sign_only_as_minus_inf(emu):
    buf = np.zeros(1088, np.uint8)
    buf[0] = 127
    buf[64:68] = [0x80, 0x00, 0x40, 0xC0]
    out = np.zeros((32, 32), np.float32)
    emu.t_unpack(buf, BFP8_B, out)
    assert list(out[0, :4]) == [-np.inf, 0.0, 1.0, -1.0]


def test_device_pack_error_is_within_one_step(emu):
    """Each datum is rounded at most twice, each time by at most half a step of the group's grid
    (2^(shared exponent - 6) for Bfp8, of the exponent written: the early rounding may carry into it): the early conversion to E8M6 (or the truncation to BF16, below
    half a step) and the shift to the shared exponent. So |error| <= one step."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((32, 32)) * 2.0 ** rng.integers(-8, 8, (32, 1))).astype(np.float32)
    for fp32_dst, precise in ((1, 0), (0, 0), (1, 1), (0, 1)):
        xin = x if fp32_dst else x.astype(ml_dtypes.bfloat16).astype(np.float32)
        buf, dev = _device_roundtrip(emu, xin, BFP8_B, fp32_dst, precise)
        g = host_bfp._face_order(xin.reshape(1, 32, 32)).reshape(64, 16).astype(np.float64)
        step = 2.0 ** (buf[:64, None].astype(np.float64) - 127 - 6)    # the grid of the written exponent
        err = np.abs(host_bfp._face_order(dev.reshape(1, 32, 32)).reshape(64, 16) - g)
        assert np.all(err <= step), (fp32_dst, precise, float((err / step).max()))
        assert (err > 0).any()
