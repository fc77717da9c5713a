"""Label errors: cleanlab's confident learning on out-of-fold probabilities (classification).

For train, the probabilities are the out-of-fold ones of the best baseline
(``ctx.oof_proba``): every row is scored by a model that never saw it, which is
what confident learning needs. For dev and test, the probabilities are those of
the model trained on train (also out-of-sample). cleanlab (``cleanlab.filter.
find_label_issues``, ``cleanlab.count.estimate_joint``, ``cleanlab.rank.
get_label_quality_scores``) does the work; nothing of it is re-implemented here.

Reported per split: the estimated noise rate (off-diagonal mass of cleanlab's
estimated joint of given and true labels), the flagged rows ranked by label quality
(lowest first), the most confused (given → likely true) label pairs, and, for dev,
the share of dev errors that fall on flagged rows. That share times the dev error
(= dev errors on flagged rows / dev rows) is the expected gain of ``fix_labels``:
the most the measured dev error can drop if those labels are wrong.

Regression has no classes: :func:`residual_outliers` flags rows whose out-of-fold
residual is extreme (robust z-score on the median absolute deviation) instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.checks.label_results import LabelsResult, ResidualOutliersResult
from unstuck.data.frames import MAX_EXAMPLES, row_refs, short
from unstuck.data.labels import RESIDUAL_Z, compare_train_and_dev, confused_pairs, label_issues, residual_outliers
from unstuck.findings import Finding
from unstuck.measured import from_json
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.units import percent
from unstuck.view import MAX_ROWS, SPLIT_LABELS, Table, cell_text, count_text, pct

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.decomposition import Decomposition
    from unstuck.findings import Report
    from unstuck.problem import Problem

#: A split's labels are a warning when cleanlab estimates at least this noise rate ...
WARN_NOISE_RATE = 0.03
#: ... and flags at least this many rows.
MIN_FLAGGED = 5
#: A flagged row is a *confident* flag when the model gives another label at least this probability ...
CONFIDENT_OTHER = 0.8
#: ... and the flags are evidence of wrong labels only when at least this share of them is confident.
MIN_CONFIDENT_SHARE = 0.4
#: Regression: flagged share from which residual outliers are a warning.
WARN_RESIDUAL_SHARE = 0.01
MAX_RANKED = 50


def confident_share(labels: NDArray[np.int64], proba: NDArray[np.float64]) -> float:
    """Share of flagged rows (given ``labels``, probabilities ``proba``) on which the model gives
    some other label at least :data:`CONFIDENT_OTHER`.

    Confident learning flags a row when another class beats that class's average
    self-confidence; with a weak model those averages are low, so rows the model merely
    finds hard are flagged too. Measured: on digits reduced to 3 pixels, 42 % of clean labels
    were flagged, 0 % of them confidently; on statsmodels' `fair` survey (affair yes/no, a weak
    task) 18 % were flagged, 26 % confidently; with 10-15 % of digits labels flipped, 53 %
    (logistic regression) and 95 % (LightGBM) of the flags were confident.
    """
    if len(labels) == 0:
        return 1.0
    other = np.array(proba, dtype=np.float64, copy=True)
    other[np.arange(len(labels)), labels] = -1.0
    return float(np.mean(other.max(axis=1) >= CONFIDENT_OTHER))


def confidently_wrong(labels: NDArray[np.int64], proba: NDArray[np.float64]) -> int:
    """How many rows get some label other than their given one with probability at least
    :data:`CONFIDENT_OTHER` (flagged or not)."""
    if len(labels) == 0:
        return 0
    other = np.array(proba, dtype=np.float64, copy=True)
    other[np.arange(len(labels)), labels] = -1.0
    return int(np.sum(other.max(axis=1) >= CONFIDENT_OTHER))


@check(
    "labels",
    requires=("classification", "proba"),
    description="likely label errors (cleanlab confident learning on out-of-sample probabilities)",
    tags=("data",),
    result=LabelsResult,
)
def labels(problem: Problem, ctx: Context) -> CheckResult:
    classes = problem.classes
    position = {c: i for i, c in enumerate(classes)}
    results: dict[str, dict[str, Any]] = {}
    sources: dict[str, tuple[NDArray[Any], NDArray[np.float64], NDArray[Any] | None, pd.DataFrame | None]] = {}
    if problem.mode == "data":
        train = problem.frames["train"]
        sources["train"] = (train[problem.target].to_numpy(), ctx.oof_proba, None, train)
    for split in ("dev", "test"):
        if split not in problem.present_splits:
            continue
        predictions = ctx.predictions[split]
        if predictions.proba is None:
            continue
        frame = problem.frames.get(split) if problem.mode == "data" else None
        sources[split] = (predictions.y_true, predictions.proba, predictions.y_pred, frame)
    if not sources:
        raise SkipCheck("no out-of-sample class probabilities on any split")
    positions: dict[str, NDArray[np.int64]] = {}
    for split, (y_true, proba, y_pred, frame) in sources.items():
        known = np.array([v in position for v in y_true.tolist()])
        if known.sum() < 2 * len(classes):
            continue
        rows = np.flatnonzero(known)
        labels_int = np.array([position[v] for v in y_true[rows].tolist()], dtype=np.int64)
        verdict = label_issues(labels_int, proba[rows])
        flagged = rows[verdict["flagged"]]
        info: dict[str, Any] = {
            "rows": len(y_true),
            "noise_rate": verdict["noise_rate"],
            "flagged": len(flagged),
            "flagged_share": float(len(flagged) / len(y_true)),
            "confident_share": confident_share(labels_int[verdict["flagged"]], proba[flagged]),
            "confidently_wrong": confidently_wrong(labels_int, proba[rows]),
            "rows_judged": len(rows),
            "confused_pairs": confused_pairs(verdict["joint"], classes),
            "ranked": [
                {
                    "row": ref,
                    "given": short(y_true[r]),
                    "likely": short(classes[int(np.argmax(proba[r]))]),
                    "quality": float(q),
                }
                for ref, r, q in zip(
                    row_refs(problem, frame, flagged[:MAX_RANKED]) if frame is not None else flagged[:MAX_RANKED],
                    flagged[:MAX_RANKED],
                    verdict["quality"][verdict["flagged"][:MAX_RANKED]],
                    strict=True,
                )
            ],
        }
        if y_pred is not None:
            wrong = np.asarray(y_true) != np.asarray(y_pred)
            on_flagged = int(wrong[flagged].sum())
            info["errors"] = int(wrong.sum())
            info["errors_on_flagged"] = on_flagged
            info["share_of_errors_on_flagged"] = float(on_flagged / wrong.sum()) if wrong.any() else 0.0
            info["error_on_flagged_rows"] = float(on_flagged / len(y_true))
        results[split] = info
        positions[split] = flagged
    trust = _trust(problem, ctx, results, positions)
    findings = []
    for split, info in results.items():
        if info["flagged"] == 0:
            continue
        reasons = trust[split]["against"]
        warn = _warns(info, reasons)
        gain = trust[split]["gain"] if warn else None
        info["trust"] = trust[split]
        pairs = info["confused_pairs"][:2]
        pair_text = "; most confused: " + ", ".join(f"{p['given']}→{p['likely']}" for p in pairs) if pairs else ""
        title = (
            f"cleanlab estimates {percent(info['noise_rate'])} of {split} labels are wrong and flags "
            f"{info['flagged']} rows ({percent(info['flagged_share'])}){pair_text}"
        )
        if split == "dev" and "share_of_errors_on_flagged" in info:
            title += (
                f"; {percent(info['share_of_errors_on_flagged'], 0)} of dev errors fall on flagged rows "
                f"(up to {problem.metric.format_gap(info['error_on_flagged_rows'])} of dev error)"
            )
        if warn:
            title += " — " + "; ".join(trust[split]["for"])
            if split == "dev":
                title += "; a wrong dev label distorts every decision made on dev"
        elif reasons and info["noise_rate"] >= WARN_NOISE_RATE:
            title += " — not trusted: " + "; ".join(reasons)
        findings.append(
            Finding(
                id=f"labels.{split}",
                severity="warning" if warn else "info",
                title=title,
                lever="fix_labels" if warn else None,
                evidence={k: v for k, v in info.items() if k != "ranked"} | {"ranked": info["ranked"][:MAX_EXAMPLES]},
                bottleneck="label_noise" if warn else None,
                expected_gain=gain,
            )
        )
    gains = [t["gain"] for t in trust.values() if t["gain"] is not None and not t["against"]]
    section = {"splits": results, "expected_gain": max(gains) if gains else None}
    return CheckResult(findings=tuple(findings), section=from_json(LabelsResult, section, strict=True))


def _trust(
    problem: Problem, ctx: Context, results: dict[str, dict[str, Any]], positions: dict[str, NDArray[np.int64]]
) -> dict[str, dict[str, Any]]:
    """Per split: the evidence ``for`` its flags being wrong labels, the reasons ``against``, and the gain.

    Confident learning cannot tell a wrong label from a row its model finds hard, nor from a
    row whose label is right but unpredictable from its features (the task's own noise, which
    no relabelling removes); only a measured consequence can. The rules, each true whatever
    the data:

    * the model must carry signal (:mod:`unstuck.signal`): the doubts of a model no better than
      a constant are noise;
    * train's flags (out-of-fold) need a consequence that wrong labels have and hard rows do
      not: the same fold models err more on train's own rows than on dev's, labelled apart
      (:func:`unstuck.data.labels.compare_train_and_dev`); or dev has a lower error than train-dev,
      a sample of train's own rows (rows of one distribution differ in error only by their
      labels or by chance); or a model refitted without the flagged rows has a lower dev error
      (the flags measurably hurt); or, with a human-level error given, two model families
      confidently contradict more labels than a human-level labeller gets wrong
      (:func:`_beyond_human_level`: noise in every split, which no comparison of splits shows).
      The model's confidence alone is not one: a weak or overfit
      model on a small train set, or any model on a noisy task, is as sure of its mistakes on
      rows whose labels are right (tried: confidence alone called 14% of a clean 150-row set
      wrong, and flagged clean controls on four real data sets);
    * dev's and test's flags come from a model trained on train, which vouches for unseen
      rows only where it generalises: not when the variance gap is material (an overfit
      model's confident mistakes are its own), nor when dev differs from train (material data
      mismatch: its doubts then say more about the shift); and its flags must be confident. And,
      as for train, confidence needs a consequence beside it: the same fold models err more on
      dev's rows than on train's own beyond noise (dev's labels are the worse ones), or train's
      labels are shown wrong (the project's labelling errs, and dev was labelled the same way).
      Otherwise a row whose dev label is right but unpredictable from its features reads as a
      wrong label (tried: a 200-row survey's honest 10% error read as 5% wrong dev labels).

    The gain of relabelling is what is measured: dev errors on trusted flagged dev rows, or the
    refitted model's dev error drop; capped at dev error minus human-level error.
    """
    signal = ctx.signal
    parts = _decomposition(ctx)
    variance = parts.gaps.get("variance") if parts is not None else None
    mismatch = parts.gaps.get("data_mismatch") if parts is not None else None
    overfit = variance is not None and parts is not None and parts.material(variance)
    shifted = mismatch is not None and parts is not None and mismatch.value > 0 and parts.material(mismatch)
    # Dev below train-dev says "train's labels are worse" only when both are errors of one model
    # on rows it never saw: out-of-fold train-dev errors come from models fitted on fewer rows,
    # which on a steep learning curve err more for that reason alone.
    dev_cleaner = (
        mismatch is not None
        and mismatch.interval[1] < 0.0
        and problem.mode == "data"
        and not problem.dev_from_train
        and not problem.train_dev_from_folds
    )
    ceiling = _ceiling(problem, ctx)
    compared = _train_against_dev(problem, ctx) if "train" in results else None
    out: dict[str, dict[str, Any]] = {}
    # Train first: dev's flags are believed more readily once train's labels are shown wrong.
    for split, info in sorted(results.items(), key=lambda kv: kv[0] != "train"):
        against: list[str] = []
        support: list[str] = []
        gain: float | None = None
        if not signal.works:
            against.append("the model is no better than a constant prediction, so its doubts are noise")
        elif signal.model:
            # Only another baseline beats the constant: the probabilities judged here are those of
            # a model that does not (for the trivial one, the class frequencies, the same for every
            # row), so a rare class's every row looks "confidently" mislabelled.
            against.append(
                "the model whose probabilities are judged does not beat a constant prediction itself (only the "
                f"{signal.model.replace('_', ' ')} baseline does), so its doubts say nothing about single rows"
            )
        confident = info["confident_share"] >= MIN_CONFIDENT_SHARE
        sure = f"the model is sure of another label on {percent(info['confident_share'], 0)} of the flagged rows"
        if split == "train":
            consequences = _train_consequences(problem, ctx, info, positions[split], compared, dev_cleaner, mismatch)
            if consequences:
                support = ([sure] if confident else []) + [text for text, _ in consequences]
                measured = [g for _, g in consequences if g is not None]
                gain = max(measured) if measured else None
            else:
                against.append(
                    f"{sure} ({percent(CONFIDENT_OTHER, 0)} or more), but the same fold models do not err more on "
                    "train's rows than on dev's, dev is not cleaner than train-dev, and leaving the flagged rows out "
                    "does not lower dev error: the model cannot tell wrong labels from rows it finds hard"
                )
        else:
            if confident:
                support.append(sure)
            if overfit:
                against.append(
                    "the model does not generalise (a material variance gap), so its confident mistakes on unseen "
                    "rows are its own"
                )
            if shifted:
                against.append(
                    "dev/test differ from train (a material data-mismatch gap), so a model trained on train cannot "
                    "vouch for their labels"
                )
            if not confident:
                against.append(
                    f"the model is sure of another label ({percent(CONFIDENT_OTHER, 0)} or more) on only "
                    f"{percent(info['confident_share'], 0)} of the flagged rows, so it cannot tell wrong labels from "
                    "rows it finds hard"
                )
            train_wrong = "train" in out and not out["train"]["against"] and bool(out["train"]["for"])
            if split == "dev" and compared is not None and compared["dev_worse"]:
                support.append(
                    f"the same fold models err more on dev's rows ({percent(compared['fold_models_dev_error'])}) than "
                    f"on train's own ({percent(compared['out_of_fold_error'])}) beyond noise: dev's labels are worse "
                    "than train's"
                )
            elif train_wrong:
                support.append("train's labels are shown wrong, and dev's were labelled the same way")
            elif confident and not against:  # said only where nothing else already vetoes the flags
                compared_here = split == "dev" and compared is not None
                against.append(
                    f"{sure}, but nothing measured says {split}'s labels are worse than train's: "
                    + (f"the fold models err on {split}'s rows no more than on train's, and " if compared_here else "")
                    + "train's labels are not shown wrong, so these may be rows whose label is right but unpredictable "
                    "from their features"
                )
            if split == "dev" and "error_on_flagged_rows" in info:
                gain = info["error_on_flagged_rows"]
        if gain is not None and ceiling is not None:
            gain = min(gain, ceiling)
        out[split] = {"for": support, "against": against, "gain": gain}
    return out


def _train_consequences(
    problem: Problem,
    ctx: Context,
    info: dict[str, Any],
    flagged: NDArray[np.int64],
    compared: dict[str, Any] | None,
    dev_cleaner: bool,
    mismatch: Any,
) -> list[tuple[str, float | None]]:
    """The measured consequences of wrong train labels that hold here, each with its dev-error gain
    when it measures one; the measurements are recorded in ``info``."""
    found: list[tuple[str, float | None]] = []
    if compared is not None:
        info["train_against_dev"] = compared
        if compared["train_worse"]:
            found.append(
                (
                    f"the same fold models err more on train's own rows ({percent(compared['out_of_fold_error'])}) "
                    f"than on dev's ({percent(compared['fold_models_dev_error'])}) beyond noise: train's labels are "
                    "worse than dev's",
                    None,
                )
            )
    if dev_cleaner and mismatch is not None:
        found.append(
            (
                f"dev error is below train-dev error beyond noise ({problem.metric.format_gap(-mismatch.value)}): "
                "train's labels are worse than dev's",
                None,
            )
        )
    beyond_human = _beyond_human_level(problem, ctx, info, flagged)
    if beyond_human is not None:
        found.append((beyond_human, None))
    # The refit's dev error is evidence only where the metric sees the model at all: when the
    # model does not beat the constant on the metric (a rare class: both predict the majority),
    # leaving flagged minority rows out "lowers" the error by pushing the model to the majority.
    signal = ctx.signal
    if signal.works and not signal.model and signal.on_metric.significant and info["flagged"] >= MIN_FLAGGED:
        refit = _refit_without(problem, ctx, flagged)
        if refit is not None:
            info["refit_without_flagged"] = refit
            if refit["interval"][0] > 0.0:
                found.append(
                    (
                        "refitted without the flagged rows, dev error falls by "
                        f"{problem.metric.format_gap(refit['gain'])}",
                        refit["gain"],
                    )
                )
    return found


#: The other model family asked to confirm the best baseline's flags.
SECOND_FAMILY = {"linear": "gradient_boosting", "gradient_boosting": "linear"}


def _beyond_human_level(problem: Problem, ctx: Context, info: dict[str, Any], flagged: NDArray[np.int64]) -> str | None:
    """Do two model families, each out-of-fold, confidently name the same other label on more train
    rows than human-level error allows, beyond noise? The consequence's text, or None.

    Where dev is labelled as badly as train (noise everywhere), no comparison of splits can show
    it; human-level error can. A label set made at human level holds about that share of wrong
    labels, and a right label is confidently contradicted by two models of different inductive
    biases (a linear model and boosted trees), neither trained on the row, only where the row is
    ambiguous, which a human-level labeller's error rate also bounds. More such rows than that,
    beyond noise (one-sided at :data:`~unstuck.data.labels.LABEL_EVIDENCE_ALPHA`), means labels
    worse than human-level. Without a human-level error nothing bounds the ambiguous rows (a
    survey's honest voters against their profile look the same), so the rule does not apply.
    Recorded in ``info["two_families"]``.
    """
    human = problem.human_error
    second = SECOND_FAMILY.get(ctx.ladder.best)
    if human is None or problem.mode != "data" or second is None or len(flagged) < MIN_FLAGGED:
        return None
    if info["confident_share"] < MIN_CONFIDENT_SHARE:
        return None  # the best model itself is seldom sure: a second one cannot make it so
    from unstuck.data.labels import LABEL_EVIDENCE_ALPHA
    from unstuck.metrics import rate_exceeds
    from unstuck.out_of_fold import out_of_fold_proba

    ctx.step(f"asking the {second.replace('_', ' ')} baseline, out-of-fold, about the flagged labels")
    other = out_of_fold_proba(problem, second, folds=ctx.budget.oof_folds, backend=ctx.backend, on_step=ctx.step)
    position = {c: i for i, c in enumerate(problem.classes)}
    given = np.array([position[v] for v in problem.frames["train"][problem.target].to_numpy()[flagged].tolist()])
    first = np.array(ctx.oof_proba[flagged], dtype=np.float64, copy=True)
    first[np.arange(len(flagged)), given] = -1.0
    likely = np.argmax(first, axis=1)
    both = int(
        np.sum(
            (first[np.arange(len(flagged)), likely] >= CONFIDENT_OTHER) & (other[flagged, likely] >= CONFIDENT_OTHER)
        )
    )
    n = len(ctx.oof_proba)
    beyond = rate_exceeds(both, n, round(human * n), n, seed=problem.seed, alpha=LABEL_EVIDENCE_ALPHA)
    info["two_families"] = {"model": second, "rows": both, "share": both / n, "human_error": human, "beyond": beyond}
    if not beyond:
        return None
    return (
        f"the best and the {second.replace('_', ' ')} baselines, each out-of-fold, both confidently name the same "
        f"other label on {both} train rows ({percent(both / n)}), more than the {percent(human)} a human-level "
        "labeller gets wrong: train's labels are worse than human-level"
    )


def _train_against_dev(problem: Problem, ctx: Context) -> dict[str, Any] | None:
    """:func:`unstuck.data.labels.compare_train_and_dev` on this problem, or None where it does not
    apply: no labelled dev apart from train, or dev holds too few rows of train's classes."""
    if problem.mode != "data" or "dev" not in problem.frames or problem.dev_from_train:
        return None
    position = {c: i for i, c in enumerate(problem.classes)}
    train_y = problem.frames["train"][problem.target].to_numpy()
    dev_y = problem.frames["dev"][problem.target].to_numpy()
    known = np.array([v in position for v in dev_y.tolist()], dtype=bool)
    if known.sum() < 2 * len(problem.classes):
        return None
    encode = np.vectorize(position.__getitem__, otypes=[np.int64])
    fold_dev = [p[known] for p in ctx.out_of_fold.elsewhere]
    if not fold_dev:
        return None
    return compare_train_and_dev(encode(train_y), ctx.oof_proba, encode(dev_y[known]), fold_dev, seed=problem.seed)


def _warns(info: dict[str, Any], against: list[str]) -> bool:
    """Whether a split's flags are a warning: enough estimated noise and flags, nothing against them."""
    return info["noise_rate"] >= WARN_NOISE_RATE and info["flagged"] >= MIN_FLAGGED and not against


def _decomposition(ctx: Context) -> Decomposition | None:
    """The decomposition when errors can be estimated in this mode, else None (nothing to compare)."""
    from unstuck.registry import SkipCheck

    try:
        return ctx.decomposition
    except SkipCheck:
        return None


def _ceiling(problem: Problem, ctx: Context) -> float | None:
    """The most any fix can take off dev error: dev error minus human-level error (or zero)."""
    errors = ctx.errors
    if "dev" not in errors:
        return None
    return max(0.0, errors["dev"].value - (problem.human_error or 0.0))


def _refit_without(problem: Problem, ctx: Context, flagged: NDArray[np.int64]) -> dict[str, Any] | None:
    """The best baseline refitted on train without its flagged rows: dev error change, paired interval.

    The next experiment of ``fix_labels`` run once, cheaply: if the flagged rows are wrong
    labels, leaving them out lowers dev error; if they are hard but right, it does not.
    """
    if problem.mode != "data":
        return None
    from unstuck.fits import refit_without
    from unstuck.metrics import bootstrap_means

    best = ctx.ladder.best
    if best == "trivial":
        return None
    train, dev = problem.frames["train"], problem.frames["dev"]
    keep = np.ones(len(train), dtype=bool)
    keep[flagged] = False
    kept = train[keep]
    if kept[problem.target].nunique() < len(problem.classes):
        return None
    ctx.step("refitting the best baseline without the flagged labels")
    refit = refit_without(
        problem,
        best,
        flagged,
        baseline_dev=ctx.predictions["dev"].y_pred,
        max_rows=ctx.budget.refit_rows,
        backend=ctx.backend,
    )
    y_dev = dev[problem.target].to_numpy()
    before = problem.metric.row_losses(y_dev, refit.with_rows)
    after = problem.metric.row_losses(y_dev, refit.without_rows)
    draws = bootstrap_means(before - after, n_boot=1000, seed=problem.seed)
    low, high = (float(v) for v in np.quantile(draws, [0.025, 0.975]))
    return {
        "dev_error": problem.metric.from_losses(before),
        "dev_error_refit": problem.metric.from_losses(after),
        "gain": float(np.mean(before - after)),
        "interval": [low, high],
        "rows_left_out": refit.left_out,
        "train_rows": refit.train_rows,
    }


@check(
    "residual_outliers",
    requires=("data", "regression"),
    description="rows with extreme out-of-fold residuals (regression's stand-in for label errors)",
    tags=("data",),
    result=ResidualOutliersResult,
)
def residuals(problem: Problem, ctx: Context) -> CheckResult:
    train = problem.frames["train"]
    y = train[problem.target].to_numpy(dtype=np.float64)
    flagged, z = residual_outliers(y, ctx.oof_proba[:, 0])
    share = float(len(flagged) / len(y))
    evidence: dict[str, Any] = {
        "rows": len(y),
        "flagged": len(flagged),
        "flagged_share": share,
        "threshold_robust_z": RESIDUAL_Z,
        "ranked": [
            {"row": ref, "target": short(y[r]), "robust_z": float(z[r])}
            for ref, r in zip(row_refs(problem, train, flagged[:MAX_RANKED]), flagged[:MAX_RANKED], strict=True)
        ],
    }
    findings = []
    if len(flagged):
        warn = share >= WARN_RESIDUAL_SHARE
        findings.append(
            Finding(
                id="residual_outliers.train",
                severity="warning" if warn else "info",
                title=(
                    f"{len(flagged)} train rows ({percent(share)}) have out-of-fold residuals beyond {RESIDUAL_Z:g} "
                    "robust standard deviations: check their targets"
                ),
                lever="fix_labels" if warn else None,
                bottleneck="label_noise" if warn else None,
                evidence=evidence | {"ranked": evidence["ranked"][:MAX_EXAMPLES]},
            )
        )
    return CheckResult(findings=tuple(findings), section=from_json(ResidualOutliersResult, evidence, strict=True))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(labels)
def _tables(report: Report, result: LabelsResult) -> list[Table]:
    splits = {s: i for s, i in result.splits.items() if i.flagged}
    if not splits:
        return []
    out = [
        Table(
            ("split", "rows", "estimated wrong labels", "flagged rows", "share of model errors on flagged rows"),
            [
                [
                    SPLIT_LABELS.get(s, s),
                    count_text(i.rows),
                    pct(i.noise_rate),
                    count_text(i.flagged),
                    pct(i.share_of_errors_on_flagged),
                ]
                for s, i in splits.items()
            ],
            numeric=(1, 2, 3, 4),
        )
    ]
    ranked = sorted(((s, r) for s, i in splits.items() for r in i.ranked), key=lambda item: item[1].quality)
    if ranked:
        out.append(
            Table(
                ("split", "row", "given label", "likely label", "label quality"),
                [
                    [
                        SPLIT_LABELS.get(s, s),
                        cell_text(r.row),
                        cell_text(r.given),
                        cell_text(r.likely),
                        f"{r.quality:.3f}",
                    ]
                    for s, r in ranked[:MAX_ROWS]
                ],
                numeric=(4,),
                caption="Most likely label errors first (cleanlab label quality, 0 = surely wrong).",
            )
        )
    return out
