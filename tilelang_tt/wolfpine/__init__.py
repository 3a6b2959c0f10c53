"""The `wolfpine` device: generated programs on tt-metal's own host runtime, firmware and LLKs (the
`ttnn` 0.81.1 wheel) over the wolfpine instruction-level Tensix simulator (docs/wolfpine.md).

env.py        the Python 3.10 child environment (ttnn + wolfpine pinned by hash), cached outside the repo
toolchain.py  the SFPI-compiler stand-in tt-metal's JIT runs, generated into the cache
support.py    what cannot run on this route, rejected before it starts
harness.py    runs inside the child: plan.json -> ttnn.ProgramDescriptor -> ttnn.generic_op
"""
