"""MCP server overhead: start-up time of ``unstuck mcp`` and the cost of a tool call against the Python API.

Usage::

    python benchmarks/mcp_overhead.py [--starts 5] [--calls 50] [--diagnoses 3]

Start-up: wall time from launching ``unstuck mcp`` (the SDK's stdio client, as an
assistant's host does) until ``tools/list`` has answered, against ``unstuck --help``
in a fresh process. Per call: the median wall time of the same computation through
an MCP ``tools/call`` and through the plain Python API in the benchmark's own process,
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


def startup(root: Path, starts: int) -> tuple[float, float]:
    """Median seconds to a listed server, and to ``unstuck --help`` (a fresh interpreter importing the CLI)."""

    async def one() -> float:
        began = time.perf_counter()
        async with Client(_params(root)) as client:
            await client.list_tools()
            return time.perf_counter() - began

    served = [anyio.run(one) for _ in range(starts)]
    helped = []
    for _ in range(starts):
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from unstuck.cli import main; main()", "--help"],
            capture_output=True,
            check=True,
        )
        helped.append(time.perf_counter() - began)
    return _median_ms(served), _median_ms(helped)


def through_mcp(root: Path, name: str, arguments: dict[str, Any], repeats: int) -> tuple[float, int]:
    """Median milliseconds of ``repeats`` calls in one session (after one warm-up call), and the reply's text size."""

    async def session() -> tuple[list[float], int]:
        async with Client(_params(root), read_timeout_seconds=600) as client:
            warm = await client.call_tool(name, arguments)
            assert not warm.is_error, warm.content
            size = sum(len(block.text) for block in warm.content if getattr(block, "type", "") == "text")
            times = []
            for _ in range(repeats):
                began = time.perf_counter()
                result = await client.call_tool(name, arguments)
                times.append(time.perf_counter() - began)
                assert not result.is_error
            return times, size

    times, size = anyio.run(session)
    return _median_ms(times), size


def in_process(root: Path, name: str, arguments: dict[str, Any], repeats: int) -> float:
    """Median milliseconds of the same computation through the Python API (after one warm-up)."""
    import unstuck
    from unstuck.assistant.tools import cost, report_json

    def call() -> object:
        if name == "cost":
            return cost(**arguments)
        return report_json(
            unstuck.diagnose(root / arguments["train"], dev=root / arguments["dev"], target=arguments["target"])
        )

    call()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return _median_ms(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--diagnoses", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="unstuck-mcp-bench-") as tmp:
        root = Path(tmp)
        _wine(root)
        served, helped = startup(root, args.starts)
        rows = []
        for name, arguments, repeats in (("cost", COST, args.calls), ("diagnose", DIAGNOSE, args.diagnoses)):
            mcp_ms, size = through_mcp(root, name, arguments, repeats)
            api_ms = in_process(root, name, arguments, repeats)
            rows.append((name, repeats, api_ms, mcp_ms, size))
    print(
        f"start-up to a listed server (median of {args.starts}): {served:.0f} ms; `unstuck --help`: {helped:.0f} ms\n"
    )
    print(
        "| tool | calls | Python API (ms, median) | MCP tools/call (ms, median) | overhead (ms) | reply text (chars) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, repeats, api_ms, mcp_ms, size in rows:
        print(f"| {name} | {repeats} | {api_ms:.1f} | {mcp_ms:.1f} | {mcp_ms - api_ms:+.1f} | {size:,} |")


if __name__ == "__main__":
    main()
