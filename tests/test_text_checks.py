"""Text data end to end: the text ladder, copies between splits, label errors, bad input (Reuters R8).

MiniLM is switched off here (``minilm_available`` → False) so that these tests fit the CPU budget:
the text ladder is then trivial + TF-IDF linear; the MiniLM rung is covered in ``test_text_layer.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from text_data import flip_labels, plant_copies, r8_sample
from unstuck.context import Context
from unstuck.errors import ColumnProblem
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import RunResult, run_checks


@pytest.fixture(autouse=True)
def tfidf_only(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from unstuck.text import embed

    monkeypatch.setattr(embed, "minilm_available", lambda: False)
    monkeypatch.setenv("UNSTUCK_CACHE_DIR", str(tmp_path / "cache"))


def run(problem: Problem, *names: str) -> tuple[RunResult, Context]:
    ctx = Context(problem)
    specs = [s for s in registered_checks() if s.name in names]
    return run_checks(problem, ctx, checks=specs), ctx


@pytest.fixture(scope="module")
def r8() -> tuple[pd.DataFrame, pd.DataFrame]:
    return r8_sample("train", 600, seed=1), r8_sample("test", 200, seed=1)


def above_info(result: RunResult, *checks: str) -> list[str]:
    return [f"{f.id}: {f.title}" for f in result.findings if f.check in checks and f.severity != "info"]


def test_a_text_column_gets_the_text_ladder_and_the_report_says_why(r8) -> None:
    train, dev = r8
    problem = Problem.from_frames(train, dev=dev, target="topic")
    assert problem.text_columns == ("text",)
    assert "detected by content" in problem.notes["text"] and "'text': median" in problem.notes["text"]
    _, ctx = run(problem, "baselines")
    ladder = ctx.ladder.to_dict()
    assert [r["name"] for r in ladder["rungs"]] == ["trivial", "linear"]
    assert ladder["rungs"][1]["description"].startswith("TF-IDF")
    # TF-IDF words beat the majority class by far on 8 news topics (treated as one category it could not)
    assert ladder["best"] == "linear"
    assert ladder["rungs"][1]["errors"]["dev"] < 0.15 < ladder["rungs"][0]["errors"]["dev"]


def test_no_text_and_text_column_override_the_detection(r8) -> None:
    train, dev = r8
    off = Problem.from_frames(train, dev=dev, target="topic", text_columns=())
    assert off.text_columns == () and "--no-text" in off.notes["text"]
    given = Problem.from_frames(train.assign(note="x"), dev=dev.assign(note="y"), target="topic", text_columns=["text"])
    assert given.text_columns == ("text",) and "--text-column" in given.notes["text"]
    with pytest.raises(ColumnProblem, match="--text-column names 'body'"):
        Problem.from_frames(train, dev=dev, target="topic", text_columns=["body"])


def test_a_text_column_empty_in_dev_is_refused_with_its_name(r8) -> None:
    train, dev = r8
    with pytest.raises(ColumnProblem, match="text column 'text' is empty in every one of the 200 rows of dev"):
        Problem.from_frames(train, dev=dev.assign(text=np.nan), target="topic")


def test_planted_near_copy_leak_is_critical_and_clean_splits_raise_nothing(r8) -> None:
    train, dev = r8
    clean, _ = run(Problem.from_frames(train, dev=dev, target="topic"), "text_copies", "leakage")
    assert above_info(clean, "text_copies", "leakage") == []
    assert clean.sections["text_copies"]["leakage_found"] is False

    leaky, copied = plant_copies(train, dev, 0.25)
    result, _ = run(Problem.from_frames(leaky, dev=dev, target="topic"), "text_copies", "leakage")
    # the row check cannot see copies with their last word changed; the text check can
    assert above_info(result, "leakage") == []
    finding = next(f for f in result.findings if f.id == "text_copies.train.dev")
    assert finding.severity == "critical" and finding.bottleneck == "leakage" and finding.lever == "fix_leakage"
    assert finding.evidence["copies"] >= len(copied) == 50
    assert finding.evidence["normalised"] == 0 and finding.evidence["near"] == finding.evidence["copies"]
    assert "error_without_copies" in finding.evidence
    assert result.sections["text_copies"]["leakage_found"] is True
    # the section reads back as its type: the planted copies between the splits, left out of dev's error
    typed = next(s for s in registered_checks() if s.name == "text_copies").read_section(result.sections["text_copies"])
    shared = typed.columns["text"].pairs[0]
    assert shared.splits == ("train", "dev") and shared.copies == finding.evidence["copies"]
    assert shared.share == shared.copies / 200 and shared.by_chance == typed.columns["text"].within["train"].share
    without = typed.columns["text"].error_without_copies["dev"]
    assert (without.n_leaked, without.n_kept) == (shared.copies, 200 - shared.copies)
    assert without.change == pytest.approx(without.without - without.everything)


def test_flipped_training_labels_are_found_and_clean_labels_are_not(r8) -> None:
    train, dev = r8
    clean, _ = run(Problem.from_frames(train, dev=dev, target="topic"), "labels")
    assert above_info(clean, "labels") == []

    noisy, flipped = flip_labels(train, 0.15)
    result, _ = run(Problem.from_frames(noisy, dev=dev, target="topic"), "labels")
    train_labels = result.sections["labels"]["splits"]["train"]
    ranked = [r["row"] for r in train_labels["ranked"]]
    assert above_info(result, "labels"), result.findings
    # the rows cleanlab ranks most likely wrong are the planted flips, and about as many are flagged
    assert len(set(ranked) & set(flipped)) >= 0.8 * len(ranked) == 40
    assert 0.7 * len(flipped) <= train_labels["flagged"] <= 1.5 * len(flipped)


# ------------------------------------------------------------------ the command line


@pytest.fixture(scope="module")
def r8_files(tmp_path_factory, r8) -> dict[str, str]:
    train, dev = r8
    folder = tmp_path_factory.mktemp("r8")
    leaky, _ = plant_copies(train, dev, 0.25)
    files = {
        "train": folder / "train.csv",
        "leaky": folder / "leaky.csv",
        "dev": folder / "dev.csv",
        "dev_empty": folder / "dev_empty.csv",
    }
    train.to_csv(files["train"], index=False)
    leaky.to_csv(files["leaky"], index=False)
    dev.to_csv(files["dev"], index=False)
    dev.assign(text="").to_csv(files["dev_empty"], index=False)
    return {k: str(v) for k, v in files.items()}


def test_explore_finds_the_leak_and_says_the_column_is_text(r8_files, tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from unstuck.cli import app

    monkeypatch.delenv("UNSTUCK_DEVICE", raising=False)
    out = tmp_path / "report.json"
    args = ["explore", r8_files["leaky"], "--dev", r8_files["dev"], "--target", "topic", "--json", str(out)]
    args += ["--cache-dir", str(tmp_path / "cache"), "--device", "cpu"]
    done = CliRunner().invoke(app, args, env={"COLUMNS": "120"})
    assert done.exit_code == 0, done.output
    report = json.loads(out.read_text())
    leak = next(f for f in report["findings"] if f["id"] == "text_copies.train.dev")
    assert leak["severity"] == "critical" and leak["evidence"]["copies"] >= 50
    assert "detected by content" in json.dumps(report)
    import os

    assert os.environ["UNSTUCK_DEVICE"] == "cpu" and os.environ["UNSTUCK_CACHE_DIR"] == str(tmp_path / "cache")


def test_bad_text_input_is_one_paragraph_and_exit_2(r8_files, cli) -> None:
    empty = cli(["diagnose", r8_files["train"], "--dev", r8_files["dev_empty"], "--target", "topic"])
    assert empty.returncode == 2 and "Traceback" not in empty.stderr
    assert "The text column 'text' is empty in every one of the 200 rows of" in empty.stderr
    assert "--no-text" in empty.stderr
    both = cli(["explore", r8_files["train"], "--target", "topic", "--no-text", "--text-column", "text"])
    assert both.returncode == 2 and "contradict each other" in both.stderr
    unknown = cli(["explore", r8_files["train"], "--target", "topic", "--text-column", "body"])
    assert unknown.returncode == 2 and "--text-column names 'body'" in unknown.stderr
    device = cli(["explore", r8_files["train"], "--target", "topic", "--device", "tpu"])
    assert device.returncode == 2 and "Unknown device 'tpu'" in device.stderr


def test_cuda_asked_for_without_a_gpu_is_refused_before_any_work(r8_files, cli) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: --device cuda is valid here")
    done = cli(["diagnose", r8_files["train"], "--target", "topic", "--device", "cuda"])
    assert done.returncode == 2 and "torch sees no CUDA GPU" in done.stderr
