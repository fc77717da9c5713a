"""Error decomposition: which gap (bias, variance, mismatch, dev overfitting) dominates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unstuck.decomposition import NEGATIVE
from unstuck.findings import Finding
from unstuck.registry import CheckResult, check

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.problem import Problem

#: component -> (primary lever, contract bottleneck, what the gap means)
MEANING: dict[str, tuple[str, str, str]] = {
    "avoidable_bias": (
        "bigger_model",
        "avoidable_bias",
        "the model does not fit even the training data",
    ),
    "variance": (
        "regularize",
        "variance",
        "the model does not generalise from train to unseen rows of the same distribution",
    ),
    "data_mismatch": (
        "reduce_mismatch",
        "data_mismatch",
        "dev data differs from the training data",
    ),
    "dev_overfit": (
        "bigger_dev_set",
        "dev_overfit",
        "choices tuned on dev do not carry over to test",
    ),
}

LABELS = {
    "human": "human-level",
    "train": "train",
    "train_dev": "train-dev",
    "dev": "dev",
    "test": "test",
}


@check(
    "decomposition",
    requires=("predictions",),
    description="human / train / train-dev / dev / test errors and the gaps between them",
)
def decomposition(problem: Problem, ctx: Context) -> CheckResult:
    metric = problem.metric
    errors = ctx.errors
    parts = ctx.decomposition
    dominant = parts.dominant()
    # No fix can lower dev error below zero (or below human level): cap each gap's gain there.
    dev_error = errors["dev"].value if "dev" in errors else None
    ceiling = None if dev_error is None else max(0.0, dev_error - (problem.human_error or 0.0))
    findings: list[Finding] = []
    for name, gap in parts.gaps.items():
        if gap is None:
            continue
        lever, bottleneck, meaning = MEANING[name]
        upper = errors[gap.upper].value
        lower = problem.human_error if gap.lower == "human" else errors[gap.lower].value
        low, high = gap.interval
        evidence = {
            "gap": gap.value,
            "interval": [low, high],
            gap.upper: upper,
            gap.lower: lower,
            "n": {s: errors[s].n for s in (gap.upper, gap.lower) if s in errors},
            "note": gap.note,
            "rests_on": ["model", *(["train_labels"] if {gap.upper, gap.lower} & {"train", "train_dev"} else [])],
        }
        title_core = (
            f"{_title(name)}: {LABELS[gap.upper]} {metric.format(upper)} vs {LABELS[gap.lower]} "
            f"{metric.format(lower)}, a gap of {metric.format_gap(gap.value)} "
            f"(95% interval {metric.format_gap(low)} to {metric.format_gap(high)})"
        )
        if name in dominant:
            findings.append(
                Finding(
                    id=f"decomposition.{name}",
                    check="decomposition",
                    severity="warning",
                    title=f"{title_core} — {meaning}",
                    lever=lever,
                    evidence=evidence,
                    bottleneck=bottleneck,
                    expected_gain=_capped(gap.value, ceiling),
                )
            )
        elif parts.material(gap):
            findings.append(
                Finding(
                    id=f"decomposition.{name}",
                    check="decomposition",
                    severity="info",
                    title=f"{title_core} — real, but smaller than the dominant gap",
                    lever=lever,
                    evidence=evidence,
                    bottleneck=bottleneck,
                    expected_gain=_capped(gap.value, ceiling),
                )
            )
        else:
            said = parts.verdict(gap)
            verdict = (
                "real but under a tenth of the dev error, too small to act on"
                if gap.significant
                else NEGATIVE[name]
                if said == "negative beyond noise"
                else "within noise, not a bottleneck"
            )
            findings.append(
                Finding(
                    id=f"decomposition.{name}",
                    check="decomposition",
                    severity="info",
                    title=f"{title_core} — {verdict}",
                    evidence=evidence,
                )
            )
    if "avoidable_bias" in parts.missing and problem.human_error is None:
        findings.append(
            Finding(
                id="decomposition.human_unknown",
                check="decomposition",
                severity="info",
                title="Human-level error unknown, so avoidable bias cannot be told from unavoidable error",
                evidence={
                    "how_to_supply": "pass --human-error: for example, have two people label the same "
                    "100-200 dev examples and take the error of the better one against the labels"
                },
            )
        )
    section = {
        "errors": {s: e.value for s, e in errors.items()},
        "intervals": {s: list(e.interval) for s, e in errors.items()},
        "n": {s: e.n for s, e in errors.items()},
        **parts.to_dict(),
    }
    return CheckResult(findings=tuple(findings), section=section)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _capped(gain: float, ceiling: float | None) -> float:
    return gain if ceiling is None else min(gain, ceiling)
