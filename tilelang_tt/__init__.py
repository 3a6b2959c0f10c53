"""tilelang_tt: compile tile-level TVM TIR kernels to TT-Metalium programs.

`import tvm` is enough to make `target="tenstorrent"` work: TVM calls `_autoload` through the
`tvm.backends` entry point. Importing this package explicitly does the same registration.
"""
from .errors import (  # noqa: F401
    EmulatorCrash, EmulatorDeadlock, EmulatorError, EmulatorFormatError, EmulatorTimeout, EmulatorViolation,
    KernelBuildError, TTArgumentError, TTCompileError, TTError, TTResourceError, TTRuntimeError,
    TTTargetError,
)

__version__ = "0.1.0"

_REGISTERED = False


def _autoload():
    """Entry point for TVM's `tvm.backends` group; idempotent."""
    global _REGISTERED
    if _REGISTERED:
        return
    from . import intrinsics  # noqa: F401  (registers the T.tt.* ops)
    from . import pipeline
    from . import tile  # noqa: F401  (registers tirx.tile.log / rsqrt, TTx)
    from .runtime import launcher
    from .target import install_tag_check, register_tags

    register_tags()
    install_tag_check()
    pipeline.install()
    launcher.install()
    _REGISTERED = True


_autoload()

from .kernel import Kernel, compile  # noqa: E402,A004
from .runtime.module import export, sources  # noqa: E402
from .target import HARDWARE, hardware  # noqa: E402
