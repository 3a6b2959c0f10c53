"""TT-level TIR tools: `interp` is a numpy interpreter of lowered programs (a second, independent
execution of every op besides the emulator's C++)."""
