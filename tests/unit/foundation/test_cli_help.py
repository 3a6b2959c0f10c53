"""Every command-line entry point explains itself: `--help` exits 0 and every option has help text."""
import re
import subprocess
import sys

import pytest

COMMANDS = [["tilelang_tt"], ["tilelang_tt", "demo"], ["tilelang_tt.fuzz"], ["tilelang_tt.realapi"],
            ["tilelang_tt.realapi", "check"]]


def _options_without_help(text: str) -> list[str]:
    """Option / positional lines of argparse's help whose description is missing (not on the same line,
    nor on the next, more deeply indented one)."""
    lines = text.splitlines()
    missing = []
    for i, line in enumerate(lines):
        m = re.match(r"^  (\S.*?)(\s{2,}(\S.*))?$", line)
        if not m or line.startswith("usage") or not line.startswith("  ") or line.startswith("   "):
            continue
        if m.group(3):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not re.match(r"^\s{8,}\S", nxt):
            missing.append(line.strip())
    return missing


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c))
def test_help_documents_every_option(cmd):
    out = subprocess.run([sys.executable, "-m", *cmd, "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "usage:" in out.stdout and len(out.stdout.splitlines()) > 5
    assert _options_without_help(out.stdout) == [], out.stdout


def test_top_level_without_a_command_prints_usage_and_fails():
    out = subprocess.run([sys.executable, "-m", "tilelang_tt"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "demo" in out.stdout
