"""Code, config, tests and docs say why, never which ticket: a ticket number means nothing to
the next reader, and it goes stale the day the tracker moves."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKET = re.compile(r"\bissues?\s+#?\d+", re.IGNORECASE)
SCANNED = ("src", "tests", "docs", "benchmarks", ".ci", "pyproject.toml", "README.md")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".sh", ".txt", ".json", ".cfg", ".ini", ".yml", ".yaml", ""}


def _files() -> list[Path]:
    found: list[Path] = []
    for name in SCANNED:
        path = ROOT / name
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        found += [p for p in candidates if p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts]
    return found


def test_no_ticket_numbers_in_the_tree() -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _files()
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if TICKET.search(line)
    ]
    assert not hits, "say why, not which ticket:\n" + "\n".join(hits)


def test_the_scan_sees_the_tree() -> None:
    # a scan that reads nothing would pass for ever
    names = {p.relative_to(ROOT).as_posix() for p in _files()}
    assert {"README.md", "pyproject.toml", ".ci/run", "src/unstuck/pipeline.py"} <= names
