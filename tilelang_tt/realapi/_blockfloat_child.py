"""Child process of tilelang_tt/realapi/blockfloat_oracle.py: loads the release's libtt_metal.so and runs
its host block-float conversions. Standalone (numpy and ctypes only, no package import), so that it
starts fast: `python _blockfloat_child.py LIBDIR JOBS.npz OUT.npz`, JOBS holding arrays named
"<i>:<pack|unpack>:<bfp8_b|bfp4_b>".
"""
import ctypes
import sys
from pathlib import Path

import numpy as np

OPERATOR_DELETE = "_ZdlPv"


class _Vec(ctypes.Structure):
    _fields_ = [("begin", ctypes.c_void_p), ("end", ctypes.c_void_p), ("cap", ctypes.c_void_p)]


def _load(libdir: Path) -> ctypes.CDLL:
    """Load libtt_metal.so after its dependencies (global, so its NEEDED entries resolve by soname)."""
    pending = sorted(p for p in libdir.iterdir() if ".so" in p.name and p.name != "libtt_metal.so")
    while pending:
        failed = []
        for p in pending:
            try:
                ctypes.CDLL(str(p), mode=ctypes.RTLD_GLOBAL)
            except OSError:
                failed.append(p)
        if len(failed) == len(pending):
            raise OSError(f"cannot load {', '.join(p.name for p in failed)} from {libdir}")
        pending = failed
    return ctypes.CDLL(str(libdir / "libtt_metal.so"))


def _convert(lib, symbol: str, x: np.ndarray) -> np.ndarray:
    fn = lib[symbol]
    fn.restype = None
    fn.argtypes = [ctypes.POINTER(_Vec), ctypes.c_void_p, ctypes.c_size_t, ctypes.c_bool, ctypes.c_bool,
                   ctypes.c_void_p]
    delete = lib[OPERATOR_DELETE]          # dlsym also searches libtt_metal.so's dependencies (libstdc++)
    delete.argtypes = [ctypes.c_void_p]
    nothing = ctypes.create_string_buffer(256)      # a disengaged std::optional<Tile>
    out = _Vec()
    # row_major_input / row_major_output = true, is_exp_a = false (the "_b" formats)
    fn(ctypes.byref(out), x.ctypes.data, x.size, True, False, ctypes.addressof(nothing))
    n = out.end - out.begin
    res = np.frombuffer((ctypes.c_uint8 * n).from_address(out.begin), dtype=np.uint8).copy()
    delete(out.begin)
    return res


def main(libdir: str, jobs: str, dst: str) -> None:
    lib = _load(Path(libdir))
    symbols = dict(zip(sys.argv[4::2], sys.argv[5::2]))
    results = {}
    with np.load(jobs) as z:
        for name in z.files:
            _, op, fmt = name.split(":")
            x = z[name]
            x = np.ascontiguousarray(x, dtype=np.float32 if op == "pack" else np.uint32)
            res = _convert(lib, symbols[f"{op}:{fmt}"], x)
            results[name] = res if op == "pack" else res.view(np.float32)
    np.savez(dst, **results)


if __name__ == "__main__":
    main(*sys.argv[1:4])
