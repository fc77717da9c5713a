"""Error decomposition: which gap (bias, variance, mismatch, dev overfitting) dominates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unstuck.decomposition import COMPONENTS, NEGATIVE
from unstuck.findings import Finding
from unstuck.registry import CheckResult, check, draws, shows
from unstuck.view import SPLIT_LABELS, Plot, Table, count_text, fmt_gap, fmt_interval, fmt_value

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.decomposition import Decomposition, Gap
    from unstuck.findings import Report
    from unstuck.problem import Problem


@dataclass(frozen=True)
class GapResult:
    """One gap of the method, ``upper − lower`` in metric units, with its bootstrap 95 % interval.

    ``between``: the two levels (``("train_dev", "train")``); ``significant``: the interval lies
    wholly above zero; ``verdict``: what the report says of it (``unstuck.decomposition.VERDICTS``;
    absent in reports written before it existed).
    """

    value: float
    interval: tuple[float, float]
    between: tuple[str, str]
    significant: bool
    note: str
    verdict: str | None = None


@dataclass(frozen=True)
class DecompositionResult:
    """The errors per split and the four gaps between them (the Nuts-and-Bolts table).

    ``errors``: the metric on each measured split (metric units, None when not finite);
    ``intervals``: their bootstrap 95 % intervals; ``n``: rows measured per split;
    ``components``: each of avoidable bias, variance, data mismatch and dev overfitting
    (None where it cannot be computed, with the reason in ``missing``); ``dominant``: the
    gaps called the bottleneck.
    """

    errors: Mapping[str, float | None]
    intervals: Mapping[str, tuple[float, float]]
    n: Mapping[str, int]
    components: Mapping[str, GapResult | None]
    missing: Mapping[str, str]
    dominant: tuple[str, ...]

    def values(self) -> dict[str, float | None]:
        """Each component's size (metric units), None where it cannot be computed."""
        return {c: (gap.value if (gap := self.components.get(c)) is not None else None) for c in COMPONENTS}


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
    group="decomposition",
    result=DecompositionResult,
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
                    severity="info",
                    title=f"{title_core} — {verdict}",
                    evidence=evidence,
                )
            )
    if "avoidable_bias" in parts.missing and problem.human_error is None:
        findings.append(
            Finding(
                id="decomposition.human_unknown",
                severity="info",
                title="Human-level error unknown, so avoidable bias cannot be told from unavoidable error",
                evidence={
                    "how_to_supply": "pass --human-error: for example, have two people label the same "
                    "100-200 dev examples and take the error of the better one against the labels"
                },
            )
        )
    section = DecompositionResult(
        errors={s: e.value for s, e in errors.items()},
        intervals={s: e.interval for s, e in errors.items()},
        n={s: e.n for s, e in errors.items()},
        components={c: _gap_result(parts, parts.gaps.get(c)) for c in COMPONENTS},
        missing=dict(parts.missing),
        dominant=tuple(dominant),
    )
    return CheckResult(findings=tuple(findings), section=section)


def _gap_result(parts: Decomposition, gap: Gap | None) -> GapResult | None:
    if gap is None:
        return None
    return GapResult(gap.value, gap.interval, (gap.upper, gap.lower), gap.significant, gap.note, parts.verdict(gap))


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _capped(gain: float, ceiling: float | None) -> float:
    return gain if ceiling is None else min(gain, ceiling)


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------

GAP_LABELS = {
    "avoidable_bias": ("avoidable bias", "train − human-level"),
    "variance": ("variance", "train-dev − train"),
    "data_mismatch": ("data mismatch", "dev − train-dev"),
    "dev_overfit": ("dev overfitting", "test − dev"),
}


@draws(decomposition)
def _plot(report: Report, result: DecompositionResult) -> Plot:
    return Plot(
        "error_levels",
        "Error at each level of the method, with 95% intervals; arrows are the gaps between levels "
        "(red: the bottleneck, grey: within noise).",
        data=result,
    )


@shows(decomposition)
def _tables(report: Report, result: DecompositionResult) -> list[Table]:
    levels = [
        (
            label,
            fmt_value(report, report.errors.get(key)),
            fmt_interval(report, report.intervals.get(key)),
            count_text(result.n.get(key)) if key in result.n else "",
        )
        for key, label in SPLIT_LABELS.items()
        if report.errors.get(key) is not None
    ]
    gaps = []
    for name, (label, formula) in GAP_LABELS.items():
        comp = result.components.get(name)
        if comp is None:
            gaps.append((label, formula, "—", "", result.missing.get(name, "not computable")))
            continue
        said = comp.verdict or ("bottleneck" if name in result.dominant else "within noise")
        verdict = "BOTTLENECK" if said == "bottleneck" else said
        if comp.between[0] == "dev" and name == "variance":
            label, formula = "variance + mismatch", "dev − train"
        gaps.append(
            (label, formula, fmt_gap(report, comp.value), fmt_interval(report, comp.interval, gap=True), verdict)
        )
    return [
        Table(("split", str(report.metric.get("name", "error")), "95% interval", "rows"), levels, numeric=(1, 2, 3)),
        Table(("gap", "between", "size", "95% interval", "verdict"), gaps, numeric=(2, 3)),
    ]
