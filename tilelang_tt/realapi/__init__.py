"""Check generated code against a released TT-Metalium (docs/realapi.md).

* `release`: the pinned release (the ttnn 0.81.1 wheel from PyPI) and its cached, extracted tree.
* `toolchain`: the RISC-V cross compiler and C/C++ library headers the kernel check uses.
* `jit`: compile a kernel the way the release's JIT build does (firmware wrapper, generated descriptor
  headers, defines, include paths), syntax only, for every processor it runs on.
* `project`: the kernels of a generated program, from its sources and plan.json.
* `host_symbols`: the tt_metal symbols a generated host program needs, against libtt_metal.so.

`python -m tilelang_tt.realapi --help` runs the checks from the command line.
"""
