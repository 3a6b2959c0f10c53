"""Frontends: the user's tile kernel read once into a typed TileProgram (program.py), the op table
(ops.py). program.py reads the TVMScript tile dialect; a TileLang reader would sit beside it."""
from .ops import OPS, OpInfo, info  # noqa: F401
from .program import Loop, Operand, TileOp, TileProgram, classify, kernel_name, read_program  # noqa: F401
