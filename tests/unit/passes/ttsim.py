"""Shim: the interpreter of TT-level TIR lives in the package (tilelang_tt/ttir/interp.py)."""
from tilelang_tt.ttir.interp import Sim, SimError, run  # noqa: F401
