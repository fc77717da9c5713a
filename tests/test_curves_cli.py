"""``unstuck curve``: command mode with a small real script, data mode, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from conftest import run_cli

SCRIPT = """
import argparse, json, os, sys
parser = argparse.ArgumentParser()
parser.add_argument("--fraction", type=float)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--size", type=int, default=0)
parser.add_argument("--fail-below", type=float, default=0.0)
parser.add_argument("--to-file", action="store_true")
args = parser.parse_args()
if args.fraction < args.fail_below:
    print("out of memory on the tiny fraction", file=sys.stderr)
    sys.exit(1)
n = args.size or args.fraction * 10000
# a known learning curve: dev_error = 0.05 + 2 / sqrt(n), with a little seed jitter
metrics = {"dev_error": 0.05 + 2.0 * n ** -0.5 + 0.0005 * (args.seed - 1), "accuracy": 0.95 - 2.0 * n ** -0.5}
print("epoch 1 done")
if args.to_file:
    with open(os.environ["UNSTUCK_METRICS_FILE"], "w") as handle:
        json.dump(metrics, handle)
else:
    print(json.dumps(metrics))
"""


def write_script(tmp_path: Path) -> Path:
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return path


def truth(n: float) -> float:
    return 0.05 + 2.0 * n**-0.5


def test_command_mode_fits_forecasts_and_survives_a_failing_run(tmp_path: Path) -> None:
    import sys

    script = write_script(tmp_path)
    out = tmp_path / "curve.json"
    args = ["curve", "--fractions", "0.02,0.05,0.1,0.2,0.4,0.7,1", "--seeds", "0,1,2", "--jobs", "2"]
    args += ["--json", str(out), "--", sys.executable, str(script), "--fraction", "{fraction}", "--seed", "{seed}"]
    args += ["--fail-below", "0.03"]
    result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "run failed (fraction=0.02, seed=0): exited with status 1" in result.stderr
    assert "out of memory on the tiny fraction" in result.stderr
    data = json.loads(out.read_text())
    assert data["schema"] == "unstuck.curve/1" and data["metric_key"] == "dev_error"
    assert data["failed"] == 3 and len(data["runs"]) == 21
    assert data["curve"]["sizes"] == [0.05, 0.1, 0.2, 0.4, 0.7, 1.0]
    assert not data["curve"]["ill_behaved"]
    forecast = data["forecast"]
    # fractions: 1.0 = 10,000 rows, so 2x = 20,000 and 10x = 100,000 rows
    assert abs(forecast["at_2x"] - truth(20_000)) < 0.002
    assert abs(forecast["at_10x"] - truth(100_000)) < 0.004
    assert forecast["interval_2x"][0] <= forecast["at_2x"] <= forecast["interval_2x"][1]
    assert "Forecast dev_error at 2x all the data" in result.stdout


def test_size_placeholder_metrics_file_and_maximize(tmp_path: Path) -> None:
    import sys

    script = write_script(tmp_path)
    out = tmp_path / "curve.json"
    args = ["curve", "--fractions", "0.05,0.1,0.2,0.4,1", "--rows", "10000", "--metric-key", "accuracy"]
    args += ["--maximize", "--quiet", "--json", str(out), "--", sys.executable, str(script)]
    args += ["--fraction", "{fraction}", "--size", "{size}", "--to-file"]
    result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    data = json.loads(out.read_text())
    assert [r["values"]["size"] for r in data["runs"]] == [500, 1000, 2000, 4000, 10000]
    assert data["curve"]["sizes"] == [500, 1000, 2000, 4000, 10000]
    # accuracy = 0.95 - 2/sqrt(n): at 20,000 rows 0.9359
    assert abs(data["forecast"]["at_2x"] - (0.95 - 2.0 * 20_000**-0.5)) < 0.002
    assert data["forecast"]["gain_2x"] > 0


def test_data_mode_writes_the_curve(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 10))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(10)])
    frame["y"] = np.where(x @ rng.normal(size=10) + rng.logistic(size=1000) > 0, "yes", "no")
    frame.iloc[:700].to_csv(tmp_path / "train.csv", index=False)
    frame.iloc[700:].to_csv(tmp_path / "dev.csv", index=False)
    out = tmp_path / "c.json"
    result = run_cli(["curve", "train.csv", "--dev", "dev.csv", "--target", "y", "--json", str(out)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Learning curve of the" in result.stdout
    data = json.loads(out.read_text())
    assert data["mode"] == "data"
    section = data["learning_curve"]
    assert section["n_train"] == 700  # under 1,000 training rows nothing is carved (train-dev is out-of-fold)
    assert {f["id"] for f in data["findings"]} & {
        "learning_curve.more_data",
        "learning_curve.saturated",
        "learning_curve.uncertain",
        "learning_curve.ill_behaved",
    }


def test_bad_input_exits_2_with_a_fix(tmp_path: Path) -> None:
    import sys

    script = str(write_script(tmp_path))
    (tmp_path / "t.csv").write_text("a,y\n1,0\n")
    cases = [
        (["curve"], "Nothing to fit a curve on"),
        (["curve", "t.csv"], "no --target was given"),
        (["curve", "--", sys.executable, script, "--fraction", "0.5"], "no {fraction} or {size} placeholder"),
        (["curve", "--", sys.executable, script, "--size", "{size}"], "Pass --rows"),
        (
            ["curve", "--fractions", "0.5,2", "--", sys.executable, script, "--fraction", "{fraction}"],
            "outside its range (more than 0 and at most 1)",
        ),
        (["curve", "--fractions", "a,b", "--", sys.executable, script, "--fraction", "{fraction}"], "comma-separated"),
        (
            [
                "curve",
                "--fractions",
                "0.1,0.2",
                "--",
                sys.executable,
                script,
                "--fraction",
                "{fraction}",
                "--fail-below",
                "1",
            ],
            "All 2 runs failed",
        ),
        (
            [
                "curve",
                "--fractions",
                "0.1,0.2",
                "--metric-key",
                "f1",
                "--",
                sys.executable,
                script,
                "--fraction",
                "{fraction}",
            ],
            "No run reported the metric 'f1'",
        ),
    ]
    for args, message in cases:
        result = run_cli(args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
