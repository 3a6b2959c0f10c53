"""The package's exception hierarchy.

Every error a user can cause is one of these. Messages name the kernel, the construct (printed TIR where
there is one), the limit that was hit, and what to change.
"""


class TTError(Exception):
    """Base of every tilelang_tt error."""


class TTTargetError(TTError, ValueError):
    """Unknown Tenstorrent model, malformed target, or a target option we do not support."""


class TTCompileError(TTError):
    """The kernel uses a construct the compiler cannot lower (shape, dtype, op, structure)."""


class TTResourceError(TTCompileError):
    """A hardware limit is exceeded at compile time: L1 bytes, CB count, DST tiles, runtime args."""


class TTArgumentError(TTError, TypeError):
    """A compiled kernel was called with arguments of the wrong number, shape or dtype."""


class TTRuntimeError(TTError, RuntimeError):
    """Running a compiled program failed (emulator or device)."""


class TTEnvironmentError(TTRuntimeError):
    """The environment cannot run a kernel: a setting (TILELANG_TT_TIMEOUT, TILELANG_TT_BACKEND, the cache
    directory) is invalid, or the chosen backend is missing what it needs (TT_METAL_HOME for metalium)."""


class KernelBuildError(TTRuntimeError):
    """The C++ compiler rejected generated or emulator code, or no compiler is available."""


class RealApiUnavailable(TTError, RuntimeError):
    """The released TT-Metalium tree or the RISC-V toolchain the real-header check needs is missing.

    The message says what is missing and how the project's own files install it (`make toolchain`)."""


class EmulatorError(TTRuntimeError):
    """The emulator stopped a program because it broke a rule of the hardware or the API.

    ``report`` is the structured report the emulator wrote (a dict), ``text`` its human-readable form.
    """

    def __init__(self, message, report=None, text=""):
        super().__init__(message)
        self.report = report or {}
        self.text = text


class EmulatorDeadlock(EmulatorError):
    """Every unfinished kernel was blocked: the report names core, kernel and what each waits on."""


class EmulatorViolation(EmulatorError):
    """A protocol or bounds violation: CB accounting, DST state machine, NOC address, L1 overflow."""


class EmulatorFormatError(EmulatorViolation):
    """A CB was unpacked (SrcA / SrcB) or packed in a data format other than the one the engine was last
    configured for (compute_kernel_hw_startup, reconfig_data_format*, pack_reconfig_data_format): on a
    device that gives wrong numbers without an error. The report names the unit, the CB, both formats
    and the call that configured the unit."""


class EmulatorTimeout(EmulatorError):
    """The program ran past its time limit and was killed."""


class EmulatorCrash(EmulatorError):
    """The program died from a signal (for example a segfault in generated code)."""


class WolfpineUnavailable(TTEnvironmentError):
    """The wolfpine backend cannot be set up here: no Python 3.10 on the machine, or its pinned child
    environment (ttnn + wolfpine) failed to install. The message says how to get what is missing."""


class WolfpineUnsupported(TTRuntimeError):
    """The program uses what the wolfpine backend cannot run (SFPU code, L1-accumulated partials);
    raised before anything starts, never a wrong number."""


class WolfpineRunError(TTRuntimeError):
    """The program failed on the simulated device: a JIT build error, a simulator fault, a hang past the
    time limit, or a harness error. `log` holds the tail of tt-metal's and the simulator's output."""

    def __init__(self, message, log=""):
        super().__init__(message)
        self.log = log


class TTInternalError(TTError, AssertionError):
    """An invariant of the compiler itself broke (a bug in tilelang_tt, not in the user's kernel).
    The message says which stage and which invariant; please report it with the kernel."""


# ---------------------------------------------------------------------------------------------------
# Message format of compile errors: kernel, construct (printed TIR), what is supported, what to change.

def stmt_text(stmt) -> str:
    """A TIR statement as TVMScript, without the buffer declarations the printer adds for free vars."""
    try:
        text = stmt.script(show_meta=False)
    except Exception:  # noqa: BLE001  (printing is best effort inside an error path)
        return str(stmt)
    lines = [ln for ln in text.splitlines()
             if ln.strip() and not ln.startswith("#") and " = T.Buffer(" not in ln
             and not ln.rstrip().endswith("= T.int32()")]
    return "\n".join(lines) if lines else text


def compile_error(kernel: str, problem: str, stmt=None, supported: str | None = None,
                  fix: str | None = None, cls=TTCompileError) -> TTError:
    """A TT error naming the kernel, the offending statement, what is supported and what to change."""
    msg = f"kernel '{kernel}': {problem}"
    if stmt is not None:
        msg += "\n  offending statement:\n    " + stmt_text(stmt).replace("\n", "\n    ")
    if supported:
        msg += f"\n  supported: {supported}"
    if fix:
        msg += f"\n  fix: {fix}"
    return cls(msg)


def fail(kernel: str, problem: str, stmt=None, supported: str | None = None, fix: str | None = None,
         cls=TTCompileError):
    """Raise compile_error(...)."""
    raise compile_error(kernel, problem, stmt, supported, fix, cls)


def check_kernel_name(name: str) -> str:
    """A kernel name is any non-empty string (it reaches C++ and files only sanitized); the empty
    global_symbol TVM allows would leave a module function nobody can call."""
    if not isinstance(name, str) or not name.strip():
        raise TTCompileError(
            f"kernel {name!r}: the kernel's name (its global_symbol attribute) is empty, so the built module "
            f"would have no function to call; fix: give the function a name, e.g. "
            f"func.with_attr('global_symbol', 'my_kernel'), or drop the attribute to use the function's own name")
    return name
