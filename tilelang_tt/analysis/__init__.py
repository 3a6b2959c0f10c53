"""Analyses of a TileProgram (verification, coverage, matmul recognition) and of TT-level TIR (the
compute-kernel state machine shared by lowering and the protocol verifier)."""
