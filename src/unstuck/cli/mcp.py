"""``unstuck mcp`` (the MCP server for AI assistants) and ``unstuck skill install`` (its skill file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from unstuck.cli._console import console

__all__ = ["register"]

skill_app = typer.Typer(
    name="skill",
    help="The skill file that teaches an AI assistant the method and the unstuck tools.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def mcp(
    root: Annotated[
        Path,
        typer.Option(help="The only folder the tools may read; paths outside it are refused. Default: here."),
    ] = Path("."),
    allow_run: Annotated[
        bool,
        typer.Option(
            "--allow-run",
            help="Also offer the tools that run commands or write the ledger: run, sweep and try_intervention "
            "(each recorded in the ledger under the root) and curve_command (a training command's learning "
            "curve).",
        ),
    ] = False,
) -> None:
    """Serve unstuck's tools to an AI assistant over stdio (Model Context Protocol)."""
    from unstuck.assistant import require_sdk
    from unstuck.assistant.sandbox import Sandbox

    require_sdk()
    from unstuck.assistant.server import build_server, serve

    serve(build_server(Sandbox.at(root), allow_run=allow_run))


@skill_app.command("install")
def install(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="Folder to write the skill into (its SKILL.md goes in DIR/unstuck/). Default: ~/.claude/skills.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing, different SKILL.md.")] = False,
) -> None:
    """Write SKILL.md: when an assistant should call which unstuck tool, in the method's order."""
    from unstuck.assistant.skill import DEFAULT_SKILLS_DIR, install_skill

    written = install_skill(directory if directory is not None else DEFAULT_SKILLS_DIR, overwrite=force)
    console.print(f"Wrote {written}", soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp)
    app.add_typer(skill_app)
