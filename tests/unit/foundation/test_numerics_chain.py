"""The chain bounds of tilelang_tt.numerics (docs/numerics.md "NaN and infinity", "Chains"): propagation,
the loose elements the policy leaves open, and a check that fails on wrong numbers."""
import ml_dtypes
import numpy as np

from tilelang_tt import numerics as N


def _x(*vals):
    return N.Bounded.exact(np.array(vals, np.float32))


def test_exp_then_cancelling_subtraction_carries_the_error_of_exp():
    x = _x(0.5, 1.0)
    y = N.Bounded.exact(np.exp(x.value).astype(np.float32).astype(ml_dtypes.bfloat16))
    d = N.binary("sub", N.unary("exp", x), y)
    # the bound is about the error of exp (2 u32 of e^x), far larger than 2 u32 of the tiny difference
    assert np.all(d.err >= 2 * 2.0 ** -24 * np.exp(x.value))
    assert np.all(d.err <= 1e-5 * np.exp(x.value))
    computed = np.exp(x.value.astype(np.float32)) - y.value.astype(np.float32)   # fp32, as the emulator
    assert N.check_bounded(computed, d).ok


def test_check_fails_on_a_wrong_number_nan_or_infinity():
    ref = N.unary("exp", _x(0.0, 1.0, -np.inf, np.nan, 100.0))
    assert ref.value[2] == 0 and np.isnan(ref.value[3]) and np.isinf(ref.value[4])
    good = np.array([1.0, np.e, 0.0, np.nan, np.inf], np.float32)
    assert N.check_bounded(good, ref).ok
    for bad in ([1.001, np.e, 0.0, np.nan, np.inf], [1.0, np.e, 0.0, 0.0, np.inf],
                [1.0, np.e, 0.0, np.nan, 3e38], [1.0, np.inf, 0.0, np.nan, np.inf]):
        chk = N.check_bounded(np.array(bad, np.float32), ref)
        assert not chk.ok and chk.failures, bad


def test_overflow_is_exact_past_the_threshold_and_open_across_it():
    big = N.Bounded(np.array([1e39, 3.0e38, 3.3e38]), np.array([1e30, 1e30, 2e37]))
    s = N.Bounded(big.value, big.err).stored("float32")
    assert s.value[0] == np.inf and not s.loose[0]        # the whole interval past fp32 max: +inf
    assert not s.loose[1] and np.isfinite(s.value[1])      # the whole interval inside
    assert s.loose[2]                                      # straddles 3.4028e38: finite or inf
    assert N.unary("exp", _x(100.0)).value[0] == np.inf    # exp past the fp32 range is +inf for sure


def test_domain_boundaries_within_the_error_are_left_open():
    near0 = N.Bounded(np.array([1e-6, -1e-6, 0.5, -0.5]), np.array([1e-5, 1e-5, 1e-5, 1e-5]))
    assert N.unary("sqrt", near0).loose.tolist() == [True, True, False, False]
    assert N.unary("reciprocal", near0).loose.tolist() == [True, True, False, False]
    assert N.unary("reciprocal", _x(0.0, -0.0)).value.tolist() == [np.inf, -np.inf]   # exact zeros: exact


def test_relu_is_the_sign_test_and_nan_of_unknown_sign_is_open():
    neg_nan = np.array([0xFFC00000], np.uint32).view(np.float32)[0]
    r = N.unary("relu", _x(np.nan, -0.0, -np.inf, 2.0, -2.0, neg_nan))
    assert np.isnan(r.value[0]) and not r.loose[0]
    assert r.value[1:5].tolist() == [0.0, 0.0, 2.0, 0.0]
    assert r.loose[5]


def test_silu_has_no_overflow_and_a_limit_at_minus_infinity():
    s = N.unary("silu", _x(-89.0, -np.inf, np.inf))
    assert -2e-37 < s.value[0] < -1.9e-37 and s.value[1] == 0 and np.signbit(s.value[1]) and s.value[2] == np.inf


def test_inf_times_a_maybe_zero_is_open():
    a = N.Bounded(np.array([np.inf, np.inf]))
    b = N.Bounded(np.array([1e-40, 2.0]), np.array([1e-38, 1e-6]))
    m = N.binary("mul", a, b)
    assert m.loose.tolist() == [True, False] and m.value[1] == np.inf


def test_matmul_bound_and_special_values():
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (32, 64)).astype(ml_dtypes.bfloat16)
    b = rng.uniform(-1, 1, (64, 32)).astype(ml_dtypes.bfloat16)
    ref = N.matmul(a, b)
    got = a.astype(np.float32) @ b.astype(np.float32)
    assert N.check_bounded(got, ref).ok
    assert not N.check_bounded(got * (1 + 1e-3), ref).ok
    a[0, 0], b[0, 1] = np.inf, 0.0      # row 0 x column 1 meets inf * 0: NaN in IEEE
    ref = N.matmul(a, b)
    assert np.isnan(ref.value[0, 1]) and np.isinf(ref.value[0, 0])
    huge = np.full((32, 32), 1e30, np.float32)
    assert N.matmul(huge, huge).loose.all()            # partial sums may overflow DST


def test_a_sum_whose_partial_sums_can_overflow_is_open():
    """Found by the fuzzer (a sum over both axes of `huge` fp32 data): +3e38 + 3e38 - 3e38 - 3e38 is 0 exactly,
    but the device's order may make +inf + -inf = NaN; the bound leaves it open. A row whose magnitudes stay
    inside the range keeps its bound."""
    x = N.Bounded.exact(np.array([[3e38, 3e38, -3e38, -3e38], [1e30, 2e30, -1e30, 5.0]], np.float32))
    s = N.reduce("sum", x, 1)
    assert s.loose[0, 0] and not s.loose[1, 0]
    assert N.check_bounded(np.array([[np.nan], [2e30]], np.float32), s).ok
    assert not N.check_bounded(np.array([[0.0], [3e30]], np.float32), s).ok      # the finite row still checks
