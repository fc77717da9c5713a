"""End-to-end runs of the `unstuck` command, in subprocesses, as a user would run it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import planted_predictions, run_cli
from unstuck.schemas import validate


@pytest.fixture
def split_files(tabular: pd.DataFrame, tmp_path: Path) -> dict[str, Path]:
    paths = {"train": tmp_path / "train.csv", "dev": tmp_path / "dev.csv", "test": tmp_path / "test.csv"}
    tabular.iloc[:1200].to_csv(paths["train"], index=False)
    tabular.iloc[1200:1600].to_csv(paths["dev"], index=False)
    tabular.iloc[1600:].to_csv(paths["test"], index=False)
    return paths


def assert_user_error(result, *phrases: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr and "fix:" in result.stderr
    flat = " ".join(result.stderr.split())  # the console wraps long lines
    for phrase in phrases:
        assert phrase in flat


def test_diagnose_csv_files_writes_a_valid_json_report(split_files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli(
        [
            "diagnose",
            str(split_files["train"]),
            "--dev",
            str(split_files["dev"]),
            "--test",
            str(split_files["test"]),
            "--target",
            "label",
            "--human-error",
            "0.02",
            "--json",
            str(out),
        ]
    )
    assert result.returncode == 0, result.stderr
    assert "Where the error comes from" in result.stdout and "What to do next" in result.stdout
    assert f"Wrote {out}" in result.stdout.replace("\n", "")
    report = json.loads(out.read_text())
    validate(report)
    assert report["schema"] == "unstuck.report/1"
    assert report["task"] == "classification"
    assert report["splits"] == {"train": 960, "train_dev": 240, "dev": 400, "test": 400}
    assert report["errors"]["human"] == 0.02
    assert report["decomposition"]["avoidable_bias"] == pytest.approx(report["errors"]["train"] - 0.02)
    assert report["decomposition"]["dev_overfit"] == pytest.approx(report["errors"]["test"] - report["errors"]["dev"])
    assert "inferred from the target" in report["inferred"]["task"]
    rungs = {r["name"] for r in report["sections"]["baselines"]["rungs"]}
    assert rungs == {"trivial", "linear", "gradient_boosting"}


def test_diagnose_parquet_with_split_column_regression(tmp_path: Path, tabular: pd.DataFrame) -> None:
    frame = tabular.assign(
        price=3.0 * tabular["x1"].to_numpy() + 0.1 * tabular["noise"].to_numpy(),
        split=["train"] * 1400 + ["dev"] * 300 + ["test"] * 300,
    ).drop(columns="label")
    path = tmp_path / "data.parquet"
    frame.to_parquet(path)
    out = tmp_path / "r.json"
    result = run_cli(["diagnose", str(path), "--split-column", "split", "--target", "price", "--json", str(out)])
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    validate(report)
    assert report["task"] == "regression" and report["metric"]["name"] == "rmse"
    # price = 3·x1 + 0.1·noise (std 3.0): the ridge baseline recovers it almost exactly.
    assert report["errors"]["dev"] is not None and report["errors"]["dev"] < 0.05


def test_diagnose_predictions_file(tmp_path: Path) -> None:
    path = tmp_path / "preds.csv"
    planted_predictions({"train": 0.02, "dev": 0.06}).to_csv(path, index=False)
    out = tmp_path / "r.json"
    result = run_cli(["diagnose", "--predictions", str(path), "--human-error", "0.01", "--json", str(out), "-q"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    report = json.loads(out.read_text())
    validate(report)
    assert report["bottleneck"] == "variance"
    assert report["interventions"][0]["lever"] == "regularize"
    assert {s["check"] for s in report["skipped"]} >= {"baselines"}


def test_demo_runs_offline_and_fast(tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    result = run_cli(["demo", "--json", str(out)])
    assert result.returncode == 0, result.stderr
    assert "handwritten digits" in result.stderr
    report = json.loads(out.read_text())
    validate(report)
    assert report["splits"]["dev"] == 359 and report["splits"]["test"] == 360
    assert report["sections"]["baselines"]["best"] in {"linear", "gradient_boosting"}


def test_help_is_instant_and_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.argv = ['unstuck', '--help']\n"
        "from unstuck.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'sklearn', 'lightgbm', 'scipy', 'cleanlab', 'torch') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stdout


# ----------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path: Path) -> None:
    assert_user_error(run_cli(["diagnose", str(tmp_path / "nope.csv"), "--target", "y"]), "does not exist")


def test_unreadable_format(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    assert_user_error(run_cli(["diagnose", str(path), "--target", "y"]), "not a known table format")


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    path.write_bytes(b"this is not parquet")
    assert_user_error(run_cli(["diagnose", str(path), "--target", "y"]), "could not parse")


def test_target_absent_lists_columns_and_suggests(split_files: dict[str, Path]) -> None:
    result = run_cli(["diagnose", str(split_files["train"]), "--target", "lable"])
    assert_user_error(result, "x1, x2, color, noise, label", "Did you mean 'label'?")


def test_one_class_only(tmp_path: Path, tabular: pd.DataFrame) -> None:
    path = tmp_path / "one.csv"
    tabular.assign(label="yes").to_csv(path, index=False)
    assert_user_error(run_cli(["diagnose", str(path), "--target", "label"]), "only one class")


def test_empty_split(split_files: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty_dev.csv"
    empty.write_text("x1,x2,color,noise,label\n")
    result = run_cli(["diagnose", str(split_files["train"]), "--dev", str(empty), "--target", "label"])
    assert_user_error(result, "no data rows")


def test_all_nan_column(tmp_path: Path, tabular: pd.DataFrame) -> None:
    path = tmp_path / "nan.csv"
    tabular.assign(blank=float("nan")).to_csv(path, index=False)
    assert_user_error(run_cli(["diagnose", str(path), "--target", "label"]), "--drop blank")


def test_target_with_nans(tmp_path: Path, tabular: pd.DataFrame) -> None:
    path = tmp_path / "t.csv"
    broken = tabular.astype({"label": object})
    broken.loc[:9, "label"] = None
    broken.to_csv(path, index=False)
    assert_user_error(run_cli(["diagnose", str(path), "--target", "label"]), "missing in 10 of 2000 rows")


def test_mismatched_columns(split_files: dict[str, Path], tmp_path: Path, tabular: pd.DataFrame) -> None:
    dev = tmp_path / "dev2.csv"
    tabular.drop(columns="noise").to_csv(dev, index=False)
    result = run_cli(["diagnose", str(split_files["train"]), "--dev", str(dev), "--target", "label"])
    assert_user_error(result, "do not match", "missing ['noise']")


def test_non_utf8_csv_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("city,label\nZürich,1\nGenève,0\n".encode("latin-1"))
    assert_user_error(run_cli(["diagnose", str(path), "--target", "label"]), "not valid utf-8", "--encoding")


def test_predictions_without_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    pd.DataFrame({"split": ["dev"], "truth": [1], "pred": [0]}).to_csv(path, index=False)
    assert_user_error(run_cli(["diagnose", "--predictions", str(path)]), "y_true", "y_pred")


def test_a_failed_run_leaves_an_existing_report_untouched(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text('{"kept": true}')
    result = run_cli(["diagnose", str(tmp_path / "missing.csv"), "--target", "y", "--json", str(out)])
    assert result.returncode == 2
    assert out.read_text() == '{"kept": true}'


def test_nothing_to_diagnose() -> None:
    assert_user_error(run_cli(["diagnose"]), "Nothing to diagnose")
