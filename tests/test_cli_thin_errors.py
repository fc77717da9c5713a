"""Bad input to the commands that now call a library function (curve, cost, distill, tag): one
paragraph (error, fix), exit code 2, no traceback, whichever layer found the problem."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import run_cli

COST = ["cost", "--api-input-price", "2.5", "--api-output-price", "10", "--small-model-hourly", "1.2"]
CURVE_COMMAND = ["--", sys.executable, "train.py", "--fraction", "{fraction}"]


def inputs(folder: Path) -> None:
    (folder / "train.py").write_text("import json; print(json.dumps({'dev_error': 0.1}))\n")
    lines = [{"prompt": f"text {i}", "response": "yes" if i % 2 else "no"} for i in range(40)]
    (folder / "t.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    y = np.array(list("ab") * 50)
    pred = y.copy()
    pred[:10] = np.where(y[:10] == "a", "b", "a")
    pd.DataFrame({"split": "dev", "y_true": y, "y_pred": pred}).to_csv(folder / "p.csv", index=False)


@pytest.mark.parametrize(
    ("args", "message", "fix"),
    [
        (["curve", "--seeds", "0,x", *CURVE_COMMAND], "--seeds must be a comma-separated list of ints", "0,1,2"),
        (["curve", "--jobs", "0", *CURVE_COMMAND], "The option jobs (--jobs) is 0, outside its range", "jobs=2"),
        (
            ["curve", "--rows", "-5", "--", sys.executable, "train.py", "--size", "{size}"],
            "The option rows (--rows) is -5, outside its range (at least 1).",
            "rows=50000",
        ),
        (
            [*COST, "--throughput", "40", "--tokens-in", "1", "--tokens-out", "1", "--volumes", ","],
            "is empty",
            "--volumes",
        ),
        ([*COST, "--throughput", "40", "--requests", "9"], "No token counts", "--tokens-in 800"),
        (
            ["distill", "t.jsonl", "--quality-floor", "2"],
            "The option quality_floor (--quality-floor) is 2.0, outside its range (more than 0 and at most 1).",
            "quality_floor=0.97",
        ),
        (["distill", "t.jsonl", "--models", ","], "Unknown small model(s) in --models: (none)", "Choose from"),
        (["tag", "--predictions", "p.csv", "--sample", "0", "-o", "s.csv"], "--sample 0 is not a positive", "at least"),
    ],
)
def test_bad_input_is_one_paragraph_and_exit_2(tmp_path: Path, args: list[str], message: str, fix: str) -> None:
    inputs(tmp_path)
    done = run_cli(args, cwd=tmp_path)
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    said = " ".join(done.stderr.split())  # the console wraps long lines
    assert message in said and "fix:" in said and fix in said, done.stderr
