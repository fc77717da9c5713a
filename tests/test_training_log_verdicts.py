"""Training-curve verdicts: planted pathologies, pinned numbers, real MLP curves, run comparison.

Each rule's pinned numbers are read from its registered check (``training_log.<kind>``) run
through the runner, the way a diagnosis runs it; what one rule silences in another is pinned
on ``diagnose_run``, which applies every rule.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from unstuck.context import Context
from unstuck.findings import BOTTLENECKS, LEVERS, Finding
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import run_checks
from unstuck.training_log.compare import compare_runs, run_hyperparameters
from unstuck.training_log.judge import diagnose_run, kind_of, primary_kind
from unstuck.training_log.numerics import forecast_tail
from unstuck.training_log.readers import TrainingLog, log_from_frame
from unstuck.training_log.run import KINDS
from unstuck.training_log.synthetic import HUMAN_ERROR, PLANTED, planted_log

CONTRACT_BOTTLENECK = {
    "divergence": "training_instability",
    "instability": "training_instability",
    "overfitting": "variance",
    "underfitting": "avoidable_bias",
    "still_improving": "avoidable_bias",
}


def make_log(name: str = "run", **columns: list[float] | np.ndarray) -> TrainingLog:
    length = len(next(iter(columns.values())))
    frame = pd.DataFrame(
        {"epoch": np.arange(1, length + 1), **{k: np.asarray(v, dtype=float) for k, v in columns.items()}}
    )
    return log_from_frame(frame, name=name)


def by_check(
    logs: TrainingLog | list[TrainingLog], kind: str, *, human_error: float | None = None, n_classes: int = 0
) -> list[Finding]:
    """The findings of the registered check ``training_log.<kind>`` on a problem of these logs, run by the runner."""
    problem = Problem.from_training_logs(logs if isinstance(logs, list) else [logs], human_error=human_error)
    if n_classes:
        problem = dataclasses.replace(problem, classes=tuple(range(n_classes)))
    (spec,) = [s for s in registered_checks() if s.name == f"training_log.{kind}"]
    result = run_checks(problem, Context(problem), checks=[spec])
    assert not result.skipped, result.skipped
    assert all(f.check == spec.name for f in result.findings)
    return list(result.findings)


def serious(log: TrainingLog, **kwargs: object) -> list[str]:
    return [kind_of(v) for v in diagnose_run(log, **kwargs).findings if v.severity != "info"]  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", PLANTED)
@pytest.mark.parametrize("seed", [101, 202])
def test_planted_pathology_is_the_primary_verdict(kind: str, seed: int) -> None:
    verdicts = diagnose_run(planted_log(kind, seed), human_error=HUMAN_ERROR).findings
    if kind == "healthy":
        assert all(v.severity == "info" for v in verdicts), [v.title for v in verdicts]
        return
    considered = verdicts if kind == "saturated_early" else [v for v in verdicts if v.severity != "info"]
    assert primary_kind(considered) == kind, [v.title for v in verdicts]
    for verdict in verdicts:
        assert verdict.lever is None or verdict.lever in LEVERS
        assert verdict.bottleneck is None or verdict.bottleneck in BOTTLENECKS
        if kind_of(verdict) in CONTRACT_BOTTLENECK:
            assert verdict.bottleneck == CONTRACT_BOTTLENECK[kind_of(verdict)]
    # The kind's own check, run by the runner, says the same.
    assert [v.to_dict() for v in by_check(planted_log(kind, seed), kind, human_error=HUMAN_ERROR)] == [
        v.to_dict() for v in verdicts if kind_of(v) == kind
    ]


def test_healthy_converged_curve_raises_nothing() -> None:
    t = np.arange(1, 61)
    train = 0.1 + 2.0 * np.exp(-t / 6)  # 99 % of the drop by epoch ~28 of 60
    log = make_log(train_loss=train, val_loss=train + 0.05, val_acc=0.9 - 0.5 * np.exp(-t / 6))
    assert serious(log, human_error=0.05) == []


def test_divergence_on_nan_pins_the_step() -> None:
    log = make_log(train_loss=[2.0, 1.5, 1.2, float("nan"), float("nan")], lr=[0.1] * 5)
    assert diagnose_run(log).kinds == ["divergence"]  # a diverged run is judged on divergence alone
    (verdict,) = by_check(log, "divergence")
    assert kind_of(verdict) == "divergence" and verdict.severity == "critical"
    assert verdict.evidence["first_non_finite_step"] == 4.0
    assert verdict.evidence["last_finite_value"] == 1.2
    assert verdict.evidence["lr_at_step"] == 0.1
    assert verdict.lever == "tune_learning_rate" and verdict.bottleneck == "training_instability"


def test_divergence_by_a_large_factor() -> None:
    log = make_log(train_loss=[1.0, 0.8, 0.9, 3.0, 7.0, 12.0])
    assert diagnose_run(log).kinds == ["divergence"]
    (verdict,) = by_check(log, "divergence")
    assert kind_of(verdict) == "divergence"
    assert verdict.evidence["factor"] == pytest.approx(12.0)
    assert verdict.evidence["peak_step"] == 6.0


def test_overfitting_best_epoch_and_early_stopping_gain() -> None:
    epochs = np.arange(1, 41)
    train = 1.0 * np.exp(-epochs / 8)
    dev = np.where(epochs <= 20, 1.2 - 0.04 * epochs, 0.4 + 0.02 * (epochs - 20))  # minimum 0.4 at epoch 20
    dev_acc = np.where(epochs <= 20, 0.5 + 0.02 * epochs, 0.9 - 0.005 * (epochs - 20))  # 90% then 80% at the end
    log = make_log(train_loss=train, val_loss=dev, val_acc=dev_acc)
    (verdict,) = by_check(log, "overfitting")
    assert verdict.evidence["best_step"] == 20.0
    assert verdict.evidence["dev_loss_min"] == pytest.approx(0.4)
    assert verdict.evidence["dev_error_at_best"] == pytest.approx(0.1)
    assert verdict.evidence["dev_error_end"] == pytest.approx(0.2)
    assert verdict.expected_gain == pytest.approx(0.1)  # early stopping recovers 10 points
    assert verdict.lever == "regularize" and verdict.bottleneck == "variance"
    # With a train metric, regularising can close at most the train–dev error gap at the end: 20 − 3 points.
    with_train = make_log(train_loss=train, val_loss=dev, val_acc=dev_acc, train_acc=np.full(40, 0.97))
    (verdict,) = by_check(with_train, "overfitting")
    assert verdict.evidence["train_dev_error_gap"] == pytest.approx(0.17)
    assert verdict.expected_gain == pytest.approx(0.17)


def test_underfitting_gap_to_human_level() -> None:
    epochs = np.arange(1, 41)
    train = 0.9 + 1.4 * np.exp(-epochs / 4)
    train_acc = np.where(epochs < 20, 0.5 + 0.015 * epochs, 0.80)  # plateau at 20% error
    log = make_log(train_loss=train, train_acc=train_acc)
    (verdict,) = by_check(log, "underfitting", human_error=0.02)
    assert verdict.expected_gain == pytest.approx(0.18)
    assert verdict.evidence["train_error_plateau"] == pytest.approx(0.20)
    assert verdict.lever == "bigger_model" and verdict.bottleneck == "avoidable_bias"
    assert "underfitting" not in serious(log, human_error=0.19)  # 1 point above human level: fine


def test_still_improving_forecast_matches_the_planted_power_law() -> None:
    epochs = np.arange(1, 51, dtype=float)
    a, b, c = 0.05, 0.6, 0.5
    error = a + b * epochs**-c
    log = make_log(train_loss=2 * error, val_loss=2 * error + 0.1, val_acc=1 - error)
    (verdict,) = by_check(log, "still_improving")
    # The true gain of training 2× longer: L(50) − L(100) = b · (50^-c − 100^-c).
    truth = b * (50**-c - 100**-c)
    assert verdict.expected_gain == pytest.approx(truth, rel=0.1)
    assert verdict.lever == "train_longer" and verdict.bottleneck == "avoidable_bias"


def test_forecast_tail_recovers_both_families() -> None:
    t = np.arange(1, 81, dtype=float)
    power = forecast_tail(t, 0.1 + 2.0 * t**-0.7)
    assert power is not None and power["family"] == "power"
    assert power["forecasts"]["2x"]["gain"] == pytest.approx(2.0 * (80**-0.7 - 160**-0.7), rel=0.05)
    exponential = forecast_tail(t, 0.3 + 1.5 * np.exp(-t / 30))
    assert exponential is not None
    assert exponential["forecasts"]["2x"]["gain"] == pytest.approx(
        1.5 * (np.exp(-80 / 30) - np.exp(-160 / 30)), rel=0.1
    )


def test_instability_counts_spikes() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(1, 61)
    train = (0.2 + 2.0 * np.exp(-t / 8)) * (1 + 0.01 * rng.standard_normal(60))
    train[[30, 40, 50]] *= 3.0
    (verdict,) = by_check(make_log(train_loss=train), "instability")
    assert verdict.evidence["spikes"] == 3
    assert [s["step"] for s in verdict.evidence["spike_examples"]] == [31.0, 41.0, 51.0]


def test_an_epoch_train_loss_that_climbs_back_above_its_best_is_instability() -> None:
    # per-epoch means (a Keras History): down from 2.1 to 1.26 in 5 epochs, then back to ~1.5 for the
    # rest. On the running median of three: best 1.30 (epochs 4-5), then 1.47 and 1.49 (epochs 6-7):
    # the optimiser undoes 0.17 of a 0.83 drop (20%), two epochs in a row
    train = [2.13, 1.62, 1.43, 1.30, 1.26, 1.49, 1.47, 1.60, 1.41, 1.50, 1.45, 1.55]
    dev = [1.71, 1.59, 1.53, 1.30, 1.32, 1.62, 1.64, 1.34, 1.31, 1.40, 1.58, 1.40]
    (verdict,) = by_check(make_log(train_loss=train, dev_loss=dev), "instability")
    climbed = verdict.evidence["rebound"]
    assert climbed["best"] == 1.30 and climbed["best_step"] == 4.0 and climbed["step"] == 6.0
    assert climbed["climb"] == pytest.approx(1.47 - 1.30)
    assert climbed["drop"] == pytest.approx(2.13 - 1.30)
    assert verdict.bottleneck == "training_instability" and verdict.lever == "tune_learning_rate"


def test_one_bad_epoch_or_a_climb_within_the_epoch_means_noise_is_not_instability() -> None:
    one_bad = [2.1, 1.6, 1.3, 1.1, 1.6, 1.0, 0.95, 0.9, 0.87, 0.85]  # one epoch back up, then on down
    assert by_check(make_log(train_loss=one_bad), "instability") == []
    # a loss logged every step, 20 steps per dev evaluation, minibatch noise sd 0.5: the epoch means
    # wander by ~0.1 around a flat 1.0 after a drop of 1.2, which is 3x under their noise
    rng = np.random.default_rng(1)
    steps = np.arange(1, 201)
    trend = 1.0 + 1.2 * np.exp(-steps / 10)
    frame = pd.DataFrame({"step": steps, "train_loss": trend + 0.5 * rng.standard_normal(200)})
    frame["dev_loss"] = np.where(steps % 20 == 0, trend + 0.05, np.nan)
    log = log_from_frame(frame, name="per-step")
    assert rebound_of(log) is None
    # the same climb as the first test's, logged every step with that noise, is beyond it
    climbing = np.where(steps <= 100, trend, 1.0 + 0.5 * (steps > 100))
    frame["train_loss"] = climbing + 0.5 * rng.standard_normal(200)
    assert rebound_of(log_from_frame(frame, name="climbing")) is not None


def rebound_of(log: TrainingLog) -> dict[str, float] | None:
    from unstuck.training_log.rules_fit import rebound
    from unstuck.training_log.run import read_run

    return rebound(read_run(log))


def test_lr_too_low_on_a_straight_slow_decline() -> None:
    t = np.arange(1, 41)
    assert diagnose_run(make_log(train_loss=2.3 - 0.005 * t)).kinds == ["lr_too_low"]
    (verdict,) = by_check(make_log(train_loss=2.3 - 0.005 * t), "lr_too_low")
    assert kind_of(verdict) == "lr_too_low" and verdict.lever == "tune_learning_rate"
    assert verdict.evidence["slope_ratio"] == pytest.approx(1.0)
    assert verdict.evidence["r2_linear"] == pytest.approx(1.0)


def test_pipeline_bug_rising_train_loss_and_dev_at_chance() -> None:
    t = np.arange(1, 31)
    assert diagnose_run(make_log(train_loss=2.3 + 0.01 * t)).kinds == ["pipeline_bug"]  # nothing else is judged
    (rising,) = by_check(make_log(train_loss=2.3 + 0.01 * t), "pipeline_bug")
    assert rising.lever == "fix_pipeline" and rising.evidence["spearman"] == pytest.approx(1.0)
    falling = 0.1 + 2.0 * np.exp(-t / 5)
    (verdict,) = by_check(make_log(train_loss=falling, val_acc=np.full(30, 0.1)), "pipeline_bug", n_classes=10)
    assert verdict.severity == "critical"
    assert verdict.evidence["chance_error"] == pytest.approx(0.9)
    assert verdict.evidence["best_dev_error"] == pytest.approx(0.9)


# ---------------------------------------------------------------------------- real curves


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return x / 16.0, y


def _mlp_curve(**params: object) -> list[float]:
    from sklearn.neural_network import MLPClassifier

    x, y = _digits()
    model = MLPClassifier(
        hidden_layer_sizes=(32,), max_iter=40, n_iter_no_change=1000, tol=0.0, random_state=0, batch_size=64, **params
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
    return list(model.loss_curve_)


def test_real_mlp_learning_rate_too_high_is_unstable() -> None:
    log = log_from_frame(pd.DataFrame({"loss": _mlp_curve(solver="adam", learning_rate_init=0.1)}), name="adam_lr_0.1")
    assert "instability" in serious(log)


def test_real_mlp_learning_rate_too_low_is_recognised() -> None:
    curve = _mlp_curve(solver="sgd", learning_rate_init=1e-4, momentum=0.9)
    assert serious(log_from_frame(pd.DataFrame({"loss": curve}), name="sgd_lr_1e-4")) == ["lr_too_low"]


def test_real_mlp_good_learning_rate_raises_nothing() -> None:
    curve = _mlp_curve(solver="adam", learning_rate_init=0.01)
    assert serious(log_from_frame(pd.DataFrame({"loss": curve}), name="adam_lr_0.01")) == []


def test_real_mlp_regressor_diverges() -> None:
    from sklearn.neural_network import MLPRegressor

    x, _ = _digits()
    target = 100 * x[:, 20] + 50 * x[:, 30]
    model = MLPRegressor(
        hidden_layer_sizes=(32,),
        solver="sgd",
        learning_rate_init=1.0,
        max_iter=20,
        n_iter_no_change=1000,
        tol=0.0,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, target)
    verdicts = diagnose_run(log_from_frame(pd.DataFrame({"loss": model.loss_curve_}), name="sgd_lr_1")).findings
    assert [kind_of(v) for v in verdicts] == ["divergence"]


# ---------------------------------------------------------------------------- several runs


def _run(name: str, best: float, n: int = 20) -> TrainingLog:
    t = np.arange(1, n + 1)
    return make_log(name=name, train_loss=best + np.exp(-t / 3), val_loss=best + 0.1 + np.exp(-t / 3))


def test_hyperparameters_from_run_names() -> None:
    assert run_hyperparameters(_run("lr_0.01_seed_2", 0.1)) == {"lr": 0.01, "seed": 2.0}
    assert run_hyperparameters(_run("runs/learning_rate=1e-3", 0.1)) == {"lr": 0.001}
    assert run_hyperparameters(_run("wd0.1-lr3e-4", 0.1)) == {"wd": 0.1, "lr": 0.0003}


def test_sweep_best_at_the_edge() -> None:
    logs = [_run("lr_0.001", 0.5), _run("lr_0.01", 0.3), _run("lr_0.1", 0.2)]
    comparison = compare_runs(logs)
    assert [v.to_dict() for v in by_check(logs, "runs")] == [v.to_dict() for v in comparison.findings]
    kinds = {kind_of(v): v for v in comparison.findings}
    assert comparison.summary["best_run"] == "lr_0.1" and comparison.summary["scored_by"] == "dev loss"
    edge = kinds["sweep_edge"]
    assert edge.lever == "tune_learning_rate" and edge.evidence["edge"] == "largest"
    assert edge.evidence["tried"] == [0.001, 0.01, 0.1]
    inside = compare_runs([_run("lr_0.001", 0.5), _run("lr_0.01", 0.2), _run("lr_0.1", 0.3)])
    assert "sweep_edge" not in {kind_of(v) for v in inside.findings}


def test_seed_noise_pooled_standard_deviation() -> None:
    # Best dev loss = best + 0.1 + exp(-20/3); config A: 0.30/0.32/0.34, config B: 0.31/0.33/0.35.
    bests = {"lr_0.1_seed_1": 0.30, "lr_0.1_seed_2": 0.32, "lr_0.1_seed_3": 0.34}
    bests.update({"lr_0.01_seed_1": 0.31, "lr_0.01_seed_2": 0.33, "lr_0.01_seed_3": 0.35})
    comparison = compare_runs([_run(name, best) for name, best in bests.items()])
    seeds = comparison.summary["seed_noise"]
    assert seeds["pooled_sd"] == pytest.approx(0.02)
    assert seeds["best_margin"] == pytest.approx(0.01)
    (verdict,) = [v for v in comparison.findings if kind_of(v) == "seed_noise"]
    assert "not a real difference" in verdict.title


def test_primary_kind_order() -> None:
    assert KINDS[0] == "divergence" and primary_kind([]) == "healthy"
