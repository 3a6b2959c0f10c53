"""CompileOptions: every compile-time choice a user can make, with its default and its check.

This is the only home of option defaults. Options arrive three ways and are validated once, here:
keyword arguments (`tilelang_tt.compile(..., cb_depth=3)`, `lower_to_tt(..., math_fidelity="HiFi2")`),
function attributes (`T.func_attr({"tt.cb_depth": 3})`, which is how they travel through `tvm.build`),
and for the API profile also the target (`libs=["api=E3"]`). Keyword arguments win over attributes,
attributes over the target, the target over the defaults. `to_attrs` / `from_func` are the one place
options are serialized to and from PrimFunc attributes.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .errors import TTTargetError
from .target import MATH_FIDELITIES, STORAGE_FORMATS, storage_format, storage_name

CORE_POLICIES = ("contiguous", "2d_blocked")
SCHEDULES = ("auto", "naive", "blocked", "subblocked", "multicast")
PARTIALS = ("auto", "reload", "l1_acc")
DST_MODES = ("half", "full")
ATTR_PREFIX = "tt."


def _default_profile() -> str:
    from .codegen.profiles import DEFAULT_PROFILE   # codegen loads lazily; the table lives there
    return DEFAULT_PROFILE


@dataclass(frozen=True)
class CompileOptions:
    """What the compiler may choose, and what the user fixed.

    api_profile:   TT-Metalium API era of the generated code (codegen/profiles.py); None = current era.
    core_policy:   how the naive schedule spreads the grid's blocks over cores ("contiguous" runs of
                   block ids, or "2d_blocked" rectangles).
    max_cores:     cap on the Tensix cores used (None: the whole compute grid).
    cb_depth:      buffering depth of input circular buffers, in blocks (2 = double buffering).
    math_fidelity: LoFi | HiFi2 | HiFi3 | HiFi4 (matrix engine passes per product).
    dst_mode:      "half" (DST split in two halves so math and pack overlap) or "full" sync.
    schedule:      "auto" (the compiler picks, matmul kernels by modeled throughput) or one of the
                   named schedules; a matmul-only schedule on a kernel that is not a matmul is an error.
    grid, per_core_m, per_core_n, in0_block_w, subblock_h, subblock_w:
                   matmul schedule overrides (cores as (cols, rows); block sizes in tiles); None lets
                   the chooser decide.
    partials:      how matmul schedules carry partial sums across K blocks: "reload" (packed to an
                   intermediate CB and copied back into DST every K block), "l1_acc" (the packer
                   accumulates them in L1; copied back once, for the last K block) or "auto".
    storage:       storage formats of kernel parameters, separate from their dtype: {"B": "bfp8_b"}
                   keeps B's logical dtype bfloat16 and stores it in DRAM (and its CBs) as Bfp8_b tiles
                   (bfp8_b | bfp4_b). Kept as sorted (name, DataFormat) pairs; checked against the
                   kernel's parameters by the schedule (schedule/common.py tensors_of).
    """
    api_profile: str | None = None
    core_policy: str = "contiguous"
    max_cores: int | None = None
    cb_depth: int = 2
    math_fidelity: str = "HiFi4"
    dst_mode: str = "half"
    schedule: str = "auto"
    grid: tuple | None = None
    per_core_m: int | None = None
    per_core_n: int | None = None
    in0_block_w: int | None = None
    subblock_h: int | None = None
    subblock_w: int | None = None
    partials: str = "auto"
    storage: tuple = ()

    def __post_init__(self):
        self.validate()

    # ------------------------------------------------------------------------------------- checks
    def validate(self) -> None:
        _choice("core_policy", self.core_policy, CORE_POLICIES)
        _choice("math_fidelity", self.math_fidelity, MATH_FIDELITIES)
        _choice("dst_mode", self.dst_mode, DST_MODES)
        _choice("schedule", self.schedule, SCHEDULES)
        _choice("partials", self.partials, PARTIALS)
        for name in ("cb_depth", "max_cores", "per_core_m", "per_core_n", "in0_block_w", "subblock_h",
                     "subblock_w"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _positive_int(name, getattr(self, name)))
        if self.grid is not None:
            g = tuple(self.grid) if isinstance(self.grid, (tuple, list)) else ()
            if len(g) != 2:
                raise TTTargetError(f"option grid must be (cols, rows), got {self.grid!r}")
            object.__setattr__(self, "grid", tuple(_positive_int("grid", v) for v in g))
        object.__setattr__(self, "storage", _storage(self.storage))
        if self.api_profile is not None:
            from .codegen.profiles import get_profile
            get_profile(self.api_profile)   # TTTargetError naming the known profiles

    @property
    def profile(self) -> str:
        return self.api_profile or _default_profile()

    @property
    def matmul_overrides(self) -> dict:
        """The matmul schedule parameters the user fixed (name -> value)."""
        names = ("grid", "per_core_m", "per_core_n", "in0_block_w", "subblock_h", "subblock_w")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    # ------------------------------------------------------------------------------ serialization
    def to_attrs(self) -> dict:
        """The non-default options as PrimFunc attributes {"tt.<name>": value}."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != f.default:
                if f.name == "storage":       # a map {tensor: "bfp8_b"}, as the user writes it
                    value = {name: storage_name(fmt) for name, fmt in value}
                out[ATTR_PREFIX + f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_func(cls, func, target=None, **overrides) -> "CompileOptions":
        """Options of a kernel: keyword overrides (None = not given), then the function's `tt.*`
        attributes, then the target's `libs=["api=..."]`, then the defaults."""
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TTTargetError(f"unknown compile option(s) {', '.join(sorted(unknown))}; "
                                f"known: {', '.join(sorted(known))}")
        values = {}
        attrs = func.attrs if func is not None and func.attrs is not None else {}
        for name in known:
            key = ATTR_PREFIX + name
            if key in attrs:
                values[name] = _plain(attrs[key])
        if "api_profile" not in values and target is not None:
            for lib in target.attrs.get("libs", []) or []:
                if str(lib).startswith("api="):
                    values["api_profile"] = str(lib)[4:]
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except TTTargetError as e:
            if func is None:
                raise
            from .frontend.program import kernel_name
            raise TTTargetError(f"kernel '{kernel_name(func)}': {e}") from None

    def with_(self, **changes) -> "CompileOptions":
        return replace(self, **changes)


def _plain(value):
    """A TVM attribute value as a plain Python value (IntImm -> int, String -> str, Array -> tuple)."""
    from tvm import tirx

    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tirx.IntImm):
        return int(value.value)
    if isinstance(value, tirx.FloatImm):
        return float(value.value)
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "__len__") and not hasattr(value, "items") and not isinstance(value, str):
        try:
            return tuple(_plain(v) for v in value)
        except TypeError:
            pass
    text = str(value)
    return text


def _storage(value) -> tuple:
    """The storage option as sorted (tensor name, DataFormat) pairs, from a dict {name: format} or pairs."""
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, (tuple, list)) and all(isinstance(p, (tuple, list)) and len(p) == 2 for p in value):
        pairs = [tuple(p) for p in value]
    else:
        raise TTTargetError(f"option storage={value!r} must map parameter names to storage formats, "
                            f"e.g. storage={{\"B\": \"bfp8_b\"}}")
    out = {}
    for name, fmt in pairs:
        if not isinstance(name, str) or not isinstance(fmt, str):
            raise TTTargetError(f"option storage={value!r} must map parameter names (str) to storage formats "
                                f"(str), e.g. storage={{\"B\": \"bfp8_b\"}}")
        try:
            out[name] = storage_format(fmt)
        except ValueError:
            raise TTTargetError(f"option storage: parameter {name!r} is declared {fmt!r}, which is not a storage "
                                f"format; choose one of: {', '.join(STORAGE_FORMATS)} (e.g. "
                                f"storage={{\"{name}\": \"bfp8_b\"}})") from None
    return tuple(sorted(out.items()))


def _choice(name, value, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise TTTargetError(f"option {name}={value!r} is not supported; choose one of: {', '.join(allowed)}")


def _positive_int(name, value) -> int:
    """value as an int; numpy integers are accepted, bools, floats and strings are not (1.5 or "4" would
    otherwise be truncated or parsed somewhere downstream)."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise TTTargetError(f"option {name}={value!r} must be a positive integer (a Python int, e.g. "
                            f"{name}=2)")
    return int(value)
