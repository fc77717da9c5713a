"""Several runs compared (a sweep): the best run, a swept hyperparameter's edge, the noise between seeds.

Hyperparameters are read from run names such as ``lr_0.01_seed_2`` (and a constant ``lr``
column, and the params an MLflow run recorded). The findings are the check ``training_log.runs``'s.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.findings import Finding, Severity
from unstuck.training_log.run import CHECK, error_series
from unstuck.units import metric_value, significant

if TYPE_CHECKING:
    from unstuck.training_log.readers import TrainingLog

__all__ = ["RUNS_CHECK", "RunComparison", "compare_runs", "run_hyperparameters", "seeds_verdict"]

#: The check that compares runs.
RUNS_CHECK = f"{CHECK}.runs"


@dataclass(frozen=True)
class RunComparison:
    """The findings on a set of runs and a JSON-able table of them."""

    findings: tuple[Finding, ...]
    summary: dict[str, Any]


def _verdict(
    kind: str,
    severity: Severity,
    title: str,
    lever: str | None = None,
    bottleneck: str | None = None,
    evidence: dict[str, Any] | None = None,
) -> Finding:
    return Finding(
        id=f"{RUNS_CHECK}.{kind}",
        check=RUNS_CHECK,
        severity=severity,
        title=title,
        lever=lever,
        evidence=evidence if evidence is not None else {},
        bottleneck=bottleneck,
    )


_HP_PATTERN = re.compile(r"([A-Za-z][A-Za-z_]*?)[_=\-]?(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\d.])")
_HP_ALIASES = {"lr": "lr", "learning_rate": "lr", "learningrate": "lr", "seed": "seed", "s": "seed"}


def run_hyperparameters(log: TrainingLog) -> dict[str, float]:
    """Hyperparameters read from the run's name (``lr_0.01_seed_2``, ``lr=1e-3``), the numeric params its
    source recorded (MLflow), and a constant ``lr`` column; the learning rate is named per optimizer."""
    found: dict[str, float] = {}
    for part in re.split(r"[/\\]", log.name):
        for key, value in _HP_PATTERN.findall(part):
            key = key.strip("_").lower()
            tokens = key.split("_")
            name = next(
                (_HP_ALIASES["_".join(tokens[i:])] for i in range(len(tokens)) if "_".join(tokens[i:]) in _HP_ALIASES),
                tokens[-1],
            )
            if name in ("v", "version", "run", "epoch", "epochs", "step"):
                continue
            found[name] = float(value)
    for key, value in log.params.items():
        number = _as_number(value)
        if number is not None and key.lower() not in found:
            found[key.lower()] = number
    if "lr" not in found and log.has("lr"):
        values = log.series("lr")[1]
        if np.ptp(values) == 0:
            found["lr"] = float(values[0])
    optimizer = log.params.get("optimizer")
    if isinstance(optimizer, str) and optimizer and "lr" in found:
        # A learning rate means something different per optimizer: SGD's 0.1 and Adam's 0.001 are
        # not one range, so the variable carries the optimizer's name.
        found[f"lr ({optimizer})"] = found.pop("lr")
    return found


def is_learning_rate(name: str) -> bool:
    """Whether the swept variable ``name`` is a learning rate: ``lr``, or ``lr (Adam)`` when the runs name their
    optimizer. The suffix keeps different optimizers' ranges apart; it does not make the rate another lever."""
    return name == "lr" or name.startswith("lr (")


def _as_number(value: object) -> float | None:
    """A recorded hyperparameter as a float (MLflow records params as text), or None."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _run_score(log: TrainingLog, metric: str) -> tuple[str, float, float] | None:
    """(what, best value, its step): best dev error, else best dev loss, else best train loss."""
    options = []
    dev_err = error_series(log, "dev", metric)
    if dev_err is not None:
        options.append((f"dev {metric}", dev_err[0], dev_err[1]))
    for column in ("dev_loss", "train_loss"):
        if log.has(column):
            t, v = log.series(column)
            options.append((column.replace("_", " "), t, v))
    for what, t, v in options:
        finite = np.isfinite(v)
        if finite.any():
            i = int(np.argmin(np.where(finite, v, np.inf)))
            return what, float(v[i]), float(t[i])
    return None


def compare_runs(logs: Sequence[TrainingLog], *, metric: str = "error_rate") -> RunComparison:
    """Compare runs: the best, a swept hyperparameter's edge, the noise between seeds.

    Runs are scored by their best dev error (metric units) when every run logs it,
    else their best dev loss, else their best train loss (lower is better); a run
    whose curve is all non-finite scores +inf. Returns no findings for fewer than 2 runs.
    """
    rows: list[dict[str, Any]] = []
    for log in logs:
        score = _run_score(log, metric)
        rows.append(
            {
                "run": log.name,
                "hyperparameters": run_hyperparameters(log),
                "score_kind": score[0] if score else None,
                "best": score[1] if score else math.inf,
                "best_step": score[2] if score else None,
            }
        )
    kinds = {r["score_kind"] for r in rows if r["score_kind"]}
    summary: dict[str, Any] = {"runs": rows}
    if len(rows) < 2:
        return RunComparison((), summary)
    if len(kinds) > 1:
        # Score every run on the same footing: the first kind that all runs have.
        for kind in (f"dev {metric}", "dev loss", "train loss"):
            if all(_score_of_kind(log, kind, metric) is not None for log in logs):
                for row, log in zip(rows, logs, strict=True):
                    value, step = _score_of_kind(log, kind, metric) or (math.inf, None)
                    row.update(score_kind=kind, best=value, best_step=step)
                break
    kind = str(rows[0]["score_kind"] or "loss")
    summary["scored_by"] = kind
    ordered = sorted(rows, key=lambda r: float(r["best"]))
    best = ordered[0]
    findings: list[Finding] = []
    fmt = _formatter(kind, metric)
    findings.append(
        _verdict(
            "best_run",
            "info",
            f"Best of {len(rows)} runs by {kind}: {best['run']} ({fmt(best['best'])} at step/epoch "
            f"{best['best_step']:g}); next: " + ", ".join(f"{r['run']} {fmt(r['best'])}" for r in ordered[1:4]),
            evidence={"best_run": best["run"], "best_value": best["best"], "scored_by": kind},
        )
    )
    findings.extend(_sweep_edges(rows, best, fmt))
    seeds = _seed_noise(rows)
    if seeds is not None:
        summary["seed_noise"] = seeds
        findings.append(seeds_verdict(seeds, fmt))
    summary["best_run"] = best["run"]
    return RunComparison(tuple(findings), summary)


def _score_of_kind(log: TrainingLog, kind: str, metric: str) -> tuple[float, float] | None:
    if kind.startswith("dev ") and kind != "dev loss":
        series = error_series(log, "dev", metric)
        pair = None if series is None else (series[0], series[1])
    else:
        column = kind.replace(" ", "_")
        pair = log.series(column) if log.has(column) else None
    if pair is None:
        return None
    t, v = pair
    finite = np.isfinite(v)
    if not finite.any():
        return math.inf, float(t[0])
    i = int(np.argmin(np.where(finite, v, np.inf)))
    return float(v[i]), float(t[i])


def _formatter(kind: str, metric: str) -> Callable[[float], str]:
    """How a run's score is written: in the metric's units when it is the dev metric, "diverged" when not finite."""
    if kind == f"dev {metric}":
        return lambda v: metric_value(metric, v) if np.isfinite(v) else "diverged"
    return lambda v: significant(v) if np.isfinite(v) else "diverged"


def _sweep_edges(rows: list[dict[str, Any]], best: dict[str, Any], fmt: Callable[[float], str]) -> list[Finding]:
    findings = []
    names = sorted({k for r in rows for k in r["hyperparameters"] if k != "seed"})
    for name in names:
        values = sorted({r["hyperparameters"][name] for r in rows if name in r["hyperparameters"]})
        if len(values) < 3 or name not in best["hyperparameters"]:
            continue
        value = best["hyperparameters"][name]
        if value not in (values[0], values[-1]):
            findings.append(
                _verdict(
                    "sweep_inside",
                    "info",
                    f"The best {name} ({value:g}) lies inside the range tried ({values[0]:g} … {values[-1]:g}): "
                    "the sweep brackets the optimum",
                    evidence={"hyperparameter": name, "best": value, "tried": values},
                )
            )
            continue
        side = "largest" if value == values[-1] else "smallest"
        beyond = "above" if side == "largest" else "below"
        findings.append(
            _verdict(
                "sweep_edge",
                "warning",
                f"The best {name} ({value:g}, {fmt(best['best'])}) is the {side} value tried ({values[0]:g} … "
                f"{values[-1]:g}): the optimum may lie {beyond} it — extend the sweep {beyond} {value:g}",
                "tune_learning_rate" if is_learning_rate(name) else "tune_hyperparameters",
                None,
                {"hyperparameter": name, "best": value, "tried": values, "edge": side},
            )
        )
    return findings


def _seed_noise(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    groups: dict[tuple[tuple[str, float], ...], list[float]] = {}
    for row in rows:
        hp = row["hyperparameters"]
        if "seed" not in hp or not np.isfinite(row["best"]):
            continue
        key = tuple(sorted((k, v) for k, v in hp.items() if k != "seed"))
        groups.setdefault(key, []).append(float(row["best"]))
    repeated = {k: v for k, v in groups.items() if len(v) >= 2}
    if not repeated:
        return None
    # Pooled within-configuration standard deviation (ddof 1 per group).
    ss = sum(float(np.sum((np.array(v) - np.mean(v)) ** 2)) for v in repeated.values())
    dof = sum(len(v) - 1 for v in repeated.values())
    pooled = math.sqrt(ss / dof) if dof else 0.0
    means = sorted(((float(np.mean(v)), k) for k, v in groups.items()), key=lambda m: m[0])
    out: dict[str, Any] = {
        "configurations": len(groups),
        "repeated": len(repeated),
        "pooled_sd": pooled,
        "config_means": [{"config": dict(k), "mean": m} for m, k in means],
    }
    if len(means) >= 2:
        out["best_margin"] = means[1][0] - means[0][0]
    return out


def seeds_verdict(seeds: dict[str, Any], fmt: Callable[[float], str]) -> Finding:
    """An info verdict: the seed-to-seed noise, and whether the best configuration beats the next beyond it."""
    pooled = float(seeds["pooled_sd"])
    margin = seeds.get("best_margin")
    if margin is None:
        tail = ""
    elif margin < 2 * pooled:
        tail = (
            f"; the best configuration leads the next by {fmt(margin)}, less than 2× that noise: "
            "not a real difference yet — run more seeds"
        )
    else:
        tail = f"; the best configuration leads the next by {fmt(margin)}, more than 2× that noise"
    return _verdict(
        "seed_noise",
        "info",
        f"Noise between seeds: standard deviation {fmt(pooled)} over {seeds['repeated']} repeated "
        f"configuration(s){tail}",
        evidence=dict(seeds),
    )
