"""The production gate on planted real-data scenarios: each planting fails exactly its condition."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gate_scenarios import CLAIMED_GAIN, scenario, write
from unstuck.errors import ConfigError
from unstuck.gate import DEFAULTS, FAIL, NOT_CHECKED, PASS, GateSettings, load_inputs, parse_floor, run_gate
from unstuck.gate.calibration import expected_calibration_error
from unstuck.gate.power import mcnemar_rows_needed, paired_rows_needed
from unstuck.schemas import validate

SETTINGS = replace(DEFAULTS, claimed_gain=CLAIMED_GAIN).with_floors((parse_floor("slice error <= 0.9"),))
CHECKED_EVERYWHERE = {
    "test_distribution",
    "test_power",
    "test_leakage",
    "test_overfit",
    "beats_constant",
    "better_than_baseline",
}


def _run(tmp_path: Path, settings: GateSettings = SETTINGS, **planting: object):
    candidate, baseline = scenario(**planting)  # type: ignore[arg-type]
    cand_path, base_path = write(tmp_path, candidate, baseline)
    return run_gate(load_inputs(cand_path, base_path), settings)


def _failed(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.name for c in result.failed}


def test_sound_candidate_passes_every_checked_condition(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.verdict == "GO"
    assert _failed(result) == set()
    statuses = {c.name: c.status for c in result.conditions}
    assert all(statuses[name] == PASS for name in CHECKED_EVERYWHERE | {"slice_floors", "slice_regressions"})
    assert statuses["calibration"] == PASS
    # no latency command: listed as not checked, never passed
    assert statuses["latency"] == NOT_CHECKED and statuses["cost"] == NOT_CHECKED
    better = result.condition("better_than_baseline")
    # 27.4 % vs 32.2 % on 1,866 rows (see gate_scenarios)
    assert better.detail["candidate"] == pytest.approx(511 / 1866)
    assert better.detail["baseline"] == pytest.approx(601 / 1866)
    low, high = better.detail["interval"]
    assert 0 < low < better.measured < high
    # the leakage rule sees the survey's repeated answers as chance, not leakage
    leakage = result.condition("test_leakage")
    assert leakage.detail["shared_rows"] > 0 and not leakage.detail["beyond_chance"]


def test_test_set_from_another_distribution_fails_only_that(tmp_path: Path) -> None:
    result = _run(tmp_path, shifted=True)
    assert _failed(result) == {"test_distribution"}
    condition = result.condition("test_distribution")
    assert condition.detail["interval"][0] >= 0.6
    assert condition.detail["drivers"][0]["column"] == "occupation_husb"


def test_test_set_too_small_for_the_claim_fails_only_power(tmp_path: Path) -> None:
    result = _run(tmp_path, test_rows=300)
    assert _failed(result) == {"test_power"}
    power = result.condition("test_power")
    assert power.measured == 300
    # how many rows it would take, from Connor's formula on the measured discordant share
    psi = power.detail["discordant_share"]
    assert power.threshold == mcnemar_rows_needed(CLAIMED_GAIN, psi, alpha=0.05, power=0.8) > 300
    # the gain within noise on too few rows is undecided, not passed and not failed
    assert result.condition("better_than_baseline").status == NOT_CHECKED


def test_slice_that_regresses_fails_only_slice_regressions(tmp_path: Path) -> None:
    result = _run(tmp_path, regress_slice=True)
    assert _failed(result) == {"slice_regressions"}
    flagged = [g for g in result.condition("slice_regressions").detail["groups"] if g["regresses"]]
    slices = [g for g in flagged if g["kind"] == "slice"]
    # the discovered slice is the planted one; class 0 holds most planted rows, so it regresses too
    assert slices and all("religious = 4" in g["group"] for g in slices)
    assert {g["group"] for g in flagged if g["kind"] != "slice"} <= {"class 0"}
    assert all(g["gain"] < 0 and g["q_value"] <= 0.05 for g in flagged)


def test_overconfident_model_fails_only_calibration(tmp_path: Path) -> None:
    result = _run(tmp_path, overconfident=True)
    assert _failed(result) == {"calibration"}
    calibration = result.condition("calibration")
    assert calibration.detail["interval"][0] > 0.05
    assert calibration.detail["mean_confidence"] > calibration.detail["accuracy"] + 0.1
    assert "over-confident" in calibration.summary


def test_test_rows_copied_from_train_fail_only_leakage(tmp_path: Path) -> None:
    candidate, baseline = scenario(leaked=True)
    inputs = load_inputs(*write(tmp_path, candidate, baseline), id_column="id")
    result = run_gate(inputs, SETTINGS)
    assert _failed(result) == {"test_leakage"}
    leakage = result.condition("test_leakage")
    assert leakage.detail["ids"] == 300 and leakage.detail["beyond_chance"]
    # the 300 copies, plus the rows that repeat a train row's answers by chance (a quarter on this survey)
    assert leakage.detail["shared_rows"] >= 300
    assert leakage.measured == pytest.approx(leakage.detail["shared_rows"] / 1866)
    # a tenth of the test rows: material whatever the model does (the leakage check's rule)
    assert leakage.detail["materiality"]["material"]


def test_floor_above_a_class_error_fails_only_floors(tmp_path: Path) -> None:
    settings = replace(DEFAULTS, claimed_gain=CLAIMED_GAIN).with_floors((parse_floor("class error <= 0.5"),))
    result = _run(tmp_path, settings)
    assert _failed(result) == {"slice_floors"}
    above = [g for g in result.condition("slice_floors").detail["groups"] if g["above_floor"]]
    # the candidate misses most respondents who reported an affair: 381 of 579
    assert [(g["group"], g["rows"]) for g in above] == [("class 1", 579)]
    assert above[0]["error"] == pytest.approx(381 / 579)


def test_slow_command_fails_only_latency(tmp_path: Path) -> None:
    settings = replace(SETTINGS, latency_p95_ms=150.0, latency_runs=3)
    candidate, baseline = scenario()
    inputs = load_inputs(*write(tmp_path, candidate, baseline))
    slow = f'{sys.executable} -c "import time; time.sleep(0.4)"'
    result = run_gate(inputs, settings, latency_command=slow)
    assert _failed(result) == {"latency"}
    latency = result.condition("latency")
    assert latency.measured is not None and latency.measured >= 400
    fast = run_gate(inputs, replace(settings, latency_p95_ms=60_000.0), latency_command="true")
    assert fast.condition("latency").status == PASS


def test_latency_command_gets_a_sampled_test_row(tmp_path: Path) -> None:
    from unstuck.gate.budget import measure_latency

    log = tmp_path / "served.txt"
    script = tmp_path / "serve.py"
    script.write_text(
        "import sys, pandas as pd\n"
        f"row = pd.read_csv(sys.argv[1])\nopen({str(log)!r}, 'a').write(f'{{len(row)}} {{row.age.iloc[0]}}\\n')\n",
        encoding="utf-8",
    )
    sample = pd.DataFrame({"age": [22.0, 27.0, 32.0]})
    latency = measure_latency(f"{sys.executable} {script} {{row}}", 4, sample, seed=0)
    assert len(latency.runs_ms) == 4
    served = log.read_text(encoding="utf-8").split("\n")[:-1]
    picks = np.random.default_rng(0).integers(0, 3, size=4)
    assert served == [f"1 {sample.age[i]}" for i in picks]
    with pytest.raises(ConfigError, match="no rows"):
        measure_latency("true {row}", 2, None)


def test_cost_per_request_and_curve_follow_the_cost_model(tmp_path: Path) -> None:
    from unstuck.gate.budget import Latency, cost_condition

    latency = Latency((100.0, 100.0, 100.0))  # 10 requests/s per instance, at 50 % utilisation
    settings = replace(DEFAULTS, instance_hourly=1.0, requests_per_month=20_000_000, budget_per_month=1000.0)
    condition = cost_condition(latency, settings)
    # capacity 10 × 0.5 × 3600 × 730 = 13.14 M requests per instance-month: 2 instances × 730 h × 1.0
    assert condition.detail["monthly_bill"] == pytest.approx(1460.0)
    assert condition.detail["cost_per_request"] == pytest.approx(1460.0 / 20_000_000)
    assert condition.status == FAIL and condition.threshold == 1000.0
    assert [p["instances"] for p in condition.detail["curve"]] == [1, 1, 2, 4, 7]


def test_mcnemar_sample_size_matches_connor_and_simulation() -> None:
    # Connor (1987): ψ = 0.2, δ = 0.1 → (1.96·√0.2 + 0.8416·√0.19)² / 0.01 = 154.6
    assert mcnemar_rows_needed(0.1, 0.2, alpha=0.05, power=0.8) == 155
    from scipy.stats import binomtest

    rng = np.random.default_rng(0)
    rejections = 0
    for _ in range(400):
        draws = rng.choice(3, size=155, p=[0.15, 0.05, 0.8])  # wins, losses, concordant
        wins, losses = int((draws == 0).sum()), int((draws == 1).sum())
        rejections += binomtest(wins, wins + losses, 0.5).pvalue < 0.05
    assert 0.7 <= rejections / 400 <= 0.9
    assert paired_rows_needed(0.5, 2.0, alpha=0.05, power=0.8) == math.ceil((2.8016 * 4) ** 2)


def test_ece_of_planted_bins() -> None:
    confidence = np.array([0.9] * 10 + [0.6] * 10)
    correct = np.array([True] * 6 + [False] * 4 + [True] * 6 + [False] * 4)
    # bin 0.9: accuracy 0.6 (gap 0.3); bin 0.6: accuracy 0.6 (gap 0): ECE = 0.5 × 0.3
    assert expected_calibration_error(confidence, correct) == pytest.approx(0.15)


def test_predictions_unrelated_to_the_labels_fail_beats_constant(tmp_path: Path) -> None:
    candidate, _ = scenario()
    rng = np.random.default_rng(0)
    test = candidate["split"] == "test"
    candidate.loc[test, "y_pred"] = rng.permutation(candidate.loc[test, "y_pred"].to_numpy())
    candidate = candidate.drop(columns=["proba_0", "proba_1"])
    candidate.to_csv(tmp_path / "shuffled.csv", index=False)
    result = run_gate(load_inputs(tmp_path / "shuffled.csv"), DEFAULTS)
    condition = result.condition("beats_constant")
    assert condition.status == FAIL and result.verdict == "NO-GO"
    # the majority class (no affair) errs on the 579 of 1,866 test rows that reported one
    assert condition.detail["on_metric"]["constant"] == pytest.approx(579 / 1866)
    assert result.condition("better_than_baseline").status == NOT_CHECKED


def test_a_card_with_a_gate_table_still_reads_as_a_project_card(tmp_path: Path) -> None:
    from unstuck.card import read_card
    from unstuck.gate import read_gate_card

    card = tmp_path / "unstuck.toml"
    card.write_text(
        '[data]\ntype = "structured"\n[status]\nstage = "prototype"\n[constraints]\nbudget_per_month = 900\n'
        '[gate]\nclaimed_gain = 0.02\nfloors = ["class error <= 0.3"]\n',
        encoding="utf-8",
    )
    assert read_card(card).budget_per_month == 900
    settings = read_gate_card(card)
    assert (settings.claimed_gain, settings.budget_per_month, settings.floors[0].bound) == (0.02, 900, 0.3)


def test_floor_text_is_parsed_or_refused() -> None:
    floor = parse_floor("slice error <= 0.15")
    assert (floor.scope, floor.measure, floor.bound) == ("slice", "error", 0.15)
    with pytest.raises(ConfigError):
        parse_floor("error below 15%")


def test_regression_candidate_gets_a_paired_bootstrap(tmp_path: Path) -> None:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression

    data = load_diabetes(as_frame=True).frame.sample(frac=1, random_state=0).reset_index(drop=True)
    features = [c for c in data.columns if c != "target"]
    train, dev, test = data.iloc[:250], data.iloc[250:346], data.iloc[346:]
    full = LinearRegression().fit(train[features], train["target"])
    bmi = LinearRegression().fit(train[["bmi"]], train["target"])

    def table(model: LinearRegression, cols: list[str], parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(
            [
                pd.DataFrame({"split": s, "y_true": f["target"], "y_pred": model.predict(f[cols]), **f[features]})
                for s, f in parts.items()
            ],
            ignore_index=True,
        )

    cand = table(full, features, {"train": train, "dev": dev, "test": test})
    base = table(bmi, ["bmi"], {"test": test})
    inputs = load_inputs(*write(tmp_path, cand, base), task="regression")
    result = run_gate(inputs, replace(DEFAULTS, claimed_gain=5.0))
    power = result.condition("test_power")
    assert power.detail["test"] == "a paired bootstrap"
    # rows needed, from the squared errors: Δ in MSE for a 5-point RMSE claim, σ of the paired differences
    cand_sq = (test["target"] - full.predict(test[features])) ** 2
    base_sq = (test["target"] - bmi.predict(test[["bmi"]])) ** 2
    delta = base_sq.mean() - (np.sqrt(base_sq.mean()) - 5.0) ** 2
    needed = math.ceil(((1.959964 + 0.841621) * np.std(base_sq - cand_sq, ddof=1) / delta) ** 2)
    assert power.threshold == needed
    assert power.status == (FAIL if len(test) < needed else PASS)
    better = result.condition("better_than_baseline")
    rmse = lambda p: float(np.sqrt(np.mean((test["target"] - p) ** 2)))  # noqa: E731
    assert better.detail["candidate"] == pytest.approx(rmse(full.predict(test[features])))
    assert better.detail["baseline"] == pytest.approx(rmse(bmi.predict(test[["bmi"]])))
    assert result.condition("calibration").status == NOT_CHECKED
    validate(result.to_json(), "gate-1")


def test_cli_exit_codes_and_json(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    candidate, baseline = scenario(overconfident=True)
    cand_path, base_path = write(tmp_path, candidate, baseline)
    card = tmp_path / "unstuck.toml"
    card.write_text(
        f'[data]\ntype = "structured"\n[status]\nstage = "prototype"\n[gate]\nclaimed_gain = {CLAIMED_GAIN}\n',
        encoding="utf-8",
    )
    out = tmp_path / "gate.json"
    done = cli(["gate", "--predictions", str(cand_path), "--baseline", str(base_path), "--card", str(card),
                "--json", str(out)])  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("NO-GO: 1 condition(s) failed (calibration)")
    saved = json.loads(out.read_text(encoding="utf-8"))
    validate(saved, "gate-1")
    assert saved["schema"] == "unstuck.gate/1" and saved["verdict"] == "NO-GO"
    assert saved["failed"] == ["calibration"] and "latency" in saved["not_checked"]
    assert saved["settings"]["claimed_gain"] == CLAIMED_GAIN
    sound, _ = scenario()
    sound.to_csv(cand_path, index=False)
    sound_run = cli(["gate", "--predictions", str(cand_path), "--baseline", str(base_path)])
    assert sound_run.returncode == 0 and sound_run.stdout.startswith("GO; 3 not checked (slice_floors, latency, cost)")
    assert "thresholds (stated defaults): significance 0.05, power 80%, gain to detect the measured gain" in (
        sound_run.stdout
    )
    bad = cli(["gate", "--predictions", str(cand_path), "--floor", "slice error is low"])
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "SCOPE error <= NUMBER" in bad.stderr
    unknown = tmp_path / "typo.toml"
    unknown.write_text('[data]\ntype = "structured"\n[status]\nstage = "prototype"\n[gate]\npowr = 0.9\n')
    typo = cli(["gate", "--predictions", str(cand_path), "--card", str(unknown)])
    assert typo.returncode == 2 and "Did you mean 'gate.power'?" in typo.stderr
    page = tmp_path / "gate.html"
    assert cli(["gate", "--predictions", str(cand_path), "--html", str(page), "-q"]).returncode == 0
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text and "Reliability (ECE" in text and "<script" not in text
    short = baseline.iloc[:10]
    short.to_csv(base_path, index=False)
    mismatch = cli(["gate", "--predictions", str(cand_path), "--baseline", str(base_path)])
    assert mismatch.returncode == 2 and "same test rows" in mismatch.stderr


def test_an_id_column_is_found_by_name_and_kept_out_of_the_features(tmp_path: Path) -> None:
    candidate, baseline = scenario(leaked=True)
    inputs = load_inputs(*write(tmp_path, candidate, baseline))
    assert inputs.id_column == "id" and "id" not in inputs.features
    assert run_gate(inputs, SETTINGS).condition("test_leakage").detail["ids"] == 300


def test_baseline_rows_are_matched_by_id_in_any_order(tmp_path: Path) -> None:
    candidate, baseline = scenario(leaked=True)
    ordered = run_gate(load_inputs(*write(tmp_path, candidate, baseline), id_column="id"), SETTINGS)
    shuffled = baseline.sample(frac=1, random_state=1)
    moved = run_gate(load_inputs(*write(tmp_path, candidate, shuffled), id_column="id"), SETTINGS)
    assert moved.condition("better_than_baseline").detail == ordered.condition("better_than_baseline").detail


def test_bad_inputs_are_named(tmp_path: Path) -> None:
    from unstuck.errors import SplitProblem
    from unstuck.gate.budget import measure_latency

    candidate, baseline = scenario()
    no_test = candidate[candidate["split"] != "test"]
    cand_path, base_path = write(tmp_path, no_test, baseline)
    with pytest.raises(SplitProblem, match="no test rows"):
        load_inputs(cand_path, base_path)
    with pytest.raises(ConfigError, match="exited with code 1"):
        measure_latency("false", 2)
    with pytest.raises(ConfigError, match="max_domain_auc"):
        replace(DEFAULTS, max_domain_auc=0.4)


def test_slice_regressions_keep_false_discoveries_rare_when_the_models_are_exchangeable(tmp_path: Path) -> None:
    # Each test row gives the candidate's and the baseline's predictions to one model or the other
    # by a coin flip: on every class and slice the two are then equally good, and a flag is false.
    candidate, baseline = scenario()
    test = (candidate["split"] == "test").to_numpy()
    mine, theirs = candidate.loc[test, "y_pred"].to_numpy(), baseline["y_pred"].to_numpy()
    failed = 0
    for seed in range(20):
        swap = np.random.default_rng(seed).random(len(mine)) < 0.5
        cand, base = candidate.copy(), baseline.copy()
        cand.loc[test, "y_pred"] = np.where(swap, theirs, mine)
        base["y_pred"] = np.where(swap, mine, theirs)
        inputs = load_inputs(*write(tmp_path, cand, base), seed=seed)
        failed += run_gate(inputs, DEFAULTS).condition("slice_regressions").status == FAIL
    # at the 5% level about one run in twenty; four or more would happen by chance 1.6% of the time
    assert failed <= 3
