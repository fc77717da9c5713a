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

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.data.frames import MAX_EXAMPLES, row_refs, short
from unstuck.findings import Finding
from unstuck.registry import CheckResult, SkipCheck, check

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.problem import Problem

#: A split's labels are a warning when cleanlab estimates at least this noise rate ...
WARN_NOISE_RATE = 0.03
#: ... and flags at least this many rows.
MIN_FLAGGED = 5
#: A flagged row is a *confident* flag when the model gives another label at least this probability ...
CONFIDENT_OTHER = 0.8
#: ... and the flags are evidence of wrong labels only when at least this share of them is confident.
MIN_CONFIDENT_SHARE = 0.4
#: Regression: |robust z| of the out-of-fold residual above which a row is flagged.
RESIDUAL_Z = 6.0
#: Regression: flagged share from which residual outliers are a warning.
WARN_RESIDUAL_SHARE = 0.01
MAX_RANKED = 50


def label_issues(labels: NDArray[np.int64], proba: NDArray[np.float64]) -> dict[str, Any]:
    """cleanlab's verdict on integer ``labels`` (n,) given out-of-sample ``proba`` (n, K).

    Returns ``flagged`` (indices ranked by label quality, lowest first), ``quality``
    (self-confidence per row, shape (n,)), ``joint`` (K × K estimate of
    P(given = i, true = j)) and ``noise_rate`` (1 − its trace).
    """
    from cleanlab.count import estimate_joint
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    proba = np.clip(proba, 1e-12, None)
    proba = proba / proba.sum(axis=1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flagged = find_label_issues(labels, proba, return_indices_ranked_by="self_confidence", n_jobs=1)
        quality = get_label_quality_scores(labels, proba)
        joint = estimate_joint(labels, proba)
    return {
        "flagged": np.asarray(flagged, dtype=np.int64),
        "quality": np.asarray(quality, dtype=np.float64),
        "joint": np.asarray(joint, dtype=np.float64),
        "noise_rate": float(1.0 - np.trace(joint)),
    }


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


def confused_pairs(joint: NDArray[np.float64], classes: tuple[Any, ...], top: int = 5) -> list[dict[str, Any]]:
    """The largest off-diagonal cells of the joint: (given label, likely true label, share of rows)."""
    off = joint.copy()
    np.fill_diagonal(off, 0.0)
    order = np.argsort(off, axis=None)[::-1][:top]
    out = []
    for flat in order:
        i, j = np.unravel_index(flat, off.shape)
        if off[i, j] <= 0:
            break
        out.append({"given": short(classes[i]), "likely": short(classes[j]), "share": float(off[i, j])})
    return out


def residual_outliers(y_true: NDArray[np.float64], y_hat: NDArray[np.float64]) -> tuple[NDArray[np.int64], Any]:
    """Rows whose residual has |robust z| > ``RESIDUAL_Z`` (ranked, most extreme first), and all z-scores."""
    residual = np.asarray(y_true, dtype=np.float64) - np.asarray(y_hat, dtype=np.float64)
    centre = float(np.median(residual))
    scale = 1.4826 * float(np.median(np.abs(residual - centre)))
    if scale <= 0:
        scale = float(np.std(residual)) or 1.0
    z = (residual - centre) / scale
    flagged = np.flatnonzero(np.abs(z) > RESIDUAL_Z)
    return flagged[np.argsort(-np.abs(z[flagged]))], z


@check(
    "labels",
    requires=("classification", "proba"),
    description="likely label errors (cleanlab confident learning on out-of-sample probabilities)",
    tags=("data",),
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
    shifted = _dev_differs_from_train(ctx)
    gain = results["dev"]["error_on_flagged_rows"] if "dev" in results and not shifted else None
    findings = []
    for split, info in results.items():
        if info["flagged"] == 0:
            continue
        warn = info["noise_rate"] >= WARN_NOISE_RATE and info["flagged"] >= MIN_FLAGGED
        untrusted = shifted and split != "train"
        unsure = info["confident_share"] < MIN_CONFIDENT_SHARE
        warn = warn and not untrusted and not unsure
        pairs = info["confused_pairs"][:2]
        pair_text = "; most confused: " + ", ".join(f"{p['given']}→{p['likely']}" for p in pairs) if pairs else ""
        title = (
            f"cleanlab estimates {info['noise_rate']:.1%} of {split} labels are wrong and flags "
            f"{info['flagged']} rows ({info['flagged_share']:.1%}){pair_text}"
        )
        if split == "dev" and "share_of_errors_on_flagged" in info:
            title += (
                f"; {info['share_of_errors_on_flagged']:.0%} of dev errors fall on flagged rows "
                f"(up to {problem.metric.format_gap(info['error_on_flagged_rows'])} of dev error)"
            )
        if split == "dev" and warn:
            title += " — a wrong dev label distorts every decision made on dev"
        if unsure and not untrusted:
            title += (
                f" — not trusted: the model is sure of another label ({CONFIDENT_OTHER:.0%} or more) on only "
                f"{info['confident_share']:.0%} of the flagged rows, so it cannot tell wrong labels from rows it "
                "finds hard; a stronger model must agree before relabelling"
            )
        if untrusted:
            title += (
                " — not trusted: dev/test differ from train (a material data-mismatch gap), so a model "
                "trained on train cannot vouch for their labels"
            )
        findings.append(
            Finding(
                id=f"labels.{split}",
                check="labels",
                severity="warning" if warn else "info",
                title=title,
                lever="fix_labels" if warn else None,
                evidence={k: v for k, v in info.items() if k != "ranked"} | {"ranked": info["ranked"][:MAX_EXAMPLES]},
                bottleneck="label_noise" if warn else None,
                expected_gain=gain if warn else None,
            )
        )
    return CheckResult(findings=tuple(findings), section={"splits": results, "expected_gain": gain})


@check(
    "residual_outliers",
    requires=("data", "regression"),
    description="rows with extreme out-of-fold residuals (regression's stand-in for label errors)",
    tags=("data",),
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
                check="residual_outliers",
                severity="warning" if warn else "info",
                title=(
                    f"{len(flagged)} train rows ({share:.1%}) have out-of-fold residuals beyond {RESIDUAL_Z:g} robust "
                    "standard deviations: check their targets"
                ),
                lever="fix_labels" if warn else None,
                bottleneck="label_noise" if warn else None,
                evidence=evidence | {"ranked": evidence["ranked"][:MAX_EXAMPLES]},
            )
        )
    return CheckResult(findings=tuple(findings), section=evidence)


def _dev_differs_from_train(ctx: Context) -> bool:
    """Whether the decomposition finds a material data-mismatch gap (dev − train-dev).

    Confident learning needs out-of-sample probabilities from the labels' own
    distribution; on shifted dev/test rows a model's doubts say more about the shift
    than about the labels.
    """
    try:
        parts = ctx.decomposition
    except Exception:  # no error estimates in this mode: nothing says dev differs
        return False
    gap = parts.gaps.get("data_mismatch")
    return gap is not None and gap.value > 0 and parts.material(gap)
