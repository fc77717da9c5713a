"""The skill file an AI assistant reads (``SKILL.md``), shipped in the package, and its installer.

Assistants that support skills (Claude's, and others following the same
format) load ``<skills dir>/<name>/SKILL.md`` and read its front matter
(``name``, ``description``) to decide when to use it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from unstuck.errors import FileProblem

__all__ = ["DEFAULT_SKILLS_DIR", "SKILL_NAME", "front_matter", "install_skill", "skill_text"]

SKILL_NAME = "unstuck"
DEFAULT_SKILLS_DIR = Path("~/.claude/skills")


def skill_text() -> str:
    """The shipped ``SKILL.md``, front matter included."""
    return files(__package__ or "unstuck.assistant").joinpath("SKILL.md").read_text(encoding="utf-8")


def front_matter(text: str) -> dict[str, str]:
    """The ``key: value`` lines between the leading ``---`` fences (empty when there are none)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    fields: dict[str, str] = {}
    for line in lines[1:]:
        if line.strip() == "---":
            return fields
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return {}


def install_skill(directory: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``directory/unstuck/SKILL.md``; return its path.

    An existing file with the same text is left as it is; a different one (the
    user may have edited it) is replaced only with ``overwrite``.
    """
    target = Path(directory).expanduser() / SKILL_NAME / "SKILL.md"
    text = skill_text()
    try:
        if target.exists() and not overwrite and target.read_text(encoding="utf-8") != text:
            raise FileProblem(
                f"'{target}' already exists and differs from the shipped skill; unstuck will not overwrite it.",
                "Pass --force to replace it, or --dir to install elsewhere.",
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FileProblem(
            f"Could not write the skill to '{target}': {exc.strerror}.", "Pass --dir with a writable folder."
        ) from None
    return target
