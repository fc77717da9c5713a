"""The errors unstuck raises for problems the user can fix.

Hierarchy::

    UnstuckError                 anything the user can act on; the CLI prints it and exits 2
     ├── InputError              a file, column or value the user gave is wrong
     │    ├── FileProblem        missing, unreadable or undecodable file
     │    ├── ColumnProblem      a column is absent, empty or of the wrong kind
     │    └── SplitProblem       a split is empty or the splits disagree
     └── ConfigError            an option or a project card is inconsistent

Every error carries a ``hint``: the one sentence that tells the user how to fix it.
The CLI prints ``message`` and ``hint`` as one paragraph, never a traceback.
"""

from __future__ import annotations

__all__ = [
    "ColumnProblem",
    "ConfigError",
    "FileProblem",
    "InputError",
    "SplitProblem",
    "UnstuckError",
]


class UnstuckError(Exception):
    """A problem the user can fix; ``hint`` says how."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InputError(UnstuckError):
    """A file, column or value the user supplied is wrong."""


class FileProblem(InputError):
    """A file is missing, unreadable, in an unknown format or not valid UTF-8."""


class ColumnProblem(InputError):
    """A column is missing, empty, constant where it must vary, or of the wrong kind."""


class SplitProblem(InputError):
    """A split is empty, or the splits do not share their columns."""


class ConfigError(UnstuckError):
    """Options or a project card that contradict each other or are out of range."""
