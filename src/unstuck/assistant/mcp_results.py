"""How a tool talks MCP: its JSON result, a user error as a tool error, progress, its description.

Shared by the read-only tools (:mod:`~unstuck.assistant.server`) and the tools that run
commands (:mod:`~unstuck.assistant.runs`); both import it, neither imports the other's
helpers.
"""

from __future__ import annotations

import inspect
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations

__all__ = ["JsonResult", "described", "json_result", "progress_reporter", "tool_error_text", "user_errors"]

#: A tool's JSON result: the object as structured content, and the same object as compact JSON text
#: (the SDK's own text is indented, which costs an assistant's context about twice the tokens).
JsonResult = Annotated[CallToolResult, dict[str, Any]]

_Tool = TypeVar("_Tool", bound=Callable[..., Any])


def json_result(document: dict[str, Any]) -> CallToolResult:
    """``document`` as a tool result: structured content plus the same JSON as compact text."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=document)


def tool_error_text(exc: Exception) -> str:
    """The CLI's one paragraph for a user error: the problem, then ``fix:`` and the hint."""
    from unstuck.errors import UnstuckError

    if isinstance(exc, UnstuckError):
        return f"{exc.message} fix: {exc.hint}" if exc.hint else exc.message
    return str(exc)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn an UnstuckError into the SDK's ToolError: an ``isError`` result, not a crash."""
    from unstuck.errors import UnstuckError

    try:
        yield
    except UnstuckError as exc:
        raise ToolError(tool_error_text(exc)) from exc


def progress_reporter(ctx: Context[Any, Any], total: float | None = None) -> Callable[[str], None]:
    """A callback that sends each message as an MCP progress notification, numbered 1, 2, 3, ...

    Call it in the tool's worker thread (the SDK runs synchronous tools there);
    the callback it returns may then be called from any thread (the ledger's
    runners use their own), as it hands each notification to the event loop by
    the loop's token.
    """
    import anyio.from_thread
    import anyio.lowlevel

    token = anyio.from_thread.run_sync(anyio.lowlevel.current_token)
    counter = itertools.count(1)
    lock = threading.Lock()

    def report(message: str) -> None:
        with lock:  # numbers in the order they are sent
            anyio.from_thread.run(ctx.report_progress, float(next(counter)), total, message, token=token)

    return report


def described(server: MCPServer, annotations: ToolAnnotations) -> Callable[[_Tool], _Tool]:
    """Register a function as a tool whose description is its docstring, dedented for the assistant to read."""

    def register(function: _Tool) -> _Tool:
        server.tool(annotations=annotations, description=inspect.cleandoc(function.__doc__ or ""))(function)
        return function

    return register
