"""The user mistakes and environments issue 11 found surfacing as untyped exceptions or accepted silently:
each is now a typed error whose message names the kernel, the construct, the limit and the fix. Also
the call-time checks of tilelang_tt.compile kernels."""
import ml_dtypes
import numpy as np
import pytest

import tilelang_tt
from tilelang_tt import errors, samples

BF16 = ml_dtypes.bfloat16


@pytest.fixture(scope="module")
def kernel():
    return tilelang_tt.compile(samples.matmul(64, 64, 64, 32, 32, 32), out_idx=2)


def _ab():
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, (64, 64)).astype(BF16), rng.uniform(-1, 1, (64, 64)).astype(BF16)


def test_empty_global_symbol():
    f = samples.matmul(64, 64, 64).with_attr("global_symbol", "")
    with pytest.raises(errors.TTCompileError, match=r"kernel '': the kernel's name \(its global_symbol attribute\) "
                                                    r"is empty.*fix: give the function a name"):
        tilelang_tt.compile(f)


def test_read_only_output(kernel):
    a, b = _ab()
    c = np.zeros((64, 64), BF16)
    c.flags.writeable = False
    with pytest.raises(errors.TTArgumentError, match=r"kernel 'matmul': output C is a read-only numpy array .*fix: "
                                                     r"pass a writable array"):
        kernel(a, b, c)


def test_output_that_cannot_be_written_in_place(kernel):
    a, b = _ab()
    with pytest.raises(errors.TTArgumentError, match=r"kernel 'matmul': output C is a list, which cannot be written"):
        kernel(a, b, np.zeros((64, 64)).tolist())


def test_out_idx_naming_an_input():
    with pytest.raises(errors.TTArgumentError, match=r"kernel 'matmul': out_idx 0 names parameter A, which the kernel "
                                                     r"only reads.*fix: use indices of the outputs \[2\]"):
        tilelang_tt.compile(samples.matmul(64, 64, 64, 32, 32, 32), out_idx=[0, 2])
    with pytest.raises(errors.TTArgumentError, match=r"out_idx 3 is out of range for 3 parameters"):
        tilelang_tt.compile(samples.matmul(64, 64, 64, 32, 32, 32), out_idx=3)
    with pytest.raises(errors.TTArgumentError, match=r"out_idx '2' is not a parameter index"):
        tilelang_tt.compile(samples.matmul(64, 64, 64, 32, 32, 32), out_idx="2")


@pytest.mark.parametrize("option,value,expect", [
    ("cb_depth", 1.5, r"option cb_depth=1\.5 must be a positive integer \(a Python int, e\.g\. cb_depth=2\)"),
    ("cb_depth", 0, r"option cb_depth=0 must be a positive integer"),
    ("max_cores", "4", r"option max_cores='4' must be a positive integer \(a Python int, e\.g\. max_cores=2\)"),
    ("max_cores", True, r"option max_cores=True must be a positive integer"),
    ("core_policy", "diagonal", r"option core_policy='diagonal' is not supported; choose one of: contiguous, "
                                r"2d_blocked"),
    ("math_fidelity", "HiFi5", r"option math_fidelity='HiFi5' is not supported; choose one of: LoFi"),
])
def test_options_of_the_wrong_type_or_value(option, value, expect):
    with pytest.raises(errors.TTTargetError, match=r"kernel 'matmul': " + expect):
        tilelang_tt.compile(samples.matmul(64, 64, 64, 32, 32, 32), **{option: value})


def test_non_numeric_or_non_positive_timeout(kernel, monkeypatch):
    a, b = _ab()
    for value in ("abc", "-5", "0", "inf", "nan"):
        monkeypatch.setenv("TILELANG_TT_TIMEOUT", value)
        with pytest.raises(errors.TTEnvironmentError, match=rf"kernel 'matmul': TILELANG_TT_TIMEOUT='{value}' is not "
                                                            r"a time limit; fix: set it to a positive number"):
            kernel(a, b)


def test_unknown_backend(kernel, monkeypatch):
    monkeypatch.setenv("TILELANG_TT_BACKEND", "gpu")
    with pytest.raises(errors.TTEnvironmentError, match=r"kernel 'matmul': TILELANG_TT_BACKEND='gpu' is not a "
                                                        r"backend; fix: set it to emulator, metalium, wolfpine or auto"):
        kernel(*_ab())


def test_metalium_backend_without_tt_metal_home(kernel, monkeypatch):
    monkeypatch.setenv("TILELANG_TT_BACKEND", "metalium")
    monkeypatch.delenv("TT_METAL_HOME", raising=False)
    with pytest.raises(errors.TTEnvironmentError, match=r"kernel 'matmul': the metalium backend .*needs TT_METAL_HOME"
                                                        r".*fix: export TT_METAL_HOME=/path/to/tt-metal"):
        kernel(*_ab())
    monkeypatch.setenv("TT_METAL_HOME", "/nonexistent/tt-metal")
    with pytest.raises(errors.TTEnvironmentError, match=r"TT_METAL_HOME='/nonexistent/tt-metal' is not a directory"):
        kernel(*_ab())


def test_cache_directory_that_cannot_be_created(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TILELANG_TT_CACHE_DIR", str(blocker / "cache"))
    k = tilelang_tt.compile(samples.matmul(64, 64, 96, 32, 32, 32), out_idx=2)   # a kernel not built yet
    a = np.zeros((64, 96), BF16)
    with pytest.raises(errors.TTEnvironmentError, match=r"kernel 'matmul': cannot use '.*/file/cache' \(from "
                                                        r"TILELANG_TT_CACHE_DIR\) as the emulator cache directory.*"
                                                        r"fix: set TILELANG_TT_CACHE_DIR to a writable directory"):
        k(a, np.zeros((96, 64), BF16))


def test_compiler_named_by_tt_emu_cxx_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("TILELANG_TT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TT_EMU_CXX", "no-such-compiler++")
    k = tilelang_tt.compile(samples.matmul(64, 64, 64, 32, 32, 32), out_idx=2)
    with pytest.raises(errors.KernelBuildError, match=r"kernel 'matmul': TT_EMU_CXX='no-such-compiler\+\+' names no "
                                                      r"executable C\+\+ compiler"):
        k(*_ab())


# ------------------------------------------------------------------------------------- call-time checks
def test_wrong_argument_count_names_the_inputs(kernel):
    with pytest.raises(errors.TTArgumentError, match=r"kernel 'matmul' takes 2 inputs \(A, B\) \(outputs \[2\] are "
                                                     r"allocated for you\) or all 3 tensors; got 1 arguments"):
        kernel(np.zeros((64, 64), BF16))


def test_wrong_shape_and_dtype(kernel):
    a, b = _ab()
    with pytest.raises(errors.TTArgumentError, match=r"kernel 'matmul': argument B has shape \(64, 32\), expected "
                                                     r"\(64, 64\); fix: pass a \(64, 64\) array"):
        kernel(a, b[:, :32])
    with pytest.raises(errors.TTArgumentError, match=r"kernel 'matmul': argument A has dtype float32, the kernel "
                                                     r"expects bfloat16; fix: convert it with "
                                                     r"arr.astype\(ml_dtypes.bfloat16\)"):
        kernel(a.astype(np.float32), b)
    with pytest.raises(errors.TTArgumentError, match=r"argument A has dtype float64, the kernel expects bfloat16 "
                                                     r"\(float64 is not a Tenstorrent data format\)"):
        kernel(a.astype(np.float64), b)
    import tvm
    with pytest.raises(errors.TTArgumentError, match=r"kernel 'matmul': argument A is a float32 tensor, the kernel "
                                                     r"expects bfloat16"):
        kernel(tvm.runtime.tensor(a.astype(np.float32)), b)


def test_non_contiguous_arrays_are_copied_and_written_back(kernel):
    a, b = _ab()
    wide = np.zeros((64, 128), BF16)
    wide[:, ::2] = a
    c_big = np.zeros((64, 128), BF16)
    c_view = c_big[:, 1::2]                   # a non-contiguous output view
    assert not wide[:, ::2].flags.c_contiguous and not c_view.flags.c_contiguous
    kernel(wide[:, ::2], b, c_view)
    ref = kernel(a, b)
    np.testing.assert_array_equal(c_big[:, 1::2], ref)
    assert np.all(c_big[:, ::2] == 0)


def test_torch_outputs_are_written_back(kernel):
    torch = pytest.importorskip("torch")
    a, b = _ab()
    ta = torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
    tb = torch.from_numpy(b.view(np.int16)).view(torch.bfloat16)
    tc = torch.zeros((64, 64), dtype=torch.bfloat16)
    kernel(ta, tb, tc)
    np.testing.assert_array_equal(tc.view(torch.int16).numpy().view(BF16), kernel(a, b))
