"""The command line: the only place in unstuck that prints or exits.

Each command lives in its own module of this package and adds itself to the
Typer app through ``register(app)``; ``COMMANDS`` lists them. Command modules
import heavy libraries inside their functions, so ``unstuck --help`` is instant.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import Any

import typer
from rich.markup import escape

from unstuck.cli._console import enable_debug_logging, err_console
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


@app.callback()
def _everywhere(
    debug: bool = typer.Option(
        False,
        "--debug",
        envvar="UNSTUCK_DEBUG",
        help="Log to stderr what unstuck does, with the traceback of any check that failed.",
    ),
) -> None:
    if debug:
        enable_debug_logging()


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
    """Console-script entry point: user errors become one paragraph and exit code 2.

    Typer runs in non-standalone mode so that a mistyped option or a missing
    argument gets the same error/fix paragraph as any other user error,
    instead of click's usage dump.
    """
    exceptions = _click_exceptions()
    try:
        code = app(prog_name="unstuck", standalone_mode=False)
    except UnstuckError as exc:
        _print_error(exc.message, exc.hint)
        sys.exit(2)
    except exceptions.NoArgsIsHelpError as exc:
        exc.show()  # bare `unstuck`: the help text is the answer
        sys.exit(exc.exit_code)
    except exceptions.UsageError as exc:
        _print_error(exc.format_message(), usage_hint(exc))
        sys.exit(2)
    except exceptions.ClickException as exc:
        _print_error(exc.format_message(), "Check the path and its permissions.")
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("interrupted")
        sys.exit(130)
    if isinstance(code, int) and code:
        sys.exit(code)


def _click_exceptions() -> ModuleType:
    """click's exception classes: typer ≥ 0.24 vendors click as ``typer._click``, older typer uses click itself."""
    try:
        return import_module("typer._click.exceptions")
    except ImportError:
        return import_module("click.exceptions")


def usage_hint(exc: Any) -> str:
    """The fix for a command-line usage error: where the command's forms are listed, and the one most often missed."""
    path = exc.ctx.command_path if exc.ctx is not None else "unstuck"
    param = getattr(exc, "param", None)
    if param is not None and param.name == "command":
        return f"Put the command to run after --, for example: {path} -H 'lower lr helps' -- python train.py"
    if exc.ctx is None or exc.ctx.command_path == "unstuck":
        return "Run unstuck --help for the commands, and unstuck COMMAND --help for a command's options."
    return f"Run {path} --help for its options and the values each accepts."


def _print_error(message: str, hint: str) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    if hint:
        err_console.print(f"[bold]fix:[/] {escape(hint)}", highlight=False)
