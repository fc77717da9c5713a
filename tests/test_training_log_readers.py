"""Training-log readers: formats, lenient column mapping, absent vs non-finite values, bad input."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from unstuck.errors import ColumnProblem, ConfigError, FileProblem, InputError
from unstuck.training_log.readers import (
    canonical_column,
    infer_task_from_logs,
    log_from_history,
    read_training_log,
    read_training_logs,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("epoch", ("epoch", "")),
        ("global_step", ("step", "")),
        ("loss", ("train_loss", "")),
        ("val_loss", ("dev_loss", "")),
        ("validation_loss", ("dev_loss", "")),
        ("train/loss", ("train_loss", "")),
        ("Loss/train", ("train_loss", "")),
        ("val_acc", ("dev_accuracy", "")),
        ("sparse_categorical_accuracy", ("train_accuracy", "")),
        ("val_sparse_categorical_accuracy", ("dev_accuracy", "")),
        ("train_loss_epoch", ("train_loss", "epoch")),
        ("train_loss_step", ("train_loss", "step")),
        ("trainLoss", ("train_loss", "")),
        ("dev_f1", ("dev_f1", "")),
        ("test_rmse", ("test_rmse", "")),
        ("lr-Adam", ("lr", "")),
        ("epoch_learning_rate", ("lr", "")),
        ("grad_norm", ("grad_norm", "")),
        ("time", (None, "")),
        ("train/epoch", ("epoch", "")),
        ("eval_runtime", (None, "")),
        ("eval_samples_per_second", (None, "")),
        ("train/total_flos", (None, "")),
        ("val/data_time", (None, "")),
        ("accuracy/top1", ("train_accuracy", "")),
        ("Unnamed: 0", (None, "")),
    ],
)
def test_canonical_column(name: str, expected: tuple[str | None, str]) -> None:
    assert canonical_column(name) == expected


def test_csv_mapping_percentages_and_nonfinite(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("epoch,loss,val_loss,val_acc,time\n1,2.0,,,1\n2,1.5,1.6,55,1\n3,nan,inf,60,1\n")
    (log,) = read_training_log(path)
    assert log.name == "history" and log.format == "csv" and log.step_unit == "epoch"
    assert dict(log.mapping) == {
        "epoch": "step",
        "loss": "train_loss",
        "val_loss": "dev_loss",
        "val_acc": "dev_accuracy",
    }
    assert log.ignored == ("time",)
    t, y = log.series("train_loss")
    assert t.tolist() == [1.0, 2.0, 3.0]
    assert y[:2].tolist() == [2.0, 1.5] and math.isinf(y[2])  # a logged nan is kept as non-finite
    t_dev, dev = log.series("dev_loss")
    assert t_dev.tolist() == [2.0, 3.0] and math.isinf(dev[1])  # the empty cell is absent, not non-finite
    assert log.series("dev_accuracy")[1].tolist() == [0.55, 0.60]
    assert any("percentage" in n for n in log.notes)
    assert "loss→train_loss" in log.describe_mapping() and "ignored: time" in log.describe_mapping()


def test_jsonl_missing_keys_are_absent_and_nan_is_nonfinite(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(
        '{"step": 10, "train/loss": 1.0}\n{"step": 20, "train/loss": 0.5, "val/loss": 0.7}\n\n'
        '{"step": 30, "train/loss": NaN, "val/loss": null}\n'
    )
    (log,) = read_training_log(path)
    assert log.step_unit == "step"
    t, y = log.series("train_loss")
    assert t.tolist() == [10.0, 20.0, 30.0] and math.isinf(y[-1])
    assert log.series("dev_loss")[0].tolist() == [20.0]


def test_keras_history_json_plain_and_wrapped(tmp_path: Path) -> None:
    history = {"loss": [1.0, 0.6, 0.4, 0.3], "val_loss": [1.1, 0.8], "accuracy": [0.3, 0.5, 0.7, 0.8]}
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(history))
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"history": history, "params": {"epochs": 4}}))
    for path in (plain, wrapped):
        (log,) = read_training_log(path)
        assert log.format == "keras_history"
        assert log.series("train_loss")[0].tolist() == [1.0, 2.0, 3.0, 4.0]  # rows numbered as epochs
        # validation_freq=2: validated after epochs 2 and 4, not on epochs 1 and 2
        assert log.series("dev_loss")[0].tolist() == [2.0, 4.0]
        assert log.series("dev_loss")[1].tolist() == [1.1, 0.8]
        assert log.series("train_accuracy")[1].tolist() == [0.3, 0.5, 0.7, 0.8]
        assert any("numbered" in n for n in log.notes)
        assert any("placed after epochs 2, 4" in n for n in log.notes)


def test_keras_history_shorter_series_that_no_frequency_explains_is_left_out() -> None:
    log = log_from_history({"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8]})
    assert not log.has("dev_loss")
    assert any("val_loss holds 2 of 3 epochs" in n and "left out" in n for n in log.notes)
    assert any("no validation series" in n for n in log.notes)


def test_keras_csvlogger_epochs_agree_with_history(tmp_path: Path) -> None:
    # Keras' CSVLogger writes epoch 0, 1, ...; a History is numbered 1, 2, ...: one run, one numbering.
    csv = tmp_path / "log.csv"
    csv.write_text(
        "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.0,0.5,1.1\n1,0.6,0.8,0.6,0.7\n2,0.7,0.6,0.6,0.9\n"
    )
    history = log_from_history({"loss": [1.0, 0.8, 0.6], "val_loss": [1.1, 0.7, 0.9]})
    (from_csv,) = read_training_log(csv)
    assert from_csv.format == "keras_csv"
    assert from_csv.series("dev_loss")[0].tolist() == history.series("dev_loss")[0].tolist() == [1.0, 2.0, 3.0]
    assert any("from 0" in n for n in from_csv.notes)


def test_json_list_of_records(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"epoch": 1, "train_loss": 1.0}, {"epoch": 2, "train_loss": 0.5}]))
    (log,) = read_training_log(path)
    assert log.format == "json_records" and log.series("train_loss")[1].tolist() == [1.0, 0.5]


def test_lightning_metrics_csv_sparse_rows(tmp_path: Path) -> None:
    run = tmp_path / "lightning_logs" / "version_0"
    run.mkdir(parents=True)
    (run / "metrics.csv").write_text(
        "epoch,step,train_loss_step,train_loss_epoch,val_loss,val_acc,lr-Adam\n"
        "0,49,1.2,,,,0.01\n0,99,1.0,,,,0.01\n0,99,,,0.9,0.6,\n0,99,,1.1,,,\n"
        "1,149,0.8,,,,0.01\n1,199,0.7,,,,0.01\n1,199,,,0.75,0.7,\n1,199,,0.75,,,\n"
    )
    (log,) = read_training_log(tmp_path / "lightning_logs")  # a directory holding metrics.csv
    assert log.format == "lightning_csv" and log.step_unit == "step" and log.name == "version_0"
    assert dict(log.mapping)["train_loss_epoch"] == "train_loss"  # the per-epoch value is preferred
    assert "train_loss_step" in log.ignored and "epoch" not in log.ignored
    assert log.series("train_loss")[1].tolist() == [1.1, 0.75]
    assert log.series("dev_loss")[0].tolist() == [99.0, 199.0]
    assert log.series("lr")[1].tolist() == [0.01, 0.01, 0.01, 0.01]
    # steps are the x axis; the epoch of each step is kept beside them, and the report says so
    assert log.has_epochs and log.epoch_at(99.0) == 0.0 and log.epoch_at(199.0) == 1.0
    assert "epoch" not in log.columns and log.to_dict()["epochs"] == [0.0, 1.0]
    assert any("x axis: step" in n for n in log.notes)
    assert dict(log.params) == {"optimizer": "Adam"}  # lr-Adam names the optimizer


def test_pandas_empty_cells_after_divergence_are_nan(tmp_path: Path) -> None:
    path = tmp_path / "pandas.csv"
    pd.DataFrame({"epoch": [1, 2, 3, 4], "loss": [1.0, 0.8, np.nan, np.nan], "acc": [0.5, 0.6, np.nan, np.nan]}).to_csv(
        path, index=False
    )
    (log,) = read_training_log(path)
    assert np.isinf(log.series("train_loss")[1][2:]).all()
    assert any("no value at all" in n for n in log.notes)


def test_lightning_rows_with_only_ignored_values_stay_absent(tmp_path: Path) -> None:
    path = tmp_path / "metrics.csv"
    path.write_text(
        "epoch,step,train_loss_step,train_loss_epoch,val_loss\n0,49,1.2,,\n0,99,,,0.9\n0,99,,1.1,\n"
        "1,149,0.8,,\n1,199,,,0.75\n1,199,,0.75,\n"
    )
    (log,) = read_training_log(path)
    assert np.isfinite(log.series("train_loss")[1]).all() and log.series("train_loss")[0].tolist() == [99.0, 199.0]
    assert [n for n in log.notes if not n.startswith("x axis")] == []


def _write_events(directory: Path, scalars: dict[str, list[float]], start: int = 1) -> None:
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(directory))
    for tag, values in scalars.items():
        for i, value in enumerate(values):
            summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
            writer.add_event(event_pb2.Event(step=start + i, wall_time=1.0 + i, summary=summary))
    writer.close()


def test_tensorboard_runs_and_keras_split_directories(tmp_path: Path) -> None:
    root = tmp_path / "tb"
    _write_events(root / "lr_0.1", {"loss/train": [1.0, 0.5, 0.3], "loss/val": [1.1, 0.7, 0.6]})
    keras = root / "lr_0.01"
    _write_events(keras / "train", {"epoch_loss": [1.0, 0.8, 0.7]}, start=0)
    _write_events(keras / "validation", {"epoch_loss": [1.2, 0.9, 0.85], "epoch_accuracy": [0.5, 0.6, 0.7]}, start=0)
    logs = read_training_log(root)
    assert [log.name for log in logs] == ["lr_0.01", "lr_0.1"]
    by_name = {log.name: log for log in logs}
    assert by_name["lr_0.1"].format == "tensorboard"
    assert by_name["lr_0.1"].series("dev_loss")[1].tolist() == pytest.approx([1.1, 0.7, 0.6])
    keras_log = by_name["lr_0.01"]
    assert keras_log.series("train_loss")[0].tolist() == [0.0, 1.0, 2.0]
    assert keras_log.series("dev_loss")[1].tolist() == pytest.approx([1.2, 0.9, 0.85])
    assert keras_log.series("dev_accuracy")[1].tolist() == pytest.approx([0.5, 0.6, 0.7])


def test_tensorboard_missing_package_gives_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_events(tmp_path / "run", {"loss": [1.0, 0.5]})
    monkeypatch.setitem(sys.modules, "tensorboard.backend.event_processing", None)
    with pytest.raises(ConfigError) as error:
        read_training_log(tmp_path / "run")
    assert "unstuck[tensorboard]" in error.value.hint


def test_several_paths_get_unique_names(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "history.csv").write_text("epoch,loss\n1,1.0\n2,0.5\n")
    logs = read_training_logs([tmp_path / "a" / "history.csv", tmp_path / "b" / "history.csv"])
    assert [log.name for log in logs] == ["a/history", "b/history"]  # the folder that tells them apart
    again = read_training_logs([tmp_path / "a" / "history.csv", tmp_path / "a" / "history.csv"])
    assert [log.name for log in again] == ["history", "history#2"]  # nothing tells them apart


def test_lightning_versions_passed_one_by_one_keep_their_version_names(tmp_path: Path) -> None:
    paths = []
    for version in ("version_0", "version_1"):
        run = tmp_path / "lightning_logs" / version
        run.mkdir(parents=True)
        (run / "metrics.csv").write_text("epoch,step,train_loss\n0,9,1.0\n1,19,0.5\n")
        paths.append(run / "metrics.csv")
    assert [log.name for log in read_training_logs(paths)] == ["version_0", "version_1"]


def test_run_name_keeps_a_learning_rate_before_a_word_suffix(tmp_path: Path) -> None:
    from unstuck.training_log.compare import run_hyperparameters

    path = tmp_path / "lr_0.1.history.json"
    path.write_text(json.dumps({"loss": [1.0, 0.5]}))
    (log,) = read_training_log(path)
    assert log.name == "lr_0.1" and run_hyperparameters(log)["lr"] == 0.1


def test_infer_task_from_logs() -> None:
    classification = log_from_history({"loss": [1.0, 0.5], "val_accuracy": [0.5, 0.6]})
    regression = log_from_history({"loss": [1.0, 0.5], "val_mae": [3.0, 2.0]})
    loss_only = log_from_history({"loss": [1.0, 0.5]})
    assert infer_task_from_logs([classification])[0] == "classification"
    assert infer_task_from_logs([regression])[0] == "regression"
    assert infer_task_from_logs([loss_only])[0] is None
    assert infer_task_from_logs([classification, regression])[0] is None


# ---------------------------------------------------------------------------- bad input


def test_no_loss_column(tmp_path: Path) -> None:
    path = tmp_path / "acc.csv"
    path.write_text("epoch,accuracy\n1,0.5\n2,0.6\n")
    with pytest.raises(ColumnProblem, match="no loss column"):
        read_training_log(path)


def test_single_row(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("epoch,train_loss\n1,0.5\n")
    with pytest.raises(InputError, match="fewer than two"):
        read_training_log(path)


def test_non_numeric_value_names_column_and_row(tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    path.write_text("epoch,train_loss\n1,0.5\n2,oops\n")
    with pytest.raises(ColumnProblem, match=r"'train_loss'.*row 2.*'oops'"):
        read_training_log(path)


@pytest.mark.parametrize(
    ("name", "content", "error", "match"),
    [
        ("missing.csv", None, FileProblem, "does not exist"),
        ("log.xyz", "x", FileProblem, "format"),
        ("bad.json", "{not json", FileProblem, "not valid JSON"),
        ("bad.jsonl", '{"epoch": 1}\n[1, 2]\n', FileProblem, "not a JSON object"),
        ("scalar.json", "3", FileProblem, "neither a Keras history"),
        ("empty.csv", "", InputError, "empty"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: str | None, error: type[Exception], match: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(error, match=match):
        read_training_log(path)


def test_directory_without_logs(tmp_path: Path) -> None:
    with pytest.raises(FileProblem, match=r"holds no training log.*empty"):
        read_training_log(tmp_path)
    (tmp_path / "model.safetensors").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(FileProblem, match=r"found files: \.safetensors, \.txt.*TensorBoard event files"):
        read_training_log(tmp_path)


def test_frame_round_trip_of_summary() -> None:
    log = log_from_history({"loss": [1.0, 0.5, 0.25]}, name="h")
    summary = log.to_dict()
    assert summary["points"] == 3 and summary["columns"] == ["train_loss"]
    assert json.loads(json.dumps(summary)) == summary
    assert isinstance(log.frame, pd.DataFrame) and np.isfinite(log.frame["train_loss"]).all()


def test_detectron2_metrics_json_lines(tmp_path: Path) -> None:
    # Written to Detectron2's documented JSONWriter schema (one object per line, every row with
    # "iteration"; evaluation rows carry task metrics such as bbox/AP): detectron2 is not on PyPI
    # (it builds from source against a CUDA/torch pair), so its writer cannot run here.
    out = tmp_path / "output"
    out.mkdir()
    rows = [
        {"iteration": 19, "total_loss": 2.1, "loss_cls": 1.2, "lr": 0.0002, "data_time": 0.01, "eta_seconds": 90},
        {"iteration": 39, "total_loss": 1.6, "loss_cls": 0.9, "lr": 0.0004, "data_time": 0.01, "eta_seconds": 80},
        {"iteration": 39, "bbox/AP": 12.5, "bbox/AP50": 30.1},
        {"iteration": 59, "total_loss": 1.2, "loss_cls": 0.7, "lr": 0.0006, "data_time": 0.01, "eta_seconds": 70},
    ]
    (out / "metrics.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (log,) = read_training_log(out)
    assert log.name == "output" and log.format == "json_lines" and log.step_unit == "step"
    assert log.series("train_loss")[0].tolist() == [19.0, 39.0, 59.0]
    assert log.series("train_loss")[1].tolist() == [2.1, 1.6, 1.2]
    assert log.series("lr")[1].tolist() == [0.0002, 0.0004, 0.0006]
    assert {"loss_cls", "data_time", "eta_seconds", "bbox/AP"} <= set(log.ignored)
    assert "no validation series: only the training curve is diagnosed" in log.notes


def test_train_only_log_says_so_and_is_still_diagnosed(tmp_path: Path) -> None:
    from unstuck.training_log.judge import diagnose_run, kind_of

    path = tmp_path / "train_only.csv"
    losses = [2.0 * 10 ** (i / 2) for i in range(6)]  # a train loss rising ×1000: divergence
    path.write_text("epoch,loss\n" + "".join(f"{i + 1},{v}\n" for i, v in enumerate(losses)))
    (log,) = read_training_log(path)
    assert "no validation series: only the training curve is diagnosed" in log.notes
    assert any(kind_of(v) == "divergence" for v in diagnose_run(log).findings)
