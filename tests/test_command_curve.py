"""unstuck.command_curve and unstuck.baseline_curve: the curve modes as Python functions, no CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from unstuck.baseline_curve import baseline_curve
from unstuck.command_curve import NoCurve, choose_metric_key, command_curve
from unstuck.errors import ConfigError
from unstuck.pipeline import load_problem

# dev error 0.05 + 0.1 / sqrt(fraction), accuracy 1 - that; fails below fraction 0.1
SCRIPT = (
    "import json, sys\n"
    "f = float(sys.argv[sys.argv.index('--fraction') + 1])\n"
    "if f < 0.1:\n"
    "    print('too few rows', file=sys.stderr); sys.exit(3)\n"
    "e = 0.05 + 0.1 / f ** 0.5\n"
    "print(json.dumps({'dev_error': e, 'accuracy': 1 - e, 'note': 'text'}))\n"
)


def planted(tmp_path: Path) -> list[str]:
    (tmp_path / "train.py").write_text(SCRIPT)
    return [sys.executable, "train.py", "--fraction", "{fraction}"]


def test_the_curve_of_a_planted_command_and_its_failed_run(tmp_path: Path) -> None:
    command = planted(tmp_path)
    done: list[bool] = []
    curve = command_curve(
        command,
        fractions=[1.0, 0.05, 0.2, 0.4, 0.7, 0.2],
        seeds=[0],
        jobs=2,
        cwd=tmp_path,
        on_done=lambda r: done.append(r.ok),
    )
    assert len(curve.runs) == 5 and sorted(done) == [False, True, True, True, True]
    assert curve.metric_key == "dev_error" and curve.sign == 1.0
    [failure] = curve.failures
    assert failure.run.spec.values == {"fraction": 0.05, "seed": 0}
    assert failure.reason == "exited with status 3" and "too few rows" in failure.run.stderr_tail
    expected = [0.05 + 0.1 / f**0.5 for f in (0.2, 0.4, 0.7, 1.0)]
    assert [p[0] for p in curve.points()] == [0.2, 0.4, 0.7, 1.0]
    assert [p[2] for p in curve.points()] == pytest.approx(expected)
    assert curve.forecast["at_2x"] == pytest.approx(0.05 + 0.1 / 2**0.5, abs=0.01)
    document = curve.to_dict()
    assert document["failed"] == 1 and document["size_unit"] == "fraction of the training data"
    assert document["mode"] == "command" and document["command"].endswith("--fraction {fraction}")


def test_a_maximized_metric_is_reported_in_its_own_sign(tmp_path: Path) -> None:
    command = planted(tmp_path)
    curve = command_curve(
        command, fractions=[0.2, 0.4, 0.7, 1.0], metric_key="accuracy", maximize=True, rows=1000, cwd=tmp_path
    )
    assert [p[0] for p in curve.points()] == [200, 400, 700, 1000]
    assert [p[2] for p in curve.points()] == pytest.approx([0.95 - 0.1 / f**0.5 for f in (0.2, 0.4, 0.7, 1.0)])
    assert curve.forecast["now"] == pytest.approx(0.85, abs=0.01)
    assert curve.forecast["at_2x"] > curve.forecast["now"] and curve.forecast["gain_2x"] > 0
    low, high = curve.forecast["interval_2x"]
    assert low <= high


def test_no_usable_run_is_a_no_curve_error_with_every_failure(tmp_path: Path) -> None:
    command = planted(tmp_path)
    with pytest.raises(NoCurve, match="All 2 runs failed") as caught:
        command_curve(command, fractions=[0.01, 0.02], cwd=tmp_path)
    assert [f.reason for f in caught.value.failures] == ["exited with status 3"] * 2
    assert isinstance(caught.value, ConfigError)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"fractions": []}, r"fractions \(--fractions\) is \[\], but it must be a non-empty list"),
        ({"fractions": [0.5, 1.5]}, r"is \[0.5, 1.5\], outside its range \(more than 0 and at most 1\)"),
        ({"fractions": [0.5], "jobs": 0}, r"jobs \(--jobs\) is 0, outside its range \(at least 1\)"),
        ({"fractions": [0.5], "rows": 0}, r"rows \(--rows\) is 0, outside its range \(at least 1\)"),
        ({"fractions": [0.5], "timeout": 0}, r"timeout \(--timeout\) is 0, outside its range \(more than 0\)"),
    ],
)
def test_bad_arguments_are_config_errors_before_any_run(
    tmp_path: Path, arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        command_curve(["false", "{fraction}"], cwd=tmp_path, **arguments)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"Pass --rows \(rows= in Python\)"):
        command_curve(["false", "{size}"], fractions=[0.5], cwd=tmp_path)


def test_the_metric_key_is_the_wanted_then_a_preferred_then_the_only_one() -> None:
    assert choose_metric_key([{"loss": 1.0, "val_error": 0.2}, {"loss": 2, "val_error": 0.3}], None) == "val_error"
    assert choose_metric_key([{"f1": 0.5, "name": "x"}], None) == "f1"
    assert choose_metric_key([{"f1": 0.5, "auc": 0.7}], "auc") == "auc"
    with pytest.raises(ConfigError, match=r"several metrics \['auc', 'f1'\]"):
        choose_metric_key([{"f1": 0.5, "auc": 0.7}], None)
    with pytest.raises(ConfigError, match="No run reported the metric 'loss'"):
        choose_metric_key([{"f1": 0.5}], "loss")


def test_the_baseline_curve_of_a_problem(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 5))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(5)])
    frame["y"] = np.where(x[:, 0] + x[:, 1] + rng.logistic(size=600) > 0, "yes", "no")
    steps: list[str] = []
    curve = baseline_curve(load_problem(frame, target="y"), on_step=steps.append)
    assert steps and curve.metric.name == "error_rate"
    points = curve.section["points"]
    means = curve.mean_points()
    assert [m[0] for m in means] == sorted({p["size"] for p in points})
    first = [p for p in points if p["size"] == means[0][0]]
    assert means[0][1] == len(first)
    assert means[0][3] == pytest.approx(sum(p["dev_error"] for p in first) / len(first))
    document = curve.to_dict()
    assert document["mode"] == "data" and document["learning_curve"] is curve.section


def test_the_baseline_curve_of_too_few_rows_is_a_config_error() -> None:
    frame = pd.DataFrame({"x": range(30), "y": [0, 1] * 15})
    with pytest.raises(ConfigError, match="No learning curve"):
        baseline_curve(load_problem(frame, target="y", dev=frame.copy()))
