"""Produce the transcript in docs/assistants.md: a real MCP session with ``unstuck mcp``.

Run from the repository root::

    python docs/generate.py assistant-transcript   # rewrites the transcript section of docs/assistants.md
    python docs/assistant_transcript.py            # the same
    python docs/assistant_transcript.py --print    # prints it instead

It builds a project folder in a temporary directory (scikit-learn's handwritten
digits split 60/20/20, a project card, a tiny training script), starts
``unstuck mcp --root FOLDER --allow-run`` with the official SDK's client over
stdio, and records each call and what came back. Long results are cut where
the transcript says so; every number shown is what the server returned.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

TRAIN_SCRIPT = """\
# A stand-in for the user's training script: a logistic regression on the digits,
# whose C (inverse regularisation strength) is the one variable an experiment changes.
import json, sys
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

c = float(sys.argv[sys.argv.index("--C") + 1])
train, dev = pd.read_csv("train.csv"), pd.read_csv("dev.csv")
model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
model.fit(train.drop(columns="digit"), train["digit"])
error = float((model.predict(dev.drop(columns="digit")) != dev["digit"]).mean())
print(json.dumps({"dev_error": round(error, 4)}))
"""


def _project(folder: Path) -> None:
    from unstuck.card import ProjectCard, write_card
    from unstuck.demo import demo_frames

    train, dev, test = demo_frames(0)
    for name, frame in (("train", train), ("dev", dev), ("test", test)):
        frame.to_csv(folder / f"{name}.csv", index=False)
    write_card(
        ProjectCard(
            data_type="structured",
            stage="prototype",
            task="classification",
            volume=1797,
            metric="error_rate",
            current=0.03,
            target=0.01,
            human_level=0.01,
        ),
        folder / "unstuck.toml",
    )
    (folder / "train.py").write_text(TRAIN_SCRIPT)


def _cut(value: Any, keep: int) -> Any:
    """Lists longer than ``keep`` cut to ``keep`` items plus a note of how many were left out."""
    if isinstance(value, list):
        kept = [_cut(v, keep) for v in value[:keep]]
        return kept + ([f"... {len(value) - keep} more"] if len(value) > keep else [])
    if isinstance(value, dict):
        return {k: _cut(v, keep) for k, v in value.items()}
    return value


def _block(kind: str, text: str) -> str:
    return f"```{kind}\n{text}\n```\n"


class Transcript:
    def __init__(self, client: Client, folder: Path) -> None:
        self.client, self.folder, self.parts = client, folder, []

    async def call(self, name: str, arguments: dict[str, Any], *, show: Any = None, note: str = "") -> Any:
        progress: list[str] = []

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append(f"{value:g}{'/' + format(total, 'g') if total else ''} {message}")

        result = await self.client.call_tool(name, arguments, progress_callback=on_progress)
        self.parts.append(f"**→ `{name}`**\n\n" + _block("json", json.dumps(arguments, indent=2)))
        if progress:
            shown = progress if len(progress) <= 4 else [*progress[:3], f"... ({len(progress)} in all)"]
            self.parts.append("progress notifications:\n\n" + _block("text", "\n".join(shown)))
        if result.is_error:
            text = "".join(b.text for b in result.content if getattr(b, "type", "") == "text")
            self.parts.append(
                "**← tool error** (`isError: true`)\n\n" + _block("text", "\n".join(textwrap.wrap(text, 110)))
            )
            return None
        document = result.structured_content
        body = show(document) if show is not None else document
        self.parts.append(f"**←** {note}\n\n" if note else "**←**\n\n")
        self.parts[-1] += _block("json", json.dumps(body, indent=2, ensure_ascii=False))
        return document


def _path(text: str, folder: Path) -> str:
    return text.replace(str(folder), "/home/me/digits")


async def _session(folder: Path) -> str:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", "from unstuck.cli import main; main()", "mcp", "--root", str(folder), "--allow-run"],
        cwd=str(folder),
        env={"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else None,
    )
    async with Client(params, read_timeout_seconds=600) as client:
        t = Transcript(client, folder)
        tools = (await client.list_tools()).tools
        t.parts.append("**→ `tools/list`**\n\n**←** " + ", ".join(f"`{tool.name}`" for tool in tools) + "\n")
        await t.call("plan", {}, show=lambda d: {**d, "steps": _cut(d["steps"], 3)}, note="(steps cut to 3)")
        await t.call(
            "explore",
            {"train": "train.csv", "dev": "dev.csv", "test": "test.csv", "target": "digit"},
            show=lambda d: {
                "schema": d["schema"],
                "splits": d["splits"],
                "findings": [f"{f['severity']}: {f['title']}" for f in d["findings"]],
                "skipped": [f"{s['check']}: {s['reason']}" for s in d["skipped"]],
            },
            note="(the findings' titles and the skipped checks; the full object also has each finding's evidence)",
        )
        await t.call(
            "diagnose",
            {"train": "train.csv", "dev": "dev.csv", "test": "test.csv", "target": "digit", "human_error": 0.01},
            show=lambda d: (
                {k: d[k] for k in ("schema", "task", "splits", "errors", "decomposition", "bottleneck")}
                | {"interventions": [f"{i['rank']}. {i['lever']}: {i['action']}" for i in d["interventions"]]}
            ),
            note="(selected keys; the full unstuck.report/1 object also holds every finding with its evidence)",
        )
        await t.call("report_summary", {"top": 2}, show=lambda d: _cut(d, 4), note="(in full, lists cut to 4)")
        await t.call("try_intervention", {"rank": 1})
        baseline = await t.call(
            "run",
            {"command": ["python", "train.py", "--C", "1.0"], "hypothesis": "baseline: logistic regression, C=1"},
            show=lambda d: [{k: e[k] for k in ("id", "status", "hypothesis", "metrics")} for e in d["experiments"]],
            note="(selected keys of the ledger record)",
        )
        parent = baseline["experiments"][0]["id"]
        child = await t.call(
            "run",
            {
                "command": ["python", "train.py", "--C", "0.1"],
                "hypothesis": "regularisation closes the train/train-dev gap",
                "expect": "dev_error -0.005",
                "parent": parent,
                "interventions": ["regularize"],
            },
            show=lambda d: [
                {k: e[k] for k in ("id", "status", "parent_id", "changed", "metrics", "verdict")}
                | {"verdict_reason": e["verdict_detail"].get("reason")}
                for e in d["experiments"]
            ],
            note="(selected keys of the ledger record)",
        )
        await t.call("compare", {"first": parent, "second": child["experiments"][0]["id"]})
        await t.call("diagnose", {"train": "/etc/passwd", "target": "x"})
        return _path("\n".join(t.parts), folder)


def transcript() -> str:
    """A fresh session's transcript, as Markdown."""
    with tempfile.TemporaryDirectory(prefix="unstuck-transcript-") as tmp:
        folder = Path(tmp)
        _project(folder)
        return anyio.run(_session, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print the transcript instead of updating the doc")
    args = parser.parse_args()
    if args.print:
        print(transcript())
        return
    from generate import main as generate

    sys.exit(generate(["assistant-transcript"]))


if __name__ == "__main__":
    main()
