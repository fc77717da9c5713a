"""Odd inputs get a right answer or a clear refusal: exit code 2, no traceback, a message naming the
problem and a fix. One test per case of the bad-input run (files, values, splits, options, the ledger)."""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from conftest import run_cli
from unstuck.errors import ColumnProblem, SplitProblem
from unstuck.findings import Report, non_finite_paths
from unstuck.io import detect_delimiter, read_table
from unstuck.problem import INPUT_MEANINGS, Problem


def table(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """``n`` rows: an id, two numeric features and a yes/no label that depends on them."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    label = np.where(x1 + x2 + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    return pd.DataFrame({"id": np.arange(n), "x1": x1, "x2": x2, "label": label})


def predictions(n: int = 100, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    split = np.repeat(["train", "dev"], n)
    y_true = rng.integers(0, 2, size=2 * n)
    y_pred = np.where(rng.random(2 * n) < 0.8, y_true, 1 - y_true)
    return pd.DataFrame({"split": split, "y_true": y_true, "y_pred": y_pred})


def refused(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    """Exit 2, an error and a fix paragraph, no traceback, and every word of ``words`` in the message."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr and "fix:" in result.stderr, result.stderr
    assert "Usage:" not in result.stderr
    flat = " ".join(result.stderr.split())
    for word in words:
        assert word in flat, (word, flat)


# ------------------------------------------------------------------ reading layer


def test_byte_order_mark_is_not_kept_in_the_first_column_name(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + table().to_csv(index=False).encode())
    assert list(read_table(path).columns) == ["id", "x1", "x2", "label"]
    result = run_cli(["diagnose", str(path), "--target", "labl", "-q"], cwd=tmp_path)
    refused(result, "Did you mean 'label'?", "its columns are: id, x1")
    assert "\ufeff" not in result.stderr


def test_utf16_file_with_its_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes(table(5).to_csv(index=False).encode("utf-16"))
    frame = read_table(path)
    assert list(frame.columns) == ["id", "x1", "x2", "label"] and len(frame) == 5


def test_semicolon_file_with_decimal_commas_reads_numbers(tmp_path: Path) -> None:
    original = table()
    path = tmp_path / "semi.csv"
    original.to_csv(path, index=False, sep=";", decimal=",")
    frame = read_table(path)
    assert frame["x1"].dtype == np.float64 and frame["x2"].dtype == np.float64
    np.testing.assert_allclose(frame["x1"], original["x1"])
    # Dots group thousands once a column is known to use decimal commas.
    (tmp_path / "eu.csv").write_text("a;b\n1.234,5;x\n-2,25;y\n", encoding="utf-8")
    assert read_table(tmp_path / "eu.csv")["a"].tolist() == [1234.5, -2.25]


def test_text_column_with_commas_in_a_semicolon_file_stays_text(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("a;b\n1,5;hello, world\n2,5;x\n", encoding="utf-8")
    frame = read_table(tmp_path / "t.csv")
    assert frame["a"].tolist() == [1.5, 2.5] and frame["b"].tolist() == ["hello, world", "x"]


def test_one_column_file_is_not_split_on_a_letter(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    pd.DataFrame({"label": ["all", "ball", "lol", "hello"] * 5}).to_csv(path, index=False)
    frame = read_table(path)
    assert list(frame.columns) == ["label"] and frame["label"].iloc[1] == "ball"
    assert detect_delimiter(["label", "all", "ball"]) is None
    assert detect_delimiter(["a;b", "1,5;2", "3;4"]) == ";"


def test_header_names_colliding_after_stripping_spaces_are_refused(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("id,x1, x1,label\n1,2,3,a\n2,3,4,b\n", encoding="utf-8")
    refused(run_cli(["diagnose", "c.csv", "--target", "label"], cwd=tmp_path), "['x1'] more than once", "distinct")
    (tmp_path / "d.csv").write_text("id,x1,x1,label\n1,2,3,a\n", encoding="utf-8")
    with pytest.raises(ColumnProblem, match=r"\['x1'\] more than once"):
        read_table(tmp_path / "d.csv")


def test_field_over_128_kib_is_read(tmp_path: Path) -> None:
    big = "w" * 140_000
    (tmp_path / "big.csv").write_text(f"id,text,label\n1,{big},a\n2,short,b\n", encoding="utf-8")
    frame = read_table(tmp_path / "big.csv")
    assert len(frame.loc[0, "text"]) == 140_000 and frame.loc[1, "text"] == "short"


def test_file_in_another_encoding_names_the_encoding_fix(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_bytes("x,label\ncafé,a\n".encode("latin-1"))
    refused(run_cli(["diagnose", "l.csv", "--target", "label"], cwd=tmp_path), "not valid utf-8", "--encoding")
    refused(
        run_cli(["diagnose", "l.csv", "--target", "label", "--encoding", "nope"], cwd=tmp_path),
        "'nope' is not a text encoding",
    )


# ------------------------------------------------------------------ values


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinity_in_a_feature_is_refused_with_column_count_and_rows(tmp_path: Path, value: float) -> None:
    frame = table()
    frame.loc[[3, 7], "x1"] = value
    frame.to_csv(tmp_path / "inf.csv", index=False)
    result = run_cli(["diagnose", "inf.csv", "--target", "label"], cwd=tmp_path)
    refused(result, "'x1' of inf.csv holds 2 infinite value(s)", "row(s) 3, 7", "Replace them with a finite number")


def test_infinity_in_a_regression_target_is_refused(tmp_path: Path) -> None:
    frame = table()
    frame["label"] = frame["x1"] * 2.5 + frame["x2"]
    frame.loc[5, "label"] = np.inf
    frame.to_csv(tmp_path / "reg.csv", index=False)
    refused(run_cli(["diagnose", "reg.csv", "--target", "label"], cwd=tmp_path), "'label'", "1 infinite value(s)")


def test_numbers_whose_squares_overflow_are_refused() -> None:
    frame = table()
    frame.loc[0, "x2"] = 1e300
    with pytest.raises(ColumnProblem, match=r"'x2'.* 1 value\(s\) beyond ±1e\+150 \(e.g. 1e\+300\) at row\(s\) 0"):
        Problem.from_frames(frame, target="label")


def test_infinite_prediction_is_refused_and_json_never_holds_infinity(tmp_path: Path) -> None:
    frame = predictions()
    frame["y_true"] = frame["y_true"] * 1.5 + 0.25
    frame["y_pred"] = frame["y_true"] + 0.1
    frame.loc[3, "y_pred"] = np.inf
    frame.to_csv(tmp_path / "p.csv", index=False)
    refused(run_cli(["diagnose", "--predictions", "p.csv"], cwd=tmp_path), "'y_pred'", "1 infinite value(s)")


def test_report_json_turns_non_finite_numbers_into_null() -> None:
    report = Report(
        unstuck_version="0",
        task="regression",
        metric={"name": "rmse", "lower_is_better": True},
        splits={"dev": 3},
        errors={"dev": float("inf"), "train": float("nan")},
        decomposition={"variance": np.float64(-np.inf)},
        bottleneck="none",
        findings=(),
        interventions=(),
        skipped=(),
        sections={"curve": {"points": np.array([1.0, np.nan])}},
    )
    assert len(non_finite_paths(report.errors)) == 2
    document = report.to_dict()
    assert non_finite_paths(document) == []
    assert document["errors"] == {"dev": None, "train": None} and document["sections"]["curve"]["points"] == [1.0, None]
    json.dumps(document, allow_nan=False)  # raises on NaN/Infinity


@pytest.mark.parametrize(
    ("columns", "words"),
    [
        ({"proba_0": -0.2, "proba_1": 1.2}, ["'proba_0'", "outside [0, 1]", "softmax"]),
        ({"proba_0": 0.7, "proba_1": 0.7}, ["do not sum to 1", "1.4"]),
        ({"proba_0": 0.5, "proba_1": 0.3, "proba_7": 0.2}, ["'proba_7'", "class '7'", "not among the labels"]),
    ],
)
def test_probability_columns_are_checked(tmp_path: Path, columns: dict[str, float], words: list[str]) -> None:
    frame = predictions().assign(**columns)
    frame.to_csv(tmp_path / "p.csv", index=False)
    refused(run_cli(["diagnose", "--predictions", "p.csv", "-q"], cwd=tmp_path), *words)


def test_valid_probabilities_and_a_single_positive_class_column_are_accepted() -> None:
    frame = predictions()
    p1 = np.where(frame["y_pred"] == 1, 0.8, 0.2)
    full = Problem.from_predictions(frame.assign(proba_0=1 - p1, proba_1=p1))
    assert full.proba_columns == ("proba_0", "proba_1")
    # One column per class is not required; a lone proba_1 cannot be checked for its sum.
    assert Problem.from_predictions(frame.assign(proba_1=p1)).proba_columns == ("proba_1",)


def test_dev_labels_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    table().to_csv(tmp_path / "train.csv", index=False)
    dev = table(60, seed=1)
    dev["label"] = dev["label"].str.capitalize()
    dev.to_csv(tmp_path / "dev.csv", index=False)
    result = run_cli(["diagnose", "train.csv", "--dev", "dev.csv", "--target", "label"], cwd=tmp_path)
    refused(result, "'No', 'Yes'", "never seen in train.csv", "only in letter case", "Spell the labels")


def test_a_class_only_in_dev_is_refused_not_read_as_mismatch() -> None:
    dev = table(60, seed=1)
    dev.loc[:4, "label"] = "maybe"
    with pytest.raises(SplitProblem, match=r"1 class\(es\) never seen in train: 'maybe' \(5 of 60 rows"):
        Problem.from_frames(table(), dev=dev, target="label")


def test_predictions_with_a_case_mismatched_dev_are_refused() -> None:
    frame = predictions().assign(y_true=lambda f: np.where(f.y_true == 1, "cat", "dog"))
    frame["y_pred"] = np.where(frame["y_pred"] == 1, "cat", "dog")
    dev = frame["split"] == "dev"
    frame.loc[dev, "y_true"] = frame.loc[dev, "y_true"].str.capitalize()
    with pytest.raises(SplitProblem, match="only in letter case"):
        Problem.from_predictions(frame)


def test_predictions_with_only_train_rows_are_refused(tmp_path: Path) -> None:
    frame = predictions()
    frame[frame["split"] == "train"].to_csv(tmp_path / "p.csv", index=False)
    refused(run_cli(["diagnose", "--predictions", "p.csv"], cwd=tmp_path), "only for ['train']", "split = dev")


def test_id_column_equal_to_target_is_refused(tmp_path: Path) -> None:
    table().to_csv(tmp_path / "t.csv", index=False)
    result = run_cli(["diagnose", "t.csv", "--target", "label", "--id-column", "label"], cwd=tmp_path)
    refused(result, "--id-column and --target both name 'label'")


def test_five_row_train_file_says_the_sample_is_too_small(tmp_path: Path) -> None:
    table(5).to_csv(tmp_path / "t.csv", index=False)
    refused(run_cli(["diagnose", "t.csv", "--target", "label"], cwd=tmp_path), "has 5 rows", "at least 30")


def test_training_log_alone_is_not_told_it_is_predictions_mode() -> None:
    assert "predictions mode" not in INPUT_MEANINGS["data"]


# ------------------------------------------------------------------ options and messages


def test_bad_option_value_gets_the_error_fix_paragraph() -> None:
    refused(run_cli(["diagnose", "--human-error", "two"]), "'--human-error'", "unstuck diagnose --help")
    refused(run_cli(["--human-error", "two"]), "No such option: --human-error", "unstuck --help")


def test_run_without_a_command_gets_the_error_fix_paragraph(tmp_path: Path) -> None:
    refused(run_cli(["run"], cwd=tmp_path), "Missing argument", "after --", "python train.py")


def test_quiet_silences_library_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    from unstuck.cli._console import quiet_callback

    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_callback(True)
        np.log(np.zeros(1))  # RuntimeWarning: divide by zero
        pd.Series([1.0]).reindex([0, 0.5]).mean()
        warnings.warn("from a library", UserWarning, stacklevel=1)
    assert caught == [] and os.environ["PYTHONWARNINGS"] == "ignore"


def test_quiet_cli_run_writes_nothing_to_stderr(tmp_path: Path) -> None:
    frame = table(200)
    frame["x3"] = 1e100 * frame["x1"]  # large but usable: its squares do not overflow
    frame.to_csv(tmp_path / "t.csv", index=False)
    result = run_cli(["diagnose", "t.csv", "--target", "label", "-q"], cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""


def test_folder_as_card_and_binary_config_are_paragraphs(tmp_path: Path) -> None:
    refused(run_cli(["plan", "--card", str(tmp_path)], cwd=tmp_path), "is a folder, not a project card")
    (tmp_path / "cfg.json").write_bytes(bytes(range(256)))
    refused(run_cli(["run", "--config", "cfg.json", "--", "true"], cwd=tmp_path), "not UTF-8 text", "--config")


def test_components_warns_about_a_stage_never_evaluated(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("a,b,c\n1,,0\n0,,1\n1,,1\n1,,0\n", encoding="utf-8")
    result = run_cli(["components", "r.csv", "--stages", "a,b,c", "--json", "out.json"], cwd=tmp_path)
    assert result.returncode == 0
    assert "warning: The stage 'b' was never evaluated" in " ".join(result.stderr.split())
    payload = json.loads((tmp_path / "out.json").read_text())
    assert len(payload["warnings"]) == 1 and payload["stages"][1]["failures"] == 0


# ------------------------------------------------------------------ the ledger


def test_negative_log_limit_is_refused(tmp_path: Path) -> None:
    refused(run_cli(["log", "--limit", "-3"], cwd=tmp_path), "--limit -3 is negative", "--limit 0")


def test_empty_ledger_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(b"")
    old = time.time() - 3600
    os.utime(path, (old, old))
    refused(run_cli(["log", "--ledger", str(path)], cwd=tmp_path), "is empty (0 bytes)", "delete the empty file")
    assert path.stat().st_size == 0


def test_unsupported_ledger_url_does_not_suggest_postgres_extra(tmp_path: Path) -> None:
    result = run_cli(["log", "--ledger", "mysql://u:p@host/db"], cwd=tmp_path)
    refused(result, "'mysql'", "does not support")
    assert "unstuck[postgres]" not in result.stderr


def test_ledger_folder_that_cannot_be_created_is_a_paragraph(tmp_path: Path) -> None:
    (tmp_path / ".unstuck").write_text("not a folder", encoding="utf-8")
    refused(run_cli(["log"], cwd=tmp_path), ".unstuck cannot be created", "a file of that name")
    refused(run_cli(["run", "--", "true"], cwd=tmp_path), ".unstuck cannot be created")


def test_show_after_try_prints_no_none() -> None:
    from unstuck.cli.ledger import _verdict_line
    from unstuck.ledger.record import Experiment

    record = Experiment(
        id=3,
        verdict="keep",
        verdict_detail={"method": "paired bootstrap on dev rows", "gain": 0.02, "interval": [0.01, 0.03]},
    )
    line = _verdict_line(record)
    assert "None" not in line
    assert line == "verdict: keep (gain 0.02 [0.01, 0.03], paired bootstrap on dev rows)"


def test_log_is_one_line_per_record_at_80_columns() -> None:
    from unstuck.cli._ledger_views import render_log
    from unstuck.ledger.record import Experiment

    records = [
        Experiment(
            id=k,
            status="done",
            created_at=1.0e9,
            changed={"lr": [0.1, 0.01], "model.layers.3.width": [256, 1024]},
            metrics={"dev_error": 0.123456, "train_error": 0.01},
            hypothesis="a lower learning rate stops the loss spikes we saw after epoch 12 " * 2,
            command=["python", "train.py"],
        )
        for k in range(1, 4)
    ]
    console = Console(width=80, record=True)
    console.print(render_log(records, width=80))
    lines = console.export_text().rstrip("\n").splitlines()
    body = [line for line in lines if line.startswith("│")]
    assert [line.split("│")[1].strip() for line in body] == ["1", "2", "3"]  # one line per record
    assert all(len(line.rstrip()) <= 80 for line in lines)
    assert all("dev_error=0.1235" in line and "lr 0.1" in line and "a lower" in line for line in body)


def test_read_only_ledger_is_viewable_and_refuses_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import unstuck.ledger.sql as sql
    from unstuck.cli import app
    from unstuck.ledger.record import Experiment
    from unstuck.ledger.store import LedgerError, open_ledger

    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "ledger.db"
    with open_ledger(str(path)) as store:
        store.add(Experiment(command=["python", "train.py"], hypothesis="wider layers help"))
    path.chmod(0o444)
    folder.chmod(0o555)
    # Permission bits do not bind root (tests may run as root), so the check itself says "not writable" too.
    monkeypatch.setattr(sql, "_writable", lambda _path: False)
    try:
        before = path.read_bytes()
        shown = CliRunner().invoke(app, ["log", "--ledger", str(path)], env={"COLUMNS": "120"})
        assert shown.exit_code == 0, shown.output
        assert "wider layers help" in shown.output
        detail = CliRunner().invoke(app, ["show", "1", "--ledger", str(path)])
        assert detail.exit_code == 0 and "wider layers help" in detail.output
        with open_ledger(str(path)) as store, pytest.raises(LedgerError, match="read-only: it can be viewed"):
            store.add(Experiment(command=["python", "train.py"]))
        assert path.read_bytes() == before
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)


def test_column_names_with_json_characters_reach_every_model(tmp_path: Path) -> None:
    from unstuck.pipeline import diagnose

    frame = table(200).rename(columns={"x1": "price [USD]", "x2": 'a,b:"c"'})
    frame.to_csv(tmp_path / "t.csv", index=False)
    report = diagnose(tmp_path / "t.csv", target="label")
    assert not [s for s in report.skipped if s.reason.startswith("failed")]
    assert report.errors["dev"] is not None and report.sections["baselines"]


def test_a_column_of_numbers_in_train_and_text_in_dev_is_read_as_one_kind() -> None:
    train, dev = table(), table(60, seed=1)
    dev["x1"] = dev["x1"].astype(str)
    dev.loc[0, "x1"] = "n/a"  # one stray word: the reader gives the whole dev column as text
    problem = Problem.from_frames(train, dev=dev, target="label")
    assert problem.frames["dev"]["x1"].iloc[0] == "n/a" and problem.frames["train"]["x1"].dtype == object
    assert "column 'x1' read as text in every split (numbers in train, text in dev)" in problem.notes["column_types"]
    dev.loc[0, "x1"] = "1.5"  # every value a number: numbers everywhere
    again = Problem.from_frames(train, dev=dev, target="label")
    assert again.frames["dev"]["x1"].dtype == np.float64 and again.frames["dev"]["x1"].iloc[0] == 1.5
    dev.loc[0, "x1"] = "inf"  # and numbers parsed from text meet the finiteness check
    with pytest.raises(ColumnProblem, match="infinite"):
        Problem.from_frames(train, dev=dev, target="label")


def test_a_class_with_one_row_stays_in_train_when_dev_is_carved() -> None:
    frame = table(60)
    frame.loc[0, "label"] = "rare"
    for seed in range(5):
        problem = Problem.from_frames(frame, target="label", seed=seed)
        assert (problem.frames["train"]["label"] == "rare").sum() == 1
        assert "rare" not in set(problem.frames["dev"]["label"])


def test_a_column_mixing_numbers_and_strings_is_read_as_text() -> None:
    frame = table()
    frame["mixed"] = pd.Series([1.5, "a", 2, None] * 30, dtype=object)
    problem = Problem.from_frames(frame, target="label")
    values = pd.concat([problem.frames["train"]["mixed"], problem.frames["dev"]["mixed"]])
    assert set(values.dropna()) == {"1.5", "a", "2"} and values.isna().sum() == 30
    assert "column 'mixed' read as text in every split" in problem.notes["column_types"]


def test_regression_predictions_with_a_word_are_refused() -> None:
    frame = predictions()
    frame["y_true"] = frame["y_true"] * 1.5 + 0.25
    frame["y_pred"] = (frame["y_true"] + 0.1).astype(object)
    frame.loc[5, "y_pred"] = "ñ"
    with pytest.raises(
        ColumnProblem, match=r"'y_pred' .* 1 value\(s\) that are not numbers \(e.g. 'ñ' at row\(s\) 5\)"
    ):
        Problem.from_predictions(frame, task="regression")


def test_class_labels_mixing_numbers_and_strings_become_text() -> None:
    frame = predictions()
    frame["y_pred"] = frame["y_pred"].astype(str)  # 0/1 in y_true, "0"/"1" in y_pred: the same classes
    problem = Problem.from_predictions(frame)
    assert problem.classes == ("0", "1")
    assert problem.predictions is not None
    wrong = (problem.predictions["y_true"] != problem.predictions["y_pred"]).mean()
    assert wrong == pytest.approx((predictions()["y_true"] != predictions()["y_pred"]).mean())


def test_labels_of_two_kinds_across_splits_are_one_set_of_classes() -> None:
    train, dev = table(), table(60, seed=1)
    train["label"] = (train["label"] == "yes").astype(int)  # 0/1 numbers in train
    dev["label"] = (dev["label"] == "yes").astype(int).astype(str)  # "0"/"1" text in dev
    problem = Problem.from_frames(train, dev=dev, target="label")
    assert problem.classes == ("0", "1") and set(problem.frames["dev"]["label"]) == {"0", "1"}


def test_a_regression_target_with_a_word_in_dev_is_refused() -> None:
    train, dev = table(), table(60, seed=1)
    train["label"] = train["x1"] * 2.5
    dev["label"] = (dev["x1"] * 2.5).astype(object)
    dev.loc[13, "label"] = "line\nbreak"
    with pytest.raises(ColumnProblem, match=r"'label' of dev holds 1 value\(s\) that are not numbers"):
        Problem.from_frames(train, dev=dev, target="label", task="regression")
