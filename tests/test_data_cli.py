"""``unstuck explore`` end to end, as a user runs it: files in, report and JSON out, bad input → exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import run_cli


@pytest.fixture(scope="module")
def leaky_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    folder = tmp_path_factory.mktemp("explore")
    frame = load_wine(as_frame=True).frame.rename(columns={"target": "cultivar"})
    frame["contact"] = [f"grower{i}@vineyard.example" if i % 20 == 0 else "" for i in range(len(frame))]
    train, rest = train_test_split(frame, test_size=0.4, random_state=0, stratify=frame["cultivar"])
    dev, test = train_test_split(rest, test_size=0.5, random_state=0, stratify=rest["cultivar"])
    train.to_csv(folder / "train.csv", index=False)
    pd.concat([dev, train.iloc[:10]]).to_csv(folder / "dev.csv", index=False)
    test.to_csv(folder / "test.csv", index=False)
    return folder


def test_explore_reports_leakage_first_and_writes_json(leaky_files: Path) -> None:
    out = leaky_files / "report.json"
    args = ["explore", "train.csv", "--dev", "dev.csv", "--test", "test.csv", "--target", "cultivar"]
    result = run_cli([*args, "--json", str(out)], cwd=leaky_files)
    assert result.returncode == 0, result.stderr
    assert "critical" in result.stdout and "fix_leakage" in result.stdout
    assert "Where the error comes from" not in result.stdout  # explore computes no decomposition
    report = json.loads(out.read_text())
    ids = {f["id"] for f in report["findings"]}
    assert {"leakage.train.dev", "privacy.personal_data"} <= ids
    leak = next(f for f in report["findings"] if f["id"] == "leakage.train.dev")
    assert leak["evidence"]["exact"] == 10
    assert report["interventions"][0]["lever"] == "fix_leakage"
    assert report["bottleneck"] == "leakage"
    assert "grower0@vineyard.example" not in out.read_text()  # personal data is masked
    checks = {f["check"] for f in report["findings"]} | set(report["sections"])
    assert "decomposition" not in checks and "baselines" not in checks


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explore", "train.csv"], "No target column"),
        (["explore", "missing.csv", "--target", "cultivar"], "missing.csv"),
        (["explore", "train.csv", "--target", "grape"], "grape"),
        (["explore"], "Nothing to diagnose"),
    ],
)
def test_bad_input_is_one_clear_error_and_exit_2(leaky_files: Path, args: list[str], message: str) -> None:
    result = run_cli(args, cwd=leaky_files)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
