"""``unstuck mcp`` end to end: the official SDK's client starts the server as a subprocess over stdio.

Each test opens its own session (about a second to start), calls tools the way an
assistant would, and reads the results as the client receives them.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pandas as pd
import pytest
from mcp import Client, StdioServerParameters

from unstuck.schemas import validate

READ_TOOLS = {"diagnose", "explore", "learning_curve", "plan", "log", "show", "compare", "cost", "report_summary"}
RUN_TOOLS = {"run", "sweep", "curve_command", "try_intervention"}


def _server(root: Path, *extra: str) -> StdioServerParameters:
    env = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
    return StdioServerParameters(
        command=sys.executable,
        args=["-c", "from unstuck.cli import main; main()", "mcp", "--root", str(root), *extra],
        env=env,
        cwd=str(root),
    )


def in_session(root: Path, scenario: Callable[[Client], Awaitable[Any]], *extra: str) -> Any:
    """Start ``unstuck mcp --root ROOT EXTRA`` and run ``scenario`` against it; return what it returns."""

    async def main() -> Any:
        async with Client(_server(root, *extra), read_timeout_seconds=300) as client:
            return await scenario(client)

    return anyio.run(main)


def _text(result: Any) -> str:
    return "".join(block.text for block in result.content if getattr(block, "type", "") == "text")


@pytest.fixture(scope="module")
def wine_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scikit-learn's bundled wine data (178 rows, 3 classes) as train/dev CSV files in a fresh root."""
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    root = tmp_path_factory.mktemp("mcp-root")
    frame = load_wine(as_frame=True).frame
    train, dev = train_test_split(frame, test_size=0.3, random_state=0, stratify=frame["target"])
    train.to_csv(root / "train.csv", index=False)
    dev.to_csv(root / "dev.csv", index=False)
    return root


def test_lists_the_read_only_tools_with_typed_parameters(wine_root: Path) -> None:
    async def scenario(client: Client) -> Any:
        return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in in_session(wine_root, scenario)}
    assert set(tools) == READ_TOOLS
    assert all(tool.annotations is not None and tool.annotations.read_only_hint for tool in tools.values())
    schema = tools["diagnose"].input_schema["properties"]
    assert schema["seed"]["type"] == "integer"
    assert {"type": "number"} in schema["human_error"]["anyOf"]
    assert tools["learning_curve"].input_schema["required"] == ["train", "target"]
    # every data parameter says what it takes; descriptions carry no source indentation
    assert "0.02 = 2%" in schema["human_error"]["description"]
    assert all("description" in schema[name] for name in ("train", "target", "dev", "test", "predictions", "seed"))
    assert all("\n    " not in tool.description for tool in tools.values())


def test_diagnose_follows_the_report_schema_with_progress_and_matches_the_python_api(wine_root: Path) -> None:
    import unstuck
    from unstuck.assistant.tools import report_json

    progress: list[tuple[float, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, message))

    async def scenario(client: Client) -> Any:
        return await client.call_tool(
            "diagnose", {"train": "train.csv", "dev": "dev.csv", "target": "target"}, progress_callback=on_progress
        )

    result = in_session(wine_root, scenario)
    assert not result.is_error, _text(result)
    report = result.structured_content
    validate(report, "report-1")
    assert json.loads(_text(result)) == report
    # 178 rows split 70/30 into the files; 124 training rows are too few to carve a train-dev split,
    # whose error comes from out-of-fold predictions
    assert report["splits"] == {"train": 124, "dev": 54} and report["errors"]["train_dev"] is not None
    assert "sections" not in report  # long tables only on request
    expected = report_json(unstuck.diagnose(wine_root / "train.csv", dev=wine_root / "dev.csv", target="target"))
    # the same report but for the wall-clock times, which no two runs share
    assert set(report["timings"]) == set(expected["timings"])
    assert {k: v for k, v in report.items() if k != "timings"} == {k: v for k, v in expected.items() if k != "timings"}

    # one notification per step of the diagnosis, numbered 1, 2, 3, ..., each saying what runs
    assert len(progress) >= 10
    assert [value for value, _ in progress] == [float(i) for i in range(1, len(progress) + 1)]
    assert any("baselines" in (message or "") for _, message in progress)


def test_paths_outside_the_root_are_refused_and_the_session_goes_on(wine_root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    pd.DataFrame({"x": [1, 2, 3, 4], "target": [0, 1, 0, 1]}).to_csv(outside, index=False)
    link = wine_root / "link.csv"
    link.symlink_to(outside)

    async def scenario(client: Client) -> list[Any]:
        return [
            await client.call_tool("diagnose", {"train": str(outside), "target": "target"}),
            await client.call_tool("explore", {"train": "../" + outside.parent.name + "/secret.csv", "target": "t"}),
            await client.call_tool("diagnose", {"train": "link.csv", "target": "target"}),
            await client.call_tool("report_summary", {"report": "/etc/hostname"}),
            await client.call_tool("plan", {}),
        ]

    try:
        absolute, dotted, symlinked, summary, plan = in_session(wine_root, scenario)
    finally:
        link.unlink()
    for refused, name in ((absolute, "train"), (dotted, "train"), (symlinked, "train"), (summary, "report")):
        assert refused.is_error
        text = _text(refused)
        assert f"The {name} '" in text and "is outside the folder this server may read" in text
        assert "fix: Pass a path under that folder" in text
    # a user error of another kind comes back as the CLI's problem-and-fix paragraph, as a tool error
    assert plan.is_error and "unstuck.toml" in _text(plan) and "fix:" in _text(plan)


def test_bad_calls_are_tool_errors_and_do_not_end_the_session(wine_root: Path) -> None:
    async def scenario(client: Client) -> list[Any]:
        return [
            await client.call_tool("diagnose", {"train": "train.csv", "target": "no_such_column"}),
            await client.call_tool("diagnose", {"train": "train.csv", "target": "target", "seed": "not a number"}),
            await client.call_tool("no_such_tool", {}),
            await client.call_tool("report_summary", {}),
            await client.call_tool(
                "cost",
                {
                    "api_input_price": 2.5,
                    "api_output_price": 10,
                    "tokens_in": 800,
                    "tokens_out": 150,
                    "small_model_hourly": 1.2,
                    "throughput": 40,
                    "requests": 50000,
                    "months": 3,
                },
            ),
        ]

    column, typed, unknown, no_report, cost = in_session(wine_root, scenario)
    assert column.is_error and "The target column 'no_such_column' is not in train.csv" in _text(column)
    assert "fix: Pass the right name" in _text(column)
    assert typed.is_error and "seed" in _text(typed)
    assert unknown.is_error and "no_such_tool" in _text(unknown)
    assert no_report.is_error and "There is no earlier diagnosis here" in _text(no_report)
    assert not cost.is_error  # the same session still answers
    validate(cost.structured_content, "cost-1")
    # 800 x 2.50 / 1e6 + 150 x 10 / 1e6 = $0.0035 a request; x 50,000 requests = $175 a month
    assert cost.structured_content["cost"]["months"][0]["api"] == pytest.approx(175.0)


def test_command_tools_need_allow_run(wine_root: Path, tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        textwrap.dedent(
            """
            import json, sys
            lr = float(sys.argv[sys.argv.index("--lr") + 1])
            print(json.dumps({"dev_error": round(0.3 - lr, 4)}))
            """
        )
    )
    root = tmp_path / "project"
    root.mkdir()
    (root / "train.py").write_text(script.read_text())
    call = {"command": [sys.executable, "train.py", "--lr", "0.1"], "hypothesis": "baseline"}

    async def refused(client: Client) -> tuple[set[str], Any]:
        names = {tool.name for tool in (await client.list_tools()).tools}
        return names, await client.call_tool("run", call)

    names, result = in_session(root, refused)
    assert names == READ_TOOLS
    assert result.is_error and "run" in _text(result)
    assert not (root / ".unstuck").exists()  # nothing ran, nothing was recorded

    async def allowed(client: Client) -> tuple[set[str], Any, Any, Any, Any, Any]:
        names = {tool.name for tool in (await client.list_tools()).tools}
        first = await client.call_tool("run", call)
        second = await client.call_tool(
            "run",
            {
                "command": [sys.executable, "train.py", "--lr", "0.2"],
                "hypothesis": "a higher learning rate cuts dev error",
                "expect": "dev_error -0.05",
                "parent": 1,
            },
        )
        compared = await client.call_tool("compare", {"first": 1, "second": 2})
        curve = await client.call_tool(
            "curve_command",
            {"command": [sys.executable, "train.py", "--lr", "{fraction}"], "fractions": [0.05, 0.1, 0.2]},
            progress_callback=on_progress,
        )
        swept = await client.call_tool(
            "sweep", {"command": [sys.executable, "train.py", "--lr", "{lr}"], "vary": ["lr=0.05,0.15"], "jobs": 2}
        )
        return names, first, second, compared, curve, swept

    progress: list[tuple[float, float | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total))

    names, first, second, compared, curve, swept = in_session(root, allowed, "--allow-run")
    assert names == READ_TOOLS | RUN_TOOLS
    assert not first.is_error, _text(first)
    record = first.structured_content["experiments"][0]
    assert record["status"] == "done" and record["metrics"] == {"dev_error": pytest.approx(0.2)}
    child = second.structured_content["experiments"][0]
    assert child["parent_id"] == 1 and child["metrics"] == {"dev_error": pytest.approx(0.1)}
    assert compared.structured_content["metrics"]["dev_error"] == [
        pytest.approx(0.2),
        pytest.approx(0.1),
        pytest.approx(-0.1),
    ]
    assert (root / ".unstuck" / "ledger.db").is_file()
    # the script's "learning rate" stands in for the data fraction: dev error 0.3 - fraction, one run each
    assert not curve.is_error, _text(curve)
    assert curve.structured_content["curve"]["errors"] == [pytest.approx(0.25), pytest.approx(0.2), pytest.approx(0.1)]
    assert progress == [(1.0, 3.0), (2.0, 3.0), (3.0, 3.0)]
    variants = swept.structured_content["experiments"]
    assert [(v["id"], v["status"]) for v in variants] == [(3, "done"), (4, "done")]
    assert [v["metrics"]["dev_error"] for v in variants] == [pytest.approx(0.25), pytest.approx(0.15)]


def test_try_intervention_refits_the_baseline_and_records_the_try(tmp_path: Path) -> None:
    """Iris split 70/30 (one training row already repeats a dev row, naturally), then 9 more dev rows
    copied into train: a fifth of dev is leaked, which moves the numbers, so leakage ranks first."""
    import pandas as pd
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    frame = load_iris(as_frame=True).frame
    train, dev = train_test_split(frame, test_size=0.3, random_state=0, stratify=frame["target"])
    train = pd.concat([train, dev.iloc[:9]])
    train.to_csv(tmp_path / "train.csv", index=False)
    dev.to_csv(tmp_path / "dev.csv", index=False)

    async def scenario(client: Client) -> list[Any]:
        return [
            await client.call_tool("try_intervention", {"rank": 1}),
            await client.call_tool("diagnose", {"train": "train.csv", "dev": "dev.csv", "target": "target"}),
            await client.call_tool("try_intervention", {"rank": 9}),
            await client.call_tool("try_intervention", {"rank": 1}),
            await client.call_tool("show", {"experiment_id": 1}),
        ]

    early, diagnosis, unranked, tried, shown = in_session(tmp_path, scenario, "--allow-run")
    assert early.is_error and "Call diagnose first" in _text(early)
    assert diagnosis.structured_content["bottleneck"] == "leakage"
    assert diagnosis.structured_content["interventions"][0]["lever"] == "fix_leakage"
    assert unranked.is_error and "no intervention ranked 9" in _text(unranked)
    outcome = tried.structured_content
    assert outcome["lever"] == "fix_leakage" and outcome["automatic"] and outcome["experiment_id"] == 1
    # all 114 train rows (none carved), then the 10 that repeat a dev row (9 copied, 1 natural) left out
    assert outcome["changed"] == {"train_rows": [114, 104]}
    assert outcome["gain"] == pytest.approx(outcome["dev_error_before"] - outcome["dev_error_after"])
    record = shown.structured_content
    assert record["interventions"] == ["fix_leakage"] and record["status"] == "done"
    assert record["metrics"]["dev_error_rate"] == pytest.approx(outcome["dev_error_after"])


NOISY_SERVER = """
import os
from unstuck.assistant.sandbox import Sandbox
from unstuck.assistant.server import build_server, serve

server = build_server(Sandbox.at("."))

@server.tool()
def noisy() -> str:
    print("stray python print")  # what a chatty library does; it sits in Python's stdout buffer
    os.write(1, b"stray C-level write\\n")
    return "ok"

serve(server)
"""


def test_stray_prints_never_reach_the_protocol_stream(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A tool that prints (as chatty libraries do) corrupts nothing the client reads, up to the server's exit."""
    env = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
    params = StdioServerParameters(command=sys.executable, args=["-c", NOISY_SERVER], env=env, cwd=str(tmp_path))

    async def main() -> list[Any]:
        async with Client(params) as client:
            return [await client.call_tool("noisy", {}), await client.call_tool("noisy", {})]

    with caplog.at_level("ERROR", logger="mcp.client.stdio"):
        results = anyio.run(main)
    assert [_text(r) for r in results] == ["ok", "ok"]
    # without serve()'s care, Python's buffered print is flushed onto the wire at exit and the client says so
    assert not [r for r in caplog.records if "Failed to parse JSONRPC message" in r.getMessage()]
