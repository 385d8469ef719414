"""The README's two commands are the ones a fresh machine runs, and CI runs the second."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_two_commands_and_ci_runs_the_second() -> None:
    install_and_run, test = quick_start()
    assert "\n" not in install_and_run and "\n" not in test, "each is one command line"
    assert "pip install . -c constraints.txt" in install_and_run
    assert "marsad run examples/sample-ar.txt" in install_and_run
    assert (ROOT / "examples" / "sample-ar.txt").exists()
    ci = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert ci[-1].strip() == test


def test_no_merge_conflict_markers_are_committed() -> None:
    """A merge resolved in haste once left both sides of a README table in place."""
    marker = re.compile(r"^(<{7}|>{7})( |$)|^={7}$", re.M)
    skip = {".git", ".venv", "node_modules", "__pycache__"}
    text = {".py", ".md", ".yaml", ".yml", ".tsv", ".toml", ".txt", ".js", ".html", ".css", ".json"}
    found = []
    for here, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in skip]  # never walk a virtualenv or git's objects
        for name in files:
            path = Path(here, name)
            if path.suffix in text and marker.search(path.read_text(encoding="utf-8", errors="replace")):
                found.append(str(path.relative_to(ROOT)))
    assert not found, f"merge conflict markers in {found}"
