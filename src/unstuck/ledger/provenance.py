"""Where an experiment came from: data fingerprints, git state, host and process.

Everything here reads, nothing writes. Git is asked through its command line
(``git rev-parse``, ``git status --porcelain``, ``git diff HEAD``) with a short
timeout, so a missing git or a folder outside a repository simply gives None.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from unstuck.errors import FileProblem

__all__ = ["MAX_DIFF_CHARS", "GitState", "command_files", "fingerprint", "git_state", "host_name", "pid_alive"]

#: A stored dirty diff is cut to this many characters (the cut is marked).
MAX_DIFF_CHARS = 200_000


@dataclass(frozen=True)
class GitState:
    """The commit checked out, whether tracked files differ from it, and that difference (``git diff HEAD``)."""

    commit: str | None
    dirty: bool | None
    diff: str | None


def _git(args: Sequence[str], cwd: Path) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20, check=False, errors="replace"
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_state(cwd: Path) -> GitState:
    """The git state of the repository holding ``cwd`` (all None outside a repository)."""
    commit = _git(["rev-parse", "HEAD"], cwd)
    if commit is None:
        return GitState(None, None, None)
    status = _git(["status", "--porcelain", "--untracked-files=no"], cwd) or ""
    dirty = bool(status.strip())
    diff = _git(["diff", "HEAD"], cwd) if dirty else None
    if diff is not None and len(diff) > MAX_DIFF_CHARS:
        diff = diff[:MAX_DIFF_CHARS] + f"\n[... diff cut at {MAX_DIFF_CHARS} characters]\n"
    return GitState(commit.strip(), dirty, diff)


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(paths: Iterable[Path], cwd: Path) -> dict[str, str]:
    """``{path as given: "sha256:<hex>"}`` for each file; a folder hashes its files' relative paths and contents.

    Raises
    ------
    FileProblem
        When a path does not exist.
    """
    out: dict[str, str] = {}
    for given in paths:
        path = given if given.is_absolute() else cwd / given
        if path.is_file():
            out[str(given)] = "sha256:" + _hash_file(path)
        elif path.is_dir():
            digest = hashlib.sha256()
            for item in sorted(p for p in path.rglob("*") if p.is_file()):
                digest.update(str(item.relative_to(path)).encode() + b"\0" + _hash_file(item).encode())
            out[str(given)] = "sha256:" + digest.hexdigest()
        else:
            raise FileProblem(f"The data path {given} does not exist.", hint="Give --data an existing file or folder.")
    return out


def command_files(argv: Sequence[str], cwd: Path) -> list[Path]:
    """Arguments of a command (past the program itself) that name existing files: the script and its inputs."""
    found = []
    for token in argv[1:]:
        candidate = token.split("=", 1)[1] if token.startswith("-") and "=" in token else token
        if not candidate or candidate.startswith("-"):
            continue
        path = Path(candidate)
        try:
            if (path if path.is_absolute() else cwd / path).is_file():
                found.append(path)
        except OSError:
            continue
    return found


def host_name() -> str:
    """This machine's host name."""
    return socket.gethostname()


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (signal 0 probes without touching it)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
