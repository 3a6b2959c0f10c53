"""Self-contained reproducer scripts: one Python file per failing case, runnable as `python <file>`."""
from __future__ import annotations

import json
import re
from pathlib import Path

from .case import Case, Outcome

TEMPLATE = '''"""Reproducer of a tilelang_tt fuzz failure: {outcome} [{category}].

Run it with `python {filename}` (exit status 1 while the failure reproduces). It needs only tilelang_tt:
the case below rebuilds the kernel, its inputs (from their seeds) and its bounded reference.

What the fuzzer saw:
{detail}

The kernel (TVMScript):
{script}
"""
import json
import sys

CASE = json.loads({case!r})

if __name__ == "__main__":
    from tilelang_tt.fuzz import run_case

    outcome = run_case(CASE)
    print(outcome.describe())
    sys.exit(1 if outcome.failed else 0)
'''


def _indent(text: str, limit: int = 4000) -> str:
    text = text if len(text) <= limit else text[:limit] + "\n..."
    return "\n".join("    " + line for line in text.replace('"""', "'''").replace("\\", "\\\\").splitlines())


def kernel_script(case: Case) -> str:
    try:
        return case.build().script()
    except Exception as err:  # noqa: BLE001  (the reproducer still carries the case)
        return f"(the kernel does not build: {type(err).__name__}: {err})"


def write(directory, index: int, case: Case, outcome: Outcome) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", outcome.category).strip("_")
    path = directory / f"repro_{index:04d}_{slug}.py"
    path.write_text(TEMPLATE.format(outcome=outcome.outcome, category=outcome.category, filename=path.name,
                                    detail=_indent(outcome.detail), script=_indent(kernel_script(case)),
                                    case=json.dumps(json.loads(case.to_json()), sort_keys=True)))
    return path
