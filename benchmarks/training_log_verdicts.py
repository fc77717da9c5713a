"""Confusion table of the training-curve verdicts over planted curves.

Usage::

    python benchmarks/training_log_verdicts.py                 # 10 curves per kind, noise ×1 and ×3
    python benchmarks/training_log_verdicts.py --per-kind 20 --noise 1 2 4

For each planted pathology (``unstuck.training_log.synthetic.PLANTED``: healthy and
eight pathologies) and each seed, a run of 30–100 epochs is generated with random
shape parameters and 0.5–2 % multiplicative noise (× the noise scale), diagnosed with
``diagnose_run(log, human_error=0.02)``, and counted under its *primary* verdict: the
most urgent kind among the non-info verdicts (``saturated_early``, an info verdict,
counts for itself). "healthy" means no verdict above info. Targets: no
healthy curve flagged, each pathology recognised in ≥ 90 % of cases.

A second table runs real curves: scikit-learn ``MLPClassifier`` / ``MLPRegressor``
``loss_curve_`` on the digits data at learning rates chosen to be bad on purpose.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections import Counter

import numpy as np
import pandas as pd

from unstuck.training_log.readers import log_from_frame
from unstuck.training_log.synthetic import HUMAN_ERROR, PLANTED, planted_log
from unstuck.training_log.verdicts import KINDS, diagnose_run, primary_kind


def primary(kind: str, verdicts: list) -> str:
    considered = verdicts if kind == "saturated_early" else [v for v in verdicts if v.severity != "info"]
    found = primary_kind(considered)
    if found == "healthy" and kind == "saturated_early":
        return "healthy"
    return found


def confusion(per_kind: int, noise: float, seed0: int) -> tuple[dict[str, Counter], float]:
    table: dict[str, Counter] = {}
    start = time.perf_counter()
    for kind in PLANTED:
        counts: Counter = Counter()
        for seed in range(seed0, seed0 + per_kind):
            verdicts = list(diagnose_run(planted_log(kind, seed, noise), human_error=HUMAN_ERROR).verdicts)
            counts[primary(kind, verdicts)] += 1
        table[kind] = counts
    return table, (time.perf_counter() - start) / (per_kind * len(PLANTED))


def markdown(table: dict[str, Counter]) -> str:
    columns = ["healthy", *KINDS]
    short = {
        "healthy": "healthy",
        "divergence": "diverg.",
        "pipeline_bug": "pipeline",
        "instability": "unstable",
        "overfitting": "overfit",
        "lr_too_low": "lr low",
        "underfitting": "underfit",
        "still_improving": "improving",
        "saturated_early": "saturated",
    }
    lines = [
        "| planted \\ verdict | " + " | ".join(short[c] for c in columns) + " | recognised |",
        "|---|" + "---:|" * (len(columns) + 1),
    ]
    for kind, counts in table.items():
        total = sum(counts.values())
        lines.append(
            f"| {kind} | "
            + " | ".join(str(counts.get(c, 0) or "·") for c in columns)
            + f" | {counts.get(kind, 0) / total:.0%} |"
        )
    return "\n".join(lines)


def real_curves() -> list[tuple[str, str, str]]:
    from sklearn.datasets import load_digits
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    rows = []
    settings = [
        (
            "MLPClassifier adam lr=0.01 (sane)",
            "healthy or saturated",
            MLPClassifier,
            {"solver": "adam", "learning_rate_init": 0.01},
            y,
        ),
        (
            "MLPClassifier adam lr=0.001",
            "still improving",
            MLPClassifier,
            {"solver": "adam", "learning_rate_init": 0.001},
            y,
        ),
        ("MLPClassifier adam lr=0.1", "instability", MLPClassifier, {"solver": "adam", "learning_rate_init": 0.1}, y),
        (
            "MLPClassifier sgd lr=0.6",
            "instability",
            MLPClassifier,
            {"solver": "sgd", "learning_rate_init": 0.6, "momentum": 0.9},
            y,
        ),
        (
            "MLPClassifier sgd lr=1e-4",
            "lr too low",
            MLPClassifier,
            {"solver": "sgd", "learning_rate_init": 1e-4, "momentum": 0.9},
            y,
        ),
        (
            "MLPRegressor sgd lr=1.0",
            "divergence",
            MLPRegressor,
            {"solver": "sgd", "learning_rate_init": 1.0},
            100 * x[:, 20] + 50 * x[:, 30],
        ),
    ]
    for name, expected, model_class, params, target in settings:
        model = model_class(
            hidden_layer_sizes=(32,),
            max_iter=40,
            n_iter_no_change=1000,
            tol=0.0,
            random_state=0,
            batch_size=64,
            **params,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(x, target)
        log = log_from_frame(pd.DataFrame({"loss": model.loss_curve_}), name=name)
        verdicts = diagnose_run(log).verdicts
        rows.append((name, expected, ", ".join(f"{v.kind} ({v.severity})" for v in verdicts) or "none"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-kind", type=int, default=10)
    parser.add_argument("--noise", type=float, nargs="+", default=[1.0, 3.0])
    parser.add_argument("--seed", type=int, default=1000, help="first seed (tests use other seeds)")
    args = parser.parse_args()
    for noise in args.noise:
        table, per_curve = confusion(args.per_kind, noise, args.seed)
        n = args.per_kind * len(PLANTED)
        print(f"\n### {n} planted curves, noise ×{noise:g} ({per_curve * 1000:.0f} ms per curve)\n")
        print(markdown(table))
    print("\n### Real curves (scikit-learn MLP on digits, 40 epochs)\n")
    print("| run | expected | verdicts |\n|---|---|---|")
    for name, expected, got in real_curves():
        print(f"| {name} | {expected} | {got} |")
    np.seterr(all="warn")


if __name__ == "__main__":
    main()
