"""``--training-log`` end to end: logs alone, with predictions, several runs, bad input; the check's contract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import flat, planted_predictions, run_cli
from unstuck.context import Context
from unstuck.findings import Finding
from unstuck.pipeline import diagnose, diagnose_problem, load_problem
from unstuck.problem import Problem
from unstuck.registry import CheckSpec, registered_checks
from unstuck.runner import run_checks
from unstuck.schemas import validate
from unstuck.training_log.synthetic import planted_curves


def write_planted(path: Path, kind: str, seed: int = 0, columns: tuple[str, ...] | None = None) -> Path:
    frame = pd.DataFrame(planted_curves(kind, seed))
    if columns is not None:
        frame = frame[list(columns)]
    frame.to_csv(path, index=False)
    return path


def report_of(path: Path) -> dict:
    return json.loads(path.read_text())


def test_logs_alone_end_to_end(tmp_path: Path) -> None:
    log = write_planted(tmp_path / "history.csv", "overfitting", seed=3)
    out = tmp_path / "report.json"
    result = run_cli(["diagnose", "--training-log", str(log), "--json", str(out), "--quiet"])
    assert result.returncode == 0, result.stderr
    report = report_of(out)
    validate(report)  # the logs-only report keeps the unstuck.report/1 contract
    assert report["task"] == "classification" and "train_acc" in report["inferred"]["task"]
    assert report["inferred"]["mode"] == "training_log"
    assert report["bottleneck"] == "variance"
    ids = {f["id"] for f in report["findings"]}
    assert {"training_log.read", "training_log.overfitting"} <= ids
    skipped = {s["check"]: s["reason"] for s in report["skipped"]}
    assert skipped["decomposition"].startswith("needs ") and skipped["baselines"].startswith("needs ")
    assert report["interventions"][0]["lever"] == "regularize"
    assert report["interventions"][0]["expected_gain"] > 0
    section = report["sections"]["training_log"]
    assert section["runs"][0]["mapping"]["val_loss"] == "dev_loss"


def test_logs_with_predictions(tmp_path: Path) -> None:
    predictions = tmp_path / "preds.csv"
    planted_predictions({"train": 0.05, "dev": 0.10}, n=400).to_csv(predictions, index=False)
    log = write_planted(tmp_path / "history.csv", "divergence", seed=1)
    problem = load_problem(predictions=predictions, training_logs=[log])
    assert problem.mode == "predictions" and {"predictions", "training_log"} <= problem.inputs
    report = diagnose_problem(problem)
    assert "decomposition" in report.sections and "training_log" in report.sections
    assert report.finding("training_log.divergence") is not None
    assert report.interventions[0].lever == "tune_learning_rate"  # critical outranks the warnings
    assert report.bottleneck == "training_instability"


def test_several_runs_compare(tmp_path: Path) -> None:
    t = np.arange(1, 31)
    paths = []
    for lr, floor in (("0.001", 0.5), ("0.01", 0.3), ("0.1", 0.2)):
        frame = pd.DataFrame({"epoch": t, "loss": floor + np.exp(-t / 4), "val_loss": floor + 0.1 + np.exp(-t / 4)})
        path = tmp_path / f"lr_{lr}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    report = diagnose(training_logs=paths)
    assert report.sections["training_log"]["comparison"]["best_run"] == "lr_0.1"
    edge = report.finding("training_log.runs.sweep_edge")
    assert edge is not None and edge.lever == "tune_learning_rate" and "extend the sweep above 0.1" in edge.title
    assert report.finding("training_log.read.lr_0.001") is not None
    assert report.finding("training_log.healthy.lr_0.1") is not None


def test_tensorboard_directory(tmp_path: Path) -> None:
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(tmp_path / "tb"))
    for step, value in enumerate([2.0, 1.5, 1.1, float("nan"), float("nan")], start=1):
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="train/loss", simple_value=value)])
        writer.add_event(event_pb2.Event(step=step, wall_time=float(step), summary=summary))
    writer.close()
    report = diagnose(training_logs=[tmp_path / "tb"])
    finding = report.finding("training_log.divergence")
    assert finding is not None and finding.evidence["first_non_finite_step"] == 4.0
    assert report.bottleneck == "training_instability"


def test_task_from_option_and_regression_metric_names(tmp_path: Path) -> None:
    log = tmp_path / "reg.jsonl"
    log.write_text("".join(json.dumps({"epoch": e, "loss": 1 / e, "val_mae": 2 / e}) + "\n" for e in range(1, 9)))
    assert load_problem(training_logs=[log]).task == "regression"
    assert load_problem(training_logs=[log], task="classification").task == "classification"
    plain = tmp_path / "plain.csv"
    plain.write_text("epoch,loss\n1,1.0\n2,0.5\n3,0.4\n")
    problem = load_problem(training_logs=[plain])
    assert problem.task == "classification" and "assumed" in problem.notes["task"]


BAD_LOGS = {
    "no_loss.csv": ("epoch,accuracy\n1,0.5\n2,0.6\n", "no loss column"),
    "one_row.csv": ("epoch,train_loss\n1,0.5\n", "fewer than two"),
    "text.csv": ("epoch,train_loss\n1,0.5\n2,abc\n", "not a number"),
}


@pytest.mark.parametrize("name", [*BAD_LOGS, "missing.csv"])
def test_bad_logs_exit_2_without_traceback(tmp_path: Path, name: str) -> None:
    content, message = BAD_LOGS.get(name, (None, "does not exist"))
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    result = run_cli(["diagnose", "--training-log", str(path)])
    assert result.returncode == 2
    assert message in flat(result.stderr) and "Traceback" not in result.stderr
    assert "fix:" in result.stderr


# ---------------------------------------------------------------------------- the check's contract


def training_checks() -> list[CheckSpec]:
    """The registered checks that read training logs: the reading one and one per verdict kind."""
    return [spec for spec in registered_checks() if "training_log" in spec.requires]


def logs_problem(tmp_path: Path) -> Problem:
    return load_problem(training_logs=[write_planted(tmp_path / "h.csv", "still_improving", seed=4)])


def test_logs_only_problem_inputs_and_every_other_check_skips_cleanly(tmp_path: Path) -> None:
    problem = logs_problem(tmp_path)
    assert problem.mode == "training_log"
    assert problem.inputs == frozenset({"classification", "training_log"})
    result = run_checks(problem, Context(problem))
    assert {f.check for f in result.findings} == {"training_log", "training_log.still_improving"}
    reasons = {s.check: s.reason for s in result.skipped}
    assert set(reasons) == {spec.name for spec in registered_checks()} - {spec.name for spec in training_checks()} | {
        "training_log.runs"
    }
    assert reasons["training_log.runs"] == "compares two or more runs; there is one"
    assert not [r for r in reasons.values() if r.startswith("failed")], reasons
    assert all(reasons.values())


def test_check_is_deterministic_json_round_trips_and_silent(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    runs = []
    for _ in range(2):
        problem = logs_problem(tmp_path)
        runs.append(run_checks(problem, Context(problem), checks=training_checks()))
    one, two = runs
    assert [f.to_dict() for f in one.findings] == [f.to_dict() for f in two.findings]
    for finding in one.findings:
        assert Finding.from_dict(json.loads(json.dumps(finding.to_dict()))) == finding
    json.dumps(one.sections)
    still = next(f for f in one.findings if f.id == "training_log.still_improving")
    assert still.lever == "train_longer" and still.expected_gain is not None and still.expected_gain > 0
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_check_skips_without_logs() -> None:
    problem = Problem.from_predictions(planted_predictions({"train": 0.05, "dev": 0.1}, n=200))
    result = run_checks(problem, Context(problem), checks=training_checks())
    assert [s.check for s in result.skipped] == [spec.name for spec in training_checks()]
    assert {s.reason for s in result.skipped} == {"needs a training log (--training-log)"}


def test_a_learning_rate_named_after_its_optimizer_is_still_the_learning_rate_lever() -> None:
    from unstuck.training_log.compare import _sweep_edges, is_learning_rate

    assert is_learning_rate("lr") and is_learning_rate("lr (SGD)") and not is_learning_rate("lrs_decay")
    rows = [{"hyperparameters": {"lr (SGD)": v}} for v in (0.01, 0.1, 0.3)]
    best = {"hyperparameters": {"lr (SGD)": 0.3}, "best": 0.027}
    (edge,) = _sweep_edges(rows, best, lambda v: f"{v:.1%}")
    assert edge.lever == "tune_learning_rate" and "extend the sweep above 0.3" in edge.title
    rows = [{"hyperparameters": {"dropout": v}} for v in (0.1, 0.2, 0.3)]
    (edge,) = _sweep_edges(rows, {"hyperparameters": {"dropout": 0.3}, "best": 0.027}, lambda v: f"{v:.1%}")
    assert edge.lever == "tune_hyperparameters"
