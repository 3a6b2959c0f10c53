"""The breadth family's generator (no compile): over a derandomized sample it draws every op, scalar
operands on both sides, shared results of both formats, casts both ways and ragged shapes; and its
reference follows the ops' values (numpy) on a hand-written chain."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tilelang_tt.fuzz.kernels import FAMILIES
from tilelang_tt.fuzz.strategies import BREADTH_OPS, breadth_params

SEEN = []


@settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(breadth_params())
def _collect(p):
    SEEN.append(p)


def test_breadth_draws_every_op_form_and_tail():
    SEEN.clear()
    _collect()
    steps = [s for p in SEEN for s in p["steps"]]
    assert {s[0] for s in steps} == set(BREADTH_OPS)
    assert {s[1] for s in steps} == {"local", "bfloat16", "float32"}            # results in L1 of both formats
    scal = [s for s in steps if s[0] in ("add", "sub", "mul") and any(isinstance(a, float) for a in s[2:])]
    assert any(isinstance(s[2], float) for s in scal) and any(isinstance(s[3], float) for s in scal)
    assert any(s[0] == "fdiv" and isinstance(s[3], float) for s in steps)
    assert any(s[0] == "fma" and isinstance(s[3], float) for s in steps)
    assert any(s[0] == "fma" and s[3] in ("X", "Y") and s[4] in ("X", "Y") for s in steps)
    assert {s[1] for s in steps if s[0] == "cast"} == {"local", "bfloat16", "float32"}
    assert any(p["M"] % 32 for p in SEEN) and any(p["N"] % 32 for p in SEEN)
    assert {p["local"] for p in SEEN} == {"bfloat16", "float32"}


def test_breadth_reference_follows_the_chain():
    """fp32 DST: y = fma(X, 0.5, Y); S = bf16(max(y, X)); c = 3 - S; c = log2(exp2(c)); c = c / Y."""
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.5, 2, (3, 5)).astype(np.float32), rng.uniform(0.5, 2, (3, 5)).astype(np.float32)
    p = {"steps": [["fma", "local", "cur", 0.5, "Y"], ["maximum", "bfloat16", "cur", "X"], ["sub", "local", 3.0, "cur"],
                   ["exp2", "local", "cur"], ["log2", "local", "cur"], ["fdiv", "local", "cur", "Y"]],
         "x_dtype": "float32", "y_dtype": "float32"}
    ref = FAMILIES["breadth"].reference(p, {"X": x, "Y": y}, True)
    s = np.maximum(x * 0.5 + y, x).astype(np.float64)
    want = (3 - s) / y
    assert np.all(np.abs(ref.value - want) <= ref.err + 1e-12) and not ref.loose.any()
    # the bf16 rounding of S (2^-8 |S|, carried through 3 - S and the division) dominates; fp32 steps add little
    assert np.all(ref.err > 2 ** -10 * s / y) and np.all(ref.err < 2 ** -6 * (3 + s) / y)
