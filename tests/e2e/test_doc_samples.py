"""Every Python sample a user can copy from README.md and docs/*.md runs.

The fenced ```python blocks of one page run in order in one fresh interpreter (a page's later samples may
use its earlier ones), in a clean temporary directory against the installed package. A block that cannot
run here says why on the line before its fence, as `<!-- not run: REASON -->` (a printed excerpt with
elisions, or a sample that needs a Tenstorrent card); nothing else is skipped. A doc that drifts from the
code fails here."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)[^\n]*$")
NOT_RUN = re.compile(r"^<!-- not run: (.+\S) -->$")


def python_blocks(page: Path):
    """[(first line number, code, reason it is not run or None)] of a page's ```python blocks."""
    lines = page.read_text().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        if m.group(1) in ("python", "py"):
            before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            skip = NOT_RUN.match(before.strip())
            blocks.append((i + 2, "\n".join(lines[i + 1:end]), skip.group(1) if skip else None))
        i = end + 1
    return blocks


RUN = [p for p in PAGES if any(reason is None for *_, reason in python_blocks(p))]


def test_samples_exist_and_every_skip_has_a_reason():
    blocks = [b for p in PAGES for b in python_blocks(p)]
    assert any(reason is None for *_, reason in blocks)
    assert all(reason is None or len(reason) > 10 for *_, reason in blocks)


@pytest.mark.parametrize("page", RUN, ids=lambda p: p.name)
def test_python_samples_of_page_run(page, tmp_path):
    parts = []
    for line, code, reason in python_blocks(page):
        if reason is None:
            parts.append(f"# --- {page.name}:{line}\n{code}\n")
    script = tmp_path / f"samples_of_{page.stem}.py"
    script.write_text("\n".join(parts))
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, f"a sample of {page.name} failed:\n{out.stdout}\n{out.stderr}"
