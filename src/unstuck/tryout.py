"""``unstuck try N``: run the next experiment of intervention N on the built-in baseline.

For a lever that can be tried automatically, unstuck builds ONE variant of the
best baseline that changes exactly the variable the intervention names (a model
setting, the training rows, or their weights), refits it on train and measures
dev error before and after on the same dev rows.

The verdict is noise-aware: the per-row dev losses of the two models are paired,
and 1,000 bootstrap resamples of the dev rows give an interval for the gain
(before − after). ``gain`` when the interval lies above zero, ``worse`` when it
lies below, ``within_noise`` otherwise. (The baselines are deterministic for a
seed, so the dev sample, not the training seed, is the noise that matters.)

Levers that need people (collect data, relabel by hand, a bigger dev set...) get
their exact instructions instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.arguments import Parameter, check_arguments, is_whole
from unstuck.errors import ConfigError
from unstuck.metrics import bootstrap_means

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.findings import Intervention, Report
    from unstuck.problem import Problem

__all__ = ["AUTOMATIC", "TRY_VERDICTS", "TryOutcome", "Variant", "record_try", "try_intervention"]

N_BOOT = 1000


@dataclass(frozen=True)
class Variant:
    """One change to the baseline: new estimator settings, kept training rows, or row weights."""

    change: str
    params: dict[str, Any] = field(default_factory=dict)
    keep_train: NDArray[np.bool_] | None = None
    weights: NDArray[np.float64] | None = None
    model_name: str | None = None
    changed: dict[str, list[Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class TryOutcome:
    """What happened when intervention ``rank`` was tried (errors in metric units)."""

    rank: int
    lever: str
    automatic: bool
    change: str
    hypothesis: str
    expected_gain: float | None
    before: float | None = None
    after: float | None = None
    gain: float | None = None
    interval: tuple[float, float] | None = None
    verdict: str = "manual"
    instructions: str = ""
    changed: dict[str, list[Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "lever": self.lever,
            "automatic": self.automatic,
            "change": self.change,
            "hypothesis": self.hypothesis,
            "expected_gain": self.expected_gain,
            "dev_error_before": self.before,
            "dev_error_after": self.after,
            "gain": self.gain,
            "interval": list(self.interval) if self.interval else None,
            "verdict": self.verdict,
            "instructions": self.instructions,
            "changed": self.changed,
        }


Applier = Callable[["Problem", "Context", str], Variant]


def _capacity(problem: Problem, ctx: Context, best: str) -> Variant:
    if best == "gradient_boosting":
        return Variant(
            "num_leaves 31 → 127 (LightGBM), nothing else", {"num_leaves": 127}, changed={"num_leaves": [31, 127]}
        )
    if problem.task == "classification":
        return Variant(
            "C 1 → 10 (weaker L2 penalty, more capacity), nothing else", {"C": 10.0}, changed={"C": [1.0, 10.0]}
        )
    return Variant(
        "alpha 1 → 0.1 (weaker L2 penalty, more capacity), nothing else", {"alpha": 0.1}, changed={"alpha": [1.0, 0.1]}
    )


def _regularize(problem: Problem, ctx: Context, best: str) -> Variant:
    if best == "gradient_boosting":
        return Variant(
            "reg_lambda 0 → 10 (L2 on leaf values, LightGBM), nothing else",
            {"reg_lambda": 10.0},
            changed={"reg_lambda": [0.0, 10.0]},
        )
    if problem.task == "classification":
        return Variant("C 1 → 0.1 (L2 penalty ×10), nothing else", {"C": 0.1}, changed={"C": [1.0, 0.1]})
    return Variant("alpha 1 → 10 (L2 penalty ×10), nothing else", {"alpha": 10.0}, changed={"alpha": [1.0, 10.0]})


def _longer(problem: Problem, ctx: Context, best: str) -> Variant:
    if best == "gradient_boosting":
        return Variant(
            "n_estimators 300 → 1000 (LightGBM), nothing else",
            {"n_estimators": 1000},
            changed={"n_estimators": [300, 1000]},
        )
    if problem.task == "classification":
        return Variant(
            "max_iter 500 → 3000 (solver iterations), nothing else",
            {"max_iter": 3000},
            changed={"max_iter": [500, 3000]},
        )
    raise ConfigError(
        "Ridge regression is solved exactly; training longer changes nothing.",
        "Try another intervention (`unstuck try N` with another rank).",
    )


def _learning_rate(problem: Problem, ctx: Context, best: str) -> Variant:
    if best != "gradient_boosting":
        raise ConfigError(
            f"The best baseline ({best}) has no learning rate to tune.",
            "Try another intervention, or tune the learning rate of your own model.",
        )
    # Pick between ×0.3 and ×3 on train-dev (not dev, which judges the result).
    judge = "train_dev" if "train_dev" in problem.frames else "dev"
    scores = {}
    for rate in (0.015, 0.15):
        model = _fit(problem, "gradient_boosting", {"learning_rate": rate}, None, None)
        frame = problem.frames[judge]
        scores[rate] = problem.metric(frame[problem.target].to_numpy(), model.predict(frame[list(problem.features)]))
    rate = min(scores, key=lambda r: scores[r])
    return Variant(
        f"learning_rate 0.05 → {rate} (the better of ×0.3 and ×3 on {judge}), nothing else",
        {"learning_rate": rate},
        changed={"learning_rate": [0.05, rate]},
    )


def _reweight_to_dev(problem: Problem, ctx: Context, best: str) -> Variant:
    """Importance weights w = p(dev | x) / p(train | x) from a cross-validated domain classifier."""
    import pandas as pd
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from unstuck.baselines import make_baseline

    train, dev = problem.frames["train"], problem.frames["dev"]
    features = list(problem.features)
    both = pd.concat([train[features], dev[features]], ignore_index=True)
    origin = np.r_[np.zeros(len(train)), np.ones(len(dev))]
    domain = make_baseline(
        "gradient_boosting",
        "classification",
        both,
        seed=problem.seed,
        params={"n_estimators": 100},
        early_stopping=False,
    )
    folds = StratifiedKFold(5, shuffle=True, random_state=problem.seed)
    p_dev = cross_val_predict(domain, both, origin, cv=folds, method="predict_proba")[: len(train), 1]
    odds = np.clip(p_dev / np.clip(1 - p_dev, 1e-6, None), 0.1, 10.0) * (len(train) / len(dev))
    weights = odds / odds.mean()
    return Variant(
        "training-row weights: uniform → p(dev|x)/p(train|x) from a domain classifier (clipped "
        "to ×0.1…×10), nothing else",
        weights=weights.astype(np.float64),
        changed={"row_weights": ["uniform", "dev/train density ratio"]},
    )


def _drop_flagged_labels(problem: Problem, ctx: Context, best: str) -> Variant:
    """Leave out the training rows cleanlab flags on the out-of-fold probabilities."""
    from unstuck.data.labels import label_issues

    if problem.task != "classification":
        raise ConfigError(
            "Label-error removal applies to classification only.", "Inspect the largest residuals by hand instead."
        )
    position = {c: i for i, c in enumerate(problem.classes)}
    labels = problem.frames["train"][problem.target].map(position).to_numpy(dtype=np.int64)
    flagged = label_issues(labels, ctx.oof_proba)["flagged"]
    keep = np.ones(labels.shape[0], dtype=bool)
    keep[flagged] = False
    return Variant(
        f"training rows: all → without the {flagged.size} rows cleanlab flags as mislabelled, nothing else",
        keep_train=keep,
        changed={"train_rows": [int(labels.shape[0]), int(keep.sum())]},
    )


def _drop_leaked_rows(problem: Problem, ctx: Context, best: str) -> Variant:
    """Leave out the training rows whose features repeat a dev or test row (the leak)."""
    from unstuck.data.rows import row_keys, shared_keys

    features = list(problem.features)
    train_keys = row_keys(problem.frames["train"], features)
    leaked = np.zeros(train_keys.shape[0], dtype=bool)
    for split in ("dev", "test"):
        if split in problem.frames:
            in_train, _ = shared_keys(train_keys, row_keys(problem.frames[split], features))
            leaked |= in_train
    return Variant(
        f"training rows: all → without the {int(leaked.sum())} rows that repeat a dev/test row; "
        "the new dev error is the honest one",
        keep_train=~leaked,
        changed={"train_rows": [int(leaked.size), int((~leaked).sum())]},
    )


#: Levers unstuck can try on its own baseline, and how.
AUTOMATIC: dict[str, Applier] = {
    "bigger_model": _capacity,
    "regularize": _regularize,
    "train_longer": _longer,
    "tune_learning_rate": _learning_rate,
    "tune_hyperparameters": _capacity,
    "reduce_mismatch": _reweight_to_dev,
    "fix_labels": _drop_flagged_labels,
    "fix_leakage": _drop_leaked_rows,
}


#: What :func:`try_intervention` accepts: a rank of at least 1 (``unstuck try N`` sets it); a rank above the
#: last one depends on the report, and gets the message that lists the ranks there are.
TRY_PARAMETERS = {
    "rank": Parameter(
        "rank",
        "the whole-number rank of an intervention (1 is the first)",
        is_whole,
        "rank=1",
        low=1,
        flag="N of unstuck try N",
    )
}


def try_intervention(problem: Problem, report: Report, rank: int, *, ctx: Context | None = None) -> TryOutcome:
    """Try intervention ``rank`` of ``report`` on ``problem`` and judge the change on dev."""
    from unstuck.advice import PLAYBOOK
    from unstuck.context import Context

    check_arguments({"rank": rank}, TRY_PARAMETERS, entry="unstuck.tryout.try_intervention")
    chosen = _intervention(report, rank)
    outcome = TryOutcome(
        rank=rank,
        lever=chosen.lever,
        automatic=False,
        change=chosen.next_experiment.change,
        hypothesis=chosen.next_experiment.hypothesis,
        expected_gain=chosen.expected_gain,
    )
    applier = AUTOMATIC.get(chosen.lever)
    if applier is None or problem.mode != "data":
        why = (
            "predictions mode: unstuck has no model of yours to change"
            if applier is not None
            else "this lever needs people or your own training code"
        )
        return replace(
            outcome,
            instructions=f"{PLAYBOOK[chosen.lever].action} ({why}). Change exactly one "
            f"thing: {chosen.next_experiment.change}. Expect: {chosen.next_experiment.hypothesis}.",
        )
    context = ctx or Context(problem)
    best = context.ladder.best
    if best == "trivial":
        return replace(outcome, instructions="No baseline beats the trivial one; fix the pipeline or the task first.")
    variant = applier(problem, context, best)
    dev = problem.frames["dev"]
    y_dev, x_dev = dev[problem.target].to_numpy(), dev[list(problem.features)]
    before_losses = problem.metric.row_losses(y_dev, context.ladder.best_rung.model.predict(x_dev))
    model = _fit(problem, variant.model_name or best, variant.params, variant.keep_train, variant.weights)
    after_losses = problem.metric.row_losses(y_dev, model.predict(x_dev))
    before, after = problem.metric.from_losses(before_losses), problem.metric.from_losses(after_losses)
    draws = _paired_gain_draws(problem, before_losses, after_losses)
    low, high = (float(v) for v in np.quantile(draws, [0.025, 0.975]))
    verdict = "gain" if low > 0 else "worse" if high < 0 else "within_noise"
    return replace(
        outcome,
        automatic=True,
        change=variant.change,
        before=before,
        after=after,
        gain=before - after,
        interval=(low, high),
        verdict=verdict,
        changed=variant.changed,
    )


def _intervention(report: Report, rank: int) -> Intervention:
    for item in report.interventions:
        if item.rank == rank:
            return item
    if not report.interventions:
        raise ConfigError(
            "The last diagnosis proposed no intervention to try.",
            "Nothing is a bottleneck beyond noise; see the report's findings.",
        )
    raise ConfigError(
        f"The last diagnosis has no intervention ranked {rank}; it ranks 1 to {len(report.interventions)}.",
        "Pass one of those ranks: unstuck try 1.",
    )


def _fit(
    problem: Problem,
    name: str,
    params: dict[str, Any],
    keep: NDArray[np.bool_] | None,
    weights: NDArray[np.float64] | None,
) -> Any:
    from unstuck.baselines import make_baseline

    train: pd.DataFrame = problem.frames["train"]
    if keep is not None:
        train = train.loc[keep]
        weights = None if weights is None else weights[keep]
    features = list(problem.features)
    model = make_baseline(name, problem.task, train[features], seed=problem.seed, params=params)
    fit_params = {} if weights is None else {f"{model.steps[-1][0]}__sample_weight": weights}
    model.fit(train[features], train[problem.target].to_numpy(), **fit_params)
    return model


def _paired_gain_draws(
    problem: Problem, before: NDArray[np.float64], after: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Bootstrap draws of (error before − error after) on the same resampled dev rows."""
    if problem.metric.aggregate == "mean":
        return bootstrap_means(before - after, n_boot=N_BOOT, seed=problem.seed)
    rng = np.random.default_rng(problem.seed)
    n = before.shape[0]
    draws = np.empty(N_BOOT)
    for i in range(N_BOOT):
        idx = rng.integers(0, n, size=n)
        draws[i] = problem.metric.from_losses(before[idx]) - problem.metric.from_losses(after[idx])
    return draws


#: A try's verdict in the ledger's words (a manual intervention gets none).
TRY_VERDICTS = {"gain": "keep", "worse": "discard", "within_noise": "inconclusive"}


def record_try(outcome: TryOutcome, report: Report, *, ledger: str | None = None, config: dict[str, Any]) -> int:
    """Append a try to the ledger at ``ledger`` (the default ledger when None) and return its id.

    A try that ran (an automatic one) is recorded done, with the dev metric before and after
    and its verdict; a manual one is recorded planned. ``config`` adds to the record's
    configuration (what the diagnosis was run on). The one record the CLI and the
    assistant server both write.
    """
    import os
    import socket
    import time

    from unstuck.ledger import Expectation, Experiment, open_ledger

    metric = report.metric["name"]
    item = _intervention(report, outcome.rank)
    record = Experiment(
        created_at=time.time(),
        hypothesis=outcome.hypothesis,
        expectation=None
        if outcome.expected_gain is None
        else Expectation(metric=f"dev_{metric}", delta=-outcome.expected_gain),
        changed=outcome.changed or {"change": [None, outcome.change]},
        config={"try": outcome.to_dict(), **config},
        command=["unstuck", "try", str(outcome.rank)],
        findings=list(item.findings),
        interventions=[outcome.lever],
        status="planned",
    )
    with open_ledger(ledger) as store:
        number = store.add(record)
        if not outcome.automatic:
            return number
        store.start(number, started_at=record.created_at, host=socket.gethostname(), pid=os.getpid())
        store.finish(
            number,
            status="done",
            ended_at=time.time(),
            metrics={
                f"dev_{metric}_before": float(outcome.before or 0.0),
                f"dev_{metric}": float(outcome.after or 0.0),
            },
        )
        verdict = TRY_VERDICTS.get(outcome.verdict)
        if verdict is not None:
            store.set_verdict(
                number,
                verdict,
                {
                    "method": "paired bootstrap on dev rows",
                    "gain": outcome.gain,
                    "interval": list(outcome.interval or ()),
                },
            )
        return number
