"""Rewrite the examples in README.md and docs/*.md from real runs of the commands they show.

Run from the repository root, after any change to what a command prints::

    python docs/generate.py                 # every block in README.md and docs/*.md
    python docs/generate.py demo plan-cost  # only the named examples
    python docs/generate.py --list          # the blocks and where they are
    python docs/generate.py --unmarked      # outputs in the docs that no example generates yet

A block in a Markdown file is the text between two markers::

    <!-- unstuck:begin NAME -->
    ...written by this script, never by hand...
    <!-- unstuck:end -->

(``NAME.PART`` for one part of an example whose session spans several blocks).
``docs/doc_examples.py`` says what each NAME runs: the input files it writes into a
fresh temporary folder, the commands (run as a user would, in a subprocess, 100
columns wide unless the example says otherwise) and the parts of their output that change from run to run (wall-clock
timings, temporary paths), which are masked when ``tests/test_docs_examples.py``
compares a block with what the commands print today.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from doc_examples import EXAMPLES, Example, Step

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- unstuck:begin ([a-z0-9-]+(?:\.[a-z0-9-]+)?) -->\n)(.*?)(<!-- unstuck:end -->)", re.S)
TMP_SHOWN = "/home/me/project"  # what a temporary folder's path reads as in a doc
HOME_SHOWN = "/home/me"  # what an example's own home folder reads as in a doc
#: The reader's own settings, which would change what the commands print: left out of their environment.
USER_SETTINGS = ("UNSTUCK_LEDGER", "MLFLOW_TRACKING_URI", "UNSTUCK_CACHE_DIR", "UNSTUCK_DEVICE")
#: The first line of a finding in a terminal report: its severity, then its title.
FINDING = re.compile(r"^  (?:info|warning|critical) +\S")


class ExampleFailed(RuntimeError):
    """A command of an example exited with another code than the example expects."""


@dataclass(frozen=True)
class Block:
    path: Path
    name: str
    text: str  # what the doc holds between the markers


def documents(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def blocks(root: Path = ROOT) -> Iterator[Block]:
    for path in documents(root):
        for match in BLOCK.finditer(path.read_text(encoding="utf-8")):
            yield Block(path, match.group(2), match.group(3))


def unmarked(root: Path = ROOT) -> Iterator[tuple[Path, int, str]]:
    """Fenced blocks that show a ``$ command`` but no generator writes: (file, line, first command)."""
    fence = re.compile(r"^```[a-z]*\n(.*?)^```$", re.S | re.M)
    for path in documents(root):
        text = BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
        for match in fence.finditer(text):
            command = next((line for line in match.group(1).splitlines() if line.startswith("$ ")), None)
            if command is not None:
                yield path, text.count("\n", 0, match.start()) + 1, command


def _argv(command: str) -> list[str]:
    words = shlex.split(command.replace("\\\n", " "))
    if words[0] == "python":
        return [sys.executable, *words[1:]]  # there may be no `python` on PATH (Debian has only python3)
    if words[0] == "unstuck":
        # the installed entry point of the interpreter running this script (a venv's, or
        # PYTHONPATH's source tree), never another unstuck found first on PATH
        return [sys.executable, "-c", "from unstuck.cli import main; main()", *words[1:]]
    return words


def run_command(command: str, cwd: Path, expect: int, width: int = 100, home: Path | None = None) -> str:
    """What a user sees in a terminal ``width`` columns wide: stdout and stderr as they interleave.

    With ``home``, the command's ``~`` is that folder, shown as ``/home/me``.
    """
    env = {k: v for k, v in os.environ.items() if k not in USER_SETTINGS}
    env |= {"COLUMNS": str(width), "NO_COLOR": "1", "PYTHONUNBUFFERED": "1", "TERM": "dumb"}
    if home is not None:
        env["HOME"] = str(home)
    if env.get("PYTHONPATH"):  # the commands run in another folder: a relative entry would point elsewhere
        env["PYTHONPATH"] = os.pathsep.join(str(Path(e).resolve()) for e in env["PYTHONPATH"].split(os.pathsep))
    done = subprocess.run(
        _argv(command),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != expect:
        raise ExampleFailed(f"`{command}` exited {done.returncode}, the example expects {expect}:\n{done.stdout}")
    printed = done.stdout if home is None else done.stdout.replace(str(home), HOME_SHOWN)
    lines = [line.rstrip() for line in printed.replace(str(cwd), TMP_SHOWN).splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def split_name(block: str) -> tuple[str, str]:
    """``NAME.PART`` -> (the example, its part); a plain ``NAME`` is the example's only part ``""``."""
    example, _, part = block.partition(".")
    return example, part


def produce(example: Example) -> dict[str, str]:
    """Each part's block text, from one fresh run of the example's commands."""
    if example.produce is not None:
        return {"": example.produce().rstrip("\n") + "\n"}
    with tempfile.TemporaryDirectory(prefix="unstuck-doc-") as tmp:
        folder = Path(tmp)
        home = folder / "home" if example.home else None
        if home is not None:
            home.mkdir()
        if example.setup is not None:
            example.setup(folder)
        shown: dict[str, list[str]] = {}
        fenced: dict[str, bool] = {}
        for step in example.steps:
            output = run_command(step.command, folder, step.expect, example.width, home)
            if step.hidden:
                continue
            part = [f"$ {step.shown or step.command}"] if example.show_commands and step.fenced else []
            part += _excerpt(output, step)
            shown.setdefault(step.part, []).append("\n".join(part))
            fenced[step.part] = step.fenced
    joint = "\n\n" if example.blank_between else "\n"
    return {
        name: "```\n" + joint.join(parts) + "\n```\n" if fenced[name] else joint.join(parts) + "\n"
        for name, parts in shown.items()
    }


def _excerpt(output: str, step: Step) -> list[str]:
    lines = output.splitlines()
    if step.keep_from is not None:
        start = next((i for i, line in enumerate(lines) if re.search(step.keep_from, line)), None)
        if start is None:
            raise ExampleFailed(f"`{step.command}` printed no line matching {step.keep_from!r}:\n{output}")
        lines = lines[start:]
    if step.only is not None:
        kept: list[str] = []
        for i, line in enumerate(lines):
            if re.search(step.only, line):
                if kept and not re.search(step.only, lines[i - 1]):
                    kept.append("...")
                kept.append(line)
        if not kept:
            raise ExampleFailed(f"`{step.command}` printed no line matching {step.only!r}:\n{output}")
        lines = kept
    if step.findings is not None:
        lines = _findings(lines, step)
    if step.until is not None:
        end = next((i for i, line in enumerate(lines) if re.search(step.until, line)), None)
        if end is None:
            raise ExampleFailed(f"`{step.command}` printed no line matching {step.until!r}:\n{output}")
        rest: list[str] = []
        if step.resume is not None:
            again = next((i for i in range(end, len(lines)) if re.search(step.resume, lines[i])), None)
            if again is None:
                raise ExampleFailed(f"`{step.command}` printed no line matching {step.resume!r}:\n{output}")
            rest = lines[again:]
        lines = [*lines[:end], "...", *rest]
    return lines


def _findings(lines: list[str], step: Step) -> list[str]:
    """The findings of a report whose first line matches ``step.findings``, "..." for what is left out."""
    starts = [i for i, line in enumerate(lines) if FINDING.match(line)]
    kept: list[str] = []
    last = -1
    for start in starts:
        end = start + 1
        while end < len(lines) and lines[end].startswith(" " * 13) and lines[end].strip():
            end += 1
        if re.search(step.findings or "", lines[start]):
            if start != last:
                kept.append("...")
            kept += lines[start:end]
            last = end
    if not kept:
        raise ExampleFailed(f"`{step.command}` printed no finding matching {step.findings!r}:\n" + "\n".join(lines))
    return [*kept, "..."] if last < len(lines) else kept


def masked(example: Example, text: str) -> str:
    """``text`` with what differs from run to run replaced, for comparison only."""
    for pattern, replacement in example.masks:
        text = re.sub(pattern, replacement, text, flags=re.M)
    return text


def difference(example: Example, shown: str, fresh: str) -> str:
    """An empty string when the doc shows what the commands print; else a unified diff."""
    a, b = masked(example, shown), masked(example, fresh)
    if a == b:
        return ""
    diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "in the doc", "printed now", lineterm="", n=1)
    return "\n".join(diff)


def rewrite(path: Path, fresh: dict[str, str]) -> bool:
    """Put the fresh text of every named block into ``path``; True when the file changed."""
    before = path.read_text(encoding="utf-8")
    after = BLOCK.sub(
        lambda m: m.group(1) + fresh[m.group(2)] + m.group(4) if m.group(2) in fresh else m.group(0), before
    )
    if after != before:
        path.write_text(after, encoding="utf-8")
    return after != before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these blocks (default: every block)")
    parser.add_argument("--list", action="store_true", help="list the blocks and the files that hold them")
    parser.add_argument(
        "--unmarked", action="store_true", help="list the outputs in the docs that no example generates yet"
    )
    args = parser.parse_args(argv)
    found = list(blocks())
    shown = {split_name(b.name)[0] for b in found}
    unknown = sorted(shown - EXAMPLES.keys()) + sorted(set(args.names) - EXAMPLES.keys())
    if unknown:
        print(f"no example in docs/doc_examples.py for: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.unmarked:
        for path, line, command in unmarked():
            print(f"{path.relative_to(ROOT)}:{line}: {command}")
        return 0
    if args.list:
        for b in found:
            slow = EXAMPLES[split_name(b.name)[0]].slow
            print(f"{b.name:28} {b.path.relative_to(ROOT)}{'  (slow)' if slow else ''}")
        return 0
    wanted = sorted(shown & (set(args.names) or EXAMPLES.keys()))
    fresh: dict[str, str] = {}
    for name in wanted:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        for part, text in produce(EXAMPLES[name]).items():
            fresh[f"{name}.{part}" if part else name] = text
    for path in documents():
        if rewrite(path, fresh):
            print(f"updated {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
