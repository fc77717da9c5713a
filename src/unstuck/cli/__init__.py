"""The command line: the only place in unstuck that prints or exits.

Each command lives in its own module of this package and adds itself to the
Typer app through ``register(app)``; ``COMMANDS`` lists them. Command modules
import heavy libraries inside their functions, so ``unstuck --help`` is instant.
"""

from __future__ import annotations

import sys
from importlib import import_module

import typer
from rich.markup import escape

from unstuck.cli._console import err_console
from unstuck.errors import UnstuckError

__all__ = ["app", "main"]

app = typer.Typer(
    name="unstuck",
    help="Diagnose a stuck machine-learning project: where the error comes from, and what to do next.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)

#: Command modules; each has ``register(app: typer.Typer) -> None``.
COMMANDS: tuple[str, ...] = (
    "unstuck.cli.diagnose",
    "unstuck.cli.project",
    "unstuck.cli.try_",
    "unstuck.cli.cost",
    "unstuck.cli.ledger",
    "unstuck.cli.report",
    "unstuck.cli.explore",
    "unstuck.cli.curve",
    "unstuck.cli.tag",
    "unstuck.cli.components",
    "unstuck.cli.mcp",
    "unstuck.cli.gate",
)

for _module in COMMANDS:
    import_module(_module).register(app)


def main() -> None:
    """Console-script entry point: user errors become one paragraph and exit code 2."""
    try:
        app()
    except UnstuckError as exc:
        err_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False)
        if exc.hint:
            err_console.print(f"[bold]fix:[/] {escape(exc.hint)}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
