"""tt.ChooseSchedule: decide how a verified kernel runs on the chip.

Pre-condition: a kernel accepted by tt.VerifyInput, with `tt_grid` (tt.AnnotateGrid).
Post-condition: attrs
  * `tt_schedule`: the typed schedule as a dict (schedule/naive.py NaiveSchedule or
    schedule/matmul.py MatmulSchedule: core map, CB plan with depths and formats, DRAM tensors, compute
    configuration, matmul block / subblock / multicast parameters, and the reason it was chosen);
  * `tiles_per_core`: blocks (naive) or output blocks (matmul) per core, in core order;
  * `tt_model`: the chip model.
The options (CompileOptions) come from keyword arguments or the function's `tt.*` attributes.
"""
from __future__ import annotations

from tvm import tirx

from ..frontend.program import read_program
from ..options import CompileOptions
from ..schedule import choose
from ._common import model_and_hw

PASS_NAME = "tt.ChooseSchedule"


def choose_schedule(func, target=None, options: CompileOptions | None = None):
    model, hw = model_and_hw(func, target)
    options = options or CompileOptions.from_func(func)
    program = read_program(func, strict=True)
    sched = choose(program, hw, options)
    return func.with_attrs({"tt_schedule": sched.to_dict(), "tiles_per_core": list(sched.tiles_per_core),
                            "tt_model": model})


def ChooseSchedule(target=None, options: CompileOptions | None = None):  # noqa: N802
    @tirx.transform.prim_func_pass(opt_level=0, name=PASS_NAME)
    def _pass(func, mod, ctx):
        return choose_schedule(func, target, options)
    return _pass
