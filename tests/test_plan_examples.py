"""The method's worked examples, as a new user meets them: `unstuck init` writes each
example's card, `unstuck plan` must prescribe the method's first actions, and every
command the plan prints must run on planted data of the size the plan recommends.

The examples (the method's own, see PRODUCT.md's source):

* a startup whose LLM-API bill threatens unit economics: move to deep learning by
  engineering a labelled set from production traffic (distillation), not more prompting;
* a team a month past its prompt-tuning box with a quality gap: drop to deep learning with
  labels better than the LLM's and fine-tuning (distilling would copy the LLM's errors);
* a biometric access system with five components, after "more images" and "more GPUs":
  find the component that accounts for most failures first, and name those two tries as
  guesses made without a diagnosis;
* a greenfield biosignal with 80 labelled examples: a quick baseline and a learning curve
  on those 80 rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from conftest import run_cli

PLACEHOLDER = re.compile(r"<[a-z0-9_]+>")
TRAIN_SCRIPT = 'import json; print(json.dumps({"dev_error": 0.2}))\n'


def plan_for(tmp_path: Path, init: list[str]) -> dict[str, Any]:
    """Write the card with `unstuck init`, then return `unstuck plan --json`."""
    made = run_cli(["init", *init], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    planned = run_cli(["plan", "--json", "plan.json"], cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    assert "Traceback" not in planned.stderr
    return json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))


def run_printed(command: str, cwd: Path, values: dict[str, str]) -> str:
    """Run a command exactly as the plan printed it, its <placeholders> filled in; return stdout.

    Every placeholder must have a value here: an unknown one fails the test, as it would
    leave a user guessing.
    """
    tokens: list[str] = []
    for token in shlex.split(command):
        if token == "<training_command>":
            tokens += [sys.executable, "train.py"]
            continue
        unknown = [p for p in PLACEHOLDER.findall(token) if p not in values]
        assert not unknown, f"{command!r}: no value for {unknown}"
        tokens.append(PLACEHOLDER.sub(lambda m: values[m.group(0)], token))
    assert tokens[0] == "unstuck", command
    result = run_cli(tokens[1:], cwd=cwd)
    assert result.returncode == 0, f"{command!r} failed:\n{result.stderr}"
    return result.stdout


def run_all_printed(plan: dict[str, Any], cwd: Path, values: dict[str, str]) -> dict[str, str]:
    """Run each distinct command of the plan, in order; their stdout by command."""
    commands = dict.fromkeys(s["command"] for s in plan["steps"] if s["command"])
    return {command: run_printed(command, cwd, values) for command in commands}


def planted_table(n: int, seed: int) -> pd.DataFrame:
    """Two informative features and one noise column; the label is a noisy threshold of x1 + x2."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    label = np.where(x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    return pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "noise": x[:, 2], "label": label})


def write_tables(folder: Path) -> None:
    planted_table(600, seed=1).to_csv(folder / "train.csv", index=False)
    planted_table(200, seed=2).to_csv(folder / "dev.csv", index=False)


def first_three(plan: dict[str, Any]) -> list[str]:
    return [s["rule"] for s in plan["steps"][:3]]


def test_startup_with_an_llm_bill_distils_production_traffic(tmp_path: Path) -> None:
    from cost._cost_data import rotten_tomatoes, traffic_records, write_jsonl

    plan = plan_for(
        tmp_path,
        [
            "--data-type", "text", "--stage", "cost_problem", "--deployment", "production",
            "--volume", "200000", "--uses-llm-api", "--budget-per-month", "20000",
        ],
    )  # fmt: skip
    assert (plan["layer"], plan["layer_rule"]) == ("deep_learning", "cost_at_scale")
    assert first_three(plan) == ["layer", "cost_curve", "record_layer"]
    move, cost, record = plan["steps"][:3]
    assert move["command"] == "unstuck distill traffic.jsonl --input prompt --output response"
    assert "Move from the LLM API to the deep-learning layer" in move["title"]
    assert "--budget 20000" in cost["command"]
    assert record["title"] == 'Record the move in the card: layer = "deep_learning" under [decisions] in unstuck.toml'
    assert not any(s["rule"] == "prompt_time_box" for s in plan["steps"])
    assert all(s["layer"] in (None, "deep_learning") for s in plan["steps"])

    write_jsonl(tmp_path / "traffic.jsonl", traffic_records(rotten_tomatoes().sample(n=400, random_state=0)))
    write_tables(tmp_path)
    values = {
        "<label>": "label",
        "<measured>": "0.02",
        "<usd_per_1m_input_tokens>": "2.5",
        "<usd_per_1m_output_tokens>": "10",
        "<requests_per_month>": "2000000",
        "<monthly_growth>": "0.1",
        "<usd_per_instance_hour>": "1.2",
        "<requests_per_second>": "40",
    }
    commands = run_all_printed(plan, tmp_path, values)
    assert [c.split()[1] for c in commands] == ["distill", "cost", "diagnose"]
    assert "Cascade:" in commands[move["command"]]


def test_a_month_past_the_prompt_box_with_a_gap_labels_and_fine_tunes(tmp_path: Path) -> None:
    from cost._cost_data import rotten_tomatoes

    started = dt.date.today() - dt.timedelta(days=53)
    plan = plan_for(
        tmp_path,
        [
            "--data-type", "text", "--stage", "prototype", "--current", "0.20", "--target", "0.05",
            "--prompt-tuning-started", started.isoformat(),
        ],
    )  # fmt: skip
    assert (plan["layer"], plan["layer_rule"]) == ("deep_learning", "quality_gap_after_time_box")
    assert "53 days ago" in plan["layer_why"]
    assert first_three(plan) == ["layer", "label_set", "record_layer"]
    move, label_set, _ = plan["steps"][:3]
    assert "labels that are better than the LLM's" in move["title"]
    assert "would copy the 20.0% error" in move["why"]
    assert "at least 76 real inputs" in label_set["title"]
    titles = " ".join(s["title"] for s in plan["steps"])
    assert "LLM-prompting layer" not in titles and "past its time box" not in titles
    assert not any("distill" in (s["command"] or "") for s in plan["steps"])

    # the labelled set's command runs on exactly the rows the plan asks for
    rows = int(re.search(r"at least (\d+) real inputs", label_set["title"]).group(1))  # type: ignore[union-attr]
    labelled = rotten_tomatoes().sample(n=rows, random_state=1).rename(columns={"category": "label"})
    labelled.to_csv(tmp_path / "labelled.csv", index=False)  # the only data this plan's commands need
    commands = run_all_printed(plan, tmp_path, {"<label>": "label", "<measured>": "0.02"})
    assert next(iter(commands)) == "unstuck diagnose labelled.csv --target <label>"


def test_biometric_system_attributes_failures_to_components_first(tmp_path: Path) -> None:
    stages = ["capture", "detect", "register", "compare", "spoof"]
    plan = plan_for(
        tmp_path,
        [
            "--data-type", "image", "--stage", "failing_baseline", "--current", "0.08", "--target", "0.01",
            "--tried", "more images", "--tried", "more GPUs",
            *[arg for stage in stages for arg in ("--component", stage)],
        ],
    )  # fmt: skip
    assert (plan["layer"], plan["layer_rule"]) == ("deep_learning", "data_type")
    assert first_three(plan) == ["components", "diagnose_first", "untested_tries"]
    components = plan["steps"][0]
    assert components["command"] == "unstuck components results.csv --stages capture,detect,register,compare,spoof"
    tries = [s for s in plan["steps"] if s["rule"] == "untested_tries"]
    assert [t["title"].split(":")[0] for t in tries] == [
        "'more images' was tried without a recorded diagnosis",
        "'more GPUs' was tried without a recorded diagnosis",
    ]
    assert [t["command"].split()[:2] for t in tries] == [["unstuck", "curve"], ["unstuck", "diagnose"]]

    # 400 attempts: detection fails first on 30 of them, capture on 6, spoof detection on 4
    rng = np.random.default_rng(0)
    results = pd.DataFrame({stage: np.ones(400, dtype=int) for stage in stages})
    rows = rng.permutation(400)
    results.loc[rows[:6], "capture"] = 0
    results.loc[rows[6:36], "detect"] = 0
    results.loc[rows[36:40], "spoof"] = 0
    results.to_csv(tmp_path / "results.csv", index=False)
    write_tables(tmp_path)
    from unstuck.training_log.synthetic import planted_curves

    pd.DataFrame(planted_curves("still_improving", 0)).to_csv(tmp_path / "history.csv", index=False)
    (tmp_path / "train.py").write_text(TRAIN_SCRIPT, encoding="utf-8")
    values = {"<label>": "label", "<measured>": "0.005", "<hypothesis>": "detection is the bottleneck"}
    out = run_printed(components["command"], tmp_path, values)
    assert "End-to-end failures: 40 of 400 rows" in out
    assert re.search(r"detect\s+30\s+75%", out), out
    outputs = run_all_printed(plan, tmp_path, values)
    # the diagnosis that should have come before "more GPUs", on a planted still-improving run
    assert "compute-bound" in outputs[tries[1]["command"]]


def test_greenfield_biosignal_plan_on_its_80_examples(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, ["--data-type", "time_series", "--stage", "greenfield", "--volume", "80"])
    assert first_three(plan) == ["layer", "greenfield_collect", "greenfield_baseline"]
    assert plan["steps"][1]["title"].startswith("Start from the 80 labelled examples you have")
    commands = [s["command"] for s in plan["steps"] if s["command"]]
    assert commands[:2] == ["unstuck diagnose small.csv --target <label>", "unstuck curve small.csv --target <label>"]
    planted_table(80, seed=3).to_csv(tmp_path / "small.csv", index=False)
    values = {"<label>": "label", "<measured>": "0.05"}
    for command in commands:
        if " curve " not in command:
            run_printed(command, tmp_path, values)


def test_greenfield_learning_curve_runs_on_80_rows(tmp_path: Path) -> None:
    # The greenfield plan's forecast step, run as printed on the 80 rows the card records.
    plan = plan_for(tmp_path, ["--data-type", "time_series", "--stage", "greenfield", "--volume", "80"])
    curve = next(s["command"] for s in plan["steps"] if s["rule"] == "greenfield_forecast")
    assert curve == "unstuck curve small.csv --target <label>"
    planted_table(80, seed=3).to_csv(tmp_path / "small.csv", index=False)
    run_printed(curve, tmp_path, {"<label>": "label"})
