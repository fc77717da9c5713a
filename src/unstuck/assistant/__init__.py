"""unstuck for AI assistants: an MCP server (``unstuck mcp``) and a skill file (``unstuck skill install``).

- :mod:`~unstuck.assistant.sandbox`: the root folder every tool path must lie under;
- :mod:`~unstuck.assistant.tools`: what each tool computes, over the Python API, JSON out;
- :mod:`~unstuck.assistant.summary`: the short form of a report for an assistant's context;
- :mod:`~unstuck.assistant.server`: the MCP server over stdio (the ``mcp`` SDK, an optional extra);
- :mod:`~unstuck.assistant.runs`: the tools that run commands (``--allow-run``);
- :mod:`~unstuck.assistant.mcp_results`: what every tool shares to talk MCP (results, errors, progress);
- :mod:`~unstuck.assistant.skill`: the shipped ``SKILL.md`` and its installer.

Nothing here imports the ``mcp`` SDK at import time, so the package loads without it.
"""

from __future__ import annotations

__all__ = ["require_sdk"]


def require_sdk() -> None:
    """A ConfigError naming the extra to install when the ``mcp`` SDK (2.x) is missing."""
    from importlib.util import find_spec

    from unstuck.errors import ConfigError

    try:
        found = find_spec("mcp.server.mcpserver") is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        raise ConfigError(
            "The MCP server needs the official `mcp` Python SDK, version 2 or later, which is not installed.",
            "Install it with: pip install 'unstuck[mcp]'",
        )
