"""The assistant server's sandbox: every path a tool is given must lie under one root.

An AI assistant chooses the paths it passes, so the server resolves each one
(symbolic links and ``..`` included) and refuses any that lands outside the
root the user named when starting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from unstuck.errors import ConfigError

__all__ = ["OutsideRoot", "Sandbox"]


class OutsideRoot(ConfigError):
    """A tool was given a path that resolves outside the server's root."""


@dataclass(frozen=True)
class Sandbox:
    """The folder the server may read (and, with ``--allow-run``, record experiments in)."""

    root: Path

    @classmethod
    def at(cls, root: str | Path) -> Sandbox:
        """A sandbox on ``root`` (resolved); an absent or non-folder root is a ConfigError."""
        resolved = Path(root).expanduser().resolve()
        if not resolved.is_dir():
            raise ConfigError(
                f"The server's root '{root}' is not a folder.",
                "Pass --root with an existing folder that holds your data (default: the working directory).",
            )
        return cls(resolved)

    def path(self, value: str, what: str = "path") -> Path:
        """``value`` (relative to the root, or absolute) resolved, if it lies under the root.

        ``what`` names the parameter in the error, so the assistant knows which argument to fix.
        """
        if "\x00" in value:
            raise OutsideRoot(f"The {what} contains a NUL character.", "Pass a plain file path under the root.")
        candidate = Path(value).expanduser()
        resolved = (candidate if candidate.is_absolute() else self.root / candidate).resolve()
        if not resolved.is_relative_to(self.root):
            raise OutsideRoot(
                f"The {what} '{value}' is outside the folder this server may read ({self.root}).",
                "Pass a path under that folder (relative paths are taken from it), or restart the server "
                "with --root set to a folder that contains the file.",
            )
        return resolved

    def optional(self, value: str | None, what: str = "path") -> Path | None:
        """:meth:`path` for an optional parameter: ``None`` stays ``None``."""
        return None if value is None else self.path(value, what)
