"""Error tags: the sample written by `unstuck tag`, tags read back, ceilings checked by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import run_cli
from unstuck.context import Context
from unstuck.pipeline import load_problem
from unstuck.registry import registered_checks
from unstuck.runner import run_checks
from unstuck.tags import lever_for, parse_tags, row_keys, sample_errors, share_interval


def _predictions(n_dev: int = 200, n_errors: int = 40) -> pd.DataFrame:
    """Dev: rows 0..n_errors-1 wrong; classes cycle a/b/c/d; a 'city' metadata column."""
    y = np.array(list("abcd") * (n_dev // 4))
    pred = y.copy()
    pred[:n_errors] = np.where(y[:n_errors] == "a", "b", "a")
    dev = pd.DataFrame({"split": "dev", "y_true": y, "y_pred": pred, "city": [f"c{i % 7}" for i in range(n_dev)]})
    train = pd.DataFrame({"split": "train", "y_true": y, "y_pred": y, "city": "c0"})
    return pd.concat([train, dev], ignore_index=True)


def _wilson(p: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _run_tags(problem):  # type: ignore[no-untyped-def]
    spec = next(s for s in registered_checks() if s.name == "error_tags")
    return run_checks(problem, Context(problem), checks=[spec])


def test_ceilings_by_hand() -> None:
    # 20 of the 40 dev errors examined: 10 blurry (2 of them also mislabeled), 3 more mislabeled, 7 untagged
    tags = ["blurry"] * 8 + ["blurry; Mislabeled"] * 2 + ["mislabeled"] * 3 + [""] * 6 + ["none"]
    tag_file = pd.DataFrame({"row": [f"dev-{i}" for i in range(20)], "tags": tags})
    problem = load_problem(predictions=_predictions(), tags=tag_file)
    assert "tags" in problem.inputs
    run = _run_tags(problem)
    section = run.sections["error_tags"]
    assert section["examined_errors"] == 20 and section["dev_errors"] == 40 and section["dev_error"] == 0.2
    assert section["coverage"] == pytest.approx(13 / 20)
    blurry, mislabeled = section["tags"]
    assert (blurry["tag"], blurry["count"], mislabeled["tag"], mislabeled["count"]) == ("blurry", 10, "mislabeled", 5)
    assert blurry["share"] == 0.5 and blurry["ceiling"] == pytest.approx(0.2 * 0.5)
    assert mislabeled["ceiling"] == pytest.approx(0.2 * 0.25)
    # 20 drawn from 40 errors: effective size 20 * 39 / 20 = 39
    low, high = _wilson(10 / 20, 39.0)
    assert blurry["share_interval"] == pytest.approx([low, high])
    assert blurry["ceiling_interval"] == pytest.approx([0.2 * low, 0.2 * high])
    findings = {f.id: f for f in run.findings}
    assert findings["error_tags.blurry"].lever == "targeted_data"
    assert findings["error_tags.blurry"].expected_gain == pytest.approx(0.1)
    assert findings["error_tags.mislabeled"].lever == "fix_labels"
    assert findings["error_tags.mislabeled"].bottleneck == "label_noise"
    assert "at most 10.0 points" in findings["error_tags.blurry"].title
    assert "error_tags.coverage" in findings


def test_every_error_examined_gives_an_exact_share_and_correct_rows_are_ignored() -> None:
    assert share_interval(3, 10, 10) == (0.3, 0.3)
    tag_file = pd.DataFrame({"row": [f"dev-{i}" for i in range(42)], "tags": ["odd"] * 42})
    run = _run_tags(load_problem(predictions=_predictions(), tags=tag_file))
    section = run.sections["error_tags"]
    assert section["ignored_correct_rows"] == 2 and section["examined_errors"] == 40
    assert section["tags"][0]["ceiling_interval"] == [0.2, 0.2]
    assert run.findings[0].lever is None and run.findings[0].severity == "info"


def test_tags_column_in_the_predictions_file() -> None:
    table = _predictions()
    table["tags"] = ""
    dev_rows = table.index[table["split"] == "dev"]
    table.loc[dev_rows[:4], "tags"] = ["typo", "typo", "none", "typo;ambiguous"]
    table.loc[dev_rows[100], "tags"] = "typo"  # a correct row: not an examined error
    problem = load_problem(predictions=table)
    section = _run_tags(problem).sections["error_tags"]
    assert section["examined_errors"] == 4
    assert [(t["tag"], t["count"]) for t in section["tags"]] == [("typo", 3), ("ambiguous", 1)]
    assert section["coverage"] == 0.75


def test_sample_is_stratified_seeded_and_keyed() -> None:
    problem = load_problem(predictions=_predictions())
    dev = Context(problem).predictions["dev"]
    keys = row_keys(problem)
    one = sample_errors(keys, dev.rows, dev.y_true, dev.y_pred, size=20, seed=0)
    two = sample_errors(keys, dev.rows, dev.y_true, dev.y_pred, size=20, seed=0)
    pd.testing.assert_frame_equal(one, two)
    assert list(one.columns) == ["row", "city", "y_true", "y_pred", "tags"]
    # 40 errors, 10 per true class -> 5 per class
    assert one["y_true"].value_counts().to_dict() == {"a": 5, "b": 5, "c": 5, "d": 5}
    assert (one["y_true"] != one["y_pred"]).all() and (one["tags"] == "").all()
    assert set(one["row"]) <= {f"dev-{i}" for i in range(40)}


def test_lever_map_and_parsing() -> None:
    assert parse_tags(" Blurry ;dark; ;blurry") == ("blurry", "dark")
    assert parse_tags(float("nan")) == () and parse_tags("None") == ()
    assert lever_for("wrong label") == "fix_labels"
    assert lever_for("low-light") is None and lever_for("blurry_background") == "targeted_data"
    assert lever_for("cat breed") is None


def test_tag_then_diagnose_through_the_cli(tmp_path: Path) -> None:
    preds = tmp_path / "preds.csv"
    _predictions().to_csv(preds, index=False)
    out = tmp_path / "to_tag.csv"
    done = run_cli(["tag", "--predictions", str(preds), "--sample", "8", "-o", str(out)])
    assert done.returncode == 0, done.stderr
    assert "Wrote 8 of 40 dev errors" in done.stdout
    sheet = pd.read_csv(out, keep_default_na=False)
    assert len(sheet) == 8 and list(sheet.columns) == ["row", "city", "y_true", "y_pred", "tags"]
    again = run_cli(["tag", "--predictions", str(preds), "--sample", "8", "-o", str(out)])
    assert again.returncode == 2 and "exists already" in again.stderr and "Traceback" not in again.stderr
    sheet["tags"] = ["mislabeled"] * 2 + ["glare"] * 6
    sheet.to_csv(out, index=False)
    report_path = tmp_path / "report.json"
    done = run_cli(["diagnose", "--predictions", str(preds), "--tags", str(out), "--json", str(report_path), "-q"])
    assert done.returncode == 0, done.stderr
    report = json.loads(report_path.read_text())
    rows = {r["tag"]: r for r in report["sections"]["error_tags"]["tags"]}
    assert rows["glare"]["ceiling"] == pytest.approx(0.2 * 6 / 8)
    assert rows["mislabeled"]["lever"] == "fix_labels"
    gains = {f["id"]: f["expected_gain"] for f in report["findings"]}
    assert gains["error_tags.glare"] == pytest.approx(0.15)


def test_tag_in_data_mode_uses_the_id_column(tmp_path: Path, tabular: pd.DataFrame) -> None:
    frame = tabular.assign(uid=[f"u{i}" for i in range(len(tabular))])
    frame.iloc[:1500].to_csv(tmp_path / "train.csv", index=False)
    frame.iloc[1500:].to_csv(tmp_path / "dev.csv", index=False)
    out = tmp_path / "to_tag.csv"
    done = run_cli(
        [
            "tag",
            str(tmp_path / "train.csv"),
            "--dev",
            str(tmp_path / "dev.csv"),
            "--target",
            "label",
            "--id-column",
            "uid",
            "-n",
            "5",
            "-o",
            str(out),
        ]
    )
    assert done.returncode == 0, done.stderr
    sheet = pd.read_csv(out)
    assert sheet["row"].str.startswith("u").all() and {"x1", "color"} <= set(sheet.columns)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("row,tags\ndev-0,blurry\nnot-a-row,dark\n", "not dev rows of this problem"),
        ("key,tags\ndev-0,blurry\n", "lacks the column(s) ['row']"),
        ("row,tags\ndev-0,blurry\ndev-0,dark\n", "lists some rows twice"),
    ],
)
def test_bad_tag_files_are_user_errors(tmp_path: Path, content: str, message: str) -> None:
    preds = tmp_path / "preds.csv"
    _predictions().to_csv(preds, index=False)
    tags = tmp_path / "tags.csv"
    tags.write_text(content)
    done = run_cli(["diagnose", "--predictions", str(preds), "--tags", str(tags), "-q"])
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_tag_needs_classification(tmp_path: Path) -> None:
    preds = tmp_path / "preds.csv"
    pd.DataFrame({"split": "dev", "y_true": np.linspace(0, 1, 50), "y_pred": np.linspace(0, 1.1, 50)}).to_csv(
        preds, index=False
    )
    done = run_cli(["tag", "--predictions", str(preds), "-o", str(tmp_path / "t.csv")])
    assert done.returncode == 2 and "classification" in done.stderr and "Traceback" not in done.stderr
