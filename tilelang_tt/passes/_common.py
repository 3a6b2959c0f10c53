"""Shared helpers of the tt.* pass wrappers: target resolution."""
from __future__ import annotations

from ..target import hardware, model_of


def resolve_target(func, target):
    """The target a pass works for: explicit argument, else the function's bound `target` attr, else the
    function's `tt_model` attr, else the default Tenstorrent model."""
    if target is None and func.attrs is not None:
        if "target" in func.attrs:
            target = func.attrs["target"]
        elif "tt_model" in func.attrs:
            target = str(func.attrs["tt_model"])
    return target


def model_and_hw(func, target):
    target = resolve_target(func, target)
    return model_of(target), hardware(target)
