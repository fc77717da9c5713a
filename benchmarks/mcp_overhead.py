"""MCP server overhead: start-up time of ``unstuck mcp`` and the cost of a tool call against the Python API.

Usage::

    python benchmarks/mcp_overhead.py [--starts 5] [--calls 50] [--diagnoses 5]

Start-up: wall time from launching ``unstuck mcp`` (the SDK's stdio client, as an
assistant's host does) until ``tools/list`` has answered, against ``unstuck --help``
in a fresh process. Per call: the median wall time of the same computation through
an MCP ``tools/call`` and through the plain Python API in the benchmark's own process (in turn),
for a cheap tool (``cost``, 24 months) and a real one (``diagnose`` on scikit-learn's
wine data, 178 rows, train/dev 70/30). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

COST = {
    "api_input_price": 2.5,
    "api_output_price": 10.0,
    "tokens_in": 800.0,
    "tokens_out": 150.0,
    "small_model_hourly": 1.2,
    "throughput": 40.0,
    "requests": 50000.0,
    "growth": 0.3,
}
DIAGNOSE = {"train": "train.csv", "dev": "dev.csv", "target": "target"}


def _params(root: Path) -> StdioServerParameters:
    env = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else None
    return StdioServerParameters(
        command=sys.executable,
        args=["-c", "from unstuck.cli import main; main()", "mcp", "--root", str(root)],
        cwd=str(root),
        env=env,
    )


def _wine(root: Path) -> None:
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    frame = load_wine(as_frame=True).frame
    train, dev = train_test_split(frame, test_size=0.3, random_state=0, stratify=frame["target"])
    train.to_csv(root / "train.csv", index=False)
    dev.to_csv(root / "dev.csv", index=False)


def _median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def _fresh(code: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    return time.perf_counter() - began


def startup(root: Path, starts: int) -> tuple[float, float, float]:
    """Median milliseconds to a listed server, to ``unstuck --help``, and to import the MCP SDK alone
    (each a fresh interpreter)."""

    async def one() -> float:
        began = time.perf_counter()
        async with Client(_params(root)) as client:
            await client.list_tools()
            return time.perf_counter() - began

    served = [anyio.run(one) for _ in range(starts)]
    helped = [
        _fresh("import sys; sys.argv = ['unstuck', '--help']\nfrom unstuck.cli import app\napp()")
        for _ in range(starts)
    ]
    sdk = [_fresh("import mcp.server.mcpserver") for _ in range(starts)]
    return _median_ms(served), _median_ms(helped), _median_ms(sdk)


def _api_call(root: Path, name: str, arguments: dict[str, Any]) -> object:
    """The tool's computation through the Python API, in this process."""
    import unstuck
    from unstuck.assistant.tools import cost, report_json

    if name == "cost":
        return cost(**arguments)
    return report_json(
        unstuck.diagnose(root / arguments["train"], dev=root / arguments["dev"], target=arguments["target"])
    )


def paired(root: Path, name: str, arguments: dict[str, Any], repeats: int) -> tuple[float, float, int]:
    """Median milliseconds through the Python API and through MCP ``tools/call``, and the reply's text size.

    The two run in turn (API, then MCP, ``repeats`` times, after one warm-up of each), so a change in
    the machine's load between them hits both alike.
    """

    async def session() -> tuple[list[float], list[float], int]:
        async with Client(_params(root), read_timeout_seconds=600) as client:
            _api_call(root, name, arguments)
            warm = await client.call_tool(name, arguments)
            assert not warm.is_error, warm.content
            size = sum(len(block.text) for block in warm.content if getattr(block, "type", "") == "text")
            api, mcp = [], []
            for _ in range(repeats):
                began = time.perf_counter()
                _api_call(root, name, arguments)
                api.append(time.perf_counter() - began)
                began = time.perf_counter()
                result = await client.call_tool(name, arguments)
                mcp.append(time.perf_counter() - began)
                assert not result.is_error
            return api, mcp, size

    api, mcp, size = anyio.run(session)
    return _median_ms(api), _median_ms(mcp), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--diagnoses", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="unstuck-mcp-bench-") as tmp:
        root = Path(tmp)
        _wine(root)
        served, helped, sdk = startup(root, args.starts)
        rows = []
        for name, arguments, repeats in (("cost", COST, args.calls), ("diagnose", DIAGNOSE, args.diagnoses)):
            api_ms, mcp_ms, size = paired(root, name, arguments, repeats)
            rows.append((name, repeats, api_ms, mcp_ms, size))
    print(
        f"start-up to a listed server (median of {args.starts}): {served:.0f} ms; `unstuck --help`: {helped:.0f} ms; "
        f"importing the MCP SDK alone: {sdk:.0f} ms\n"
    )
    print(
        "| tool | calls | Python API (ms, median) | MCP tools/call (ms, median) | overhead (ms) | reply text (chars) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, repeats, api_ms, mcp_ms, size in rows:
        print(f"| {name} | {repeats} | {api_ms:.1f} | {mcp_ms:.1f} | {mcp_ms - api_ms:+.1f} | {size:,} |")


if __name__ == "__main__":
    main()
